//! Email digests end to end: outbox events expanded by the delivery worker, sent at each
//! recipient's window to a real SMTP server on loopback (Python's `aiosmtpd`, which writes each
//! message it accepts to a directory), and read back from there.
//!
//! The worker runs in-process, one `tick` at a time, on a manual clock: the tests move time to
//! the window instead of waiting for it. Without `aiosmtpd` the SMTP tests print one line and
//! pass, except in CI (`CI=true`), where they fail.

mod common;

use common::MailSink;

use std::sync::Arc;

use baton_core::delivery::outbox::Backlog;
use baton_core::expectation::ExpectationKind;
use baton_core::model::{Baton, BatonStatus, Handoff, Member, Resolution};
use baton_core::visibility::Visibility;
use baton_server::AppState;
use baton_server::clock::{Clock, ManualClock};
use baton_server::delivery::{Mailer, SmtpMailer, TickReport, Worker, tick};
use baton_server::services::relays::{HandoffInput, hand_off, resolve};
use baton_server::services::threads::{ExpectationInput, create_thread};
use baton_store::Store;
use baton_store::conformance::StoreGuard;
use baton_store::conformance::fixtures::{asking_post, member, space, tenant};
use jiff::{Timestamp, ToSpan as _};

/// Monday 1 June 2026, 08:00 in Berlin: an hour before the default 09:00 window.
const MONDAY_8: &str = "2026-06-01T06:00:00Z";
/// The 09:00 window that morning.
const MONDAY_9: &str = "2026-06-01T07:00:00Z";
const BASE_URL: &str = "http://baton.test";

fn instant(text: &str) -> Timestamp {
    text.parse().expect("a fixed instant")
}

/// A workspace on a fresh store, on a manual clock at Monday 08:00 in Berlin.
struct Deployment {
    state: AppState,
    clock: Arc<ManualClock>,
    owner: Member,
    member: Member,
    /// Dropped last: it removes the database.
    _guard: StoreGuard,
}

impl Deployment {
    async fn new((store, guard): (Arc<dyn Store>, StoreGuard)) -> Self {
        let clock = Arc::new(ManualClock::new(instant(MONDAY_8)));
        let state = AppState::builder(Arc::clone(&store))
            .clock(clock.clone())
            .build();
        let tenant = tenant(&*store, "acme").await;
        let member = member(&*store, tenant.workspace.id, "member@acme.test").await;
        Self {
            state,
            clock,
            owner: tenant.owner,
            member,
            _guard: guard,
        }
    }

    /// Starts a thread in a new space where the owner asks the member to reply within two
    /// working hours.
    async fn ask(&self, title: &str, visibility: Visibility) -> baton_core::Id {
        let ws = self.owner.workspace_id;
        let store = &*self.state.store;
        let space = space(store, ws, self.owner.id, title, visibility).await;
        store
            .add_space_member(ws, space.id, self.member.id, self.clock.now())
            .await
            .expect("adding the member to the space");
        let exp = ExpectationInput {
            kind: ExpectationKind::Reply,
            within_minutes: Some(120),
            of: vec![self.member.id],
        };
        let body = format!("Please review **{title}** <script>x</script>");
        create_thread(
            &self.state,
            &self.owner,
            space.id,
            title,
            &body,
            Some(exp),
            None,
        )
        .await
        .expect("asking")
        .thread
        .id
    }

    /// Gives the member working hours of 08:30–17:00 in Berlin, Monday to Friday, with
    /// `time_off` (a JSON list of date ranges). Their day starts half an hour before their
    /// 09:00 delivery window, so what is due at their working start is told apart from what
    /// waits for the window.
    async fn member_works_weekdays(&self, time_off: serde_json::Value) {
        let spec: baton_core::schedule::ScheduleSpec = serde_json::from_value(serde_json::json!({
            "timezone": "Europe/Berlin",
            "weekly": {
                "mon": [["08:30", "17:00"]], "tue": [["08:30", "17:00"]],
                "wed": [["08:30", "17:00"]], "thu": [["08:30", "17:00"]],
                "fri": [["08:30", "17:00"]]
            },
            "time_off": time_off
        }))
        .expect("a schedule");
        self.state
            .store
            .set_schedule(
                self.owner.workspace_id,
                self.member.id,
                spec,
                self.clock.now(),
            )
            .await
            .expect("setting the schedule");
    }

