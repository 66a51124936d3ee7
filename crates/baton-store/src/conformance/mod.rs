//! The store conformance suite: one set of tests that every backend must pass.
//!
//! Owns: the harness that opens a fresh, migrated store per test (a SQLite file in a temporary
//! directory, or a fresh PostgreSQL schema), the [`store_test!`](crate::store_test) macro that
//! runs one test body against both backends, the [`fixtures`] the tests build on and the
//! [`checks`] they assert with.
//! Does not own: the tests themselves. They sit next to this file, one file per resource
//! (`workspaces.rs`, `members.rs`, `threads.rs`, …), and are compiled into the `conformance`
//! integration test binary (`tests/conformance.rs`), not into the library.
//!
//! Why the split: a `#[test]` only runs in the crate that expands it. Declaring the resource
//! files as library modules would put the suite in the library's unit-test binary (and into
//! `cargo test` without the feature); listing every test a second time in the test binary would
//! let a forgotten line silently skip a test. So `tests/conformance.rs` includes each resource
//! file with `#[path]`, and every test is written exactly once.
//!
//! Run it with
//! `BATON_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres cargo nextest run -p baton-store --features conformance`.
//! Without `BATON_TEST_PG_URL` the PostgreSQL half is skipped locally and fails in CI (`CI=true`),
//! so CI can never quietly test only SQLite.

use std::future::Future;
use std::sync::{Arc, Once};

use crate::Store;
use crate::postgres::PgStore;
use crate::sqlite::SqliteStore;

pub mod checks;
pub mod fixtures;

/// What the suite's test files import: the store traits, errors, domain types, fixtures and checks.
pub mod prelude {
    pub use super::checks::*;
    pub use super::fixtures::*;
    pub use crate::{
        Constraint, HealthStore, IdempotencyKey, MemberStore, SessionStore, SpaceStore, Store,
        StoreError, StoreResult, ThreadStore, WorkspaceStore,
    };
    pub use baton_core::Id;
    pub use baton_core::expectation::{Expectation, ExpectationKind};
    pub use baton_core::model::*;
    pub use baton_core::page::{Page, PageRequest};
    pub use baton_core::role::Role;
    pub use baton_core::visibility::Visibility;
    pub use std::sync::Arc;
}

/// The environment variable naming the PostgreSQL server the suite may create schemas on.
pub const PG_URL_VAR: &str = "BATON_TEST_PG_URL";

/// Keeps a test's database alive, and removes it when dropped: the temporary directory of a
/// SQLite store, or the schema of a PostgreSQL store (best effort; a failure is printed).
pub struct StoreGuard {
    inner: Backing,
}

enum Backing {
    Sqlite { dir: tempfile::TempDir },
    Postgres { url: String, schema: String },
}

/// Where a test's database lives, for tests that read its schema rather than use the store.
pub enum Database<'a> {
    /// The SQLite file.
    Sqlite(std::path::PathBuf),
    /// The PostgreSQL server and the schema the store works in.
    Postgres {
        /// The server, as `BATON_TEST_PG_URL` names it.
        url: &'a str,
        /// The test's own schema.
        schema: &'a str,
    },
}

/// The SQLite file's name in a test's temporary directory.
const SQLITE_FILE: &str = "baton.sqlite3";

impl StoreGuard {
    /// Where this guard's database lives.
    pub fn database(&self) -> Database<'_> {
        match &self.inner {
            Backing::Sqlite { dir } => Database::Sqlite(dir.path().join(SQLITE_FILE)),
            Backing::Postgres { url, schema } => Database::Postgres { url, schema },
        }
    }
}

/// A migrated SQLite store in a fresh temporary directory.
///
/// # Panics
/// If the directory cannot be created or the store cannot be opened.
pub async fn sqlite_store() -> (Arc<dyn Store>, StoreGuard) {
    let dir = tempfile::Builder::new()
        .prefix("baton-conformance-")
        .tempdir()
        .expect("create a temporary directory");
    let store = SqliteStore::open(&dir.path().join(SQLITE_FILE))
        .await
        .unwrap_or_else(|e| panic!("open the SQLite store: {e:#}"));
    (
        Arc::new(store),
        StoreGuard {
            inner: Backing::Sqlite { dir },
        },
    )
}

