//! Issue #5, item 4: one-click unsubscribe (RFC 8058). A digest received by a real SMTP server
//! (`aiosmtpd` on loopback) carries `List-Unsubscribe: <BASE/unsubscribe/TOKEN>` and
//! `List-Unsubscribe-Post: List-Unsubscribe=One-Click`; a POST of that body to the link (from
//! anywhere, without a session) turns the member's email digests off, and the next window
//! sends nothing to them while the others still get theirs. GET shows a confirmation page and
//! changes nothing; a tampered token or a POST without the one-click body changes nothing.
//!
//! The app is served in-process on a loopback port (its `--base-url` is that address, so the
//! link in the email is the one to POST to) on a manual clock, and the delivery worker runs one
//! tick at a time. Runs on SQLite, and on PostgreSQL when `BATON_TEST_PG_URL` is set. Without
//! `aiosmtpd` it prints one `skipped:` line and passes, except under CI (`CI=true`).

mod common;

use std::sync::Arc;

use baton_core::expectation::ExpectationKind;
use baton_core::model::Member;
use baton_core::visibility::Visibility;
use baton_server::AppState;
use baton_server::clock::{Clock as _, ManualClock};
use baton_server::delivery::{SmtpMailer, TickReport, Worker, tick};
use baton_server::services::threads::{ExpectationInput, create_thread};
use baton_store::Store;
use baton_store::conformance::StoreGuard;
use baton_store::conformance::fixtures::{member, space, tenant};
use common::{Http, MailSink, raw_header};

