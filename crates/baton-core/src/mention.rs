//! Mentions in a post's Markdown: `@handle`, where a member's handle is their email address
//! before the `@` (`@kim.tanaka` for kim.tanaka@example.com), or `@**Display Name**`, as Zulip
//! writes them (it renders as a bold name, so a post reads well in any client). Nothing inside
//! code counts, and neither does an email address (`kim@example.com` mentions nobody).
//!
//! Owns: finding the mentions in a body. Does not own: matching them to members (the store's
//! `mentioned_members`) or who may hear of them (the delivery worker checks access when it
//! sends).

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

    fn add(list: &mut Vec<String>, value: String) {
        if !value.is_empty() && !list.contains(&value) {
            list.push(value);
        }
    }
}

/// Whether `c` may be part of a handle.
fn handle_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+')
}

/// Adds the `@handle` mentions of a run of plain text. An `@` right after a letter or digit
/// is an email address, not a mention; a handle's trailing dots and dashes are punctuation.
fn scan_handles(text: &str, out: &mut Mentions) {
    let mut previous: Option<char> = None;
    for (i, c) in text.char_indices() {
        if c == '@' && !previous.is_some_and(|p| p.is_alphanumeric() || p == '@') {
            let rest = &text[i + 1..];
            let end = rest.find(|c: char| !handle_char(c)).unwrap_or(rest.len());
            let handle = rest[..end].trim_end_matches(['.', '-', '+']);
            Mentions::add(&mut out.handles, handle.to_ascii_lowercase());
        }
        previous = Some(c);
    }
}

/// Finds the mentions in a post's Markdown.
///
/// # Errors
/// `body` when it mentions more than [`MAX_MENTIONS`] people.
pub fn find(body: &str) -> CoreResult<Mentions> {
    let mut out = Mentions::default();
    // Most posts mention nobody: skip the parse.
    if !body.contains('@') {
        return Ok(out);
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
                    Mentions::add(&mut out.names, text.trim().to_owned());
                }
            }
            Event::Text(text) if !in_code_block => match name.as_mut() {
                Some(name) => name.push_str(&text),
                None => {
                    scan_handles(&text, &mut out);
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
    if out.handles.len() + out.names.len() > MAX_MENTIONS {
        return Err(CoreError::invalid(
            "body",
            format!("A post may mention at most {MAX_MENTIONS} people."),
        ));
    }
    Ok(out)
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

    proptest! {
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
