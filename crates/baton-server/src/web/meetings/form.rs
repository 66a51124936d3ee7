//! The meeting request form: the purpose gate, participants, start in the viewer's own time,
//! the agenda and the pre-work, as one page that keeps everything typed through every answer.
//!
//! Owns: `/meetings/new` (pre-filled from its query, so a slot on "Find a time" links here) and
//! `POST /meetings`: reading the form into a `MeetingRequest`, and showing the gate's async
//! alternatives or a field's error next to it. Does not own: the gate and the plan's rules
//! (`services::meetings`, `baton_core::meeting`).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use baton_core::meeting::plan::DEFAULT_DUE_MINUTES_BEFORE;
use baton_core::meeting::purpose::AsyncAlternative;
use baton_core::meeting::{AgendaItem, PreworkItem, Purpose};
use baton_core::model::Member;
use baton_core::page::PageRequest;
use baton_core::{CoreError, Id};
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::{purpose_words, zone_of};
use crate::error::ApiError;
use crate::services::error::ServiceError;
use crate::services::meetings::{self, MeetingRequest};
use crate::services::sessions::SignedIn;
use crate::services::{access, spaces};
use crate::state::AppState;
use crate::web::auth::FieldError;
use crate::web::forms::{CsrfForm, Fields, form_status};
use crate::web::session::Viewer;
use crate::web::{Chrome, Section, WebResult, render_with};

/// Agenda rows the form always offers: enough for a short meeting without a round trip.
const AGENDA_ROWS: usize = 3;
/// Pre-work rows the form always offers.
const PREWORK_ROWS: usize = 2;
/// The length a new request starts with, in minutes.
const DEFAULT_MINUTES: &str = "30";
/// The `datetime-local` format: a wall-clock time in the viewer's zone.
const LOCAL: &str = "%Y-%m-%dT%H:%M";

/// One agenda row as typed.
#[derive(Debug, Clone, Default)]
struct AgendaRow {
    item: String,
    owner: String,
    minutes: String,
}

/// One pre-work row as typed.
#[derive(Debug, Clone)]
struct PreworkRow {
    what: String,
    before: String,
}

impl Default for PreworkRow {
    fn default() -> Self {
        Self {
            what: String::new(),
            before: DEFAULT_DUE_MINUTES_BEFORE.to_string(),
        }
    }
}

/// The request as typed: every field a text, so a refused form comes back as it was sent.
#[derive(Debug, Clone)]
struct Draft {
    title: String,
    purpose: String,
    justification: String,
    participants: Vec<String>,
    /// `YYYY-MM-DDTHH:MM` in the viewer's zone.
    start: String,
    duration: String,
    space: String,
    /// The video call's link, as typed.
    video_url: String,
    agenda: Vec<AgendaRow>,
    prework: Vec<PreworkRow>,
}

