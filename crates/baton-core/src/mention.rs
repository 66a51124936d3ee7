//! Mentions in a post's Markdown: `@handle`, where a member's handle is their email address
//! before the `@` (`@kim.tanaka` for kim.tanaka@example.com), or `@**Display Name**`, as Zulip
//! writes them (it renders as a bold name, so a post reads well in any client). Nothing inside
//! code counts, and neither does an email address (`kim@example.com` mentions nobody).
//!
//! Owns: finding the mentions in a body. Does not own: matching them to members (the store's
//! `mentioned_members`) or who may hear of them (the delivery worker checks access when it
//! sends).

use std::collections::HashSet;

use pulldown_cmark::{Event, Tag, TagEnd, TextMergeStream};

use crate::{CoreError, CoreResult};

/// Most distinct mentions one post may hold: enough for a team, short of paging a company.
pub const MAX_MENTIONS: usize = 50;

/// The mentions of one body, each at most once: handles lowercased, names as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mentions {
    /// `@handle` mentions, lowercased.
    pub handles: Vec<String>,
    /// `@**Display Name**` mentions.
    pub names: Vec<String>,
}

impl Mentions {
    /// Whether the body mentions nobody.
    pub fn is_empty(&self) -> bool {
        self.handles.is_empty() && self.names.is_empty()
    }
}

/// A scan in progress: the mentions so far, a set to keep them distinct in constant time, and
/// a count of the steps taken.
///
/// The scan stops at the first mention past [`MAX_MENTIONS`]: a 64 KiB body of distinct
/// handles (about 5,500 of them) once cost a linear search of every handle found so far per
/// handle, some 15 million string comparisons (150 ms in a release build on the shared 2-vCPU
/// machine, for the handle scan alone), and then kept scanning a body already refused. Now it
/// is refused after 51 handles (0.2 ms in a debug build).
#[derive(Default)]
struct Scan {
    found: Mentions,
    seen: HashSet<(bool, String)>,
    /// Characters looked at plus mentions recorded: the work done, which tests bound by the
    /// body's length (a count, so the check does not depend on the machine's speed).
    steps: usize,
}

/// Raised when a body mentions more than [`MAX_MENTIONS`] people; the scan stops there.
struct OverCap;

impl Scan {
    fn add(&mut self, is_name: bool, value: String) -> Result<(), OverCap> {
        self.steps += 1;
        if value.is_empty() || !self.seen.insert((is_name, value.clone())) {
            return Ok(());
        }
        if self.seen.len() > MAX_MENTIONS {
            return Err(OverCap);
        }
        let list = if is_name {
            &mut self.found.names
        } else {
            &mut self.found.handles
        };
        list.push(value);
        Ok(())
    }

    /// Adds the `@handle` mentions of a run of plain text. An `@` right after a letter or
    /// digit is an email address, not a mention; a handle's trailing dots and dashes are
    /// punctuation.
    fn handles(&mut self, text: &str) -> Result<(), OverCap> {
        let mut previous: Option<char> = None;
        for (i, c) in text.char_indices() {
            self.steps += 1;
            if c == '@' && !previous.is_some_and(|p| p.is_alphanumeric() || p == '@') {
                let rest = &text[i + 1..];
                let end = rest.find(|c: char| !handle_char(c)).unwrap_or(rest.len());
                // Each handle's characters are looked at once more here (a handle ends at the
                // next `@`, so handles never overlap).
                self.steps += end;
                let handle = rest[..end].trim_end_matches(['.', '-', '+']);
                self.add(false, handle.to_ascii_lowercase())?;
            }
            previous = Some(c);
        }
        Ok(())
    }
}

/// Whether `c` may be part of a handle.
fn handle_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+')
}

/// Finds the mentions in a post's Markdown.
///
/// # Errors
/// `body` when it mentions more than [`MAX_MENTIONS`] people.
pub fn find(body: &str) -> CoreResult<Mentions> {
    let mut scan = Scan::default();
    match scan_body(body, &mut scan) {
        Ok(()) => Ok(scan.found),
        Err(OverCap) => Err(CoreError::invalid(
            "body",
            format!("A post may mention at most {MAX_MENTIONS} people."),
        )),
    }
}

