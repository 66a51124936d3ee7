//! The file `baton serve --clock-file` reads "now" from: one RFC 3339 instant, which the
//! benchmark rewrites to open the recipients' delivery window instead of waiting for it.
//!
//! Owns: the file, in its own temporary directory, and replacing its content atomically.

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::Context;
use tempfile::TempDir;

/// A clock file the server follows; removed with its directory when dropped.
#[derive(Debug)]
pub struct ClockFile {
    dir: TempDir,
    path: PathBuf,
}

impl ClockFile {
    /// A new clock file showing `at` (an RFC 3339 instant such as `2026-06-01T08:00:00Z`).
    ///
    /// # Errors
    /// When the temporary directory or the file cannot be written.
    pub fn new(at: &str) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("baton-bench-clock-")
            .tempdir()
            .context("creating a directory for the clock file")?;
        let path = dir.path().join("now");
        let clock = Self { dir, path };
        clock.set(at)?;
        Ok(clock)
    }

    /// The flags that make `baton serve` follow this file.
    pub fn serve_args(&self) -> [OsString; 2] {
        ["--clock-file".into(), self.path.clone().into()]
    }

    /// Moves the server's clock to `at`.
    ///
    /// The server reads the file whenever it asks for the time, and a file it cannot parse
    /// reads as the system time (months away from the benchmark's Monday), so the new instant
    /// is written beside the file and renamed over it: a reader sees the old instant or the
    /// new one, never half of one.
    ///
    /// # Errors
    /// When the file cannot be written or renamed.
    pub fn set(&self, at: &str) -> anyhow::Result<()> {
        let next = self.dir.path().join("now.next");
        std::fs::write(&next, format!("{at}\n"))
            .with_context(|| format!("writing {}", next.display()))?;
        std::fs::rename(&next, &self.path)
            .with_context(|| format!("replacing {}", self.path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_holds_the_last_instant_set() {
        let clock = ClockFile::new("2026-06-01T08:00:00Z").expect("clock");
        clock.set("2026-06-01T09:00:00Z").expect("set");
        let text = std::fs::read_to_string(&clock.path).expect("read");
        assert_eq!(text.trim(), "2026-06-01T09:00:00Z");
        let [flag, path] = clock.serve_args();
        assert_eq!(flag, "--clock-file");
        assert_eq!(PathBuf::from(path), clock.path);
    }
}
