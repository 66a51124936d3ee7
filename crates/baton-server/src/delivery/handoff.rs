//! The handoff email: the batons passed to a member that reached them, each with its note and
//! the link to accept or bounce it.
//!
//! Owns: the email's content ([`HandoffEmail`]), read from the store when it is sent: the
//! handoffs still pending to the recipient whose `delivers_at` has come. Does not own: when a
//! handoff reaches its receiver (`baton_core::relay::delivers_at`, stored on the handoff and
//! on its event), who may receive it (the send step checks the member and their policy), or
//! accepting and bouncing (`services::relays`).
//!
//! Built at send time rather than from the event, as the end-of-day reminder is: a handoff
//! accepted or bounced before it was due (the receiver saw it on the batons board) is then
//! not mailed at all.

use askama::Template;
use baton_core::Id;
use baton_core::model::{Baton, Handoff, Member};
use jiff::Timestamp;
use lettre::Message;

use super::email::{Frame, Links, LocalTime, Written, email, stable_id};
use crate::state::AppState;

/// One baton waiting for its receiver, with who passed it.
#[derive(Debug, Clone)]
pub struct PassedBaton {
    /// The handoff, with its note.
    pub handoff: Handoff,
    /// The baton passed.
    pub baton: Baton,
    /// The giver's display name.
    pub from: String,
}

/// A handoff email for one receiver, ready to render.
#[derive(Debug, Clone)]
pub struct HandoffEmail {
    /// Who receives the batons.
    pub recipient: Member,
    /// The pending handoffs that reached them, oldest first.
    pub passed: Vec<PassedBaton>,
    /// The deliveries it settles: what its `Message-ID` is derived from.
    pub delivery_ids: Vec<Id>,
}

impl HandoffEmail {
    /// The handoffs still pending to `recipient` that reached them by `now`, with their
    /// givers; `None` when there are none (all accepted or bounced: the email is dropped).
    ///
    /// # Errors
    /// When the store fails.
    pub async fn build(
        state: &AppState,
        ws: Id,
        recipient: Member,
        delivery_ids: Vec<Id>,
        now: Timestamp,
    ) -> anyhow::Result<Option<Self>> {
        let mut passed = Vec::new();
        for (handoff, baton) in state
            .store
            .handoffs_waiting_for(ws, recipient.id, now)
            .await?
        {
            let from = state.store.member(ws, handoff.from_id).await?.name;
            passed.push(PassedBaton {
                handoff,
                baton,
                from,
            });
        }
        Ok((!passed.is_empty()).then_some(Self {
            recipient,
            passed,
            delivery_ids,
        }))
    }

    /// Where the receiver accepts or bounces `baton`: its page.
    pub fn baton_url(base_url: &str, baton: &Baton) -> String {
        format!("{base_url}/batons/{}", baton.id)
    }

    fn subject(&self) -> String {
        match self.passed.as_slice() {
            [only] => format!("Baton: {} passed you “{}”", only.from, only.baton.title),
            all => format!("Baton: {} batons were passed to you", all.len()),
        }
    }

    /// The note's fields with their labels, in the order the giver wrote them.
    fn note(passed: &PassedBaton) -> [(&'static str, &str); 4] {
        let note = &passed.handoff.note;
        [
            ("State", note.state.as_str()),
            ("Next step", note.next_step.as_str()),
            ("Blockers", note.blockers.as_str()),
            ("Links", note.links.as_str()),
        ]
    }

    /// The subject, `Message-ID` and both parts, rendered.
    ///
    /// # Errors
    /// When a template fails to render.
    pub fn written(&self, links: &Links<'_>) -> anyhow::Result<Written> {
        let frame = Frame::new(
            &self.recipient,
            links,
            "Work was passed to you: accept it or bounce it back.".to_owned(),
            "You get this when a baton reaches you, at the start of your working day.",
        );
        let passed: Vec<PassedView<'_>> = self
            .passed
            .iter()
            .map(|passed| PassedView {
                title: &passed.baton.title,
                from: &passed.from,
                passed_at: LocalTime::of(&self.recipient, passed.handoff.created_at),
                note: Self::note(passed),
                url: Self::baton_url(links.base_url, &passed.baton),
            })
            .collect();
        let (frame, passed) = (&frame, passed.as_slice());
        Written::render(
            self.subject(),
            stable_id("handoff", &self.delivery_ids, links.base_url),
            &HandoffText { frame, passed },
            &HandoffHtml { frame, passed },
        )
    }

    /// The email, dated `now`, with a `Message-ID` derived from its deliveries.
    ///
    /// # Errors
    /// When a template fails to render or the recipient's address is not a valid mailbox.
    pub fn message(&self, links: &Links<'_>, now: Timestamp) -> anyhow::Result<Message> {
        email(&self.recipient, links, self.written(links)?, now)
    }
}

/// One passed baton as the handoff email's templates show it.
struct PassedView<'a> {
    title: &'a str,
    from: &'a str,
    /// When it was handed off, in the reader's zone.
    passed_at: LocalTime,
    note: [(&'static str, &'a str); 4],
    url: String,
}

/// The handoff email's plain-text part.
#[derive(Template)]
#[template(path = "email/handoff.txt")]
struct HandoffText<'a> {
    frame: &'a Frame<'a>,
    passed: &'a [PassedView<'a>],
}

/// The handoff email's HTML part; askama escapes every user text (titles, names, the note).
#[derive(Template)]
#[template(path = "email/handoff.html")]
struct HandoffHtml<'a> {
    frame: &'a Frame<'a>,
    passed: &'a [PassedView<'a>],
}

#[cfg(test)]
mod tests {
    use baton_core::model::{BatonStatus, HandoffNote, HandoffStatus};
    use baton_core::role::Role;
    use lettre::message::Mailbox;