/// Monday 1 June 2026, 08:00 in Berlin (the fixtures' members work 09:00–17:00 there).
const MONDAY_8: &str = "2026-06-01T06:00:00Z";
/// The default 09:00 window.
const MONDAY_9: &str = "2026-06-01T07:00:00Z";
/// The default 14:00 window.
const MONDAY_14: &str = "2026-06-01T12:00:00Z";
const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_click_unsubscribe_on_sqlite() {
    let Some(sink) = MailSink::start("one-click unsubscribe on SQLite") else {
        return;
    };
    one_click_unsubscribe(baton_store::conformance::sqlite_store().await, &sink).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_click_unsubscribe_on_postgresql() {
    let Some(opened) = baton_store::conformance::postgres_store().await else {
        return;
    };
    let Some(sink) = MailSink::start("one-click unsubscribe on PostgreSQL") else {
        return;
    };
    one_click_unsubscribe(opened, &sink).await;
}

/// The app on a loopback port, its clock, its worker and the two members asked.
struct App {
    state: AppState,
    clock: Arc<ManualClock>,
    base: String,
    worker: Worker,
    owner: Member,
    leaver: Member,
    stayer: Member,
    space: baton_core::Id,
    _guard: StoreGuard,
}

impl App {
    async fn start((store, guard): (Arc<dyn Store>, StoreGuard), sink: &MailSink) -> Self {
        let clock = Arc::new(ManualClock::new(MONDAY_8.parse().expect("an instant")));
        let state = AppState::builder(Arc::clone(&store))
            .clock(clock.clone())
            .build();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let base = format!("http://{}", listener.local_addr().expect("its address"));
        tokio::spawn(baton_server::serve_with(
            listener,
            state.clone(),
            std::future::pending(),
        ));
        let mailer = Arc::new(SmtpMailer::from_url(&sink.url).expect("an SMTP URL"));
        let from = "Baton <baton@baton.test>".parse().expect("a mailbox");
        let worker = Worker::new(Some(mailer), &base, from);
        let t = tenant(&*store, "acme").await;
        let ws = t.workspace.id;
        let (leaver, stayer) = (
            member(&*store, ws, "leaver@acme.test").await,
            member(&*store, ws, "stayer@acme.test").await,
        );
        let space = space(&*store, ws, t.owner.id, "general", Visibility::Public)
            .await
            .id;
        Self {
            state,
            clock,
            base,
            worker,
            owner: t.owner,
            leaver,
            stayer,
            space,
            _guard: guard,
        }
    }

    /// A thread in which the owner asks both members to reply.
    async fn ask(&self, title: &str) {
        let exp = ExpectationInput {
            kind: ExpectationKind::Reply,
            within_minutes: Some(120),
            of: vec![self.leaver.id, self.stayer.id],
        };
        create_thread(
            &self.state,
            &self.owner,
            self.space,
            title,
            "Please have a look.",
            Some(exp),
            None,
        )
        .await
        .expect("asking");
    }

    async fn tick(&self) -> TickReport {
        tick(&self.state, &self.worker)
            .await
            .expect("a delivery tick")
    }

    /// Whether `who` still takes email digests, as stored.
    async fn digests_on(&self, who: &Member) -> bool {
        self.state
            .store
            .policy(who.workspace_id, who.id)
            .await
            .expect("a policy")
            .unwrap_or_default()
            .email_digest
    }
}

async fn one_click_unsubscribe(opened: (Arc<dyn Store>, StoreGuard), sink: &MailSink) {
    let app = App::start(opened, sink).await;
    let http = Http::new();
    app.ask("Budget").await;
    app.clock.set(MONDAY_9.parse().expect("an instant"));
    assert_eq!(app.tick().await.digests, 2, "one digest each");

    // The headers of each digest as received.
    let raw = sink.raw();
    let link_of = |email: &str| -> String {
        let mail = raw
            .iter()
            .find(|m| raw_header(m, "To") == email)
            .unwrap_or_else(|| panic!("no digest to {email}"));
        assert_eq!(
            raw_header(mail, "List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click"
        );
        let header = raw_header(mail, "List-Unsubscribe");
        let link = header
            .strip_prefix('<')
            .and_then(|h| h.strip_suffix('>'))
            .unwrap_or_else(|| panic!("not one <URL>: {header:?}"));
        assert!(
            link.starts_with(&format!("{}/unsubscribe/", app.base)),
            "{link}"
        );
        link.to_owned()
    };
    let (leave, stay) = (link_of("leaver@acme.test"), link_of("stayer@acme.test"));
    assert_ne!(leave, stay, "a link per member");

    // GET shows a confirmation and changes nothing.
    let page = http.send_bytes("GET", &leave, &[], b"").await.expect("GET");
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Stop email digests"), "{}", page.text);
    assert!(page.text.contains("leaver@acme.test"), "{}", page.text);
    assert!(app.digests_on(&app.leaver).await);

    // A tampered token is a 404 and writes nothing, however it is sent.
    let last = leave.chars().last().expect("a token");
    let tampered = format!(
        "{}{}",
        &leave[..leave.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    for method in ["GET", "POST"] {
        let r = http
            .send_bytes(method, &tampered, &[FORM], b"List-Unsubscribe=One-Click")
            .await
            .expect("a tampered link");
        assert_eq!(r.status, 404, "{method}: {}", r.text);
    }
    // A POST without the one-click body is refused and writes nothing.
    let r = http
        .send_bytes("POST", &stay, &[FORM], b"List-Unsubscribe=Later")
        .await
        .expect("POST");
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(app.digests_on(&app.leaver).await && app.digests_on(&app.stayer).await);

    // The one-click POST, as a mail provider sends it: another origin, no cookie, no CSRF.
    let origin = ("origin", "https://mail.example.net");
    let r = http
        .send_bytes(
            "POST",
            &leave,
            &[FORM, origin],
            b"List-Unsubscribe=One-Click",
        )
        .await
        .expect("POST");
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("Email digests are off"), "{}", r.text);
    assert!(!app.digests_on(&app.leaver).await);
    assert!(app.digests_on(&app.stayer).await);
    let again = http
        .send_bytes("POST", &leave, &[FORM], b"List-Unsubscribe=One-Click")
        .await
        .expect("POST again");
    assert_eq!(again.status, 200, "using the link twice is harmless");

    // The next window: the stayer gets a digest, the leaver nothing.
    app.ask("Hiring").await;
    app.clock.set(MONDAY_14.parse().expect("an instant"));
    let report = app.tick().await;
    assert_eq!((report.digests, report.sent), (1, 1), "{report:?}");
    assert!(app.tick().await.is_idle());
    let to: Vec<String> = sink.raw().iter().map(|m| raw_header(m, "To")).collect();
    assert_eq!(to.len(), 3, "{to:?}");
    assert_eq!(to[2], "stayer@acme.test");
    let backlog = app
        .state
        .store
        .backlog(app.owner.workspace_id, app.clock.now())
        .await
        .expect("backlog");
    assert_eq!(
        (backlog.queued, backlog.sent, backlog.unexpanded_events),
        (0, 3, 0),
        "nothing waits for the leaver: {backlog:?}"
    );
}