    /// The owner creates a baton titled `title` and, at once (Monday 08:00 in Berlin, before
    /// the member's 08:30 start), passes it to the member with a full note.
    async fn pass_to_member(&self, title: &str) -> Handoff {
        let ws = self.owner.workspace_id;
        let baton = self
            .state
            .store
            .create_baton(
                ws,
                Baton {
                    id: baton_core::Id::random(),
                    title: title.to_owned(),
                    description: String::new(),
                    relay_id: None,
                    holder_id: self.owner.id,
                    status: BatonStatus::Open,
                    created_by: self.owner.id,
                    created_at: self.clock.now(),
                    seq: 0,
                },
            )
            .await
            .expect("a baton");
        let note = HandoffInput {
            to_id: Some(self.member.id),
            state: "Changelog <draft> & notes written".to_owned(),
            next_step: "Tag the release".to_owned(),
            blockers: "Waiting on CI".to_owned(),
            links: "https://ci.example.com/run/7".to_owned(),
        };
        hand_off(&self.state, &self.owner, baton.id, note)
            .await
            .expect("passing the baton")
    }

    async fn tick(&self, worker: &Worker) -> TickReport {
        tick(&self.state, worker).await.expect("a delivery tick")
    }
}

/// Runs `body` on a fresh SQLite store and, when `BATON_TEST_PG_URL` is set (always in CI), on a
/// fresh PostgreSQL schema: `name::sqlite` and `name::postgres`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let opened = baton_store::conformance::sqlite_store().await;
                super::$name(super::Deployment::new(opened).await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(opened) = baton_store::conformance::postgres_store().await {
                    super::$name(super::Deployment::new(opened).await).await;
                }
            }
        }
    )*};
}

on_both_backends!(
    one_digest_per_recipient_arrives_at_the_window_and_only_once,
    a_member_removed_from_a_private_space_before_the_window_gets_nothing,
    an_unreachable_mail_server_backs_off_then_the_digest_goes_out,
    without_a_mail_server_deliveries_stay_queued,
    a_deactivated_member_gets_nothing_and_an_edited_post_goes_out_as_edited,
    two_workers_send_every_digest_exactly_once,
    a_baton_holder_is_reminded_once_before_their_day_ends_and_not_on_a_day_off,
    a_handoff_off_hours_reaches_the_receiver_by_email_at_their_next_working_start,
    a_handoff_accepted_before_it_is_due_is_dropped_not_sent,
);

fn worker(mailer: Option<Arc<dyn Mailer>>) -> Worker {
    let from = "Baton <baton@baton.test>".parse().expect("a mailbox");
    Worker::new(mailer, BASE_URL, from)
}

fn smtp_worker(sink: &MailSink) -> Worker {
    worker(Some(Arc::new(
        SmtpMailer::from_url(&sink.url).expect("an SMTP URL"),
    )))
}

async fn one_digest_per_recipient_arrives_at_the_window_and_only_once(d: Deployment) {
    let Some(sink) = MailSink::start("delivery email tests") else {
        return;
    };
    let worker = smtp_worker(&sink);
    let first = d.ask("Budget <2027>", Visibility::Public).await;
    d.clock.set(instant(MONDAY_8) + 10.minutes());
    let second = d.ask("Hiring plan", Visibility::Public).await;

    let early = d.tick(&worker).await;
    assert_eq!(
        (early.expanded, early.digests),
        (2, 0),
        "held until the window"
    );
    assert!(sink.decoded().is_empty());

    d.clock.set(instant(MONDAY_9));
    let due = d.tick(&worker).await;
    assert_eq!((due.digests, due.sent), (1, 2));
    let again = d.tick(&worker).await;
    assert!(again.is_idle(), "nothing is sent twice: {again:?}");

    let messages = sink.decoded();
    assert_eq!(messages.len(), 1);
    let mail = &messages[0];
    for expected in [
        "To: member@acme.test",
        "List-Unsubscribe: <http://baton.test/unsubscribe/",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        "Message-ID: <digest.",
        "@baton.test>",
        "Content-Type: text/plain",
        "Content-Type: text/html",
        &format!("{BASE_URL}/threads/{first}"),
        &format!("{BASE_URL}/threads/{second}"),
        // Two working hours from 09:00 Berlin, in the recipient's zone.
        "reply by Mon 11:00",
        "== Budget <2027> ==",
        // The title, escaped by the template; the body, rendered and sanitized when posted.
        "Budget &#60;2027&#62;",
        "<strong>Budget &lt;2027&gt;</strong>",
    ] {
        assert!(mail.contains(expected), "missing {expected:?} in:\n{mail}");
    }
    let html = &mail[mail.find("Content-Type: text/html").expect("an HTML part")..];
    assert!(
        !html.contains("<script>"),
        "post HTML is sanitized:\n{html}"
    );
    // Both asks are due at once: the newer thread first.
    let (newer, older) = (
        mail.find("== Hiring plan =="),
        mail.find("== Budget <2027> =="),
    );
    assert!(newer < older, "threads newest first:\n{mail}");
    let backlog = d
        .state
        .store
        .backlog(d.owner.workspace_id, d.clock.now())
        .await
        .expect("backlog");
    assert_eq!(
        backlog,
        Backlog {
            sent: 2,
            sent_last_day: 2,
            ..Backlog::default()
        }
    );
}

