//! What a claim's digests read about the posts they carry, read once per claim.
//!
//! One post that asks thirty people lands in thirty digests of the same claim, and they all
//! need the same post, author, thread and open asks. Reading those once per claim instead of
//! once per digest item cuts a digest's store reads from about four per item to its
//! recipient's own (who they are, their policy, and their membership of a private space).
//! Everything is read at the claim's moment, so a post edited or deleted before the claim is
//! sent as it is then, as before; only who may see what is decided per recipient, every time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use baton_core::Id;
use baton_core::delivery::outbox::ClaimedDelivery;
use baton_core::model::{Ask, Member, Post, Space, Thread};
use baton_store::StoreError;

use super::digest::DigestItem;
use crate::services::access::sees;
use crate::state::AppState;

/// A post as digests show it: the post, its author's name and its asks.
struct PostFacts {
    post: Post,
    author: String,
    asks: Vec<Ask>,
}

/// A thread with its space: where a post is, and who may see it.
type Place = Arc<(Thread, Space)>;

/// The reads shared by the digests of one claim. `None` entries remember what is gone.
#[derive(Default)]
pub struct ClaimReads {
    threads: Mutex<HashMap<Id, Option<Place>>>,
    posts: Mutex<HashMap<Id, Option<Arc<PostFacts>>>>,
}

/// `Ok(None)` for a record that is gone; other store errors stay errors.
fn gone<T>(e: StoreError) -> anyhow::Result<Option<T>> {
    match e {
        StoreError::NotFound => Ok(None),
        e => Err(e.into()),
    }
}

impl ClaimReads {
    /// One delivery's digest item for `member`, or `None` when the post is gone or `member`
    /// may not see its thread any more.
    pub async fn item(
        &self,
        state: &AppState,
        member: &Member,
        d: &ClaimedDelivery,
    ) -> anyhow::Result<Option<DigestItem>> {
        let (Some(thread_id), Some(post_id)) = (d.thread_id, d.post_id) else {
            return Ok(None);
        };
        let Some(place) = self.thread(state, member, thread_id).await? else {
            return Ok(None);
        };
        let Some(facts) = self.post(state, member.workspace_id, post_id).await? else {
            return Ok(None);
        };
        let (thread, _) = &*place;
        let reply_by = facts
            .asks
            .iter()
            .find(|a| a.to_id == member.id && a.answered_at.is_none())
            .map(|a| a.due_at);
        Ok(Some(DigestItem {
            thread_id: thread.id,
            thread_title: thread.title.clone(),
            author: facts.author.clone(),
            body: facts.post.body.clone(),
            html: facts.post.html.clone(),
            posted_at: facts.post.created_at,
            reply_by,
        }))
    }

    /// The thread and its space, if `member` may see them. The first reader of a thread
    /// learns its own membership with it; later ones ask only when it matters (a private
    /// space, or a guest).
    async fn thread(
        &self,
        state: &AppState,
        member: &Member,
        id: Id,
    ) -> anyhow::Result<Option<Place>> {
        let ws = member.workspace_id;
        let known = lock(&self.threads).get(&id).cloned();
        let (place, is_member) = match known {
            Some(None) => return Ok(None),
            Some(Some(place)) => {
                let is_member = if sees(member, &place.1, false) {
                    false
                } else {
                    match state.store.space_for(ws, place.1.id, member.id).await {
                        Ok((_, is_member)) => is_member,
                        Err(e) => return gone(e),
                    }
                };
                (place, is_member)
            }
            None => match state.store.thread_for(ws, id, member.id).await {
                Ok((thread, space, is_member)) => {
                    let place = Arc::new((thread, space));
                    lock(&self.threads).insert(id, Some(place.clone()));
                    (place, is_member)
                }
                Err(StoreError::NotFound) => {
                    lock(&self.threads).insert(id, None);
                    return Ok(None);
                }
                Err(e) => return Err(e.into()),
            },
        };
        Ok(sees(member, &place.1, is_member).then_some(place))
    }

    /// The post with its author's name and its asks, or `None` when the post (or its author)
    /// is gone.
    async fn post(
        &self,
        state: &AppState,
        ws: Id,
        id: Id,
    ) -> anyhow::Result<Option<Arc<PostFacts>>> {
        if let Some(known) = lock(&self.posts).get(&id).cloned() {
            return Ok(known);
        }
        let facts = read_post(state, ws, id).await?.map(Arc::new);
        lock(&self.posts).insert(id, facts.clone());
        Ok(facts)
    }
}

/// Reads a post's facts from the store.
async fn read_post(state: &AppState, ws: Id, id: Id) -> anyhow::Result<Option<PostFacts>> {
    let post = match state.store.post(ws, id).await {
        Ok(post) => post,
        Err(e) => return gone(e),
    };
    let author = match state.store.member(ws, post.author_id).await {
        Ok(author) => author.name,
        Err(e) => return gone(e),
    };
    let asks = state.store.asks_for_post(ws, post.id).await?;
    Ok(Some(PostFacts { post, author, asks }))
}

/// A map's lock; a panic elsewhere cannot leave these maps half-written, so poisoning is
/// ignored.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
