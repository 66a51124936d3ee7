//! How many event streams one member may hold open at once, per process.
//!
//! Owns: counting each member's open streams and refusing one past [`MAX_STREAMS_PER_MEMBER`].
//! Does not own: what a stream sends ([`inbox`](super::inbox)).
//!
//! A stream past the limit is refused (429) rather than closing the member's oldest one: a
//! browser's `EventSource` reconnects by itself, so with "close the oldest", a sixth tab would
//! end the first, which would reconnect and end the second, and so on for ever; and a leaked
//! token could end the real member's streams. A refused tab keeps the count it was rendered
//! with. The count is per process (each instance of a PostgreSQL deployment keeps its own),
//! which bounds what one process holds, the resource at risk.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use baton_core::Id;

/// Most event streams one member may hold open on one process: a few browser tabs and a
/// client or two.
pub const MAX_STREAMS_PER_MEMBER: usize = 5;

/// The open streams of this process, per member.
#[derive(Debug, Default)]
pub struct StreamLimit {
    open: Arc<Mutex<HashMap<Id, usize>>>,
}

impl StreamLimit {
    /// A place for one more stream of `member`, or `None` when they already hold
    /// [`MAX_STREAMS_PER_MEMBER`]. The place is given back when the slot is dropped (the
    /// stream ended or its client went away).
    pub fn take(&self, member: Id) -> Option<StreamSlot> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(member).or_default();
        if *count >= MAX_STREAMS_PER_MEMBER {
            return None;
        }
        *count += 1;
        Some(StreamSlot {
            open: self.open.clone(),
            member,
        })
    }
}

/// One open stream's place in the count.
#[derive(Debug)]
pub struct StreamSlot {
    open: Arc<Mutex<HashMap<Id, usize>>>,
    member: Id,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.member) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.member);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_gets_a_place_back_when_a_stream_ends() {
        let limit = StreamLimit::default();
        let (ana, bo) = (Id::random(), Id::random());
        let mut slots: Vec<_> = (0..MAX_STREAMS_PER_MEMBER)
            .map(|_| limit.take(ana).expect("within the limit"))
            .collect();
        assert!(limit.take(ana).is_none());
        assert!(limit.take(bo).is_some(), "another member is not affected");
        slots.pop();
        assert!(limit.take(ana).is_some());
        drop(slots);
        assert!(limit.open.lock().expect("unpoisoned").is_empty());
    }
}
