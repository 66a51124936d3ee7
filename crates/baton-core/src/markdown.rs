//! Markdown to safe HTML: render with pulldown-cmark, then clean with ammonia's allowlist.
//!
//! Rendering alone is not enough (Markdown passes raw HTML through), and sanitizing alone would
//! lose formatting; the two steps together give rich text with no script, no event handlers and
//! no `javascript:`/`data:` links. External links get `rel="noopener noreferrer nofollow"`.
//!
//! Most posts are plain prose with perhaps a link. For those the renderer's output is made
//! only of fixed tags, escaped text and links the sanitizer would keep, so sanitizing (half the
//! cost of a post: it re-parses the HTML) is skipped when the Markdown holds nothing else: no
//! raw HTML, image or table, no link with a title or an unusual URL, no attribute the sanitizer
//! would drop. A property test checks that the sanitizer leaves such output unchanged.

use std::cell::Cell;
use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, html};

/// The schemes a link may use; anything else is removed by the sanitizer.
const LINK_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// What every link carries, so a post cannot pass on the reader's page or ranking to a link.
const LINK_REL: &str = "noopener noreferrer nofollow";

/// Renders a post body to sanitized HTML.
pub fn render(body: &str) -> String {
    let needs_sanitizing = Cell::new(false);
    let events = parser(body).map(|event| {
        inert(event).unwrap_or_else(|event| {
            needs_sanitizing.set(true);
            event
        })
    });
    let mut raw = String::with_capacity(body.len() + body.len() / 4);
    html::push_html(&mut raw, events);
    if needs_sanitizing.get() {
        sanitizer().clean(&raw).to_string()
    } else {
        raw
    }
}

/// The Markdown parser with the options posts are written in (shared with [`crate::mention`]).
pub(crate) fn parser(body: &str) -> Parser<'_> {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);
    Parser::new_ext(body, options)
}

/// `Ok` with the event to render when the renderer turns it into fixed, allowlisted tags,
/// escaped text or a link exactly as the sanitizer would write it; `Err` with the event
/// unchanged when the output must be sanitized.
fn inert(event: Event<'_>) -> Result<Event<'_>, Event<'_>> {
    let keep = match &event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            ..
        }) if title.is_empty() && *link_type != LinkType::Email && is_plain_url(dest_url) => {
            return Ok(Event::InlineHtml(CowStr::from(format!(
                "<a href=\"{dest_url}\" rel=\"{LINK_REL}\">"
            ))));
        }
        Event::Start(tag) => match tag {
            Tag::Paragraph
            | Tag::List(_)
            | Tag::Item
            | Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::BlockQuote(None)
            | Tag::CodeBlock(CodeBlockKind::Indented) => true,
            Tag::CodeBlock(CodeBlockKind::Fenced(info)) => info.is_empty(),
            Tag::Heading {
                id, classes, attrs, ..
            } => id.is_none() && classes.is_empty() && attrs.is_empty(),
            _ => false,
        },
        Event::End(_)
        | Event::Text(_)
        | Event::Code(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::Rule
        | Event::TaskListMarker(_) => true,
        _ => false,
    };
    if keep { Ok(event) } else { Err(event) }
}

