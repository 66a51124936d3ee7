//! Choosing the time zone database at start-up: the copy bundled in the binary or the system's,
//! whichever holds the newer IANA release.
//!
//! Owns: finding the system copy (`$TZDIR`, else the usual directories), reading its release
//! from the `# version` line of its `tzdata.zi`, and comparing releases.
//! Does not own: lookups. [`baton_core::tzdb`] holds the database chosen here, and every zone
//! Baton looks up comes from it.
//!
//! A stale system copy must never win: hosts keep whatever tzdata they were built with (a
//! Debian 12 image without updates has 2025b), and a country that changes its rules after
//! that would otherwise get the old offsets. A system copy that names no release cannot be
//! shown to be newer, so it loses too. On a tie the bundled copy wins: the same rules, without
//! reading files on every first lookup of a zone.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use baton_core::tzdb::{Source, Tzdb};
use jiff::tz::TimeZoneDatabase;

/// Where the system copy is looked for when `$TZDIR` is unset (the directories jiff knows).
const SYSTEM_DIRS: [&str; 3] = [
    "/usr/share/zoneinfo",
    "/usr/share/lib/zoneinfo",
    "/etc/zoneinfo",
];

/// Chooses the newer database, makes it the one every lookup uses, and returns it. Call it
/// first thing at start-up, before anything looks up a zone.
pub fn install_newest() -> &'static Tzdb {
    let chosen = choose(system_dir().as_deref());
    if let Err(chosen) = baton_core::tzdb::install(chosen) {
        // Only a lookup made before this call can cause it; the process keeps the copy that
        // lookup already used rather than switching rules halfway.
        tracing::warn!(
            release = %chosen.release,
            "a time zone was looked up before the database was chosen; keeping the bundled copy"
        );
    }
    baton_core::tzdb::current()
}

/// The system copy's directory: `$TZDIR` when set, else the first usual directory that exists.
pub fn system_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("TZDIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    SYSTEM_DIRS.iter().map(PathBuf::from).find(|d| d.is_dir())
}

/// The newer of the bundled copy and the system copy at `system_dir` (see the module notes).
pub fn choose(system_dir: Option<&Path>) -> Tzdb {
    let bundled = Tzdb::bundled();
    let Some(dir) = system_dir else {
        return bundled;
    };
    let Some(release) = release_of(dir) else {
        tracing::debug!(dir = %dir.display(), "the system time zone data names no release");
        return bundled;
    };
    if !is_newer(&release, &bundled.release) {
        tracing::debug!(
            dir = %dir.display(),
            system = %release,
            bundled = %bundled.release,
            "the system time zone data is not newer than the bundled copy"
        );
        return bundled;
    }
    match TimeZoneDatabase::from_dir(dir) {
        Ok(db) if !db.is_definitively_empty() => Tzdb {
            db,
            release,
            source: Source::System,
        },
        _ => {
            tracing::warn!(
                dir = %dir.display(),
                "the system time zone data names a newer release but cannot be read"
            );
            bundled
        }
    }
}

/// The release named by the first line of `dir/tzdata.zi` (`# version 2026f`), if any.
fn release_of(dir: &Path) -> Option<String> {
    let file = std::fs::File::open(dir.join("tzdata.zi")).ok()?;
    let mut line = String::new();
    // The version line is short; a bound keeps an odd file from being read whole.
    BufReader::new(file.take(256)).read_line(&mut line).ok()?;
    let release = line.trim().strip_prefix("# version ")?.trim();
    release_key(release).map(|_| release.to_owned())
}

/// Whether release `a` is later than release `b`; false when either is not a release name.
fn is_newer(a: &str, b: &str) -> bool {
    matches!((release_key(a), release_key(b)), (Some(a), Some(b)) if a > b)
}

/// A release name (`2026f`: the year, then letters counting the releases of that year, `z`
/// followed by `za`) as a key that sorts in release order.
fn release_key(name: &str) -> Option<(u16, usize, &str)> {
    let (year, letters) = name.split_at_checked(4)?;
    let well_formed = year.bytes().all(|b| b.is_ascii_digit())
        && !letters.is_empty()
        && letters.bytes().all(|b| b.is_ascii_lowercase());
    if !well_formed {
        return None;
    }
    Some((year.parse().ok()?, letters.len(), letters))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_compare_by_year_then_letter() {
        assert!(is_newer("2026f", "2025b"));
        assert!(is_newer("2026f", "2026a"));
        assert!(is_newer("2026za", "2026z"));
        assert!(!is_newer("2025b", "2026f"));
        assert!(!is_newer("2026f", "2026f"));
    }

    #[test]
    fn a_malformed_release_is_never_newer() {
        for odd in [
            "",
            "2026",
            "26f",
            "2026F",
            "2026f ",
            "version 2026f",
            "2o26f",
        ] {
            assert!(!is_newer(odd, "2000a"), "{odd:?}");
            assert!(!is_newer("2099a", odd), "{odd:?}");
        }
    }
}