impl Draft {
    /// The form's fields (a post, or the query of a pre-filled link), read in `zone`. A
    /// `start` may come as an instant (RFC 3339, from a slot) or as the form's local time.
    fn from_fields(fields: &Fields, zone: &TimeZone) -> Self {
        let one = |name| fields.all(name).next().unwrap_or_default().to_owned();
        let all = |name| fields.all(name).map(str::to_owned).collect::<Vec<_>>();
        let start = one("start");
        let start = match start.parse::<Timestamp>() {
            Ok(at) => at
                .to_zoned_datetime(zone.clone())
                .strftime(LOCAL)
                .to_string(),
            Err(_) => start,
        };
        // A slot's link says `duration`; the form itself posts `duration_minutes`.
        let duration = Some(one("duration_minutes"))
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| one("duration"));
        let agenda = zip3(
            all("agenda_item"),
            all("agenda_owner"),
            all("agenda_minutes"),
        )
        .map(|(item, owner, minutes)| AgendaRow {
            item,
            owner,
            minutes,
        })
        .collect();
        let prework = all("prework_what")
            .into_iter()
            .zip(
                all("prework_before")
                    .into_iter()
                    .chain(std::iter::repeat_with(String::new)),
            )
            .map(|(what, before)| PreworkRow { what, before })
            .collect();
        Self {
            title: one("title"),
            purpose: one("purpose"),
            justification: one("justification"),
            participants: all("participants"),
            start,
            duration: if duration.is_empty() {
                DEFAULT_MINUTES.to_owned()
            } else {
                duration
            },
            space: one("space_id"),
            video_url: one("video_url"),
            agenda,
            prework,
        }
    }

    /// The request the service takes, read in `zone`. Blank rows are left out.
    fn request(&self, zone: &TimeZone) -> Result<MeetingRequest, CoreError> {
        let purpose = Purpose::parse(&self.purpose)
            .ok_or_else(|| CoreError::invalid("purpose", "Choose why the meeting is held."))?;
        let start = self
            .start
            .parse::<DateTime>()
            .ok()
            .and_then(|local| local.to_zoned_datetime(zone.clone()).ok())
            .ok_or_else(|| CoreError::invalid("start", "Enter the start as a day and a time."))?
            .timestamp();
        let duration_minutes =
            self.duration.trim().parse().map_err(|_| {
                CoreError::invalid("duration_minutes", "Enter the length in minutes.")
            })?;
        let agenda = self
            .agenda
            .iter()
            .filter(|r| !r.item.trim().is_empty() || !r.minutes.trim().is_empty())
            .map(|r| {
                Ok(AgendaItem {
                    item: r.item.clone(),
                    owner_id: Id::parse("agenda.owner_id", &r.owner).map_err(|_| {
                        CoreError::invalid("agenda.owner_id", "Choose who leads each item.")
                    })?,
                    minutes: r.minutes.trim().parse().map_err(|_| {
                        CoreError::invalid("agenda.minutes", "Give each item its minutes.")
                    })?,
                })
            })
            .collect::<Result<_, CoreError>>()?;
        let prework = self
            .prework
            .iter()
            .filter(|r| !r.what.trim().is_empty())
            .map(|r| {
                let before = r.before.trim();
                Ok(PreworkItem {
                    what: r.what.clone(),
                    due_minutes_before: if before.is_empty() {
                        DEFAULT_DUE_MINUTES_BEFORE
                    } else {
                        before.parse().map_err(|_| {
                            CoreError::invalid(
                                "prework.due_minutes_before",
                                "Give the working minutes before the start as a number.",
                            )
                        })?
                    },
                })
            })
            .collect::<Result<_, CoreError>>()?;
        Ok(MeetingRequest {
            title: self.title.clone(),
            purpose,
            justification: Some(self.justification.clone()).filter(|j| !j.trim().is_empty()),
            participants: crate::extract::ids("participants", &self.participants)?,
            duration_minutes,
            start,
            space_id: Some(self.space.as_str())
                .filter(|s| !s.is_empty())
                .map(|s| Id::parse("space_id", s))
                .transpose()?,
            video_url: Some(self.video_url.trim().to_owned()).filter(|v| !v.is_empty()),
            agenda,
            prework,
        })
    }

    /// The rows shown: those typed, padded to the minimum, plus one more on request.
    fn padded(mut self, more_agenda: bool, more_prework: bool) -> Self {
        let agenda = self.agenda.len().max(AGENDA_ROWS) + usize::from(more_agenda);
        self.agenda.resize_with(agenda, AgendaRow::default);
        let prework = self.prework.len().max(PREWORK_ROWS) + usize::from(more_prework);
        self.prework.resize_with(prework, PreworkRow::default);
        self
    }
}

/// Three lists side by side, the shorter ones padded with blanks (a row with a missing cell is
/// still a row the person typed).
fn zip3(
    a: Vec<String>,
    b: Vec<String>,
    c: Vec<String>,
) -> impl Iterator<Item = (String, String, String)> {
    let n = a.len().max(b.len()).max(c.len());
    let pad = |v: Vec<String>| v.into_iter().chain(std::iter::repeat_with(String::new));
    pad(a)
        .zip(pad(b))
        .zip(pad(c))
        .take(n)
        .map(|((a, b), c)| (a, b, c))
}

/// A choice in a list: value, label, chosen.
struct Choice {
    value: String,
    label: String,
    chosen: bool,
}

/// One of the async alternatives the gate offers, as a link pre-filled from the request.
struct Alternative {
    label: &'static str,
    sentence: &'static str,
    link: String,
}

#[derive(Template)]
#[template(path = "meetings_new.html")]
struct NewPage {
    chrome: Chrome,
    draft: Draft,
    purposes: Vec<Choice>,
    /// Everyone the viewer may invite but themself.
    people: Vec<Choice>,
    /// Who may lead an agenda item: the viewer, then everyone they may invite.
    owners: Vec<(String, String)>,
    spaces: Vec<Choice>,
    /// The gate's answer, when it refused: what is missing and what to do instead.
    gate: Option<(String, Vec<Alternative>)>,
    error: FieldError,
}

