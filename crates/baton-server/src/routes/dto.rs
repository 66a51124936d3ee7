//! Request and response bodies of the JSON API, separate from core and storage types. Each
//! maps from a core type in one `From` impl; field names follow CONTRACT.md.

use baton_core::CoreError;
use baton_core::expectation::{Expectation, ExpectationKind};
use baton_core::model::{Ask, Member, Post, Space, Thread, TokenInfo};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::ids;
use crate::services::access;
use crate::services::threads::ExpectationInput;

/// A timestamp as the API writes it: RFC 3339 in UTC with `Z`.
pub fn time(t: jiff::Timestamp) -> String {
    t.to_string()
}

/// Reads an optional integer also when written with a zero fraction (`8.0`): JSON Schema calls
/// that an integer, so a client generated from the document may send it.
///
/// # Errors
///
/// When the value is not a number without fraction that fits an `i64`.
pub fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let Some(number) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    number
        .as_i64()
        .or_else(|| {
            number
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                .map(|f| f as i64)
        })
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("{number} is not a whole number")))
}

/// What a thread or post expects of its readers.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectationBody {
    /// `fyi`, `reply` or `urgent`.
    #[schema(value_type = String, example = "reply")]
    pub kind: ExpectationKind,
    /// For `reply`: working minutes each listed member has to answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_minutes: Option<u32>,
    /// Member ids asked.
    #[serde(default)]
    pub of: Vec<String>,
}

impl TryFrom<ExpectationBody> for ExpectationInput {
    type Error = CoreError;

    /// Parses the member ids (422 on `expectation.of` for one that is not an id).
    fn try_from(b: ExpectationBody) -> Result<Self, CoreError> {
        Ok(Self {
            kind: b.kind,
            within_minutes: b.within_minutes,
            of: ids("expectation.of", &b.of)?,
        })
    }
}

impl From<&Expectation> for ExpectationBody {
    fn from(e: &Expectation) -> Self {
        Self {
            kind: e.kind,
            within_minutes: e.within_minutes,
            of: e.of.iter().map(ToString::to_string).collect(),
        }
    }
}

/// A member as the API shows them. A guest sees other people's id, name and whether they are
/// active only: `email`, `timezone` and `role` are left out.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberOut {
    /// Member id.
    pub id: String,
    /// Email address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Display name.
    pub name: String,
    /// IANA time zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// owner, admin, member or guest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// False once deactivated.
    pub active: bool,
}

impl MemberOut {
    /// `m` as `viewer` may see them ([`access::sight`]).
    pub fn seen_by(viewer: &Member, m: &Member) -> Self {
        let full = access::sight(viewer, m) == access::Sight::Full;
        Self {
            id: m.id.to_string(),
            email: full.then(|| m.email.clone()),
            name: m.name.clone(),
            timezone: full.then(|| m.timezone.clone()),
            role: full.then(|| m.role.as_str().to_owned()),
            active: m.active,
        }
    }
}

impl From<&Member> for MemberOut {
    /// A member in full: for their own eyes or an admin's answer.
    fn from(m: &Member) -> Self {
        Self::seen_by(m, m)
    }
}

/// A token's public facts (never the secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    /// Token id (for revoking).
    pub id: String,
    /// Label given at creation.
    pub label: Option<String>,
    /// When it was issued.
    pub created_at: String,
}

impl From<&TokenInfo> for TokenOut {
    fn from(t: &TokenInfo) -> Self {
        Self {
            id: t.id.to_string(),
            label: t.label.clone(),
            created_at: time(t.created_at),
        }
    }
}

/// A space.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpaceOut {
    /// Space id.
    pub id: String,
    /// Name.
    pub name: String,
    /// public or private.
    pub visibility: String,
    /// Whether the caller is a member (absent on creation, where they always are).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<bool>,
}

impl SpaceOut {
    /// A space, with the caller's membership when known.
    pub fn new(s: &Space, member: Option<bool>) -> Self {
        Self {
            id: s.id.to_string(),
            name: s.name.clone(),
            visibility: s.visibility.as_str().to_owned(),
            member,
        }
    }
}

