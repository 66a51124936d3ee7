//! End-of-day reminders: recording them when due, and the email that lists a holder's batons.
//!
//! Owns: the pass of the worker tick that records one `baton_reminder` event per holder and
//! working day once its reminder is due ([`record_due`]), and the reminder's content
//! ([`Reminder`]): the batons held, each with a link to its handoff form with the receiver
//! chosen. Does not own: when a day ends or its reminder is due
//! (`baton_core::delivery::end_of_day`), the once-per-day rule (the store's unique key on
//! holder and day end), or claiming and settling (the send step).
//!
//! A reminder is recorded only once it is due, not ahead of time: its delivery is then due at
//! once, so a schedule edited in between (a day taken off) is honoured, and the outbox never
//! holds reminders for days that may not happen.

use askama::Template;
use baton_core::Id;
use baton_core::delivery::end_of_day;
use baton_core::model::{Baton, BatonStatus, Member};
use baton_core::page::PageRequest;
use baton_core::relay::next_leg;
use jiff::Timestamp;
use lettre::Message;

use super::Worker;
use super::email::{Frame, Links, Written, email, stable_id};
use crate::services::schedules::schedules_of;
use crate::state::AppState;

/// Records the due end-of-day reminders of every holder of an open baton; returns how many
/// were new. Holders are few (one per person carrying work), so all are checked each tick.
#[tracing::instrument(name = "reminders", skip_all)]
pub(super) async fn record_due(state: &AppState, worker: &Worker) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let mut recorded = 0;
    for (ws, holder) in state.store.baton_holders().await? {
        let Ok(member) = state.store.member(ws, holder).await else {
            continue;
        };
        if !member.active {
            continue;
        }
        let schedules = schedules_of(state, std::slice::from_ref(&member))
            .await
            .map_err(|e| anyhow::anyhow!("reading the schedule of {holder}: {e:?}"))?;
        let Some(day) = schedules
            .first()
            .and_then(|s| end_of_day(s, worker.reminder_lead, now))
        else {
            continue;
        };
        if day.is_due(now)
            && state
                .store
                .record_reminder(ws, holder, day.day_end, now)
                .await?
        {
            tracing::info!(member.id = %holder, day_end = %day.day_end, "end-of-day reminder for {holder}");
            recorded += 1;
        }
    }
    Ok(recorded)
}

/// One baton in a reminder, with the member it would be handed to.
#[derive(Debug, Clone)]
pub struct HeldBaton {
    /// The baton.
    pub baton: Baton,
    /// The next leg of its relay after the holder, if it follows one.
    pub receiver: Option<Id>,
}

/// A reminder for one holder, ready to render.
#[derive(Debug, Clone)]
pub struct Reminder {
    /// Who holds the batons.
    pub recipient: Member,
    /// The open batons they hold, oldest first.
    pub batons: Vec<HeldBaton>,
    /// The deliveries it settles: what its `Message-ID` is derived from.
    pub delivery_ids: Vec<Id>,
}

impl Reminder {
    /// The open batons `recipient` holds now, with their receivers; `None` when there are
    /// none (the reminder is then dropped).
    ///
    /// # Errors
    /// When the store fails.
    pub async fn build(
        state: &AppState,
        ws: Id,
        recipient: Member,
        delivery_ids: Vec<Id>,
    ) -> anyhow::Result<Option<Self>> {
        let mut batons = Vec::new();
        // One page (the largest) of batons: nobody holds more than that at a day's end, and
        // an email that listed more would not be read.
        let held = state
            .store
            .list_batons(ws, Some(recipient.id), PageRequest::largest())
            .await?;
        for baton in held.items {
            if baton.status != BatonStatus::Open || baton.holder_id != recipient.id {
                continue;
            }
            let receiver = match baton.relay_id {
                Some(relay) => match state.store.relay(ws, relay).await {
                    Ok(relay) => next_leg(&relay.legs, recipient.id),
                    Err(baton_store::StoreError::NotFound) => None,
                    Err(e) => return Err(e.into()),
                },
                None => None,
            };
            batons.push(HeldBaton { baton, receiver });
        }
        Ok((!batons.is_empty()).then_some(Self {
            recipient,
            batons,
            delivery_ids,
        }))
    }

