//! Validation of the text fields people type: names, titles, bodies, emails, zones, passwords.
//!
//! Each function trims where trimming is harmless, enforces a size limit and returns the value
//! to store, or a [`CoreError`] naming the field with a sentence a person can act on.

use crate::{CoreError, CoreResult};

/// Largest post body, in bytes. Long enough for a design doc, short enough to render quickly.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest thread title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest display, space or workspace name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Shortest accepted password, in characters (OWASP ASVS 6.2.1).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest accepted password, in characters: long passphrases are welcome, megabytes are not.
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// A required, trimmed, single-line text of at most `max` characters.
pub(crate) fn line(field: &'static str, what: &str, text: &str, max: usize) -> CoreResult<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(CoreError::invalid(field, format!("{what} cannot be empty")));
    }
    if trimmed.chars().count() > max {
        return Err(CoreError::invalid(
            field,
            format!("{what} is longer than {max} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(CoreError::invalid(
            field,
            format!("{what} cannot contain line breaks or control characters"),
        ));
    }
    if let Some(c) = trimmed.chars().find(|c| is_invisible(*c)) {
        return Err(CoreError::invalid(
            field,
            format!(
                "{what} cannot contain invisible or text-direction characters (it holds U+{:04X})",
                u32::from(c)
            ),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Whether `c` changes how the text around it is shown without showing itself: direction
/// overrides and isolates (a name that reads `admin` but sorts and matches as something
/// else, "Trojan Source"), zero-width characters (two names that look the same but differ),
/// and the other invisible format characters that have no place in a one-line label.
///
/// The zero-width joiners (U+200C, U+200D) are refused too, although some scripts and emoji
/// sequences use them: a name shown to a whole workspace is safer as plain letters, and every
/// script writes a readable name without them.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                      // soft hyphen
        | '\u{034F}'                    // combining grapheme joiner
        | '\u{061C}'                    // Arabic letter mark
        | '\u{115F}' | '\u{1160}'        // Hangul fillers
        | '\u{180E}'                    // Mongolian vowel separator
        | '\u{200B}'..='\u{200F}'       // zero-width space, joiners, LRM, RLM
        | '\u{2028}' | '\u{2029}'        // line and paragraph separators
        | '\u{202A}'..='\u{202E}'       // direction embeddings and overrides
        | '\u{2060}'..='\u{2064}'       // word joiner, invisible operators
        | '\u{2066}'..='\u{206F}'       // direction isolates, deprecated format characters
        | '\u{3164}'                    // Hangul filler
        | '\u{FEFF}'                    // zero-width no-break space (byte-order mark)
        | '\u{FFA0}'                    // halfwidth Hangul filler
        | '\u{FFF9}'..='\u{FFFB}'       // interlinear annotation
        | '\u{1D173}'..='\u{1D17A}'     // musical format characters
        | '\u{E0000}'..='\u{E007F}'     // tag characters
    )
}

/// A thread title: required, one line, at most [`MAX_TITLE_CHARS`].
pub fn title(text: &str) -> CoreResult<String> {
    line("title", "a thread title", text, MAX_TITLE_CHARS)
}

/// A baton's title: the same rules as a thread title.
pub fn baton_title(text: &str) -> CoreResult<String> {
    line("title", "a baton title", text, MAX_TITLE_CHARS)
}

/// A relay's name.
pub fn relay_name(text: &str) -> CoreResult<String> {
    line("name", "a relay name", text, MAX_NAME_CHARS)
}

/// A person's display name.
pub fn person_name(text: &str) -> CoreResult<String> {
    line("name", "a name", text, MAX_NAME_CHARS)
}

/// A space's name.
pub fn space_name(text: &str) -> CoreResult<String> {
    line("name", "a space name", text, MAX_NAME_CHARS)
}

/// A workspace's name.
pub fn workspace_name(text: &str) -> CoreResult<String> {
    line("workspace", "a workspace name", text, MAX_NAME_CHARS)
}

/// An optional token label.
pub fn token_label(text: Option<&str>) -> CoreResult<Option<String>> {
    text.map(|t| line("label", "a token label", t, MAX_NAME_CHARS))
        .transpose()
}

/// A post body: required, Markdown, at most [`MAX_BODY_BYTES`]. Kept exactly as typed (no trim)
/// apart from refusing an all-blank body.
pub fn body(text: &str) -> CoreResult<String> {
    if text.trim().is_empty() {
        return Err(CoreError::invalid("body", "a post cannot be empty"));
    }
    if text.len() > MAX_BODY_BYTES {
        return Err(CoreError::invalid(
            "body",
            format!(
                "a post can be at most {} KiB; this one is {} KiB",
                MAX_BODY_BYTES / 1024,
                text.len().div_ceil(1024)
            ),
        ));
    }
    Ok(text.to_owned())
}

/// An email address, lowercased. Checks the shape only (one `@`, a dot in the domain, no
/// spaces); whether mail arrives is for the mail system to say.
pub fn email(text: &str) -> CoreResult<String> {
    let e = text.trim().to_lowercase();
    let bad = || {
        CoreError::invalid(
            "email",
            format!(
                "'{}' is not an email address",
                e.chars().take(60).collect::<String>()
            ),
        )
    };
    if e.len() > 254 || e.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let (local, domain) = e.split_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
    {
        return Err(bad());
    }
    Ok(e)
}

/// An IANA time zone name known to the time zone database in use ([`crate::tzdb`]).
pub fn timezone(text: &str) -> CoreResult<String> {
    let name = text.trim();
    match crate::tzdb::zone(name) {
        Ok(_) if !name.is_empty() => Ok(name.to_owned()),
        _ => Err(CoreError::invalid(
            "timezone",
            format!(
                "'{}' is not a known IANA time zone (for example Europe/Berlin)",
                name.chars().take(60).collect::<String>()
            ),
        )),
    }
}

/// A new password: long enough, not absurdly long, and not one of the most common passwords.
/// Checked exactly as typed: no trimming, no truncation.
pub fn password(text: &str) -> CoreResult<&str> {
    let n = text.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(CoreError::invalid(
            "password",
            format!("a password needs at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(CoreError::invalid(
            "password",
            format!("a password can be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    if is_common_password(text) {
        return Err(CoreError::invalid(
            "password",
            "this password is among the most common ones; choose another",
        ));
    }
    Ok(text)
}

/// The most common leaked passwords of eight characters or more, lowercased and sorted: the
/// 11,612 of that length among the 30,000 of the password list bundled with Dropbox's zxcvbn
/// (MIT licence, from leaked password sets; see `data/README.md`).
const COMMON_PASSWORDS: &str = include_str!("../data/common-passwords.txt");

/// Whether `text`, lowercased, is in [`COMMON_PASSWORDS`] (a binary search over its lines).
fn is_common_password(text: &str) -> bool {
    static LINES: std::sync::LazyLock<Vec<&'static str>> =
        std::sync::LazyLock::new(|| COMMON_PASSWORDS.lines().collect());
    LINES.binary_search(&text.to_lowercase().as_str()).is_ok()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A name or title check.
    type Check = fn(&str) -> CoreResult<String>;

    /// Every name and title check, with the field it names.
    fn every_line_check() -> [(&'static str, Check); 7] {
        [
            ("title", title),
            ("title", baton_title),
            ("name", person_name),
            ("name", space_name),
            ("name", relay_name),
            ("workspace", workspace_name),
            ("label", |t| {
                token_label(Some(t)).map(Option::unwrap_or_default)
            }),
        ]
    }

    #[test]
    fn names_and_titles_refuse_direction_overrides_and_zero_width_characters() {
        for c in [
            '\u{202A}',
            '\u{202B}',
            '\u{202C}',
            '\u{202D}',
            '\u{202E}',
            '\u{2066}',
            '\u{2067}',
            '\u{2068}',
            '\u{2069}',
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{200E}',
            '\u{200F}',
            '\u{2060}',
            '\u{FEFF}',
            '\u{00AD}',
            '\u{061C}',
            '\u{3164}',
            '\u{E0041}',
        ] {
            for (field, check) in every_line_check() {
                let err = check(&format!("Q3{c}plan")).expect_err("an invisible character");
                assert_eq!(err.field, field);
                assert!(err.message.contains("invisible"), "{err}");
                assert!(
                    check(&format!("{c}")).is_err(),
                    "U+{:04X} alone",
                    u32::from(c)
                );
            }
        }
    }

    #[test]
    fn names_in_every_script_and_with_emoji_are_still_welcome() {
        for good in [
            "Zoë Ødegård",
            "محمد",
            "田中 健",
            "नमस्ते टीम",
            "Launch 🚀",
            "O'Brien-Smith",
        ] {
            for (_, check) in every_line_check() {
                assert_eq!(check(good).expect("a plain name"), good);
            }
        }
    }

    #[test]
    fn titles_are_trimmed_and_must_not_be_blank() {
        assert_eq!(title("  Q3 plan ").unwrap(), "Q3 plan");
        assert_eq!(title("   ").unwrap_err().field, "title");
        assert!(title(&"x".repeat(201)).is_err());
        assert!(title("two\nlines").is_err());
    }

    #[test]
    fn bodies_over_the_limit_are_refused() {
        assert!(body(&"x".repeat(MAX_BODY_BYTES)).is_ok());
        let err = body(&"x".repeat(MAX_BODY_BYTES + 1)).unwrap_err();
        assert!(err.message.contains("64 KiB"), "{err}");
    }

    #[test]
    fn emails_are_lowercased_and_shape_checked() {
        assert_eq!(email(" Ana@Example.COM ").unwrap(), "ana@example.com");
        for bad in [
            "",
            "ana",
            "ana@",
            "@x.com",
            "ana@x",
            "a b@x.com",
            "a@b@c.com",
            "ana@x.",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_known_zones_are_accepted() {
        for good in [
            "Europe/Berlin",
            "Asia/Kathmandu",
            "Australia/Lord_Howe",
            "America/Sao_Paulo",
            "UTC",
        ] {
            assert_eq!(timezone(good).unwrap(), good);
        }
        for bad in ["", "Mars/Olympus", "Europe/Berlinn", "../etc/passwd"] {
            assert_eq!(timezone(bad).unwrap_err().field, "timezone", "{bad}");
        }
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case_and_the_list_stays_searchable() {
        for common in [
            "qwertyuiop",
            "Sunshine1",
            "PASSWORD123",
            "iloveyou2",
            "trustno1",
            "jordan23",
        ] {
            assert!(password(common).is_err(), "{common}");
        }
        for rare in ["correct horse battery", "baton-relay-2026!", "Ztq8-mLw2-Rr"] {
            assert!(password(rare).is_ok(), "{rare}");
        }
        let lines: Vec<&str> = COMMON_PASSWORDS.lines().collect();
        assert!(lines.len() > 10_000);
        assert!(
            lines.windows(2).all(|w| w[0] < w[1]),
            "data/common-passwords.txt must stay sorted and without duplicates"
        );
        assert!(
            lines
                .iter()
                .all(|l| l.chars().count() >= MIN_PASSWORD_CHARS && *l == l.to_lowercase())
        );
    }

    #[test]
    fn the_password_length_matrix_holds() {
        assert!(password("short7!").is_err());
        assert!(password("eight ch").is_ok());
        assert!(password(&"p".repeat(15)).is_ok());
        assert!(password(&"p".repeat(64)).is_ok());
        assert!(password(&"p".repeat(200)).is_ok());
        assert!(password(&"p".repeat(1025)).is_err());
        assert!(password("Password123").is_err());
        assert!(password("  spaces kept  ").is_ok());
        assert!(password("päßwörd-ünïcode").is_ok());
    }

    proptest! {
        #[test]
        fn an_accepted_name_holds_no_invisible_character(text in "\\PC{0,40}") {
            for (_, check) in every_line_check() {
                if let Ok(kept) = check(&text) {
                    prop_assert!(!kept.chars().any(is_invisible), "{kept:?}");
                }
            }
        }

        #[test]
        fn an_invisible_character_anywhere_is_refused(
            before in "[a-zA-Z ]{0,10}",
            c in prop::sample::select(vec!['\u{202E}', '\u{2067}', '\u{200B}', '\u{200D}', '\u{2060}', '\u{FEFF}']),
            after in "[a-zA-Z ]{0,10}",
        ) {
            let text = format!("{before}{c}{after}");
            for (_, check) in every_line_check() {
                prop_assert!(check(&text).is_err(), "{:?} accepted", text);
            }
        }
    }
}