async fn a_member_removed_from_a_private_space_before_the_window_gets_nothing(d: Deployment) {
    let Some(sink) = MailSink::start("delivery email tests") else {
        return;
    };
    let worker = smtp_worker(&sink);
    let thread = d.ask("Reorg", Visibility::Private).await;
    assert_eq!(d.tick(&worker).await.expanded, 1);
    let store = &d.state.store;
    let ws = d.owner.workspace_id;
    let (_, space, _) = store
        .thread_for(ws, thread, d.owner.id)
        .await
        .expect("thread");
    store
        .remove_space_member(ws, space.id, d.member.id)
        .await
        .expect("removing");

    d.clock.set(instant(MONDAY_9));
    let report = d.tick(&worker).await;
    assert_eq!((report.digests, report.dropped), (0, 1));
    assert!(sink.decoded().is_empty());
    let backlog = store.backlog(ws, d.clock.now()).await.expect("backlog");
    assert_eq!(
        backlog,
        Backlog {
            dropped: 1,
            ..Backlog::default()
        }
    );
}

async fn an_unreachable_mail_server_backs_off_then_the_digest_goes_out(d: Deployment) {
    let Some(sink) = MailSink::start("delivery email tests") else {
        return;
    };
    d.ask("Launch", Visibility::Public).await;
    let nobody = format!("smtp://{}", common::free_addr());
    let broken = worker(Some(Arc::new(
        SmtpMailer::from_url(&nobody).expect("an SMTP URL"),
    )));
    d.clock.set(instant(MONDAY_9));
    let failed = d.tick(&broken).await;
    assert_eq!((failed.failed, failed.digests), (1, 0));

    let working = smtp_worker(&sink);
    d.clock.set(instant(MONDAY_9) + 59.seconds());
    assert!(d.tick(&working).await.is_idle(), "backing off for a minute");
    d.clock.set(instant(MONDAY_9) + 60.seconds());
    assert_eq!(d.tick(&working).await.digests, 1);
    assert_eq!(sink.decoded().len(), 1);
}

async fn without_a_mail_server_deliveries_stay_queued(d: Deployment) {
    d.ask("Quiet", Visibility::Public).await;
    d.clock.set(instant(MONDAY_9));
    let report = d.tick(&worker(None)).await;
    assert_eq!((report.expanded, report.digests), (1, 0));
    let backlog = d
        .state
        .store
        .backlog(d.owner.workspace_id, d.clock.now())
        .await
        .expect("backlog");
    assert_eq!(
        backlog,
        Backlog {
            queued: 1,
            due_now: 1,
            oldest_due_at: Some(instant(MONDAY_9)),
            ..Backlog::default()
        }
    );
}

