//! The store conformance suite, run against SQLite and PostgreSQL.
//!
//! Owns nothing but the list of resource files: the harness, the `store_test!` macro and the
//! fixtures are in `baton_store::conformance`, and the tests in `src/conformance/<resource>.rs`
//! (see that module's header for why they are included here by path). Each test appears as
//! `<resource>::<sentence>::{sqlite,postgres}`.
//!
//! `BATON_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres cargo nextest run -p baton-store --features conformance`

#[path = "../src/conformance/workspaces.rs"]
mod workspaces;

#[path = "../src/conformance/members.rs"]
mod members;

#[path = "../src/conformance/tokens.rs"]
mod tokens;

#[path = "../src/conformance/audit.rs"]
mod audit;

#[path = "../src/conformance/sessions.rs"]
mod sessions;

#[path = "../src/conformance/spaces.rs"]
mod spaces;

#[path = "../src/conformance/threads.rs"]
mod threads;

#[path = "../src/conformance/posts.rs"]
mod posts;

#[path = "../src/conformance/reads.rs"]
mod reads;

#[path = "../src/conformance/idempotency.rs"]
mod idempotency;

#[path = "../src/conformance/isolation.rs"]
mod isolation;

#[path = "../src/conformance/isolation_threads.rs"]
mod isolation_threads;

#[path = "../src/conformance/contention.rs"]
mod contention;

#[path = "../src/conformance/asks.rs"]
mod asks;

#[path = "../src/conformance/relays.rs"]
mod relays;

#[path = "../src/conformance/handoff_events.rs"]
mod handoff_events;

#[path = "../src/conformance/deliveries.rs"]
mod deliveries;

#[path = "../src/conformance/delivery_admin.rs"]
mod delivery_admin;

#[path = "../src/conformance/webhooks.rs"]
mod webhooks;

#[path = "../src/conformance/urgent.rs"]
mod urgent;

#[path = "../src/conformance/feed.rs"]
mod feed;

#[path = "../src/conformance/follows.rs"]
mod follows;

#[path = "../src/conformance/paging.rs"]
mod paging;

#[path = "../src/conformance/throttle.rs"]
mod throttle;

#[path = "../src/conformance/meetings.rs"]
mod meetings;

#[path = "../src/conformance/hangouts.rs"]
mod hangouts;

#[path = "../src/conformance/calendars.rs"]
mod calendars;
