//! The composer's "Urgent" choice: the sender's remaining urgent budget, and the preview of
//! who an urgent post reaches now and who at their next working start.
//!
//! Owns: those sentences, and the notice after an urgent post that went out as ordinary. Does
//! not own: the routes or the budget (`services::urgent`), which the preview asks exactly as a
//! sent post does: a reply's covers are the relay legs of the batons its thread is linked to,
//! then the space's members; a new thread has no relay yet.

use baton_core::Id;
use baton_core::delivery::UrgentOutcome;
use baton_core::expectation::{Expectation, ExpectationKind};
use baton_core::model::{Member, Space};

use serde::Deserialize;

use super::inbox::{People, TheirTime};
use crate::error::ApiResult;
use crate::extract::ids;
use crate::services::{access, urgent};
use crate::state::AppState;

/// What the thread page says after an urgent post went out as ordinary.
pub(super) const HELD: &str = "You have used this week's urgent interrupts, so your post went out \
    as an ordinary notification, held for each person's delivery window.";

/// `?urgent=held`: the query a redirect after an urgent post over budget carries.
#[derive(Debug, Default, Deserialize)]
pub(super) struct UrgentNotice {
    urgent: Option<String>,
}

impl UrgentNotice {
    /// Whether the post just sent went out as ordinary.
    pub(super) fn is_held(&self) -> bool {
        self.urgent.as_deref() == Some("held")
    }
}

/// The query to redirect with after a post: `?urgent=held` when it was urgent and went out as
/// ordinary, else nothing.
pub(super) fn held(urgent: Option<UrgentOutcome>) -> &'static str {
    match urgent {
        Some(o) if !o.granted => "?urgent=held",
        _ => "",
    }
}

/// "2 of 3 urgent interrupts left this week."
pub(super) async fn budget_line(state: &AppState, me: &Member) -> ApiResult<String> {
    let (left, budget) = urgent::budget_left(state, me, state.clock.now()).await?;
    Ok(format!(
        "{left} of {budget} urgent interrupts left this week; past that, urgent posts go out as ordinary."
    ))
}

/// One sentence per person an urgent post for `of` in `space` (in `thread`, for a reply)
/// would interrupt: told now, or at their next working start with the working colleague told
/// meanwhile.
pub(super) async fn preview(
    state: &AppState,
    me: &Member,
    space: &Space,
    thread: Option<Id>,
    people: &mut People,
    asked: &[String],
) -> ApiResult<Vec<String>> {
    let of = ids("expectation.of", asked)?;
    let now = state.clock.now();
    let exp = Expectation::validate(ExpectationKind::Urgent, None, of)?;
    let recipients = access::addressees(state, me, space, Some(&exp)).await?;
    let Some(send) = urgent::plan(state, me, space, thread, Some(&exp), &recipients, now).await?
    else {
        return Ok(Vec::new());
    };
    let mut lines = Vec::with_capacity(send.legs.len());
    for leg in &send.legs {
        let person = people.get(state, me, leg.recipient_id).await?.clone();
        if leg.now(now) {
            lines.push(format!("{}: now (working).", person.name));
            continue;
        }
        let when = TheirTime::new(leg.recipient_at, &person, me, now);
        let meanwhile = match leg.covered_by {
            Some(cover) => format!(
                "; {} is told now instead",
                people.get(state, me, cover).await?.name
            ),
            None => "; nobody who could stand in is working now".to_owned(),
        };
        lines.push(format!(
            "{}: at their next working start, {} (your {}){meanwhile}.",
            person.name, when.theirs, when.yours
        ));
    }
    Ok(lines)
}