async fn a_deactivated_member_gets_nothing_and_an_edited_post_goes_out_as_edited(d: Deployment) {
    let Some(sink) = MailSink::start("delivery email tests") else {
        return;
    };
    let worker = smtp_worker(&sink);
    let store = &d.state.store;
    let ws = d.owner.workspace_id;
    let leaver = member(&**store, ws, "leaver@acme.test").await;
    let thread = d.ask("Roadmap", Visibility::Public).await;
    let post = store
        .list_posts(ws, thread, baton_core::page::PageRequest::first())
        .await
        .expect("posts")
        .items[0]
        .clone();
    // A reply in the same thread asks `leaver`, who is deactivated before the window.
    let exp = ExpectationInput {
        kind: ExpectationKind::Reply,
        within_minutes: Some(120),
        of: vec![leaver.id],
    };
    baton_server::services::threads::create_post(
        &d.state,
        &d.owner,
        thread,
        "You too?",
        Some(exp),
        None,
    )
    .await
    .expect("asking the leaver");
    assert_eq!(d.tick(&worker).await.expanded, 2);

    store
        .deactivate_member(ws, leaver.id, d.owner.id, d.clock.now())
        .await
        .expect("deactivating");
    store
        .edit_post(
            ws,
            post.id,
            "Edited: see the new plan".into(),
            "<p>Edited: see the new plan</p>".into(),
            d.clock.now(),
        )
        .await
        .expect("editing");

    d.clock.set(instant(MONDAY_9));
    let report = d.tick(&worker).await;
    assert_eq!((report.digests, report.sent, report.dropped), (1, 1, 1));
    let messages = sink.decoded();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].contains("To: member@acme.test"),
        "{}",
        messages[0]
    );
    assert!(
        messages[0].contains("Edited: see the new plan"),
        "{}",
        messages[0]
    );
    assert!(!messages[0].contains("Please review"), "{}", messages[0]);
}

async fn two_workers_send_every_digest_exactly_once(d: Deployment) {
    let Some(sink) = MailSink::start("delivery email tests") else {
        return;
    };
    let (store, ws) = (&*d.state.store, d.owner.workspace_id);
    let thread = d.ask("All hands", Visibility::Public).await;
    let mut people = Vec::new();
    for i in 0..40 {
        people.push(member(store, ws, &format!("p{i}@acme.test")).await.id);
    }
    for (n, chunk) in people.chunks(8).enumerate() {
        let post = asking_post(thread, d.owner.id, chunk, i64::try_from(n).expect("few"));
        store.create_post(ws, post, None).await.expect("asking");
    }
    d.clock.set(instant(MONDAY_9));
    let (one, two) = (smtp_worker(&sink), smtp_worker(&sink));
    let (a, b) = tokio::join!(drain(&d, &one), drain(&d, &two));
    assert_eq!(
        a + b,
        41,
        "one digest per recipient between them ({a} + {b})"
    );
    let mut recipients: Vec<String> = sink
        .decoded()
        .iter()
        .filter_map(|m| m.lines().find(|l| l.starts_with("To: ")).map(str::to_owned))
        .collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 41, "every recipient, once");
    assert_eq!(sink.decoded().len(), 41);
}

/// Ticks until a tick finds nothing to do; returns how many digests it sent.
async fn drain(d: &Deployment, worker: &Worker) -> usize {
    let mut digests = 0;
    loop {
        let report = d.tick(worker).await;
        if report.is_idle() {
            return digests;
        }
        digests += report.digests;
    }
}

/// A Berlin wall-clock time in the week of [`MONDAY_8`] as an instant.
fn berlin(local: &str) -> Timestamp {
    let dt: jiff::civil::DateTime = local.parse().expect("a wall-clock time");
    dt.to_zoned_datetime(baton_core::tzdb::zone("Europe/Berlin").expect("Berlin"))
        .expect("a Berlin time")
        .timestamp()
}