    use super::*;

    /// Monday 1 June 2026, 15:05 UTC: 17:05 in Berlin.
    fn monday_17_05_berlin() -> Timestamp {
        "2026-06-01T15:05:00Z".parse().expect("an instant")
    }

    fn passed(title: &str, from: &str, note: HandoffNote) -> PassedBaton {
        let baton = Baton {
            id: Id::random(),
            title: title.to_owned(),
            description: String::new(),
            relay_id: None,
            holder_id: Id::random(),
            status: BatonStatus::Open,
            created_by: Id::random(),
            created_at: Timestamp::UNIX_EPOCH,
            seq: 1,
        };
        PassedBaton {
            handoff: Handoff {
                id: Id::random(),
                baton_id: baton.id,
                from_id: baton.holder_id,
                to_id: Id::random(),
                note,
                created_at: monday_17_05_berlin(),
                delivers_at: monday_17_05_berlin(),
                status: HandoffStatus::Pending,
                resolved_at: None,
                bounce_reason: None,
            },
            baton,
            from: from.to_owned(),
        }
    }

    fn email(passed: Vec<PassedBaton>) -> HandoffEmail {
        HandoffEmail {
            recipient: Member {
                id: Id::random(),
                workspace_id: Id::random(),
                email: "kim@example.com".to_owned(),
                name: "Kim".to_owned(),
                timezone: "Europe/Berlin".to_owned(),
                role: Role::Member,
                active: true,
                created_at: Timestamp::UNIX_EPOCH,
                seq: 1,
            },
            passed,
            delivery_ids: vec![Id::random()],
        }
    }

    fn note() -> HandoffNote {
        HandoffNote {
            state: "Tests <pass> & docs\nare half done".to_owned(),
            next_step: "Tag \"v3.2\"".to_owned(),
            blockers: "None".to_owned(),
            links: "https://ci.example.com/run?id=1&x=2".to_owned(),
        }
    }

    fn links(from: &Mailbox) -> Links<'_> {
        Links {
            base_url: "https://baton.example.com",
            from,
            unsubscribe: "https://baton.example.com/unsubscribe/t",
        }
    }

    #[test]
    fn the_text_carries_the_note_who_passed_it_when_and_the_link() {
        let one = passed("Release 3.2", "Olivia", note());
        let mail = email(vec![one.clone()]);
        let from: Mailbox = "Baton <baton@example.com>".parse().expect("a mailbox");
        let text = mail.written(&links(&from)).expect("rendered").text;
        for expected in [
            "== Release 3.2 ==",
            // 15:05 UTC is 17:05 in the recipient's Berlin.
            "Olivia passed it to you on Mon 17:05 your time (Europe/Berlin).",
            "State:\n  Tests <pass> & docs\n  are half done\n",
            "Next step:\n  Tag \"v3.2\"\n",
            "Blockers:\n  None\n",
            "Links:\n  https://ci.example.com/run?id=1&x=2\n",
            &format!(
                "Accept or bounce it: https://baton.example.com/batons/{}",
                one.baton.id
            ),
            "Unsubscribe from email:\nhttps://baton.example.com/unsubscribe/t",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        assert_eq!(mail.subject(), "Baton: Olivia passed you “Release 3.2”");
    }

    #[test]
    fn the_html_escapes_every_user_text_and_links_each_baton() {
        let first = passed("<b>Ship</b>", "O'Neil <admin>", note());
        let second = passed("Docs", "Olivia", note());
        let mail = email(vec![first.clone(), second.clone()]);
        let from: Mailbox = "Baton <baton@example.com>".parse().expect("a mailbox");
        let html = mail.written(&links(&from)).expect("rendered").html;
        for expected in [
            "&#60;b&#62;Ship&#60;/b&#62;</h2>",
            "O&#39;Neil &#60;admin&#62;</strong> passed it to you on",
            "Mon 17:05</strong> your time (Europe/Berlin).",
            "Tests &#60;pass&#62; &#38; docs\nare half done</span>",
            "Tag &#34;v3.2&#34;</span>",
            "https://ci.example.com/run?id=1&#38;x=2",
            &format!(
                "href=\"https://baton.example.com/batons/{}\"",
                first.baton.id
            ),
            "Accept or bounce &ldquo;&#60;b&#62;Ship&#60;/b&#62;&rdquo;</a>",
            &format!("https://baton.example.com/batons/{}", second.baton.id),
        ] {
            assert!(html.contains(expected), "missing {expected:?} in:\n{html}");
        }
        for raw in ["<b>Ship", "<admin>", "<pass>"] {
            assert!(!html.contains(raw), "{raw:?} unescaped in:\n{html}");
        }
        assert_eq!(mail.subject(), "Baton: 2 batons were passed to you");
    }

    #[test]
    fn the_message_has_one_click_unsubscribe_and_a_stable_id() {
        let mail = email(vec![passed("Release", "Olivia", note())]);
        let from: Mailbox = "Baton <baton@example.com>".parse().expect("a mailbox");
        let render = || {
            let raw = mail
                .message(&links(&from), Timestamp::UNIX_EPOCH)
                .expect("a message")
                .formatted();
            String::from_utf8_lossy(&raw).into_owned()
        };
        let raw = render();
        assert!(
            raw.contains("List-Unsubscribe: <https://baton.example.com/unsubscribe/t>")
                && raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
                && raw.contains("Message-ID: <handoff."),
            "{raw}"
        );
        let id = |raw: &str| {
            raw.lines()
                .find(|l| l.starts_with("Message-ID:"))
                .map(str::to_owned)
        };
        assert_eq!(id(&raw), id(&render()), "a resend is the same message");
    }
}