/// A link target that needs no escaping in an attribute and that the sanitizer keeps as it
/// is: only URL-safe characters, and an allowed scheme or a relative reference.
fn is_plain_url(url: &str) -> bool {
    let safe = |b: u8| b.is_ascii_alphanumeric() || b"!#$%()*+,-./:;=?@^_~".contains(&b);
    if url.is_empty() || !url.bytes().all(safe) {
        return false;
    }
    match url::Url::parse(url) {
        Ok(parsed) => LINK_SCHEMES.contains(&parsed.scheme()),
        Err(error) => error == url::ParseError::RelativeUrlWithoutBase,
    }
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.url_schemes(HashSet::from(LINK_SCHEMES))
            .link_rel(Some(LINK_REL))
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tags(["input"]);
        b
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered() {
        assert_eq!(
            render("**bold** and *it*"),
            "<p><strong>bold</strong> and <em>it</em></p>\n"
        );
    }

    #[test]
    fn scripts_handlers_and_dangerous_schemes_do_not_survive() {
        let corpus = [
            "<script>alert(1)</script>",
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x](  javascript&#58;alert(1))",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "[x](vbscript:msgbox)",
            "<img src=x onerror=\"alert(1)\">",
            "<svg onload=alert(1)>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<javascript:alert(1)>",
        ];
        for input in corpus {
            let out = render(input).to_lowercase();
            for bad in [
                "<script",
                "=\"javascript:",
                "onerror=",
                "onload=",
                "=\"data:",
                "=\"vbscript:",
                "<iframe",
                "<svg",
            ] {
                assert!(!out.contains(bad), "{input:?} rendered as {out:?}");
            }
        }
    }

    #[test]
    fn links_get_safe_rel() {
        let out = render("[site](https://example.com)");
        assert!(
            out.contains("rel=\"noopener noreferrer nofollow\""),
            "{out}"
        );
    }

    /// Normalizes what only differs in serialization between the renderer and the sanitizer
    /// (`<br />` against `<br>`, `&quot;` against `"` in text).
    fn normalized(html: &str) -> String {
        html.replace(" />", ">")
            .replace("/>", ">")
            .replace("&quot;", "\"")
    }

    fn takes_fast_path(body: &str) -> bool {
        parser(body).all(|event| inert(event).is_ok())
    }

    #[test]
    fn plain_prose_takes_the_fast_path_and_anything_else_does_not() {
        for body in [
            "just text",
            "**a** _b_ ~~c~~ `d`",
            "# Title\n\n- one\n- two\n\n1. x\n2. y",
            "> quoted\n\n---\n\n```\ncode <b>\n```",
            "- [x] done\n- [ ] not yet",
            "line  \nbreak & <not a tag",
            "see [the runbook](https://example.com/run?x=1#a) and <https://example.com>",
            "[relative](/threads/abc)",
        ] {
            assert!(takes_fast_path(body), "{body:?}");
        }
        for body in [
            "<b>raw</b>",
            "a <span>inline</span>",
            "[x](javascript:alert(1))",
            "[x](https://example.com \"with a title\")",
            "[x](https://example.com/a&b)",
            "<someone@example.com>",
            "![i](https://example.com/a.png)",
            "| a |\n|:-:|\n| 1 |",
            "```rust\nfn main() {}\n```",
        ] {
            assert!(!takes_fast_path(body), "{body:?}");
        }
    }

    proptest::proptest! {
        /// Whenever the sanitizer is skipped it would have changed nothing.
        #[test]
        fn the_fast_path_only_skips_what_the_sanitizer_would_keep(
            body in "([a-z \"'&<>*_~`#>\\-\\[\\]!()|:=/.?@%0-9]|https://|mailto:|javascript:|\n){0,80}"
        ) {
            let out = render(&body);
            if takes_fast_path(&body) {
                proptest::prop_assert_eq!(
                    normalized(&sanitizer().clean(&out).to_string()),
                    normalized(&out)
                );
            }
        }
    }

    proptest::proptest! {
        /// Links of every shape: the ones written directly are exactly what the sanitizer
        /// would have written, and the others go through it.
        #[test]
        fn fast_path_links_are_what_the_sanitizer_would_write(
            text in "[a-z *_]{1,8}",
            dest in "(https?://|mailto:|javascript:|data:|/|)[a-zA-Z0-9!#$%()*+,./:;=?@^_~&'\"<>\\-]{0,30}",
            autolink in proptest::bool::ANY,
        ) {
            let body = if autolink { format!("<{dest}>") } else { format!("a [{text}]({dest}) b") };
            let out = render(&body);
            proptest::prop_assert_eq!(
                normalized(&sanitizer().clean(&out).to_string()),
                normalized(&out)
            );
        }
    }

    #[test]
    fn sanitizing_is_idempotent_on_rendered_output() {
        for input in [
            "**a** <b onclick=x>b</b>",
            "| a | b |\n|---|---|\n| 1 | 2 |",
            "- [x] done",
        ] {
            let once = render(input);
            assert_eq!(
                normalized(&sanitizer().clean(&once).to_string()),
                normalized(&once)
            );
        }
    }
}