async fn a_baton_holder_is_reminded_once_before_their_day_ends_and_not_on_a_day_off(d: Deployment) {
    use baton_core::model::Relay;

    let Some(sink) = MailSink::start("delivery email tests") else {
        return;
    };
    let worker = smtp_worker(&sink);
    let (store, ws, now) = (&d.state.store, d.owner.workspace_id, d.clock.now());
    // The member takes Tuesday off.
    d.member_works_weekdays(serde_json::json!([{ "start": "2026-06-02", "end": "2026-06-02" }]))
        .await;
    let relay = store
        .create_relay(
            ws,
            Relay {
                id: baton_core::Id::random(),
                name: "Follow the sun".to_owned(),
                legs: vec![d.member.id, d.owner.id],
                created_by: d.owner.id,
                created_at: now,
            },
        )
        .await
        .expect("a relay");
    let baton = |title: &str, relay_id| Baton {
        id: baton_core::Id::random(),
        title: title.to_owned(),
        description: String::new(),
        relay_id,
        holder_id: d.member.id,
        status: BatonStatus::Open,
        created_by: d.owner.id,
        created_at: now,
        seq: 0,
    };
    let held = store
        .create_baton(ws, baton("Ship <v3>", Some(relay.id)))
        .await
        .expect("a baton");
    let done = store
        .create_baton(ws, baton("Old work", None))
        .await
        .expect("a baton");
    store
        .set_baton_status(ws, done.id, BatonStatus::Done)
        .await
        .expect("finishing a baton");

    for early in ["2026-06-01T08:00", "2026-06-01T16:29"] {
        d.clock.set(berlin(early));
        let report = d.tick(&worker).await;
        assert!(report.is_idle(), "nothing before 16:30: {report:?}");
    }
    d.clock.set(berlin("2026-06-01T16:30"));
    let due = d.tick(&worker).await;
    assert_eq!((due.reminded, due.expanded, due.sent), (1, 1, 1), "{due:?}");
    for later in ["2026-06-01T16:31", "2026-06-01T16:59"] {
        d.clock.set(berlin(later));
        let report = d.tick(&worker).await;
        assert!(report.is_idle(), "one reminder a day: {report:?}");
    }
    let messages = sink.decoded();
    assert_eq!(messages.len(), 1);
    let mail = &messages[0];
    for expected in [
        "To: member@acme.test",
        "Message-ID: <reminder.",
        "Your working day ends soon",
        "Ship <v3>",
        "Ship &#60;v3&#62;",
        &format!("{BASE_URL}/batons/{}?to={}", held.id, d.owner.id),
    ] {
        assert!(mail.contains(expected), "missing {expected:?} in:\n{mail}");
    }
    assert!(!mail.contains("Old work"), "a finished baton is not listed");

    // Tuesday is a day off: no reminder all day.
    for tuesday in ["2026-06-02T09:00", "2026-06-02T16:30", "2026-06-02T16:45"] {
        d.clock.set(berlin(tuesday));
        let report = d.tick(&worker).await;
        assert!(report.is_idle(), "nothing on a day off: {report:?}");
    }
    assert_eq!(sink.decoded().len(), 1);
    // Wednesday is a working day again.
    d.clock.set(berlin("2026-06-03T16:45"));
    assert_eq!(d.tick(&worker).await.sent, 1);
    assert_eq!(sink.decoded().len(), 2);
}

async fn a_handoff_off_hours_reaches_the_receiver_by_email_at_their_next_working_start(
    d: Deployment,
) {
    let Some(sink) = MailSink::start("delivery email tests") else {
        return;
    };
    let worker = smtp_worker(&sink);
    d.member_works_weekdays(serde_json::json!([])).await;
    let handoff = d.pass_to_member("Release <3.2>").await;
    let start = berlin("2026-06-01T08:30");
    assert_eq!(handoff.delivers_at, start, "their 08:30 start");

    let at_once = d.tick(&worker).await;
    assert_eq!((at_once.expanded, at_once.sent), (1, 0), "{at_once:?}");
    d.clock.set(start - 1.minutes());
    assert!(d.tick(&worker).await.is_idle(), "held until they start");
    assert!(sink.decoded().is_empty());

    // At their working start, not at their 09:00 delivery window.
    d.clock.set(start);
    let due = d.tick(&worker).await;
    assert_eq!((due.digests, due.sent, due.dropped), (1, 1, 0), "{due:?}");
    assert!(d.tick(&worker).await.is_idle(), "sent once");
    let messages = sink.decoded();
    assert_eq!(messages.len(), 1);
    let mail = &messages[0];
    for expected in [
        "To: member@acme.test",
        "Message-ID: <handoff.",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        "== Release <3.2> ==",
        &format!(
            "{} passed it to you on Mon 08:00 your time (Europe/Berlin).",
            d.owner.name
        ),
        "State:\n  Changelog <draft> & notes written\n",
        "Next step:\n  Tag the release\n",
        "Blockers:\n  Waiting on CI\n",
        "Links:\n  https://ci.example.com/run/7\n",
        &format!(
            "Accept or bounce it: {BASE_URL}/batons/{}",
            handoff.baton_id
        ),
        "Release &#60;3.2&#62;</h2>",
        "Changelog &#60;draft&#62; &#38; notes written",
    ] {
        assert!(mail.contains(expected), "missing {expected:?} in:\n{mail}");
    }
}