/// A post.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostOut {
    /// Post id.
    pub id: String,
    /// The thread it belongs to.
    pub thread_id: String,
    /// Author's member id.
    pub author_id: String,
    /// Markdown source.
    pub body: String,
    /// Sanitized HTML.
    pub html: String,
    /// What it expects, if stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expectation: Option<ExpectationBody>,
    /// When it was written.
    pub created_at: String,
    /// When it was last edited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<String>,
}

impl From<&Post> for PostOut {
    fn from(p: &Post) -> Self {
        Self {
            id: p.id.to_string(),
            thread_id: p.thread_id.to_string(),
            author_id: p.author_id.to_string(),
            body: p.body.clone(),
            html: p.html.clone(),
            expectation: p.expectation.as_ref().map(Into::into),
            created_at: time(p.created_at),
            edited_at: p.edited_at.map(time),
        }
    }
}

/// A thread's header fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadHead {
    /// Thread id.
    pub id: String,
    /// The space it lives in.
    pub space_id: String,
    /// Title.
    pub title: String,
    /// Who started it.
    pub author_id: String,
    /// What the opening post expects.
    pub expectation: ExpectationBody,
    /// When it was started.
    pub created_at: String,
    /// When its latest post was written.
    pub last_post_at: String,
    /// Number of posts.
    pub post_count: i64,
}

impl From<&Thread> for ThreadHead {
    fn from(t: &Thread) -> Self {
        Self {
            id: t.id.to_string(),
            space_id: t.space_id.to_string(),
            title: t.title.clone(),
            author_id: t.author_id.to_string(),
            expectation: (&t.expectation).into(),
            created_at: time(t.created_at),
            last_post_at: time(t.last_post_at),
            post_count: t.post_count,
        }
    }
}

/// An ask created by a post's `reply` expectation.
#[derive(Debug, Serialize, ToSchema)]
pub struct AskOut {
    /// Who is asked.
    pub member_id: String,
    /// When their answer is due.
    pub due_at: String,
}

impl From<&Ask> for AskOut {
    fn from(ask: &Ask) -> Self {
        Self {
            member_id: ask.to_id.to_string(),
            due_at: time(ask.due_at),
        }
    }
}

/// Query of list endpoints.
#[derive(Debug, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Cursor from a previous page's `next_cursor` (empty: the first page).
    #[param(pattern = r"^(c[0-9a-fA-F]{1,15})?$")]
    pub cursor: Option<String>,
    /// Items per page, 1 to 200 (default 50); above 200 is refused (422).
    #[param(minimum = 1, maximum = 200)]
    #[schema(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

impl PageQuery {
    /// The page asked for.
    ///
    /// # Errors
    /// 422 for a cursor Baton did not give out or a `limit` outside 1 to 200.
    pub fn page(&self) -> baton_core::CoreResult<baton_core::page::PageRequest> {
        baton_core::page::PageRequest::parse(self.cursor.as_deref(), self.limit)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    /// A body with one field read by [`super::whole_number`].
    #[derive(Debug, Deserialize)]
    struct Count {
        #[serde(default, deserialize_with = "super::whole_number")]
        n: Option<i64>,
    }

    fn count(json: &str) -> Result<Option<i64>, serde_json::Error> {
        serde_json::from_str::<Count>(json).map(|c| c.n)
    }

    #[test]
    fn whole_numbers_are_taken_with_or_without_a_zero_fraction_and_nothing_else() {
        assert_eq!(count(r#"{"n": 8}"#).ok(), Some(Some(8)));
        assert_eq!(count(r#"{"n": 8.0}"#).ok(), Some(Some(8)));
        assert_eq!(count(r#"{"n": null}"#).ok(), Some(None));
        // Just below 1: a lossy float parser would read it as 1.
        assert!(count(r#"{"n": 0.9999999999999999}"#).is_err());
        assert!(count(r#"{"n": 1.5}"#).is_err());
        assert!(count(r#"{"n": 1e300}"#).is_err());
    }
}
