//! Snapshots of every email Baton sends, both parts, rendered from fixed data at a fixed
//! instant: a change to what a reader sees shows in review as a change to a `.snap` file.
//!
//! Each email is a pure function of its inputs (the recipient, what it lists, the links), so
//! no store, clock or mail server is needed here. Accept a reviewed change by running the
//! tests with `INSTA_UPDATE=always`; CI (`CI=true`) never writes snapshots, so a change that
//! was not accepted fails there.

use baton_core::Id;
use baton_core::model::{Baton, BatonStatus, Handoff, HandoffNote, HandoffStatus, Member};
use baton_core::role::Role;
use jiff::Timestamp;
use lettre::message::Mailbox;

use super::digest::{Digest, DigestItem, ItemKind};
use super::email::{Links, LocalTime, Written};
use super::handoff::{HandoffEmail, PassedBaton};
use super::remind::{HeldBaton, Reminder};
use super::urgent::{Covered, UrgentEmail};

const BASE: &str = "https://baton.example.com";

/// The id numbered `n`, the same in every run.
fn id(n: u32) -> Id {
    format!("00000000-0000-4000-8000-{n:012}")
        .parse()
        .expect("an id")
}

/// Monday 1 June 2026 at `hh:mm` UTC.
fn monday(hh_mm: &str) -> Timestamp {
    format!("2026-06-01T{hh_mm}:00Z")
        .parse()
        .expect("an instant")
}

/// Kim, who works in Berlin.
fn kim() -> Member {
    member(1, "Kim", "Europe/Berlin")
}

fn member(n: u32, name: &str, timezone: &str) -> Member {
    Member {
        id: id(n),
        workspace_id: id(900),
        email: format!("{}@example.com", name.to_lowercase()),
        name: name.to_owned(),
        timezone: timezone.to_owned(),
        role: Role::Member,
        active: true,
        created_at: Timestamp::UNIX_EPOCH,
        seq: i64::from(n),
    }
}

/// Shows one email as a reader's client would list and open it: the subject and id, then
/// the part.
fn shown(written: &Written, part: &str) -> String {
    format!(
        "Subject: {}\nMessage-ID: {}\n\n{part}",
        written.subject, written.message_id
    )
}

/// Asserts both parts of `written` against the snapshots `{name}_text` and `{name}_html`.
fn assert_parts(name: &str, written: &Written) {
    insta::assert_snapshot!(format!("{name}_text"), shown(written, &written.text));
    insta::assert_snapshot!(format!("{name}_html"), shown(written, &written.html));
}

fn with_links(check: impl FnOnce(&Links<'_>)) {
    let from: Mailbox = "Baton <baton@baton.example.com>"
        .parse()
        .expect("a mailbox");
    check(&Links {
        base_url: BASE,
        from: &from,
        unsubscribe: "https://baton.example.com/unsubscribe/t0ken",
    });
}

fn post(n: u32, thread: (u32, &str), author: &str, kind: ItemKind, at: &str) -> DigestItem {
    let body = format!("Post {n} by {author}.\nA second line with <angle> & \"quotes\".");
    DigestItem {
        kind,
        post_id: id(n),
        thread_id: id(thread.0),
        thread_title: thread.1.to_owned(),
        author: author.to_owned(),
        html: format!(
            "<p>Post {n} by <strong>{author}</strong>.<br>A second line with &lt;angle&gt; &amp; \"quotes\".</p>"
        ),
        body,
        posted_at: monday(at),
        reply_by: None,
    }
}

fn asked(n: u32, thread: (u32, &str), author: &str, at: &str, due: &str) -> DigestItem {
    DigestItem {
        reply_by: Some(monday(due)),
        ..post(n, thread, author, ItemKind::Asked, at)
    }
}

#[test]
fn the_digest_lists_asks_by_reply_by_then_mentions_then_replies() {
    let budget = (101, "Budget <2027> & \"plans\"");
    let launch = (102, "Launch plan");
    let hiring = (103, "Hiring");
    let digest = Digest {
        recipient: kim(),
        items: vec![
            post(11, launch, "Lee", ItemKind::Mentioned, "08:50"),
            asked(12, hiring, "Ada", "07:00", "14:00"),
            asked(13, budget, "Olivia", "08:00", "10:00"),
            post(14, launch, "Ada", ItemKind::Replied, "08:40"),
            post(15, budget, "Lee", ItemKind::Replied, "08:30"),
        ],
        delivery_ids: vec![id(201), id(202)],
        digest_id: id(300),
    };
    with_links(|links| assert_parts("digest", &digest.written(links).expect("rendered")));
}

#[test]
fn the_end_of_day_reminder_links_each_baton_to_its_handoff() {
    let baton = |n: u32, title: &str| Baton {
        id: id(n),
        title: title.to_owned(),
        description: String::new(),
        relay_id: None,
        holder_id: id(1),
        status: BatonStatus::Open,
        created_by: id(1),
        created_at: monday("07:00"),
        seq: i64::from(n),
    };
    let reminder = Reminder {
        recipient: kim(),
        batons: vec![
            HeldBaton {
                baton: baton(401, "Ship <v3>"),
                receiver: Some(id(2)),
            },
            HeldBaton {
                baton: baton(402, "Docs"),
                receiver: None,
            },
        ],
        delivery_ids: vec![id(203)],
    };
    with_links(|links| assert_parts("reminder", &reminder.written(links).expect("rendered")));
}

#[test]
fn the_handoff_email_carries_the_note_and_the_link() {
    let baton = Baton {
        id: id(501),
        title: "Release <3.2>".to_owned(),
        description: String::new(),
        relay_id: None,
        holder_id: id(3),
        status: BatonStatus::Open,
        created_by: id(3),
        created_at: monday("07:00"),
        seq: 1,
    };
    let email = HandoffEmail {
        recipient: kim(),
        passed: vec![PassedBaton {
            handoff: Handoff {
                id: id(502),
                baton_id: baton.id,
                from_id: id(3),
                to_id: id(1),
                note: HandoffNote {
                    state: "Changelog <draft> & notes written.\nTests pass.".to_owned(),
                    next_step: "Tag \"v3.2\"".to_owned(),
                    blockers: "None".to_owned(),
                    links: "https://ci.example.com/run?id=7&x=2".to_owned(),
                },
                created_at: monday("15:05"),
                delivers_at: monday("15:05"),
                status: HandoffStatus::Pending,
                resolved_at: None,
                bounce_reason: None,
            },
            baton,
            from: "O'Neil".to_owned(),
        }],
        delivery_ids: vec![id(204)],
    };
    with_links(|links| assert_parts("handoff", &email.written(links).expect("rendered")));
}

fn urgent(covering: Vec<Covered>) -> UrgentEmail {
    UrgentEmail {
        recipient: kim(),
        item: post(
            21,
            (104, "Incident <payments>"),
            "Ada",
            ItemKind::Posted,
            "09:00",
        ),
        covering,
        delivery_ids: vec![id(205)],
    }
}

#[test]
fn an_urgent_email_to_its_recipient() {
    let email = urgent(Vec::new());
    with_links(|links| assert_parts("urgent", &email.written(links).expect("rendered")));
}

#[test]
fn an_urgent_email_to_a_cover_says_whom_it_is_for_and_when_they_see_it() {
    let kenji = member(4, "Kenji", "Asia/Tokyo");
    let email = urgent(vec![Covered {
        sees_at: LocalTime::of(&kenji, "2026-06-02T00:00:00Z".parse().expect("an instant")),
        name: kenji.name,
    }]);
    with_links(|links| assert_parts("urgent_cover", &email.written(links).expect("rendered")));
}
