//! The records Baton keeps, as the rest of the code sees them (not as tables store them).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::Id;
use crate::expectation::Expectation;
use crate::role::Role;
use crate::visibility::Visibility;

/// A team's workspace: the boundary of every query and every permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    /// Public id.
    pub id: Id,
    /// Display name.
    pub name: String,
    /// When it was created.
    pub created_at: Timestamp,
}

/// A person in a workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Public id.
    pub id: Id,
    /// The workspace they belong to.
    pub workspace_id: Id,
    /// Lowercased email, unique in the workspace.
    pub email: String,
    /// Display name.
    pub name: String,
    /// IANA time zone.
    pub timezone: String,
    /// Role in the workspace.
    pub role: Role,
    /// False once deactivated: they can no longer sign in or use tokens.
    pub active: bool,
    /// When the account was created.
    pub created_at: Timestamp,
    /// Position in the member list (internal, for cursors).
    pub seq: i64,
}

/// Everything needed to create a member. `password_hash` is already an argon2id PHC string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMember {
    /// Public id, chosen by the caller.
    pub id: Id,
    /// Lowercased email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// IANA time zone.
    pub timezone: String,
    /// Role.
    pub role: Role,
    /// argon2id hash, or `None` for a member who cannot sign in with a password yet.
    pub password_hash: Option<String>,
    /// Creation instant.
    pub created_at: Timestamp,
}

/// An API token as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// Public id of the token.
    pub id: Id,
    /// Whose token it is.
    pub member_id: Id,
    /// What the owner called it.
    pub label: Option<String>,
    /// When it was issued.
    pub created_at: Timestamp,
}

/// A token to store: its public facts and the SHA-256 of its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    /// Public facts.
    pub info: TokenInfo,
    /// `token::hash_token` of the secret.
    pub hash: String,
}

/// A browser session to store: whose it is and the SHA-256 of its cookie secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// Public id (used to end it).
    pub id: Id,
    /// The signed-in member.
    pub member_id: Id,
    /// `token::hash_token` of the cookie secret.
    pub hash: String,
    /// When it started.
    pub created_at: Timestamp,
}

/// A live browser session, as found from its cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// Public id.
    pub id: Id,
    /// When it started.
    pub created_at: Timestamp,
    /// When it was last used (updated at most every few minutes).
    pub last_seen_at: Timestamp,
}

/// A space: a topic area holding threads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Space {
    /// Public id.
    pub id: Id,
    /// Display name.
    pub name: String,
    /// Who may read it.
    pub visibility: Visibility,
    /// Who created it (and so was its first member).
    pub created_by: Id,
    /// When it was created.
    pub created_at: Timestamp,
    /// Position in lists (internal).
    pub seq: i64,
}

/// A thread: a titled conversation in a space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    /// Public id.
    pub id: Id,
    /// The space it lives in.
    pub space_id: Id,
    /// Required title.
    pub title: String,
    /// Who started it.
    pub author_id: Id,
    /// What the opening post expects of its readers.
    pub expectation: Expectation,
    /// When it was started.
    pub created_at: Timestamp,
    /// When its latest post was written.
    pub last_post_at: Timestamp,
    /// Sequence number of its latest post (compared with read cursors for unread state).
    pub last_post_seq: i64,
    /// Number of posts.
    pub post_count: i64,
    /// Position in lists (internal).
    pub seq: i64,
}

/// A post: Markdown source and its sanitized HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    /// Public id.
    pub id: Id,
    /// The thread it belongs to.
    pub thread_id: Id,
    /// Who wrote it.
    pub author_id: Id,
    /// Markdown as written.
    pub body: String,
    /// Sanitized HTML rendering of `body`.
    pub html: String,
    /// What it expects of its readers, if it says.
    pub expectation: Option<Expectation>,
    /// When it was written.
    pub created_at: Timestamp,
    /// When it was last edited.
    pub edited_at: Option<Timestamp>,
    /// Sequence number (internal, increasing in write order).
    pub seq: i64,
}

/// A post to write. `html` must come from `markdown::render(body)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPost {
    /// Public id, chosen by the caller.
    pub id: Id,
    /// The thread to post in.
    pub thread_id: Id,
    /// The author.
    pub author_id: Id,
    /// Markdown source.
    pub body: String,
    /// Sanitized HTML.
    pub html: String,
    /// What it expects.
    pub expectation: Option<Expectation>,
    /// Asks to create with it (one per member its `reply` expectation names).
    pub asks: Vec<NewAsk>,
    /// The members it mentions, the author left out (see [`crate::mention`]).
    pub mentions: Vec<Id>,
    /// Creation instant.
    pub created_at: Timestamp,
}

/// A thread to start, with its opening post (whose `thread_id` must equal `id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewThread {
    /// Public id.
    pub id: Id,
    /// Space to start it in.
    pub space_id: Id,
    /// Validated title.
    pub title: String,
    /// The opening post.
    pub first_post: NewPost,
}

/// What creating a thread produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedThread {
    /// The thread.
    pub thread: Thread,
    /// Its opening post.
    pub post: Post,
}

/// A thread in a list, with the viewer's unread count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadSummary {
    /// The thread.
    pub thread: Thread,
    /// Posts newer than the viewer's read cursor.
    pub unread: i64,
}

