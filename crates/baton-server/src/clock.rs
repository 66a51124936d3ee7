//! The injected clock. Nothing in Baton reads the system time directly: the server asks its
//! [`Clock`], so tests move time instead of sleeping.

use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};

/// A source of "now".
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that stands still until told to move; for tests and simulations.
#[derive(Debug)]
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    /// A clock showing `at`.
    pub fn new(at: Timestamp) -> Self {
        Self(Mutex::new(at))
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: Timestamp) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: SignedDuration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *t = t.saturating_add(by).unwrap_or(*t);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A clock that reads "now" from a file holding one RFC 3339 instant, so a test outside the
/// process (the browser suite) can drive a running server through a simulated day instead of
/// sleeping. Only `baton serve --clock-file` uses it; without that flag Baton runs on
/// [`SystemClock`]. A missing or unreadable file reads as the system time.
#[derive(Debug)]
pub struct FileClock {
    path: std::path::PathBuf,
}

impl FileClock {
    /// A clock following the instant written in `path`.
    pub fn new(path: impl Into<std::path::PathBuf>) -> Self {
        Self { path: path.into() }
    }
}

impl Clock for FileClock {
    fn now(&self) -> Timestamp {
        std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or_else(Timestamp::now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_clock_reads_the_instant_in_its_file() {
        let path = std::env::temp_dir().join(format!("baton-clock-{}", std::process::id()));
        let clock = FileClock::new(&path);
        std::fs::write(&path, "2026-03-02T08:00:00Z\n").expect("write");
        assert_eq!(
            clock.now(),
            "2026-03-02T08:00:00Z".parse::<Timestamp>().expect("ts")
        );
        std::fs::write(&path, "2026-03-02T17:30:00Z").expect("write");
        assert_eq!(
            clock.now(),
            "2026-03-02T17:30:00Z".parse::<Timestamp>().expect("ts")
        );
        std::fs::remove_file(&path).expect("remove");
    }
}
