//! The time zone database: the newer of the bundled copy and the system's wins, and a stale
//! system copy never overrides rules the bundled copy has replaced.
//!
//! The pin is America/Vancouver, whose rules changed in 2026: from 2 November 2026 it stays on
//! UTC−7 all year (tzdb 2026f), where older releases (the 2025b Debian 12 ships) fall back to
//! UTC−8. The system copies here are fake `TZDIR`s holding that older rule, built by the test,
//! so the result does not depend on the host's tzdata.

mod common;

use std::path::Path;

use baton_core::tzdb::{Source, Tzdb};
use baton_server::tzdb::choose;
use common::{ClockFile, Deployment, Http, Server, Session, baton_command, run_command};
use jiff::Timestamp;
use serde_json::json;

/// Monday 2 November 2026, 17:30 UTC: 10:30 in Vancouver under the 2026 rules, 09:30 under the
/// old ones.
const MONDAY: &str = "2026-11-02T17:30:00Z";
/// The rule releases before 2026 give Vancouver (POSIX TZ): Pacific time, summer time from the
/// second Sunday of March to the first Sunday of November.
const OLD_VANCOUVER: &str = "PST8PDT,M3.2.0,M11.1.0";

/// A TZif file (RFC 8536, version 2) without transitions whose footer `rule` governs all time;
/// its one local time type is `designation`, `utoff` seconds from UTC.
fn tzif(designation: &str, utoff: i32, rule: &str) -> Vec<u8> {
    let mut block = Vec::new();
    // isutcnt, isstdcnt, leapcnt, timecnt: none; typecnt: one; charcnt: the designation + NUL.
    for count in [0, 0, 0, 0, 1, designation.len() + 1] {
        block.extend_from_slice(&u32::try_from(count).expect("small").to_be_bytes());
    }
    block.extend_from_slice(&utoff.to_be_bytes());
    block.extend_from_slice(&[0, 0]); // not DST, designation at index 0
    block.extend_from_slice(designation.as_bytes());
    block.push(0);
    let mut file = Vec::new();
    // The version 1 part and the version 2 part are the same when there are no transitions.
    for _ in 0..2 {
        file.extend_from_slice(b"TZif2");
        file.extend_from_slice(&[0; 15]);
        file.extend_from_slice(&block);
    }
    file.extend_from_slice(format!("\n{rule}\n").as_bytes());
    file
}

/// A system copy in `dir` holding Vancouver's pre-2026 rule, whose `tzdata.zi` names
/// `release` (none when `None`).
fn fake_tzdir(dir: &Path, release: Option<&str>) {
    std::fs::create_dir_all(dir.join("America")).expect("creating the fake TZDIR");
    std::fs::write(
        dir.join("America/Vancouver"),
        tzif("PST", -8 * 3600, OLD_VANCOUVER),
    )
    .expect("writing the fake zone");
    if let Some(release) = release {
        std::fs::write(
            dir.join("tzdata.zi"),
            format!("# version {release}\n# ddeps\n"),
        )
        .expect("writing tzdata.zi");
    }
}

/// Vancouver's offset from UTC at [`MONDAY`] in `tzdb`, in hours.
fn vancouver_offset_hours(tzdb: &Tzdb) -> i32 {
    let zone = tzdb.db.get("America/Vancouver").expect("Vancouver");
    let at: Timestamp = MONDAY.parse().expect("instant");
    zone.to_offset(at).seconds() / 3600
}

#[test]
fn the_bundled_copy_holds_the_2026_vancouver_rule() {
    let bundled = Tzdb::bundled();
    assert!(bundled.release.as_str() >= "2026f", "{}", bundled.release);
    assert_eq!(vancouver_offset_hours(&bundled), -7);
}

#[test]
fn an_older_system_copy_loses_to_the_bundled_copy() {
    let dir = tempfile::tempdir().expect("temp dir");
    fake_tzdir(dir.path(), Some("2025b"));
    let chosen = choose(Some(dir.path()));
    assert_eq!(chosen.source, Source::Bundled);
    assert_eq!(chosen.release, Tzdb::bundled().release);
    assert_eq!(vancouver_offset_hours(&chosen), -7, "the 2026 rule");
}

