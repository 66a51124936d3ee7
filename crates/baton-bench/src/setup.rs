//! The benchmark workspace: members with tokens, one public space they all join, and one
//! thread per client, or one thread every member follows.

use anyhow::Context;
use hyper::StatusCode;
use serde_json::json;

use crate::client::{Api, field};

/// Time zones handed out to the members in turn, so the team is spread like a real one.
const TIMEZONES: [&str; 6] = [
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Australia/Sydney",
];

/// One posting client: the member it acts as and the thread it writes into.
#[derive(Debug, Clone)]
pub struct Writer {
    /// The member's API token.
    pub token: String,
    /// The thread this client posts into.
    pub thread_id: String,
}

/// The password of every member the bench creates.
const MEMBER_PASSWORD: &str = "bench member passphrase";

/// Creates `members` members with tokens and a public space holding them all, then one thread
/// per client, each opened by a different member, or with `one_thread` one thread opened by
/// the owner that every member replies to once (and so follows); returns the writers.
pub async fn prepare(
    api: &Api,
    owner_token: &str,
    members: usize,
    clients: usize,
    one_thread: bool,
) -> anyhow::Result<Vec<Writer>> {
    let space = api
        .post_json(
            "/api/v1/spaces",
            owner_token,
            &json!({"name": "Bench", "visibility": "public"}),
            StatusCode::CREATED,
        )
        .await?;
    let space_id = field(&space, "id")?;
    let mut tokens = Vec::with_capacity(members);
    for i in 0..members {
        let timezone = TIMEZONES[i % TIMEZONES.len()];
        // Each member signs in for their own token, as only they may mint one.
        let email = format!("member{i}@bench.example");
        let body = json!({"email": email, "name": format!("Member {i}"), "timezone": timezone, "password": MEMBER_PASSWORD});
        let member = api
            .post_json("/api/v1/members", owner_token, &body, StatusCode::CREATED)
            .await?;
        let member_id = field(&member, "id")?;
        let token = api
            .post_json(
                "/api/v1/tokens",
                owner_token,
                &json!({"email": email, "password": MEMBER_PASSWORD}),
                StatusCode::CREATED,
            )
            .await?;
        tokens.push(field(&token, "token")?);
        api.post_json(
            &format!("/api/v1/spaces/{space_id}/members"),
            owner_token,
            &json!({"member_id": member_id}),
            StatusCode::NO_CONTENT,
        )
        .await
        .with_context(|| format!("adding member {i} to the space"))?;
    }
    if one_thread {
        return followed_thread(api, owner_token, &space_id, tokens, clients).await;
    }
    let mut writers = Vec::with_capacity(clients);
    for (i, token) in tokens.into_iter().take(clients).enumerate() {
        let body = json!({"space_id": space_id, "title": format!("Load thread {i}"), "body": format!("Where client {i} posts.")});
        let thread = api
            .post_json("/api/v1/threads", &token, &body, StatusCode::CREATED)
            .await?;
        writers.push(Writer {
            token,
            thread_id: field(&thread, "id")?,
        });
    }
    Ok(writers)
}

/// One thread opened by the owner that every member replies to once, so all follow it; the
/// first `clients` members write into it.
async fn followed_thread(
    api: &Api,
    owner_token: &str,
    space_id: &str,
    tokens: Vec<String>,
    clients: usize,
) -> anyhow::Result<Vec<Writer>> {
    let body = json!({"space_id": space_id, "title": "Shared load thread", "body": "Where everyone posts."});
    let thread = api
        .post_json("/api/v1/threads", owner_token, &body, StatusCode::CREATED)
        .await?;
    let thread_id = field(&thread, "id")?;
    let path = format!("/api/v1/threads/{thread_id}/posts");
    for token in &tokens {
        api.post_json(
            &path,
            token,
            &json!({"body": "Following."}),
            StatusCode::CREATED,
        )
        .await
        .context("a member joining the shared thread")?;
    }
    Ok(tokens
        .into_iter()
        .take(clients)
        .map(|token| Writer {
            token,
            thread_id: thread_id.clone(),
        })
        .collect())
}
