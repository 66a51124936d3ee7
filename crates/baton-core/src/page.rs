//! Cursor pagination: opaque cursors over an internal, ever-increasing sequence number.
//!
//! Cursors (unlike offsets) stay correct while rows are added, and cost one index seek.

use serde::{Deserialize, Serialize};

use crate::{CoreError, CoreResult};

/// Most items one page may hold.
pub const MAX_PAGE: u32 = 200;
/// Items per page when the client does not say.
pub const DEFAULT_PAGE: u32 = 50;

/// Which slice of a list to return: items strictly after `after`, at most `limit` of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// The sequence number of the last item already seen.
    pub after: Option<i64>,
    /// How many items at most.
    pub limit: u32,
}

impl PageRequest {
    /// The first page with the default size.
    pub fn first() -> Self {
        Self {
            after: None,
            limit: DEFAULT_PAGE,
        }
    }

    /// Parses client-supplied `cursor` and `limit` query values.
    pub fn parse(cursor: Option<&str>, limit: Option<u32>) -> CoreResult<Self> {
        let after = cursor.filter(|c| !c.is_empty()).map(decode).transpose()?;
        let limit = limit.unwrap_or(DEFAULT_PAGE);
        if limit == 0 || limit > MAX_PAGE {
            return Err(CoreError::invalid(
                "limit",
                format!("limit must be between 1 and {MAX_PAGE}"),
            ));
        }
        Ok(Self { after, limit })
    }

    /// The first page of the largest size: for readers inside the server that want one
    /// bounded batch (an email that lists batons, the covers of an urgent post).
    pub fn largest() -> Self {
        Self {
            after: None,
            limit: MAX_PAGE,
        }
    }
}

/// A page of items and the cursor for the next one, if there is more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items, in list order.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `None` at the end.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` fetched rows: the extra row only proves there is more.
    pub fn from_rows(mut rows: Vec<T>, request: PageRequest, seq_of: impl Fn(&T) -> i64) -> Self {
        let more = rows.len() > request.limit as usize;
        rows.truncate(request.limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| encode(seq_of(r)))
        } else {
            None
        };
        Self {
            items: rows,
            next_cursor,
        }
    }

    /// Like [`Page::from_rows`], for items that do not carry their sequence number: each row
    /// comes with it.
    pub fn from_seq_rows(rows: Vec<(T, i64)>, request: PageRequest) -> Self {
        let page = Page::from_rows(rows, request, |(_, seq)| *seq);
        Page {
            items: page.items.into_iter().map(|(item, _)| item).collect(),
            next_cursor: page.next_cursor,
        }
    }
}

/// Encodes a sequence number as an opaque cursor.
pub fn encode(seq: i64) -> String {
    format!("c{:x}", seq ^ 0x5a5a_5a5a)
}

fn decode(cursor: &str) -> CoreResult<i64> {
    cursor
        .strip_prefix('c')
        .and_then(|hex| i64::from_str_radix(hex, 16).ok())
        .map(|v| v ^ 0x5a5a_5a5a)
        .ok_or_else(|| CoreError::invalid("cursor", "this cursor is not one Baton gave out"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        for seq in [0, 1, 42, i64::MAX / 2] {
            assert_eq!(
                PageRequest::parse(Some(&encode(seq)), None).unwrap().after,
                Some(seq)
            );
        }
        assert!(PageRequest::parse(Some("nope"), None).is_err());
        assert!(PageRequest::parse(None, Some(0)).is_err());
        assert!(PageRequest::parse(None, Some(201)).is_err());
    }

    #[test]
    fn a_page_reports_more_only_when_there_is_more() {
        let req = PageRequest {
            after: None,
            limit: 2,
        };
        let p = Page::from_rows(vec![1, 2, 3], req, |x| *x);
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(p.next_cursor, Some(encode(2)));
        assert_eq!(Page::from_rows(vec![1, 2], req, |x| *x).next_cursor, None);
    }
}
