//! The inbox counters a member sees in the page's rail, and the watcher that keeps them current
//! for one open stream.
//!
//! Owns: what the counters are ([`InboxCounters`], the same numbers the inbox page shows), when
//! a stream reads them again (a change naming the member or a thread they have open asks in, a
//! possibly missed change, the next open ask falling due) and sending only numbers that moved.
//! Does not own: which asks the member may see (`services::asks::list`, through the one
//! visibility check) or carrying changes between instances (the [`Bus`](super::Bus)).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use baton_core::Id;
use baton_core::model::{AskDirection, Member};
use jiff::Timestamp;
use serde::Serialize;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::{broadcast, watch};

use super::{Change, Notice};
use crate::error::ApiResult;
use crate::services::{asks, sessions};
use crate::state::AppState;

/// Longest a stream goes without reading its counters again. Catches what no write announces
/// (a member removed from a space, a role changed) and bounds how stale a number can be.
const REREAD_AT_LEAST: Duration = Duration::from_secs(10 * 60);
/// Shortest wait for the next ask to fall due, so a clock that disagrees with the timer (a
/// test's driven clock) cannot make a stream spin.
const DUE_WAIT_AT_LEAST: Duration = Duration::from_secs(1);

/// The numbers behind the inbox: what needs the member and what they wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct InboxCounters {
    /// Open asks to the member in threads they can see: the count in the rail.
    pub open_asks: usize,
    /// Of those, the ones already past due.
    pub overdue: usize,
    /// Open asks the member made that others have not answered yet.
    pub waiting_on_others: usize,
}

/// Counters as just read, with what tells the watcher when to read again.
struct Reading {
    counters: InboxCounters,
    /// Threads holding the member's open asks, either way: a post there may answer one.
    threads: HashSet<Id>,
    /// When the soonest open ask to the member that is not overdue yet falls due.
    next_due: Option<Timestamp>,
}

/// Reads `member`'s counters through the visibility check.
async fn read(state: &AppState, member: &Member) -> ApiResult<Reading> {
    let now = state.clock.now();
    let to_me = asks::list(state, member, AskDirection::ToMember, true).await?;
    let from_me = asks::list(state, member, AskDirection::FromMember, true).await?;
    let counters = InboxCounters {
        open_asks: to_me.len(),
        overdue: to_me.iter().filter(|v| v.ask.due_at < now).count(),
        waiting_on_others: from_me.len(),
    };
    let threads = to_me.iter().chain(&from_me).map(|v| v.thread.id).collect();
    let next_due = to_me
        .iter()
        .map(|v| v.ask.due_at)
        .filter(|due| *due >= now)
        .min();
    Ok(Reading {
        counters,
        threads,
        next_due,
    })
}

/// What opened a stream, checked again each time the stream wakes: a revoked token, a
/// signed-out session or a deactivated member ends it.
pub enum Credential {
    /// The SHA-256 hash of the bearer token (the token itself is not kept).
    TokenHash(String),
    /// The browser session's secret, as its cookie carries it.
    Session(String),
}

impl Credential {
    /// The member this credential still signs in as, or `None` once it stopped working.
    async fn member(&self, state: &AppState) -> ApiResult<Option<Member>> {
        Ok(match self {
            Self::TokenHash(hash) => state.store.authenticate(hash).await?,
            Self::Session(secret) => sessions::current(state, secret).await?.map(|s| s.member),
        })
    }
}

/// One stream's view of one member's counters.
pub struct InboxWatcher {
    state: AppState,
    credential: Credential,
    member: Member,
    notices: broadcast::Receiver<Arc<Notice>>,
    closing: watch::Receiver<bool>,
    reading: Reading,
    /// Whether the first counters went out yet.
    started: bool,
}

impl InboxWatcher {
    /// Subscribes to the bus, then reads the counters: a change committed after the read is
    /// heard, one committed before it is in the numbers.
    ///
    /// # Errors
    /// 503 when the change feed cannot be listened to; store failures.
    pub async fn start(state: AppState, credential: Credential, member: Member) -> ApiResult<Self> {
        let notices = state.live.subscribe().await?;
        let closing = state.live.closing();
        let reading = read(&state, &member).await?;
        Ok(Self {
            state,
            credential,
            member,
            notices,
            closing,
            reading,
            started: false,
        })
    }

    /// The counters to send next: first the current ones, then each time they change. `None`
    /// ends the stream (the credential stopped working, the server is stopping, or the store
    /// failed, which is logged).
    pub async fn next(&mut self) -> Option<InboxCounters> {
        if !self.started {
            self.started = true;
            return Some(self.reading.counters);
        }
        loop {
            self.wait().await?;
            // Check the credential again: a revoked token, an ended session or a deactivated
            // member sees nothing more.
            let member = match self.credential.member(&self.state).await {
                Ok(Some(member)) => member,
                Ok(None) => return None,
                Err(e) => {
                    tracing::warn!(member.id = %self.member.id, error = ?e, "inbox stream of {} ends", self.member.id);
                    return None;
                }
            };
            self.member = member;
            let reading = match read(&self.state, &self.member).await {
                Ok(reading) => reading,
                Err(e) => {
                    tracing::warn!(member.id = %self.member.id, error = ?e, "inbox stream of {} ends", self.member.id);
                    return None;
                }
            };
            let moved = reading.counters != self.reading.counters;
            self.reading = reading;
            if moved {
                return Some(self.reading.counters);
            }
        }
    }

    /// Waits until the counters may have changed; `None` when the server is stopping.
    async fn wait(&mut self) -> Option<()> {
        let now = self.state.clock.now();
        let until_due = self.reading.next_due.map_or(REREAD_AT_LEAST, |due| {
            Duration::try_from(due.duration_since(now))
                .unwrap_or_default()
                .clamp(DUE_WAIT_AT_LEAST, REREAD_AT_LEAST)
        });
        let timer = tokio::time::sleep(until_due);
        tokio::pin!(timer);
        loop {
            let heard = tokio::select! {
                heard = self.notices.recv() => heard,
                () = &mut timer => return Some(()),
                _ = self.closing.wait_for(|closing| *closing) => return None,
            };
            let relevant = match heard {
                Ok(notice) => self.concerns(&notice),
                Err(RecvError::Lagged(_)) => true,
                Err(RecvError::Closed) => return None,
            };
            if relevant {
                self.skip_queued();
                return Some(());
            }
        }
    }

    /// Whether `notice` may have moved this member's counters.
    fn concerns(&self, notice: &Notice) -> bool {
        match notice {
            Notice::Missed => true,
            Notice::Changed(changes) => changes.iter().any(|c| self.touches(c)),
        }
    }

    fn touches(&self, change: &Change) -> bool {
        change.workspace == self.member.workspace_id
            && (change.is_workspace_wide()
                || change.members.contains(&self.member.id)
                || change
                    .thread
                    .is_some_and(|t| self.reading.threads.contains(&t)))
    }

    /// Drops notices already queued: the read about to happen covers them, so a burst of
    /// posts costs one read, not one per post.
    fn skip_queued(&mut self) {
        loop {
            match self.notices.try_recv() {
                Ok(_) | Err(TryRecvError::Lagged(_)) => {}
                Err(TryRecvError::Empty | TryRecvError::Closed) => return,
            }
        }
    }
}
