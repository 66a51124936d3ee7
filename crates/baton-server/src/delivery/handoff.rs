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

use std::fmt::Write as _;

use baton_core::Id;
use baton_core::model::{Baton, Handoff, Member};
use jiff::Timestamp;
use lettre::Message;

use super::digest::{Links, Written, email, escape, local_time, stable_id};
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

    /// When `passed` was handed off, in the recipient's zone.
    fn passed_at(&self, passed: &PassedBaton) -> String {
        local_time(&self.recipient, passed.handoff.created_at)
    }

    /// The plain-text part.
    pub fn text(&self, links: &Links<'_>) -> String {
        let mut out = format!(
            "Hi {},\n\nWork was passed to you. Accept each baton to take it on, or bounce it back with a reason.\n\n",
            self.recipient.name
        );
        for passed in &self.passed {
            let _ = writeln!(
                out,
                "== {} ==\n{} passed it to you on {}.\n",
                passed.baton.title,
                passed.from,
                self.passed_at(passed)
            );
            for (label, value) in Self::note(passed) {
                let _ = writeln!(out, "{label}:");
                for line in value.lines() {
                    let _ = writeln!(out, "  {line}");
                }
            }
            let _ = writeln!(
                out,
                "\nAccept or bounce it: {}\n",
                Self::baton_url(links.base_url, &passed.baton)
            );
        }
        let _ = write!(
            out,
            "--\nYou get this email when a baton reaches you, at the start of your working day.\nUnsubscribe from email: {}\n",
            links.unsubscribe
        );
        out
    }

    /// The HTML part; every user text (titles, names, the note) is escaped.
    pub fn html(&self, links: &Links<'_>) -> String {
        let mut out = format!(
            "<!doctype html>\n<html><body>\n<p>Hi {},</p>\n<p>Work was passed to you. Accept each baton to take it on, or bounce it back with a reason.</p>\n",
            escape(&self.recipient.name)
        );
        for passed in &self.passed {
            let _ = writeln!(
                out,
                "<h2>{}</h2>\n<p><strong>{}</strong> passed it to you on {}.</p>\n<dl>",
                escape(&passed.baton.title),
                escape(&passed.from),
                self.passed_at(passed)
            );
            for (label, value) in Self::note(passed) {
                let _ = writeln!(
                    out,
                    "<dt>{label}</dt><dd style=\"white-space: pre-wrap\">{}</dd>",
                    escape(value)
                );
            }
            let _ = writeln!(
                out,
                "</dl>\n<p><a href=\"{}\">Accept or bounce it</a></p>",
                escape(&Self::baton_url(links.base_url, &passed.baton))
            );
        }
        let _ = write!(
            out,
            "<hr><p>You get this email when a baton reaches you, at the start of your working day. <a href=\"{}\">Unsubscribe from email</a>.</p>\n</body></html>\n",
            escape(links.unsubscribe)
        );
        out
    }

    /// The email, dated `now`, with a `Message-ID` derived from its deliveries.
    ///
    /// # Errors
    /// When the recipient's address is not a valid mailbox.
    pub fn message(&self, links: &Links<'_>, now: Timestamp) -> anyhow::Result<Message> {
        let written = Written {
            subject: self.subject(),
            message_id: stable_id("handoff", &self.delivery_ids, links.base_url),
            text: self.text(links),
            html: self.html(links),
        };
        email(&self.recipient, links, written, now)
    }
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
        let text = mail.text(&links(&from));
        for expected in [
            "== Release 3.2 ==",
            // 15:05 UTC is 17:05 in the recipient's Berlin.
            "Olivia passed it to you on Mon 17:05.",
            "State:\n  Tests <pass> & docs\n  are half done\n",
            "Next step:\n  Tag \"v3.2\"\n",
            "Blockers:\n  None\n",
            "Links:\n  https://ci.example.com/run?id=1&x=2\n",
            &format!(
                "Accept or bounce it: https://baton.example.com/batons/{}",
                one.baton.id
            ),
            "Unsubscribe from email: https://baton.example.com/unsubscribe/t",
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
        let html = mail.html(&links(&from));
        for expected in [
            "<h2>&lt;b&gt;Ship&lt;/b&gt;</h2>",
            "<strong>O&#39;Neil &lt;admin&gt;</strong> passed it to you on Mon 17:05.",
            "<dt>State</dt><dd style=\"white-space: pre-wrap\">Tests &lt;pass&gt; &amp; docs\nare half done</dd>",
            "<dt>Next step</dt><dd style=\"white-space: pre-wrap\">Tag &quot;v3.2&quot;</dd>",
            "https://ci.example.com/run?id=1&amp;x=2",
            &format!(
                "<a href=\"https://baton.example.com/batons/{}\">Accept or bounce it</a>",
                first.baton.id
            ),
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