fn scan_body(body: &str, scan: &mut Scan) -> Result<(), OverCap> {
    // Most posts mention nobody: skip the parse.
    if !body.contains('@') {
        return Ok(());
    }
    let mut in_code_block = false;
    // Plain text just before, when it ended in a mention's `@`.
    let mut at_before = false;
    // The text of a bold run that follows such an `@`.
    let mut name: Option<String> = None;
    for event in TextMergeStream::new(crate::markdown::parser(body)) {
        let mut ends_in_at = false;
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Start(Tag::Strong) if at_before => name = Some(String::new()),
            Event::End(TagEnd::Strong) => {
                if let Some(text) = name.take() {
                    scan.add(true, text.trim().to_owned())?;
                }
            }
            Event::Text(text) if !in_code_block => match name.as_mut() {
                Some(name) => name.push_str(&text),
                None => {
                    scan.handles(&text)?;
                    let before = text.strip_suffix('@').and_then(|t| t.chars().last());
                    ends_in_at =
                        text.ends_with('@') && !before.is_some_and(|c| c.is_alphanumeric());
                }
            },
            _ => {
                // Anything else inside `@**…**` (code, a link) makes it no mention.
                name = None;
            }
        }
        at_before = ends_in_at;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn found(body: &str) -> (Vec<String>, Vec<String>) {
        let m = find(body).expect("within the limit");
        (m.handles, m.names)
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn handles_and_names_are_found_once_each() {
        assert_eq!(
            found("@Kim.Tanaka can you and @**Ana Souza** look? cc @kim.tanaka, @lee."),
            (strings(&["kim.tanaka", "lee"]), strings(&["Ana Souza"]))
        );
    }

    #[test]
    fn email_addresses_code_and_lone_signs_mention_nobody() {
        let body =
            "Mail kim@example.com, run `@kim` or\n\n```\n@lee\n```\n\nprice @ 5 and @ **bold**";
        assert_eq!(found(body), (Vec::new(), Vec::new()));
    }

    #[test]
    fn a_mention_inside_emphasis_or_a_list_counts() {
        assert_eq!(
            found("- *ping @ops-team*\n- **@**__not__ and @**Bo**"),
            (strings(&["ops-team"]), strings(&["Bo"]))
        );
    }

    #[test]
    fn too_many_mentions_are_refused() {
        let body: String = (0..=MAX_MENTIONS).map(|i| format!("@m{i} ")).collect();
        let err = find(&body).expect_err("over the limit");
        assert_eq!(err.field, "body");
    }

    /// The steps a scan of `body` takes, whether or not it is refused.
    fn steps(body: &str) -> usize {
        let mut scan = Scan::default();
        let _ = scan_body(body, &mut scan);
        scan.steps
    }

    /// A body of `n` distinct handles, `@m0 @m1 …`, cut to at most `bytes`.
    fn distinct_handles(n: usize, bytes: usize) -> String {
        let mut body: String = (0..n).map(|i| format!("@m{i} ")).collect();
        body.truncate(bytes);
        body
    }

    #[test]
    fn the_cap_counts_distinct_people_not_mentions() {
        let at_cap = distinct_handles(MAX_MENTIONS, usize::MAX);
        assert_eq!(
            find(&at_cap).expect("at the cap").handles.len(),
            MAX_MENTIONS
        );
        let repeated = format!("{at_cap}{at_cap}@**Ana** @**Ana**");
        assert!(find(&repeated).is_err(), "51 distinct people");
        assert!(
            find(&format!("{at_cap}{at_cap}")).is_ok(),
            "50 people, twice each"
        );
    }

    #[test]
    fn a_64_kib_body_of_distinct_handles_stops_at_the_cap() {
        let body = distinct_handles(20_000, crate::validate::MAX_BODY_BYTES);
        assert_eq!(find(&body).expect_err("over the cap").field, "body");
        // The scan stops right after the 51st handle: a few hundred steps, not a pass (let
        // alone a quadratic one) over 64 KiB.
        let upto_cap = distinct_handles(MAX_MENTIONS + 1, usize::MAX).len();
        assert!(steps(&body) <= 3 * upto_cap, "{} steps", steps(&body));
    }

    proptest! {
        #[test]
        fn the_scan_is_linear_in_the_body(
            parts in prop::collection::vec(
                prop_oneof!["@[a-z]{1,6}", "@\\*\\*[A-Z][a-z]{0,5}\\*\\*", "[a-z ]{0,8}", "@{1,3}", "`[a-z@]{0,5}`"],
                0..400,
            ),
        ) {
            let body = parts.join(" ");
            // Each character is looked at most twice (once by the walk, once as part of a
            // handle), and each mention is recorded once.
            prop_assert!(steps(&body) <= 3 * body.len(), "{} steps for {} bytes", steps(&body), body.len());
        }

        #[test]
        fn every_handle_written_is_found(handles in prop::collection::vec("[a-z][a-z0-9_]{0,10}", 1..8)) {
            let body = handles.iter().map(|h| format!("@{h}")).collect::<Vec<_>>().join(" and ");
            let m = find(&body).expect("within the limit");
            for h in &handles {
                prop_assert!(m.handles.contains(h), "{h} missing from {m:?}");
            }
        }

        #[test]
        fn finding_never_panics(body in ".{0,200}") {
            let _ = find(&body);
        }
    }
}