/// The form's page for `draft`, with the gate's answer or a field's error.
async fn page(
    state: &AppState,
    signed_in: &SignedIn,
    draft: Draft,
    gate: Option<(String, Vec<Alternative>)>,
    error: FieldError,
) -> WebResult<Response> {
    let me = &signed_in.member;
    let listed = access::members_in_sight(state, me, PageRequest::largest()).await?;
    let others: Vec<&Member> = listed
        .items
        .iter()
        .filter(|m| m.active && m.id != me.id)
        .collect();
    let people = others
        .iter()
        .map(|m| Choice {
            value: m.id.to_string(),
            label: m.name.clone(),
            chosen: draft.participants.contains(&m.id.to_string()),
        })
        .collect();
    let owners = std::iter::once(me)
        .chain(others.iter().copied())
        .map(|m| (m.id.to_string(), m.name.clone()))
        .collect();
    let spaces = spaces::list_visible(state, me, PageRequest::largest())
        .await?
        .items
        .into_iter()
        .map(|(s, _)| Choice {
            chosen: draft.space == s.id.to_string(),
            value: s.id.to_string(),
            label: s.name,
        })
        .collect();
    let purposes = Purpose::ALL
        .into_iter()
        .map(|p| {
            let (name, why) = purpose_words(p);
            Choice {
                value: p.as_str().to_owned(),
                label: format!("{name}: {why}"),
                chosen: draft.purpose == p.as_str(),
            }
        })
        .collect();
    let status = if gate.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        form_status(&error)
    };
    let page = NewPage {
        chrome: Chrome::load(state, signed_in, Section::Meetings, "Request a meeting").await?,
        draft,
        purposes,
        people,
        owners,
        spaces,
        gate,
        error,
    };
    Ok(render_with(&page, status))
}

/// `GET /meetings/new`: the empty form, or one pre-filled by its query (`start` as an instant,
/// `duration_minutes`, `participants`…), as a slot on "Find a time" links to it.
pub(super) async fn new(
    State(state): State<AppState>,
    Viewer(signed_in): Viewer,
    RawQuery(query): RawQuery,
) -> WebResult<Response> {
    let fields = Fields(
        serde_urlencoded::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default(),
    );
    let draft = Draft::from_fields(&fields, &zone_of(&signed_in.member)).padded(false, false);
    page(&state, &signed_in, draft, None, FieldError::default()).await
}

/// The form's named fields are all read from [`Fields`], since several repeat.
#[derive(Debug, Deserialize)]
pub(super) struct Posted {}

/// `POST /meetings`: adds a row, or requests the meeting and goes to its page. A refusal
/// writes nothing and shows the form again as typed: the gate's alternatives above it, or the
/// error next to its field.
pub(super) async fn create(
    State(state): State<AppState>,
    form: CsrfForm<Posted>,
) -> WebResult<Response> {
    let me = &form.viewer.member;
    let zone = zone_of(me);
    let draft = Draft::from_fields(&form.fields, &zone);
    match form.fields.all("intent").next() {
        Some("add_agenda") => {
            let draft = draft.padded(true, false);
            return page(&state, &form.viewer, draft, None, FieldError::default()).await;
        }
        Some("add_prework") => {
            let draft = draft.padded(false, true);
            return page(&state, &form.viewer, draft, None, FieldError::default()).await;
        }
        _ => {}
    }
    let created = match draft.request(&zone) {
        Ok(request) => meetings::create(&state, me, request).await,
        Err(e) => Err(e.into()),
    };
    let draft_shown = draft.clone().padded(false, false);
    match created {
        Ok(created) => {
            // A meeting the load target kept a draft says so on its page.
            let warned = if created.load_warnings.is_empty() {
                ""
            } else {
                "?warned=load"
            };
            let to = format!("/meetings/{}{warned}", created.meeting.id);
            Ok(Redirect::to(&to).into_response())
        }
        Err(ServiceError::Unjustified { detail, space_id }) => {
            let error = FieldError {
                field: "justification".into(),
                message: detail.clone(),
            };
            let alternatives = alternatives(&draft, me, space_id);
            page(
                &state,
                &form.viewer,
                draft_shown,
                Some((detail, alternatives)),
                error,
            )
            .await
        }
        Err(e) => {
            let e = ApiError::from(e);
            if e.status() != StatusCode::UNPROCESSABLE_ENTITY {
                return Err(e.into());
            }
            let mut error = FieldError::from_api(&e, "title");
            // An agenda or pre-work row's error shows at its group of rows.
            if let Some((group, _)) = error.field.split_once('.') {
                error.field = group.to_owned();
            }
            page(&state, &form.viewer, draft_shown, None, error).await
        }
    }
}

