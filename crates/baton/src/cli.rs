//! The command line, as clap types. Every flag also reads a `BATON_*` environment variable.

use std::path::PathBuf;

use baton_core::tzdb::Tzdb;
use baton_server::web::base_url::BaseUrl;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

/// Baton: an async-first work hub for distributed teams.
#[derive(Debug, Parser)]
#[command(name = "baton", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the command line, exiting on `--help`, `--version` or a usage error. The version
    /// also names the time zone database in use (`baton 0.1.0 (tzdb 2026f, bundled)`): its
    /// rules decide every member's local time, so a bug report needs it.
    pub fn parse_naming(tzdb: &Tzdb) -> Cli {
        let version = format!(
            "{} (tzdb {}, {})",
            env!("CARGO_PKG_VERSION"),
            tzdb.release,
            tzdb.source.as_str()
        );
        // clap keeps a `&'static str`; this string is built once per process.
        let matches = Cli::command().version(version.leak() as &str).get_matches();
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (migrates the database first).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Administrative tasks.
    Admin {
        /// Which task.
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Seed a realistic demo workspace and print how to log in.
    Demo(DbArgs),
}

/// Administrative subcommands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a workspace and its owner; reads the owner's password from stdin's first line.
    Bootstrap(BootstrapArgs),
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// Directory for the embedded SQLite database.
    #[arg(long, env = "BATON_DATA_DIR", default_value = "./baton-data")]
    pub data_dir: PathBuf,
    /// `postgres://…` to use PostgreSQL instead of SQLite.
    #[arg(long, env = "BATON_DATABASE_URL")]
    pub database_url: Option<String>,
}

/// Flags of `baton serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Storage.
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "BATON_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Seed the demo workspace on first start (when the database has no workspace yet).
    #[arg(long, env = "BATON_DEMO")]
    pub demo: bool,
    /// The address people reach Baton at, e.g. `https://baton.example.com`: links in emails
    /// start with it, requests for any other host name are refused (DNS rebinding), and https
    /// makes cookies `__Host-` and `Secure` and adds HSTS.
    #[arg(long, env = "BATON_BASE_URL", value_parser = BaseUrl::parse)]
    pub base_url: Option<BaseUrl>,
    /// Baton sits behind a reverse proxy: take the client's address from the last
    /// `X-Forwarded-For` entry and the scheme from `X-Forwarded-Proto`. Without it those
    /// headers are ignored (any client could write them).
    #[arg(long, env = "BATON_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// Where email digests go: `smtp://host:port` (plain), `smtp://host:587?tls=required`
    /// (STARTTLS) or `smtps://host:465`, with optional `user:password@`. Without it deliveries
    /// stay queued and nothing is sent.
    #[arg(long, env = "BATON_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// A PEM file of certificates to trust, besides the usual web roots, when checking the
    /// mail server's TLS certificate: for a mail server whose certificate a private authority
    /// signed.
    #[arg(long, env = "BATON_SMTP_CA_FILE", requires = "smtp_url")]
    pub smtp_ca_file: Option<std::path::PathBuf>,
    /// The `From` of email digests.
    #[arg(
        long,
        env = "BATON_MAIL_FROM",
        default_value = "Baton <baton@localhost>"
    )]
    pub mail_from: String,
    /// Minutes of working time before a baton holder's working day ends at which they are
    /// reminded which batons they hold (one reminder per holder and day, by email).
    #[arg(
        long,
        env = "BATON_REMINDER_MINUTES",
        default_value_t = 30,
        value_parser = clap::value_parser!(u16).range(1..=480)
    )]
    pub baton_reminder_minutes: u16,
    /// A host outgoing webhooks may reach although it is loopback, private or otherwise
    /// internal (repeatable), e.g. `hooks.internal` or `127.0.0.1`; written as in the URL
    /// (IPv6 in brackets). Every other webhook target must resolve to public addresses only.
    #[arg(
        long = "webhook-allow-host",
        value_name = "HOST",
        env = "BATON_WEBHOOK_ALLOW_HOSTS",
        value_delimiter = ','
    )]
    pub webhook_allow_hosts: Vec<String>,
    /// Read "now" from this file (one RFC 3339 instant) instead of the system clock: lets a
    /// test or a demo drive a running server through a simulated day.
    #[arg(long, env = "BATON_CLOCK_FILE", hide = true)]
    pub clock_file: Option<std::path::PathBuf>,
}

/// Flags of `baton admin bootstrap`.
#[derive(Debug, Args)]
pub struct BootstrapArgs {
    /// Workspace name.
    #[arg(long)]
    pub workspace: String,
    /// Owner's email.
    #[arg(long)]
    pub email: String,
    /// Owner's display name.
    #[arg(long)]
    pub name: String,
    /// Owner's IANA time zone.
    #[arg(long)]
    pub timezone: String,
    /// Storage.
    #[command(flatten)]
    pub db: DbArgs,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_valid() {
        super::Cli::command().debug_assert();
    }
}
