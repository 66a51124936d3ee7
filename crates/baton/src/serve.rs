//! `baton serve` and `baton migrate`: open the store, bind, serve until a signal.

use std::sync::Arc;

use anyhow::Context;
use baton_core::delivery::webhook_target::AllowedHosts;
use baton_server::AppState;
use baton_server::delivery::webhook_client::WebhookClient;
use baton_server::delivery::{Mailer, SmtpMailer, Worker};
use baton_store::Store;

use crate::cli::{DbArgs, ServeArgs};

/// Opens the configured store, creating the SQLite data directory when needed.
pub async fn open_store(db: &DbArgs) -> anyhow::Result<Arc<dyn Store>> {
    if db.database_url.is_none() {
        std::fs::create_dir_all(&db.data_dir)
            .with_context(|| format!("cannot create data directory {}", db.data_dir.display()))?;
    }
    baton_store::open(
        db.database_url.as_deref(),
        &db.data_dir.join("baton.sqlite3"),
    )
    .await
}

/// `baton migrate`.
pub async fn migrate(db: DbArgs) -> anyhow::Result<()> {
    open_store(&db).await?;
    println!("migrations applied");
    Ok(())
}

/// `baton serve`.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let store = open_store(&args.db).await?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let web = baton_server::state::WebSettings {
        base_url: args.base_url.clone(),
        sign_in_hint: args.demo.then(crate::demo::sign_in_hint),
        trust_proxy: args.trust_proxy,
    };
    let allowed = AllowedHosts::new(args.webhook_allow_hosts.iter().map(String::as_str));
    if !args.webhook_allow_hosts.is_empty() {
        tracing::warn!(hosts = ?args.webhook_allow_hosts, "webhooks may reach these internal hosts");
    }
    let mut builder = AppState::builder(store)
        .web(web)
        .webhooks(WebhookClient::new(allowed));
    if let Some(path) = &args.clock_file {
        builder = builder.clock(std::sync::Arc::new(baton_server::clock::FileClock::new(
            path,
        )));
        tracing::warn!(path = %path.display(), "the clock follows a file (testing only)");
    }
    let state = builder.build();
    let url = format!(
        "http://{}",
        listener
            .local_addr()
            .map_or(args.listen.clone(), |a| a.to_string())
    );
    if args.demo {
        crate::demo::seed_if_empty(&state, &url).await?;
    }
    let worker = Arc::new(delivery_worker(&args, &url)?);
    println!("Baton is running at {url}  (API: {url}/api/v1, health: {url}/healthz)");
    print_setup_code(&state, &args, &url).await?;
    let tzdb = baton_core::tzdb::current();
    tracing::info!(%url, tzdb = %tzdb.release, tzdb_source = tzdb.source.as_str(), "serving");
    // Aborting the worker at shutdown is safe: a digest cut off mid-send keeps its lease until
    // it runs out, then the next start sends it again with the same Message-ID (a webhook,
    // with the same Idempotency-Key). Webhooks go out from a loop of their own, so a receiver
    // that never answers does not hold up email.
    let deliveries = tokio::spawn(baton_server::delivery::run(
        state.clone(),
        Arc::clone(&worker),
    ));
    let webhooks = tokio::spawn(baton_server::delivery::run_webhooks(state.clone(), worker));
    let calendars = tokio::spawn(baton_server::calendar::refresh::run(state.clone()));
    let served = baton_server::serve_with(listener, state, shutdown_signal()).await;
    deliveries.abort();
    webhooks.abort();
    calendars.abort();
    served.context("serving HTTP")?;
    tracing::info!("stopped");
    Ok(())
}

/// The delivery worker `serve` runs: sending through `--smtp-url` when given, otherwise only
/// expanding events (deliveries stay queued until a mail server is configured).
fn delivery_worker(args: &ServeArgs, url: &str) -> anyhow::Result<Worker> {
    let mailer = match args.smtp_url.as_deref() {
        Some(smtp) => {
            let roots =
                match &args.smtp_ca_file {
                    Some(path) => Some(std::fs::read(path).with_context(|| {
                        format!("cannot read --smtp-ca-file {}", path.display())
                    })?),
                    None => None,
                };
            Some(Arc::new(SmtpMailer::trusting(smtp, roots.as_deref())?) as Arc<dyn Mailer>)
        }
        None => {
            tracing::warn!("no --smtp-url: email digests stay queued");
            None
        }
    };
    let from = args
        .mail_from
        .parse()
        .with_context(|| format!("invalid --mail-from '{}'", args.mail_from))?;
    let base = args.base_url.as_ref().map_or(url, |b| b.as_str());
    let mut worker = Worker::new(mailer, base, from);
    worker.reminder_lead = jiff::SignedDuration::from_mins(i64::from(args.baton_reminder_minutes));
    Ok(worker)
}

/// On a database without a workspace, makes the one-time setup code and prints it (stdout
/// only, never the log): the first-run page takes it from a browser on another machine.
async fn print_setup_code(state: &AppState, args: &ServeArgs, url: &str) -> anyhow::Result<()> {
    if !state.store.workspaces().await?.is_empty() {
        return Ok(());
    }
    let code = state
        .setup_code
        .issue()
        .map_err(|e| anyhow::anyhow!("cannot make a setup code: {e}"))?;
    let base = args.base_url.as_ref().map_or(url, |b| b.as_str());
    println!(
        "First run: create your workspace at {base}/setup  (from another machine, enter the \
         setup code {code})"
    );
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
