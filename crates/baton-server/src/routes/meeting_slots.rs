//! `POST /api/v1/meetings/slots`: the fairest times for a meeting across time zones.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use baton_core::CoreError;
use baton_core::meeting::slots::{Search, Slot};
use baton_core::model::Member;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::{time, whole_number};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, ids};
use crate::services::{meeting_slots, schedules};
use crate::state::AppState;

/// Body of `POST /api/v1/meetings/slots`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindSlots {
    /// Member ids, 1 to 200, no repeats.
    pub participants: Vec<String>,
    /// Length of the meeting, 1 to 480 minutes.
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(value_type = i64, required = true)]
    pub duration_minutes: Option<i64>,
    /// Start of the search range, RFC 3339.
    #[schema(format = DateTime)]
    pub from: String,
    /// End of the search range (exclusive), RFC 3339; at most 60 days after `from`.
    #[schema(format = DateTime)]
    pub to: String,
    /// `weekly` for a recurring meeting: the answer then proposes a rotation.
    pub recurrence: Option<String>,
}

/// One candidate slot.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotOut {
    /// Start, UTC, on a quarter hour.
    pub start: String,
    /// End (exclusive), UTC.
    pub end: String,
    /// For each participant (by member id), the minutes of the slot outside their working hours.
    pub out_of_hours_minutes: BTreeMap<String, u32>,
    /// The sum of `out_of_hours_minutes`.
    pub total_out_of_hours_minutes: u32,
    /// For each participant (by member id), the start in their own zone, RFC 3339 with their
    /// offset (`2026-01-13T01:00:00+01:00`): what the slot means to each of them.
    pub local_start: BTreeMap<String, String>,
}

impl SlotOut {
    fn new(slot: &Slot, participants: &[Member], zones: &[TimeZone]) -> Self {
        let ids = || participants.iter().map(|m| m.id.to_string());
        Self {
            start: time(slot.start),
            end: time(slot.end),
            out_of_hours_minutes: ids().zip(slot.out_of_hours.iter().copied()).collect(),
            total_out_of_hours_minutes: slot.total_out_of_hours(),
            local_start: ids()
                .zip(zones)
                .map(|(id, zone)| {
                    let offset = zone.to_offset(slot.start);
                    (id, slot.start.display_with_offset(offset).to_string())
                })
                .collect(),
        }
    }
}

/// A weekly meeting's rotation: occurrence n takes the weekday and UTC time of `slots[n % len]`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RotationOut {
    /// The weekly times, in the order the occurrences take them.
    pub slots: Vec<SlotOut>,
    /// For each participant (by member id), the fraction of occurrences outside their hours.
    pub shares: BTreeMap<String, f64>,
}

/// The answer of a slot search.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotsOut {
    /// The best slots, best first.
    pub slots: Vec<SlotOut>,
    /// Only for `recurrence: "weekly"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation: Option<RotationOut>,
}

/// The best slots for a meeting, best first: inside everyone's working hours and outside their
/// focus blocks first, earliest first; when no such slot exists, the least total time outside
/// working hours, then the least for the worst-off person, then the least focus broken, then
/// the earliest. Slots start on UTC quarter hours; each shows every participant's local start.
/// With `recurrence: "weekly"` the answer also proposes a rotation of up to three weekly times,
/// so the out-of-hours burden moves around. A guest may search only for themself (403).
#[utoipa::path(post, path = "/api/v1/meetings/slots", tag = "meetings", request_body = FindSlots,
    responses((status = 200, body = SlotsOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn find_slots(
    State(state): State<AppState>,
    Caller(caller): Caller,
    body: JsonBody<FindSlots>,
) -> ApiResult<Json<SlotsOut>> {
    let body = body.value;
    let participants = ids("participants", &body.participants)?;
    let duration = body
        .duration_minutes
        .and_then(|d| u32::try_from(d).ok())
        .ok_or_else(|| {
            CoreError::invalid("duration_minutes", "Give a duration of 1 to 480 minutes.")
        })?;
    let (from, to) = schedules::range(&body.from, &body.to)?;
    let search = Search::new(from, to, duration)?;
    let weekly = match body.recurrence.as_deref() {
        None => false,
        Some("weekly") => true,
        Some(other) => {
            return Err(CoreError::invalid(
                "recurrence",
                format!("'{other}' is not a supported recurrence; the one supported is 'weekly'."),
            )
            .into());
        }
    };
    let found = meeting_slots::find_slots(&state, &caller, &participants, search, weekly).await?;
    let slot = |s: &Slot| SlotOut::new(s, &found.participants, &found.zones);
    Ok(Json(SlotsOut {
        slots: found.slots.iter().map(slot).collect(),
        rotation: found.rotation.map(|r| RotationOut {
            slots: r.slots.iter().map(slot).collect(),
            shares: found
                .participants
                .iter()
                .zip(r.shares)
                .map(|(m, share)| (m.id.to_string(), share))
                .collect(),
        }),
    }))
}