async fn a_handoff_accepted_before_it_is_due_is_dropped_not_sent(d: Deployment) {
    let Some(sink) = MailSink::start("delivery email tests") else {
        return;
    };
    let worker = smtp_worker(&sink);
    d.member_works_weekdays(serde_json::json!([])).await;
    let handoff = d.pass_to_member("Release 3.3").await;
    assert_eq!(d.tick(&worker).await.expanded, 1);
    // The member saw it on the batons board and took it before their day started.
    d.clock.set(instant(MONDAY_8) + 10.minutes());
    resolve(&d.state, &d.member, handoff.id, Resolution::Accept)
        .await
        .expect("accepting");

    d.clock.set(berlin("2026-06-01T08:30"));
    let due = d.tick(&worker).await;
    assert_eq!((due.sent, due.dropped), (0, 1), "{due:?}");
    assert!(sink.decoded().is_empty());
    let backlog = d
        .state
        .store
        .backlog(d.owner.workspace_id, d.clock.now())
        .await
        .expect("backlog");
    assert_eq!(
        backlog,
        Backlog {
            dropped: 1,
            ..Backlog::default()
        }
    );
}

/// `--smtp-url smtp://user:password@host:port` signs in before sending (the password
/// percent-decoded); a wrong password or none is refused by the server and the send fails, so
/// the delivery stays queued for a retry.
#[tokio::test]
async fn the_smtp_login_in_the_url_is_used_and_a_wrong_one_fails_the_send() {
    let Some(sink) = MailSink::start_with_login("SMTP login test", "baton", "p:ss@word") else {
        return;
    };
    let with = |login: &str| sink.url.replacen("smtp://", &format!("smtp://{login}"), 1);
    let message = || {
        lettre::Message::builder()
            .from("Baton <baton@baton.test>".parse().expect("a mailbox"))
            .to("Kim <kim@baton.test>".parse().expect("a mailbox"))
            .subject("Signed in")
            .body("Sent after AUTH.".to_owned())
            .expect("a message")
    };
    let signed_in = SmtpMailer::from_url(&with("baton:p%3Ass%40word@")).expect("an SMTP URL");
    signed_in
        .send(message())
        .await
        .expect("the right login is accepted");
    signed_in
        .send(message())
        .await
        .expect("and its connection is used again");
    assert_eq!(sink.count(), 2);
    for (login, why) in [("baton:wrong@", "a wrong password"), ("", "no login")] {
        let mailer = SmtpMailer::from_url(&with(login)).expect("an SMTP URL");
        assert!(mailer.send(message()).await.is_err(), "{why} must fail");
    }
    assert_eq!(sink.count(), 2, "nothing was accepted without the login");
}

/// `--smtp-url smtp://…?tls=required` upgrades with STARTTLS and checks the server's
/// certificate: a mail server that takes mail only after STARTTLS accepts it, once
/// `--smtp-ca-file` trusts its certificate's issuer; without that trust, or without TLS,
/// nothing is sent. `tls=opportunistic` upgrades when offered.
#[tokio::test]
async fn starttls_is_used_and_the_mail_servers_certificate_is_checked() {
    let Some(sink) = MailSink::start_with_starttls("STARTTLS test") else {
        return;
    };
    let roots = sink.certificate.clone().expect("the sink's certificate");
    let message = |subject: &str| {
        lettre::Message::builder()
            .from("Baton <baton@baton.test>".parse().expect("a mailbox"))
            .to("Kim <kim@baton.test>".parse().expect("a mailbox"))
            .subject(subject)
            .body("Sent over TLS.".to_owned())
            .expect("a message")
    };
    for tls in ["required", "opportunistic"] {
        let url = format!("{}?tls={tls}", sink.url);
        let mailer = SmtpMailer::trusting(&url, Some(roots.as_bytes())).expect("an SMTP URL");
        mailer
            .send(message(tls))
            .await
            .unwrap_or_else(|e| panic!("tls={tls}: {e:#}"));
    }
    assert_eq!(sink.count(), 2);

    let untrusted = SmtpMailer::from_url(&format!("{}?tls=required", sink.url)).expect("a URL");
    let refused = untrusted
        .send(message("untrusted"))
        .await
        .expect_err("a certificate nobody vouches for is refused");
    assert!(
        format!("{refused:#}")
            .to_lowercase()
            .contains("certificate"),
        "{refused:#}"
    );
    let plain = SmtpMailer::from_url(&sink.url).expect("a URL");
    assert!(
        plain.send(message("plain")).await.is_err(),
        "the server takes no mail before STARTTLS"
    );
    assert_eq!(sink.count(), 2, "nothing arrived without TLS");
    assert!(
        SmtpMailer::trusting(&sink.url, Some(b"not a certificate")).is_err(),
        "a CA file without a certificate is a clear error"
    );
}