/// An earlier version of an edited post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostRevision {
    /// The body before the edit.
    pub body: String,
    /// Its sanitized HTML.
    pub html: String,
    /// When this version was replaced.
    pub replaced_at: Timestamp,
}

/// An ask to create with a post: `to_id` must answer by `due_at` (computed from their own
/// working schedule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAsk {
    /// Public id.
    pub id: Id,
    /// Who is asked.
    pub to_id: Id,
    /// When their answer is due.
    pub due_at: Timestamp,
}

/// A member asked to reply in a thread, with their own due instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ask {
    /// Public id.
    pub id: Id,
    /// The thread the answer goes in.
    pub thread_id: Id,
    /// The post that asked.
    pub post_id: Id,
    /// Who asked.
    pub from_id: Id,
    /// Who is asked.
    pub to_id: Id,
    /// When the answer is due, in the asked member's working time.
    pub due_at: Timestamp,
    /// When it was asked.
    pub created_at: Timestamp,
    /// When the asked member posted in the thread, answering it.
    pub answered_at: Option<Timestamp>,
}

/// Which side of an ask a list is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AskDirection {
    /// Asks made to the member: what others wait on them for.
    ToMember,
    /// Asks made by the member: what they wait on others for.
    FromMember,
}

/// A relay: an ordered rotation of members that work follows around the clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relay {
    /// Public id.
    pub id: Id,
    /// Display name, e.g. "Release train".
    pub name: String,
    /// The legs, in hand-off order; each a member, no repeats.
    pub legs: Vec<Id>,
    /// Who created it.
    pub created_by: Id,
    /// When it was created.
    pub created_at: Timestamp,
}

/// Whether a baton is still being carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BatonStatus {
    /// Someone holds it and works on it.
    Open,
    /// Finished.
    Done,
}

impl BatonStatus {
    /// The stored spelling, also the API's (as serde writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Done => "done",
        }
    }

    /// Reads the stored spelling back; `None` for a status this build does not know.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Open, Self::Done]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// A baton: a piece of work held by exactly one member at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baton {
    /// Public id.
    pub id: Id,
    /// What the work is.
    pub title: String,
    /// Details, Markdown.
    pub description: String,
    /// The relay it follows, if any.
    pub relay_id: Option<Id>,
    /// Who holds it now.
    pub holder_id: Id,
    /// Open or done.
    pub status: BatonStatus,
    /// Who created it.
    pub created_by: Id,
    /// When it was created.
    pub created_at: Timestamp,
    /// Position in lists (internal).
    pub seq: i64,
}

/// The written part of a handoff: enough for the receiver to carry on without a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoffNote {
    /// Where the work stands.
    pub state: String,
    /// What the receiver should do first.
    pub next_step: String,
    /// What stands in the way ("none" when nothing does).
    pub blockers: String,
    /// Where to look ("none" when nowhere).
    pub links: String,
}

/// Where a handoff stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HandoffStatus {
    /// Waiting for the receiver.
    Pending,
    /// The receiver took the baton.
    Accepted,
    /// The receiver sent it back with a reason.
    Bounced,
}

impl HandoffStatus {
    /// The stored spelling, also the API's (as serde writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Bounced => "bounced",
        }
    }

    /// Reads the stored spelling back; `None` for a status this build does not know.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Accepted, Self::Bounced]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// How the receiver answers a pending handoff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// They take the baton and become its holder.
    Accept,
    /// They send it back to its sender, saying why.
    Bounce {
        /// Why the baton goes back.
        reason: String,
    },
}

impl Resolution {
    /// The status the handoff ends in.
    pub fn status(&self) -> HandoffStatus {
        match self {
            Self::Accept => HandoffStatus::Accepted,
            Self::Bounce { .. } => HandoffStatus::Bounced,
        }
    }
}

/// A baton passed from one member to another, with its note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handoff {
    /// Public id.
    pub id: Id,
    /// The baton passed.
    pub baton_id: Id,
    /// Who passed it (its holder at the time).
    pub from_id: Id,
    /// Who receives it.
    pub to_id: Id,
    /// The note.
    pub note: HandoffNote,
    /// When it was passed.
    pub created_at: Timestamp,
    /// When it reaches the receiver: now if they are working, else their next working start.
    pub delivers_at: Timestamp,
    /// Pending, accepted or bounced.
    pub status: HandoffStatus,
    /// When it was accepted or bounced.
    pub resolved_at: Option<Timestamp>,
    /// Why it was bounced.
    pub bounce_reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_back_their_stored_spelling_which_is_also_serdes() {
        for status in [BatonStatus::Open, BatonStatus::Done] {
            assert_eq!(BatonStatus::parse(status.as_str()), Some(status));
            assert_eq!(serde_json::json!(status), status.as_str());
        }
        for status in [
            HandoffStatus::Pending,
            HandoffStatus::Accepted,
            HandoffStatus::Bounced,
        ] {
            assert_eq!(HandoffStatus::parse(status.as_str()), Some(status));
            assert_eq!(serde_json::json!(status), status.as_str());
        }
        assert_eq!(BatonStatus::parse("Open"), None);
        assert_eq!(HandoffStatus::parse("rejected"), None);
    }
}