/// A migrated PostgreSQL store in a fresh schema, or `None` when `BATON_TEST_PG_URL` is unset
/// outside CI.
///
/// # Panics
/// When `BATON_TEST_PG_URL` is unset and `CI` is `true`, and whenever the server named by it
/// cannot be reached or migrated: a configured database that does not work fails the test, it
/// never turns into a skip.
pub async fn postgres_store() -> Option<(Arc<dyn Store>, StoreGuard)> {
    let url = match std::env::var(PG_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => url,
        _ if running_in_ci() => panic!("{PG_URL_VAR} is not set; CI must run the PostgreSQL suite"),
        _ => {
            static NOTICE: Once = Once::new();
            NOTICE.call_once(|| {
                use std::io::Write as _;
                // Straight to stderr, past the test harness's capture, so the skip is visible.
                let _ = writeln!(
                    std::io::stderr(),
                    "skipped: postgres conformance (set {PG_URL_VAR}=postgres://postgres@127.0.0.1:5432/postgres)"
                );
            });
            return None;
        }
    };
    let schema = format!("baton_test_{}", uuid::Uuid::new_v4().simple());
    let admin = admin_client(&url).await;
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .unwrap_or_else(|e| panic!("create schema {schema} on {}: {e}", crate::redact(&url)));
    // From here on the guard owns the schema, so a failing connect still drops it.
    let guard = StoreGuard {
        inner: Backing::Postgres {
            url: url.clone(),
            schema: schema.clone(),
        },
    };
    let store = PgStore::connect(&with_search_path(&url, &schema))
        .await
        .unwrap_or_else(|e| {
            panic!(
                "connect PgStore to {} (schema {schema}): {e:#}",
                crate::redact(&url)
            )
        });
    Some((Arc::new(store), guard))
}

/// Runs one test body on an opened store, then drops the store before its database.
pub async fn run<F, Fut>(opened: (Arc<dyn Store>, StoreGuard), test: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    let (store, guard) = opened;
    test(store).await;
    drop(guard);
}

/// Defines one conformance test, run once per backend: `store_test!(name, |store| async move { … })`
/// expands into a module `name` holding the tests `sqlite` and `postgres`. The body gets an
/// `Arc<dyn Store>` on a fresh, migrated database of its own. The invoking module's imports are
/// visible in the body; the invoking crate needs `tokio` (`macros`, `rt-multi-thread`).
#[macro_export]
macro_rules! store_test {
    ($name:ident, $body:expr $(,)?) => {
        mod $name {
            use super::*;

            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::conformance::run($crate::conformance::sqlite_store().await, $body).await;
            }

            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(opened) = $crate::conformance::postgres_store().await {
                    $crate::conformance::run(opened, $body).await;
                }
            }
        }
    };
}

fn running_in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// `url` with `options=-csearch_path=<schema>` added, so every pooled connection of the store
/// works inside the test's schema.
fn with_search_path(url: &str, schema: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-csearch_path%3D{schema}")
}

async fn admin_client(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "{PG_URL_VAR} is set but {} is unreachable: {e}",
                crate::redact(url)
            )
        });
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

impl Drop for StoreGuard {
    fn drop(&mut self) {
        let Backing::Postgres { url, schema } = &self.inner else {
            return;
        };
        let (url, schema) = (url.clone(), schema.clone());
        // Drop cannot await, and blocking on the test's own runtime would panic; a short-lived
        // thread with its own runtime works both after a passing test and while unwinding.
        let outcome = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let (client, connection) =
                    tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
                tokio::spawn(async move {
                    let _ = connection.await;
                });
                client
                    .batch_execute(&format!(
                        "SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS {schema} CASCADE"
                    ))
                    .await?;
                Ok::<_, anyhow::Error>(())
            })?;
            Ok::<_, anyhow::Error>(())
        })
        .join();
        if let Ok(Err(e)) = outcome {
            eprintln!("warning: could not drop test schema: {e:#}");
        }
    }
}
