//! What a claim's digests read about the posts they carry, read once per claim.
//!
//! One post that asks thirty people lands in thirty digests of the same claim, and they all
//! need the same post, author, thread and open asks (a busy thread's followers, likewise, its
//! authors). Reading those once per claim instead of
//! once per digest item cuts a digest's store reads from about four per item to its
//! recipient's own (who they are, their policy, and their membership of a private space).
//! Everything is read at the claim's moment, so a post edited or deleted before the claim is
//! sent as it is then, as before; only who may see what is decided per recipient, every time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use baton_core::Id;
use baton_core::delivery::outbox::{ClaimedDelivery, EventKind};
use baton_core::model::{Ask, Member, Post, Space, Thread};
use baton_store::StoreError;

use super::digest::{DigestItem, ItemKind};
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
    authors: Mutex<HashMap<Id, Option<String>>>,
}

/// Most unread posts of one thread a reply digest shows: the newest ones; the thread's link
/// leads to the rest.
const REPLIES_SHOWN: u32 = 5;

/// `Ok(None)` for a record that is gone; other store errors stay errors.
fn gone<T>(e: StoreError) -> anyhow::Result<Option<T>> {
    match e {
        StoreError::NotFound => Ok(None),
        e => Err(e.into()),
    }
}

impl ClaimReads {
    /// One delivery's digest items for `member`, as things are now: the post it is about, or
    /// for a reply delivery the newest posts of the thread `member` has not read. Empty when
    /// the post is gone, everything was read meanwhile, or `member` may not see the thread
    /// any more.
    pub async fn items(
        &self,
        state: &AppState,
        member: &Member,
        d: &ClaimedDelivery,
    ) -> anyhow::Result<Vec<DigestItem>> {
        let Some(thread_id) = d.thread_id else {
            return Ok(Vec::new());
        };
        let Some(place) = self.thread(state, member, thread_id).await? else {
            return Ok(Vec::new());
        };
        let (thread, _) = &*place;
        let ws = member.workspace_id;
        if d.kind == EventKind::Reply {
            let unread = state
                .store
                .unread_posts(ws, member.id, thread.id, REPLIES_SHOWN)
                .await?;
            let mut items = Vec::with_capacity(unread.len());
            for post in unread {
                if let Some(author) = self.author(state, ws, post.author_id).await? {
                    items.push(DigestItem::of(
                        thread,
                        &post,
                        author,
                        ItemKind::Replied,
                        None,
                    ));
                }
            }
            return Ok(items);
        }
        let Some(post_id) = d.post_id else {
            return Ok(Vec::new());
        };
        let Some(facts) = self.post(state, ws, post_id).await? else {
            return Ok(Vec::new());
        };
        let (kind, reply_by) = match d.kind {
            EventKind::Ask => (
                ItemKind::Asked,
                facts
                    .asks
                    .iter()
                    .find(|a| a.to_id == member.id && a.answered_at.is_none())
                    .map(|a| a.due_at),
            ),
            EventKind::Mention => (ItemKind::Mentioned, None),
            EventKind::MeetingCloseReminder => (ItemKind::ToClose, None),
            _ => (ItemKind::Posted, None),
        };
        Ok(vec![DigestItem::of(
            thread,
            &facts.post,
            facts.author.clone(),
            kind,
            reply_by,
        )])
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
        let facts = self.read_post(state, ws, id).await?.map(Arc::new);
        lock(&self.posts).insert(id, facts.clone());
        Ok(facts)
    }

    /// Reads a post's facts from the store.
    async fn read_post(
        &self,
        state: &AppState,
        ws: Id,
        id: Id,
    ) -> anyhow::Result<Option<PostFacts>> {
        let post = match state.store.post(ws, id).await {
            Ok(post) => post,
            Err(e) => return gone(e),
        };
        let Some(author) = self.author(state, ws, post.author_id).await? else {
            return Ok(None);
        };
        let asks = state.store.asks_for_post(ws, post.id).await?;
        Ok(Some(PostFacts { post, author, asks }))
    }

    /// An author's display name, or `None` when they are gone.
    async fn author(&self, state: &AppState, ws: Id, id: Id) -> anyhow::Result<Option<String>> {
        if let Some(known) = lock(&self.authors).get(&id).cloned() {
            return Ok(known);
        }
        let name = match state.store.member(ws, id).await {
            Ok(author) => Some(author.name),
            Err(e) => gone(e)?,
        };
        lock(&self.authors).insert(id, name.clone());
        Ok(name)
    }
}

/// A map's lock; a panic elsewhere cannot leave these maps half-written, so poisoning is
/// ignored.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
