//! Every route in one place, and the OpenAPI document listing the same handlers.

pub mod calendars;
pub mod deliveries;
pub mod doc;
pub mod dto;
pub mod hangouts;
pub mod meeting_lifecycle;
pub mod meeting_slots;
pub mod meetings;
pub mod members;
pub mod relays;
pub mod spaces;
pub mod stream;
pub mod system;
pub mod threads;
pub mod time;
pub mod tokens;
pub mod urgent;
pub mod webhooks;
pub mod workspace;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};
use utoipa::OpenApi;

use self::doc::{BearerAuth, FieldRules, SharedAnswers};
use crate::state::AppState;

/// Largest request body: a 64 KiB post plus generous room for JSON escaping and fields.
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// The OpenAPI document: every `/api/v1` handler is listed here (a test checks the router and
/// this list agree).
#[derive(OpenApi)]
#[openapi(
    info(title = "Baton API", description = "Async-first work hub: members, spaces, threads and posts."),
    paths(
        members::create, members::list, members::read, members::me, members::update, members::deactivate,
        tokens::login, members::create_token, members::list_tokens, members::revoke_token,
        spaces::create, spaces::list, spaces::read, spaces::update, spaces::add_member, spaces::remove_member,
        spaces::members, spaces::list_threads,
        threads::create, threads::read, threads::create_post, threads::list_posts, threads::mark_read,
        threads::following, threads::set_following, threads::followed_unread,
        threads::read_post, threads::edit_post, threads::revisions,
        time::put_schedule, time::get_schedule, time::availability, time::overlap, time::list_asks, time::inbox, stream::inbox_stream, time::get_policy, time::put_policy,
        relays::create_relay, relays::read_relay, relays::coverage, relays::create_baton, relays::list_batons,
        relays::read_baton, relays::hand_off, relays::mark_done, relays::accept, relays::bounce,
        relays::reopen, relays::link_thread, relays::unlink_thread,
        deliveries::backlog, deliveries::retry,
        urgent::get_settings, urgent::patch_settings, urgent::audit, workspace::transfer_ownership,
        webhooks::create_for_member, webhooks::list_for_member, webhooks::create_for_space,
        webhooks::list_for_space, webhooks::delete,
        meetings::create, meetings::read, meetings::list, meetings::meeting_load,
        meetings::space_meeting_load,
        meeting_slots::find_slots,
        hangouts::set, hangouts::current,
        calendars::create_feed, calendars::revoke_feed, calendars::add, calendars::list,
        calendars::remove,
        meeting_lifecycle::invite, meeting_lifecycle::close, meeting_lifecycle::cancel,
    ),
    components(schemas(crate::error::Problem)),
    modifiers(&BearerAuth, &SharedAnswers, &FieldRules),
    security(("bearer" = []))
)]
pub struct ApiDoc;