#[test]
fn a_system_copy_naming_no_release_loses_to_the_bundled_copy() {
    let dir = tempfile::tempdir().expect("temp dir");
    fake_tzdir(dir.path(), None);
    let chosen = choose(Some(dir.path()));
    assert_eq!(chosen.source, Source::Bundled);
    assert_eq!(vancouver_offset_hours(&chosen), -7, "the 2026 rule");
}

#[test]
fn a_newer_system_copy_wins_over_the_bundled_copy() {
    let dir = tempfile::tempdir().expect("temp dir");
    fake_tzdir(dir.path(), Some("2099a"));
    let chosen = choose(Some(dir.path()));
    assert_eq!(chosen.source, Source::System);
    assert_eq!(chosen.release, "2099a");
    assert_eq!(
        vancouver_offset_hours(&chosen),
        -8,
        "the system copy's rule"
    );
}

#[test]
fn version_names_the_tz_database_and_where_it_came_from() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (stale, newer) = (dir.path().join("stale"), dir.path().join("newer"));
    fake_tzdir(&stale, Some("2025b"));
    fake_tzdir(&newer, Some("2099a"));
    let version = |tzdir: &Path| {
        let mut command = baton_command(&["--version"]);
        command.env("TZDIR", tzdir);
        let out = run_command(command, "", common::COMMAND_TIMEOUT);
        out.assert_success("baton --version");
        out.stdout.trim().to_owned()
    };
    let release = Tzdb::bundled().release;
    assert_eq!(
        version(&stale),
        format!(
            "baton {} (tzdb {release}, bundled)",
            env!("CARGO_PKG_VERSION")
        )
    );
    assert_eq!(
        version(&newer),
        format!("baton {} (tzdb 2099a, system)", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn serve_with_a_stale_tzdir_applies_the_2026_rules_and_reports_the_bundled_copy() {
    let deployment = Deployment::sqlite();
    let owner = deployment.bootstrap("Acme", "owner@acme.test", "Owner", "America/Vancouver");
    let stale = deployment.scratch().join("zoneinfo");
    fake_tzdir(&stale, Some("2025b"));
    let clock = ClockFile::new(deployment.scratch(), MONDAY);
    let server = Server::start_with_env(
        &deployment,
        &[
            ("TZDIR", stale.to_str().expect("UTF-8 path")),
            ("BATON_CLOCK_FILE", clock.path.to_str().expect("UTF-8 path")),
        ],
    )
    .await;
    let release = Tzdb::bundled().release;

    let http = Http::new();
    let health = http
        .send(
            "GET",
            &format!("{}/healthz", server.base()),
            None,
            &[],
            None,
        )
        .await
        .expect("GET /healthz")
        .expect(200, "healthz");
    assert_eq!(
        health,
        json!({"status": "ok", "tzdb": {"release": release, "source": "bundled"}})
    );
    let metrics = http
        .send(
            "GET",
            &format!("{}/metrics", server.base()),
            None,
            &[],
            None,
        )
        .await
        .expect("GET /metrics");
    let gauge = format!("baton_tzdb_info{{release=\"{release}\",source=\"bundled\"}} 1");
    assert!(metrics.text.contains(&gauge), "{}", metrics.text);

    let session = Session::new(&server.base(), &owner.token);
    let schedule = json!({
        "timezone": "America/Vancouver",
        "weekly": {"mon": [["10:00", "18:00"]]},
    });
    let path = format!("/members/{}", owner.member_id);
    session
        .put(&format!("{path}/schedule"), &schedule)
        .await
        .expect(200, "setting the schedule");
    let member = session.get(&path).await.expect(200, "reading the member");
    assert_eq!(
        (&member["local_time"], &member["working_now"]),
        (&json!("10:30"), &json!(true)),
        "Vancouver keeps UTC−7 after 1 November 2026 (the 2025b rule would say 09:30): {member}"
    );
}
