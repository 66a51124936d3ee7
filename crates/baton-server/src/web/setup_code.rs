//! The one-time setup code: what lets a browser on another machine use the first-run page.
//!
//! Owns: making the code, checking it and ending it. `baton serve` makes one when it starts on
//! a database without a workspace and prints it once, next to its URL; the first-run page asks
//! for it unless the client is on this machine. The code lives only in this process's memory:
//! it is never stored or logged, a restart prints a new one, and each instance of a shared
//! database has its own. Does not own: who counts as "on this machine" (`web::auth`).

use std::sync::Mutex;

use super::forms::same_token;

/// Crockford's base 32: no I, L, O or U, so a code read off a terminal is typed back right.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a code: 80 random bits, far beyond guessing through a web form.
const LENGTH: usize = 16;

/// The live setup code, if any. `Debug` never shows it.
#[derive(Default)]
pub struct SetupCode(Mutex<Option<String>>);

impl std::fmt::Debug for SetupCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SetupCode(..)")
    }
}

impl SetupCode {
    /// Makes a new code (replacing any earlier one) and answers it, grouped for reading
    /// (`ABCD-EFGH-JKMN-PQRS`), to be shown once.
    ///
    /// # Errors
    /// When the system has no randomness to give.
    pub fn issue(&self) -> Result<String, getrandom::Error> {
        let mut bytes = [0u8; LENGTH];
        getrandom::fill(&mut bytes)?;
        // 256 is a multiple of 32, so every character is equally likely.
        let code: String = bytes
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
            .collect();
        *self.lock() = Some(code.clone());
        let groups: Vec<&str> = (0..LENGTH).step_by(4).map(|i| &code[i..i + 4]).collect();
        Ok(groups.join("-"))
    }

    /// Whether `typed` is the live code, compared in constant time. Case, spaces and dashes
    /// do not matter, and O, I and L are read as 0, 1 and 1, as Crockford's base 32 says.
    pub fn matches(&self, typed: &str) -> bool {
        let typed: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            })
            .collect();
        self.lock()
            .as_deref()
            .is_some_and(|code| same_token(code, &typed))
    }

    /// Ends the code: the workspace exists, first run is over.
    pub fn retire(&self) {
        *self.lock() = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issued_code_matches_as_typed_until_it_is_retired() {
        let codes = SetupCode::default();
        assert!(!codes.matches(""), "no code issued: nothing matches");
        let code = codes.issue().expect("randomness");
        assert_eq!(code.len(), 19, "{code}");
        assert!(codes.matches(&code));
        assert!(codes.matches(&format!(" {} ", code.to_lowercase().replace('-', " "))));
        assert!(!codes.matches(&code[..18]));
        assert!(!codes.matches(""));
        let next = codes.issue().expect("randomness");
        assert!(codes.matches(&next) && (next == code || !codes.matches(&code)));
        codes.retire();
        assert!(!codes.matches(&next));
    }
}
