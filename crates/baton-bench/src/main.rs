//! `baton-bench`: boots a `baton` server in a temporary data directory and measures how fast it
//! takes posts from concurrent members, against a `/healthz` baseline measured in the same run.
//!
//! Owns: the run's order (start, set up, baseline, posts, stop), its hard time limit, and the
//! exit status (non-zero on any failed request).
#![forbid(unsafe_code)]

mod cli;
mod client;
mod load;
mod memory;
mod report;
mod server;
mod setup;

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use cli::Cli;
use client::Api;
use memory::Sampler;
use report::{Machine, Report};
use server::Server;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli).await {
        Ok(report) => {
            if cli.json {
                println!("{}", report.to_json());
            } else {
                print!("{}", report.table());
            }
            if report.errors() == 0 {
                ExitCode::SUCCESS
            } else {
                eprintln!("error: {} requests failed", report.errors());
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Starts the server, runs both phases within the time limit, and always stops the server.
async fn run(cli: &Cli) -> anyhow::Result<Report> {
    cli.validate()?;
    let deadline = tokio::time::Instant::now() + cli.timeout();
    let over = || format!("the benchmark did not finish within {:?}", cli.timeout());
    let server = tokio::time::timeout_at(
        deadline,
        Server::start(&cli.baton, cli.database_url.as_deref()),
    )
    .await
    .with_context(over)??;
    let measured = tokio::time::timeout_at(deadline, measure(cli, &server))
        .await
        .with_context(over);
    let stopped = server.stop().await.context("stopping the server");
    let report = measured??;
    stopped?;
    Ok(report)
}

/// Sets up the workspace and runs the baseline and the posts phase against `server`.
async fn measure(cli: &Cli, server: &Server) -> anyhow::Result<Report> {
    let api = Api::new(server.addr);
    let writers = setup::prepare(&api, &server.owner_token, cli.members, cli.clients)
        .await
        .context("setting up the workspace")?;
    let sampler = Sampler::start(server.pid);
    let baseline = load::baseline(server.addr, cli.clients, cli.posts)
        .await
        .context("baseline phase")?;
    let posts = load::posts(server.addr, &writers, cli.posts)
        .await
        .context("posts phase")?;
    let peak_rss_kib = sampler
        .finish()
        .await
        .context("reading the server's memory")?;
    Ok(Report {
        machine: Machine::detect(),
        backend: report::backend_label(cli.database_url.as_deref()),
        clients: cli.clients,
        members: cli.members,
        baseline,
        posts,
        peak_rss_kib,
    })
}