/// The `/api/v1` routes.
fn api() -> Router<AppState> {
    Router::new()
        .route("/tokens", post(tokens::login))
        .route("/members", post(members::create).get(members::list))
        .route("/members/{id}", get(members::read).patch(members::update))
        .route("/members/{id}/deactivate", post(members::deactivate))
        .route(
            "/members/{id}/tokens",
            post(members::create_token).get(members::list_tokens),
        )
        .route(
            "/members/{id}/tokens/{token_id}",
            delete(members::revoke_token),
        )
        .route(
            "/members/{id}/schedule",
            put(time::put_schedule).get(time::get_schedule),
        )
        .route("/members/{id}/availability", get(time::availability))
        .route(
            "/members/{id}/policy",
            get(time::get_policy).put(time::put_policy),
        )
        .route("/overlap", get(time::overlap))
        .route("/meetings/slots", post(meeting_slots::find_slots))
        .route("/asks", get(time::list_asks))
        .route("/inbox", get(time::inbox))
        .route("/inbox/stream", get(stream::inbox_stream))
        .route("/deliveries/backlog", get(deliveries::backlog))
        .route(
            "/workspace/settings",
            get(urgent::get_settings).patch(urgent::patch_settings),
        )
        .route("/audit", get(urgent::audit))
        .route("/workspace/owner", post(workspace::transfer_ownership))
        .route(
            "/members/{id}/webhooks",
            post(webhooks::create_for_member).get(webhooks::list_for_member),
        )
        .route(
            "/spaces/{id}/webhooks",
            post(webhooks::create_for_space).get(webhooks::list_for_space),
        )
        .route("/webhooks/{id}", delete(webhooks::delete))
        .route("/deliveries/{id}/retry", post(deliveries::retry))
        .route("/meetings", post(meetings::create).get(meetings::list))
        .route("/meetings/{id}", get(meetings::read))
        .route("/members/{id}/meeting-load", get(meetings::meeting_load))
        .route(
            "/spaces/{id}/meeting-load",
            get(meetings::space_meeting_load),
        )
        .route("/members/{id}/hangouts", put(hangouts::set))
        .route("/hangouts", get(hangouts::current))
        .route("/meetings/{id}/invite", post(meeting_lifecycle::invite))
        .route("/meetings/{id}/close", post(meeting_lifecycle::close))
        .route("/meetings/{id}/cancel", post(meeting_lifecycle::cancel))
        .route("/relays", post(relays::create_relay))
        .route("/relays/{id}", get(relays::read_relay))
        .route("/relays/{id}/coverage", get(relays::coverage))
        .route(
            "/batons",
            post(relays::create_baton).get(relays::list_batons),
        )
        .route("/batons/{id}", get(relays::read_baton))
        .route("/batons/{id}/handoff", post(relays::hand_off))
        .route("/batons/{id}/done", post(relays::mark_done))
        .route("/batons/{id}/reopen", post(relays::reopen))
        .route("/batons/{id}/threads", post(relays::link_thread))
        .route(
            "/batons/{id}/threads/{thread_id}",
            delete(relays::unlink_thread),
        )
        .route("/handoffs/{id}/accept", post(relays::accept))
        .route("/handoffs/{id}/bounce", post(relays::bounce))
        .route("/me", get(members::me))
        .route("/spaces", post(spaces::create).get(spaces::list))
        .route("/spaces/{id}", get(spaces::read).patch(spaces::update))
        .route(
            "/spaces/{id}/members",
            post(spaces::add_member).get(spaces::members),
        )
        .route(
            "/spaces/{id}/members/{member_id}",
            delete(spaces::remove_member),
        )
        .route("/spaces/{id}/threads", get(spaces::list_threads))
        .route("/threads", post(threads::create))
        .route("/threads/{id}", get(threads::read))
        .route(
            "/threads/{id}/posts",
            post(threads::create_post).get(threads::list_posts),
        )
        .route("/threads/{id}/read", post(threads::mark_read))
        .route(
            "/threads/{id}/following",
            get(threads::following).put(threads::set_following),
        )
        .route("/following", get(threads::followed_unread))
        .route(
            "/posts/{id}",
            get(threads::read_post).patch(threads::edit_post),
        )
        .route("/posts/{id}/revisions", get(threads::revisions))
        .route("/openapi.json", get(system::openapi))
        .route(
            "/members/{id}/calendar-feed",
            post(calendars::create_feed).delete(calendars::revoke_feed),
        )
        .route(
            "/members/{id}/calendars",
            post(calendars::add)
                .get(calendars::list)
                .layer(DefaultBodyLimit::max(calendars::MAX_UPLOAD_BODY)),
        )
        .route(
            "/members/{id}/calendars/{calendar_id}",
            delete(calendars::remove),
        )
}

/// The whole application: API, health, metrics, with size limits, request metrics, the host
/// check and security headers.
pub fn router(state: AppState) -> Router {
    let metrics = state.metrics.clone();
    Router::new()
        .nest("/api/v1", api())
        .route("/healthz", get(system::healthz))
        .route("/metrics", get(system::metrics))
        // Outside `/api/v1`: a calendar program fetches it with the secret in the path as its
        // only credential.
        .route("/calendar/{file}", get(calendars::feed))
        // Outside the same-origin check: a mail provider's one-click POST (RFC 8058) comes
        // from anywhere, and the signed token in its path is the credential, not a session.
        .merge(crate::web::unsubscribe::routes())
        .merge(
            crate::web::routes().layer(axum::middleware::from_fn_with_state(
                state.clone(),
                crate::web::security::same_origin,
            )),
        )
        // A route layer runs after routing, so it sees the matched route pattern.
        .route_layer(axum::middleware::from_fn_with_state(
            metrics,
            crate::metrics::track,
        ))
        .route_layer(axum::middleware::from_fn(crate::trace::request_span))
        .fallback(system::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::web::security::host,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::web::security::headers,
        ))
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .with_state(state)
}
