//! The `baton` binary: one executable for every role (serve, migrate, admin, demo).
//!
//! Owns: command-line parsing, configuration from flags and `BATON_*` variables, logging
//! setup, choosing the time zone database, and turning startup failures into one clear line
//! and a non-zero exit.
#![forbid(unsafe_code)]

mod admin;
mod cli;
mod demo;
mod serve;

use cli::{AdminCommand, Cli, Command};

fn main() -> std::process::ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BATON_LOG")
        .unwrap_or_else(|_| "baton=info,baton_server=info,baton_store=info,warn".into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    // Before anything can look up a zone (validating a bootstrap's zone, the demo's schedules),
    // and before `--version`, which names it.
    let tzdb = baton_server::tzdb::install_newest();
    let cli = Cli::parse_naming(tzdb);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::run(args).await,
            Command::Migrate(db) => serve::migrate(db).await,
            Command::Admin {
                command: AdminCommand::Bootstrap(args),
            } => admin::bootstrap(args).await,
            Command::Demo(db) => demo::run(db).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One line: the outermost context and its root cause.
            let root = e.root_cause().to_string();
            let top = e.to_string();
            if top == root {
                eprintln!("error: {top}")
            } else {
                eprintln!("error: {top}: {root}")
            }
            std::process::ExitCode::FAILURE
        }
    }
}
