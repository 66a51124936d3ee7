//! Hangouts: `PUT /api/v1/members/{id}/hangouts` to opt in or out, `GET /api/v1/hangouts` for
//! the current round's pair and the slot offered to it.

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::time;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, PathId};
use crate::services::hangouts::{self, HangoutOffer};
use crate::state::AppState;

/// Body of `PUT /api/v1/members/{id}/hangouts`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetHangouts {
    /// `true` to be paired every two weeks, `false` to stop.
    pub opted_in: bool,
}

/// Whether a member is paired for hangouts.
#[derive(Debug, Serialize, ToSchema)]
pub struct HangoutsSetting {
    /// Whether they are in the pool.
    pub opted_in: bool,
}

/// A two-week round.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundOut {
    /// When it started (a Monday, 00:00 UTC).
    pub start: String,
    /// When it ends and the next pairing is made.
    pub end: String,
}

/// The slot offered to a pair, as the caller sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HangoutSlotOut {
    /// Start, UTC, on a quarter hour.
    pub start: String,
    /// End (exclusive): 20 minutes later.
    pub end: String,
    /// The start in the caller's zone, RFC 3339 with their offset.
    pub your_local_start: String,
    /// The start in the partner's zone.
    pub partner_local_start: String,
    /// Minutes of it outside the caller's working hours.
    pub your_out_of_hours_minutes: u32,
    /// Minutes of it outside the partner's working hours.
    pub partner_out_of_hours_minutes: u32,
}

/// The caller's pair this round.
#[derive(Debug, Serialize, ToSchema)]
pub struct HangoutPairOut {
    /// The partner's member id.
    pub partner_id: String,
    /// The partner's name.
    pub partner_name: String,
    /// Minutes of a week both work: few, on purpose.
    pub shared_minutes_per_week: u32,
    /// The fairest 20-minute slot left in the round; null when none is free.
    pub slot: Option<HangoutSlotOut>,
}

/// The current round as the caller sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HangoutsOut {
    /// The current round.
    pub round: RoundOut,
    /// Whether the caller is in the pool.
    pub opted_in: bool,
    /// The caller's pair this round; null when they were not paired (not opted in when the
    /// round was paired, left out of an odd pool, or nobody else opted in).
    pub pair: Option<HangoutPairOut>,
}

/// `t` in `zone`, RFC 3339 with the zone's offset then.
fn local(t: Timestamp, zone: &TimeZone) -> String {
    t.display_with_offset(zone.to_offset(t)).to_string()
}

impl From<HangoutOffer> for HangoutPairOut {
    fn from(offer: HangoutOffer) -> Self {
        let (mine, theirs) = &offer.zones;
        Self {
            partner_id: offer.partner.id.to_string(),
            partner_name: offer.partner.name,
            shared_minutes_per_week: offer.shared_minutes,
            slot: offer.slot.map(|s| HangoutSlotOut {
                start: time(s.start),
                end: time(s.end),
                your_local_start: local(s.start, mine),
                partner_local_start: local(s.start, theirs),
                your_out_of_hours_minutes: s.mine_out_of_hours,
                partner_out_of_hours_minutes: s.theirs_out_of_hours,
            }),
        }
    }
}

/// Opts a member in or out of hangouts: every two weeks, members who opted in are paired with
/// someone they rarely overlap with and offered their fairest 20-minute slot. Never
/// compulsory: only the member themself may opt in (403 for anyone else), and guests are not
/// paired (403).
#[utoipa::path(put, path = "/api/v1/members/{id}/hangouts", tag = "meetings", params(("id" = String, Path)),
    request_body = SetHangouts,
    responses((status = 200, body = HangoutsSetting), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    body: JsonBody<SetHangouts>,
) -> ApiResult<Json<HangoutsSetting>> {
    let opted_in = hangouts::set_opt_in(&state, &caller, id, body.value.opted_in).await?;
    Ok(Json(HangoutsSetting { opted_in }))
}

/// The current two-week round: whether the caller is in the pool, and their pair with the
/// slot offered to it. The round is paired by the first request after it begins, among the
/// members opted in then; whoever opts in later joins the next round.
#[utoipa::path(get, path = "/api/v1/hangouts", tag = "meetings",
    responses((status = 200, body = HangoutsOut)))]
pub async fn current(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Json<HangoutsOut>> {
    let view = hangouts::current(&state, &caller).await?;
    Ok(Json(HangoutsOut {
        round: RoundOut {
            start: time(view.round.start),
            end: time(view.round.end),
        },
        opted_in: view.opted_in,
        pair: view.offer.map(HangoutPairOut::from),
    }))
}
