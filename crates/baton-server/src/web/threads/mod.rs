//! Threads: reading a thread like a document, replying with the composer, starting a thread.
//!
//! Owns: these pages, split by job: `read` (the thread page, replying and following),
//! `start` (the new-thread page and form), `compose` (the composer form both share: body,
//! Markdown preview, and the expectation picker: FYI, "reply within N working hours" or
//! "Urgent", from whom) and `preview` (the preview of each asked person's due time, or for
//! Urgent of who is told now and who at their next working start (`web::urgent`), with the
//! sender's remaining urgent budget, also swapped in place by htmx). Does not own: the rules
//! for expectations and due times (`baton_core::expectation`, `services::asks::plan`) or
//! writing posts (`services::threads`); the form is mapped onto the same service inputs the
//! JSON API uses.
//!
//! An urgent post over the sender's weekly budget goes out as ordinary; the page it redirects
//! to says so (`?urgent=held`).

mod compose;
mod preview;
mod read;
mod start;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// Thread pages and the new-thread form.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/spaces/{id}/threads/new", get(start::new_thread))
        .route("/spaces/{id}/threads", post(start::start_thread))
        .route(
            "/spaces/{id}/threads/preview",
            post(preview::new_thread_preview),
        )
        .route("/threads/{id}", get(read::read))
        .route("/threads/{id}/posts", post(read::reply))
        .route("/threads/{id}/preview", post(preview::reply_preview))
        .route("/threads/{id}/following", post(read::set_following))
}
