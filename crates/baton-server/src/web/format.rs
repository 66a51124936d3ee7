//! Times and durations as pages show them: in the viewer's zone, with the other person's
//! beside it where it matters, and effort in working time.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// `ts` in `zone` as "Tue 24 Nov 11:00" (UTC when the zone is unknown).
pub fn day_time(ts: Timestamp, zone: &str) -> String {
    in_zone(ts, zone).strftime("%a %-d %b %H:%M").to_string()
}

/// `ts` in `zone` as "Tue 11:00", for times within the coming week.
pub fn weekday_time(ts: Timestamp, zone: &str) -> String {
    in_zone(ts, zone).strftime("%a %H:%M").to_string()
}

/// `ts` in `zone` as "11:00".
pub fn clock(ts: Timestamp, zone: &str) -> String {
    in_zone(ts, zone).strftime("%H:%M").to_string()
}

/// `ts` in `zone` as an HTML `datetime` attribute value with offset.
pub fn machine(ts: Timestamp, zone: &str) -> String {
    in_zone(ts, zone)
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn in_zone(ts: Timestamp, zone: &str) -> jiff::ZonedDateTime {
    ts.to_zoned_datetime(baton_core::tzdb::zone(zone).unwrap_or(TimeZone::UTC))
}

/// The city part of an IANA zone: "America/Sao_Paulo" → "Sao Paulo".
pub fn city(zone: &str) -> String {
    zone.rsplit('/').next().unwrap_or(zone).replace('_', " ")
}

/// A span of working time in words: "40 working minutes", "5 working hours", "2 working
/// days" (a working day counted as 8 hours).
pub fn working(minutes: i64) -> String {
    let m = minutes.abs();
    let (n, unit) = if m < 60 {
        (m, "minute")
    } else if m < 8 * 60 * 2 {
        ((m + 30) / 60, "hour")
    } else {
        ((m + 4 * 60) / (8 * 60), "day")
    };
    let plural = if n == 1 { "" } else { "s" };
    format!("{n} working {unit}{plural}")
}

/// "in 5 working hours" or "5 working hours overdue".
pub fn due_in(minutes: i64) -> String {
    if minutes >= 0 {
        format!("in {}", working(minutes))
    } else {
        format!("{} overdue", working(minutes))
    }
}

/// Every IANA zone name Baton knows, sorted, for time zone pickers.
pub fn zone_names() -> &'static [String] {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<String> = baton_core::tzdb::current()
            .db
            .available()
            .map(|n| n.as_str().to_owned())
            .filter(|n| n.contains('/') || n == "UTC")
            .collect();
        names.sort();
        names.dedup();
        names
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_the_given_zone() {
        let ts: Timestamp = "2026-11-24T14:00:00Z".parse().expect("ts");
        assert_eq!(day_time(ts, "America/Sao_Paulo"), "Tue 24 Nov 11:00");
        assert_eq!(clock(ts, "Asia/Kolkata"), "19:30");
        assert_eq!(weekday_time(ts, "Nowhere/Unknown"), "Tue 14:00");
        assert_eq!(city("America/Sao_Paulo"), "Sao Paulo");
    }

    #[test]
    fn working_spans_read_naturally() {
        assert_eq!(due_in(40), "in 40 working minutes");
        assert_eq!(due_in(300), "in 5 working hours");
        assert_eq!(due_in(60), "in 1 working hour");
        assert_eq!(due_in(-120), "2 working hours overdue");
        assert_eq!(working(3 * 8 * 60), "3 working days");
    }
}
