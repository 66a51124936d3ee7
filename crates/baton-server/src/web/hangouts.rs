//! `/meetings/hangouts`: opting in to hangouts, and this round's partner with the slot offered
//! in both people's local time. Never compulsory: the page offers, it does not book.
//!
//! Owns: the page and its opt-in form. Does not own: the pairing (`baton_core::meeting::
//! hangouts`) or who may opt in (`services::hangouts`).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use jiff::tz::TimeZone;
use serde::de::IgnoredAny;

use super::forms::CsrfForm;
use super::session::Viewer;
use super::{Chrome, Section, WebResult, format, render};
use crate::services::hangouts::{self, HangoutOffer};
use crate::state::AppState;

/// `/meetings/hangouts`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/meetings/hangouts", get(page).post(save))
}

/// The partner and the slot as the page shows them.
struct Offer {
    partner: String,
    partner_city: String,
    /// "A rare overlap: 4 hours a week" or "You never share working hours".
    overlap: String,
    /// The slot in the viewer's time, "Tue 3 Mar 08:45–09:05", if there is one.
    when: Option<String>,
    machine: String,
    /// The same start in the partner's time.
    theirs: String,
    /// Who the slot puts outside their hours, if anyone.
    verdict: String,
    /// A meeting request pre-filled with the pair and the slot.
    request: String,
}

#[derive(Template)]
#[template(path = "hangouts.html")]
struct HangoutsPage {
    chrome: Chrome,
    opted_in: bool,
    round_ends: String,
    offer: Option<Offer>,
}

fn zone_name(zone: &TimeZone) -> &str {
    zone.iana_name().unwrap_or("UTC")
}

fn offer(me: &baton_core::model::Member, offer: HangoutOffer) -> Offer {
    let (mine, theirs) = (zone_name(&offer.zones.0), zone_name(&offer.zones.1));
    let hours = offer.shared_minutes / 60;
    let overlap = if offer.shared_minutes == 0 {
        "You never share working hours: this is the one chance to meet.".to_owned()
    } else {
        format!("A rare overlap: about {hours} hours of working time a week.")
    };
    let (when, machine, their_time, verdict, request) = match offer.slot {
        Some(slot) => {
            let verdict = match (slot.mine_out_of_hours, slot.theirs_out_of_hours) {
                (0, 0) => "Inside both your working hours".to_owned(),
                (m, 0) => format!("{m} minutes outside your working hours"),
                (0, t) => format!("{t} minutes outside {}'s working hours", offer.partner.name),
                (m, t) => format!(
                    "{m} minutes outside your working hours, {t} outside {}'s",
                    offer.partner.name
                ),
            };
            let request = format!(
                "/meetings/new?purpose=hangout&title={}&start={}&duration=20&participants={}",
                percent_encoding::utf8_percent_encode(
                    &format!("Hangout: {} and {}", me.name, offer.partner.name),
                    percent_encoding::NON_ALPHANUMERIC
                ),
                slot.start,
                offer.partner.id
            );
            (
                Some(format!(
                    "{}–{}",
                    format::day_time(slot.start, mine),
                    format::clock(slot.end, mine)
                )),
                format::machine(slot.start, mine),
                format::day_time(slot.start, theirs),
                verdict,
                request,
            )
        }
        None => Default::default(),
    };
    Offer {
        partner: offer.partner.name,
        partner_city: format::city(theirs),
        overlap,
        when,
        machine,
        theirs: their_time,
        verdict,
        request,
    }
}

/// `GET /meetings/hangouts`.
async fn page(State(state): State<AppState>, Viewer(viewer): Viewer) -> WebResult<Response> {
    let me = &viewer.member;
    let view = hangouts::current(&state, me).await?;
    let page = HangoutsPage {
        chrome: Chrome::load(&state, &viewer, Section::Meetings, "Hangouts").await?,
        opted_in: view.opted_in,
        round_ends: format::day_time(view.round.end, &me.timezone),
        offer: view.offer.map(|o| offer(me, o)),
    };
    Ok(render(&page))
}

/// `POST /meetings/hangouts`: opts the viewer in (`opted_in=on`) or out.
async fn save(State(state): State<AppState>, form: CsrfForm<IgnoredAny>) -> WebResult<Response> {
    let me = &form.viewer.member;
    let opted_in = form.fields.all("opted_in").any(|v| v == "on");
    hangouts::set_opt_in(&state, me, me.id, opted_in).await?;
    Ok(Redirect::to("/meetings/hangouts").into_response())
}