/// The gate's async alternatives, each a new-thread link in the meeting's space pre-filled
/// from the request (the space list when it named none): a thread asking the participants for
/// a reply, a decision record, a check-in question.
fn alternatives(draft: &Draft, me: &Member, space: Option<Id>) -> Vec<Alternative> {
    let agenda: String = draft
        .agenda
        .iter()
        .filter(|r| !r.item.trim().is_empty())
        .map(|r| format!("- {}\n", r.item.trim()))
        .collect();
    let asked: Vec<&str> = draft
        .participants
        .iter()
        .map(String::as_str)
        .filter(|p| *p != me.id.to_string())
        .collect();
    AsyncAlternative::ALL
        .into_iter()
        .map(|alt| {
            let (label, title, body, expect) = match alt {
                AsyncAlternative::Thread => (
                    "Start a thread with a reply expectation",
                    draft.title.clone(),
                    format!("What I need from each of you:\n\n{agenda}"),
                    "reply",
                ),
                AsyncAlternative::DecisionRecord => (
                    "Write a decision record",
                    format!("Decision: {}", draft.title),
                    format!(
                        "## Options\n\n{agenda}\n## Proposal\n\n\n## Why\n\n\nObjections by the deadline below; no answer means agreement.\n"
                    ),
                    "reply",
                ),
                AsyncAlternative::CheckIn => (
                    "Ask a check-in question",
                    format!("Check-in: {}", draft.title),
                    "In your own working hours, one short answer each: ".to_owned(),
                    "reply",
                ),
            };
            let link = match space {
                Some(space) => {
                    let mut query = vec![
                        ("title", title.as_str()),
                        ("body", body.as_str()),
                        ("expect", expect),
                    ];
                    query.extend(asked.iter().map(|id| ("ask", *id)));
                    format!(
                        "/spaces/{space}/threads/new?{}",
                        serde_urlencoded::to_string(&query).unwrap_or_default()
                    )
                }
                None => "/spaces".to_owned(),
            };
            Alternative {
                label,
                sentence: alt.sentence(),
                link,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn a_slot_link_prefills_the_start_in_the_viewers_own_time() {
        let berlin = baton_core::tzdb::zone("Europe/Berlin").expect("zone");
        let draft = Draft::from_fields(
            &fields(&[
                ("start", "2026-03-03T15:00:00Z"),
                ("duration_minutes", "45"),
                ("participants", "a"),
                ("participants", "b"),
            ]),
            &berlin,
        );
        assert_eq!(draft.start, "2026-03-03T16:00");
        assert_eq!(draft.duration, "45");
        assert_eq!(draft.participants, ["a", "b"]);
        let padded = draft.padded(true, false);
        assert_eq!(padded.agenda.len(), AGENDA_ROWS + 1);
        assert_eq!(padded.prework.len(), PREWORK_ROWS);
        assert_eq!(padded.prework[0].before, "240");
    }

    #[test]
    fn blank_rows_are_left_out_and_a_half_typed_row_names_its_fault() {
        let utc = TimeZone::UTC;
        let owner = Id::random().to_string();
        let sent = [
            ("title", "Pick a vendor"),
            ("purpose", "decision"),
            ("start", "2026-03-03T16:00"),
            ("duration_minutes", "45"),
            ("agenda_item", "Decide"),
            ("agenda_owner", owner.as_str()),
            ("agenda_minutes", "30"),
            ("agenda_item", ""),
            ("agenda_owner", owner.as_str()),
            ("agenda_minutes", ""),
            ("prework_what", "Read the comparison"),
            ("prework_before", ""),
            ("prework_what", ""),
            ("prework_before", "240"),
        ];
        let request = Draft::from_fields(&fields(&sent), &utc)
            .request(&utc)
            .expect("a request");
        assert_eq!(request.agenda.len(), 1);
        assert_eq!(request.prework.len(), 1);
        assert_eq!(request.prework[0].due_minutes_before, 240);
        assert_eq!(request.start.to_string(), "2026-03-03T16:00:00Z");

        let mut half = sent.to_vec();
        half[6] = ("agenda_minutes", "half an hour");
        let e = Draft::from_fields(&fields(&half), &utc)
            .request(&utc)
            .expect_err("minutes are a number");
        assert_eq!(e.field, "agenda.minutes");
    }
}