    /// The handoff form of `held`: the baton's page, with the receiver chosen when known.
    pub fn handoff_url(base_url: &str, held: &HeldBaton) -> String {
        match held.receiver {
            Some(to) => format!("{base_url}/batons/{}?to={to}", held.baton.id),
            None => format!("{base_url}/batons/{}", held.baton.id),
        }
    }

    fn subject(&self) -> String {
        match self.batons.as_slice() {
            [only] => format!("Baton: your day ends soon, hand off “{}”", only.baton.title),
            all => format!("Baton: your day ends soon, you hold {} batons", all.len()),
        }
    }

    /// The subject, `Message-ID` and both parts, rendered.
    ///
    /// # Errors
    /// When a template fails to render.
    pub fn written(&self, links: &Links<'_>) -> anyhow::Result<Written> {
        let frame = Frame::new(
            &self.recipient,
            links,
            "Your working day ends soon: hand on what you hold.".to_owned(),
            "You get this before each working day ends while you hold a baton.",
        );
        let held: Vec<HeldView<'_>> = self
            .batons
            .iter()
            .map(|held| HeldView {
                title: &held.baton.title,
                url: Self::handoff_url(links.base_url, held),
            })
            .collect();
        let (frame, held) = (&frame, held.as_slice());
        Written::render(
            self.subject(),
            stable_id("reminder", &self.delivery_ids, links.base_url),
            &ReminderText { frame, held },
            &ReminderHtml { frame, held },
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

/// One held baton as the reminder's templates show it.
struct HeldView<'a> {
    title: &'a str,
    url: String,
}

/// The reminder's plain-text part.
#[derive(Template)]
#[template(path = "email/remind.txt")]
struct ReminderText<'a> {
    frame: &'a Frame<'a>,
    held: &'a [HeldView<'a>],
}

/// The reminder's HTML part; askama escapes the titles.
#[derive(Template)]
#[template(path = "email/remind.html")]
struct ReminderHtml<'a> {
    frame: &'a Frame<'a>,
    held: &'a [HeldView<'a>],
}

#[cfg(test)]
mod tests {
    use baton_core::role::Role;

    use super::*;

    fn held(title: &str, receiver: Option<Id>) -> HeldBaton {
        HeldBaton {
            baton: Baton {
                id: Id::random(),
                title: title.to_owned(),
                description: String::new(),
                relay_id: None,
                holder_id: Id::random(),
                status: BatonStatus::Open,
                created_by: Id::random(),
                created_at: Timestamp::UNIX_EPOCH,
                seq: 1,
            },
            receiver,
        }
    }

    #[test]
    fn each_baton_links_to_its_handoff_form_with_the_receiver_and_titles_are_escaped() {
        let to = Id::random();
        let (relayed, alone) = (held("<b>Ship</b>", Some(to)), held("Docs", None));
        let reminder = Reminder {
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
            batons: vec![relayed.clone(), alone.clone()],
            delivery_ids: vec![Id::random()],
        };
        let base = "https://baton.example.com";
        let links = Links {
            base_url: base,
            from: &"Baton <baton@example.com>".parse().expect("a mailbox"),
            unsubscribe: "https://baton.example.com/unsubscribe/t",
        };
        let Written { text, html, .. } = reminder.written(&links).expect("rendered");
        assert!(text.contains(&format!("{base}/batons/{}?to={to}", relayed.baton.id)));
        assert!(text.contains(&format!("{base}/batons/{}\n", alone.baton.id)));
        assert!(html.contains("&#60;b&#62;Ship&#60;/b&#62;") && !html.contains("<b>Ship"));
        assert_eq!(
            reminder.subject(),
            "Baton: your day ends soon, you hold 2 batons"
        );
        let raw = reminder
            .message(&links, Timestamp::UNIX_EPOCH)
            .expect("a message")
            .formatted();
        let raw = String::from_utf8_lossy(&raw);
        assert!(
            raw.contains("List-Unsubscribe: <https://baton.example.com/unsubscribe/t>")
                && raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
            "{raw}"
        );
    }
}
