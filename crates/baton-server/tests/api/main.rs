//! The HTTP API, driven in-process through the real router (`oneshot`), on SQLite and on
//! PostgreSQL. One integration binary; one file per concern.

mod common;

mod accounts;
mod authz;
mod bad_input;
mod bounds;
mod calendars;
mod digest_keys;
mod follows;
mod hangouts;
mod health;
mod idempotency;
mod live;
mod meeting_lifecycle;
mod meeting_slots;
mod meetings;
mod names;
mod openapi;
mod recorder;
mod relays;
mod signin;
mod snapshot_pages;
mod threads;
mod time;
mod tokens;
mod urgent;
mod web_auth;
mod web_batons;
mod web_calendars;
mod web_conversations;
mod web_deliveries;
mod web_find_a_time;
mod web_hangouts;
mod web_hardening;
mod web_meeting_steps;
mod web_meetings;
mod web_page_ids;
mod web_people;
mod web_space_webhooks;
mod web_webhooks;
mod web_weight;
