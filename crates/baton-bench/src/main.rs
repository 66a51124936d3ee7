//! `baton-bench`: boots a `baton` server in a temporary data directory and measures how fast it
//! takes posts from concurrent members, or (`--pages`) how fast it serves the web pages of the
//! demo workspace, against a `/healthz` baseline measured in the same run; or (`--digests`) how
//! fast it sends email digests to a local SMTP sink, against the sink's own ceiling; or
//! (`--signin-flood`) whether a flood of bad sign-ins starves `/healthz` or exhausts memory.
//!
//! Owns: the run's order (start, set up, baseline, measured phase, stop), its hard time limit,
//! and the exit status (non-zero on any failed request).
#![forbid(unsafe_code)]

mod cli;
mod client;
mod digests;
mod load;
mod memory;
mod pages;
mod report;
mod server;
mod setup;
mod signin_flood;
mod smtp_sink;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;

use cli::Cli;
use client::Api;
use digests::DigestRun;
use memory::Sampler;
use report::{Machine, Printed, Report};
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

/// Starts the server, runs the chosen mode within the time limit, and always stops the server.
async fn run(cli: &Cli) -> anyhow::Result<Box<dyn Printed>> {
    cli.validate()?;
    let deadline = tokio::time::Instant::now() + cli.timeout();
    let over = || overran(cli);
    let database_url = cli.database_url.as_deref();
    if cli.pages {
        let server = tokio::time::timeout_at(deadline, Server::demo(&cli.baton, database_url))
            .await
            .with_context(over)??;
        let measured = tokio::time::timeout_at(deadline, pages::measure(cli, server.addr))
            .await
            .with_context(over);
        return stop_and_report(server, measured).await;
    }
    if let Some(recipients) = cli.digests {
        return run_digests(cli, recipients, deadline).await;
    }
    if let Some(attempts) = cli.signin_flood {
        let (server, _) = tokio::time::timeout_at(
            deadline,
            Server::bootstrapped(&cli.baton, database_url, &[]),
        )
        .await
        .with_context(over)??;
        let backend = report::backend_label(database_url);
        let flood = signin_flood::measure(server.addr, server.pid, attempts, backend);
        let measured = tokio::time::timeout_at(deadline, flood)
            .await
            .with_context(over);
        return stop_and_report(server, measured).await;
    }
    let (server, owner_token) = tokio::time::timeout_at(
        deadline,
        Server::bootstrapped(&cli.baton, database_url, &[]),
    )
    .await
    .with_context(over)??;
    let measured = tokio::time::timeout_at(deadline, measure(cli, &server, &owner_token))
        .await
        .with_context(over);
    stop_and_report(server, measured).await
}

/// `--digests`: starts the SMTP sink and the clock file, then a server sending to the one and
/// following the other, and measures its digests within the time limit.
async fn run_digests(
    cli: &Cli,
    recipients: usize,
    deadline: tokio::time::Instant,
) -> anyhow::Result<Box<dyn Printed>> {
    let over = || overran(cli);
    let database_url = cli.database_url.as_deref();
    let shape = digests::Shape {
        recipients,
        asked: cli.asked,
        items: cli.items,
    };
    let run = DigestRun::prepare(shape).await?;
    let serve_args = run.serve_args();
    let boot = Server::bootstrapped(&cli.baton, database_url, &serve_args);
    let (server, owner_token) = tokio::time::timeout_at(deadline, boot)
        .await
        .with_context(over)??;
    let backend = report::backend_label(database_url);
    let measured = tokio::time::timeout_at(deadline, run.measure(&server, &owner_token, backend))
        .await
        .with_context(over);
    stop_and_report(server, measured).await
}

/// The error of a run that reached its time limit.
fn overran(cli: &Cli) -> String {
    format!("the benchmark did not finish within {:?}", cli.timeout())
}

/// Stops the server whatever the measurement's fate, then hands back the report (or the first
/// error: the measurement's before the server's).
async fn stop_and_report<R: Printed + 'static>(
    server: Server,
    measured: anyhow::Result<anyhow::Result<R>>,
) -> anyhow::Result<Box<dyn Printed>> {
    let stopped = server.stop().await.context("stopping the server");
    let report = measured??;
    stopped?;
    Ok(Box::new(report))
}

/// What the delivery worker made of the replies once it caught up: the backlog (deliveries
/// queued for the followers) when no event waits to be expanded any more, or after 30 s.
async fn expanded_backlog(api: &Api, owner_token: &str) -> anyhow::Result<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let backlog = api
            .get_json("/api/v1/deliveries/backlog", owner_token)
            .await
            .context("reading the delivery backlog")?;
        if backlog["unexpanded_events"] == 0 || Instant::now() > deadline {
            return Ok(backlog);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sets up the workspace and runs the baseline and the posts phase against `server`.
async fn measure(cli: &Cli, server: &Server, owner_token: &str) -> anyhow::Result<Report> {
    let api = Api::new(server.addr);
    let writers = setup::prepare(&api, owner_token, cli.members, cli.clients, cli.one_thread)
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
    let backlog = if cli.one_thread {
        Some(expanded_backlog(&api, owner_token).await?)
    } else {
        None
    };
    Ok(Report {
        machine: Machine::detect(),
        backlog,
        backend: report::backend_label(cli.database_url.as_deref()),
        clients: cli.clients,
        members: cli.members,
        one_thread: cli.one_thread,
        baseline,
        posts,
        peak_rss_kib,
    })
}
