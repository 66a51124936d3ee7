//! Reading an external calendar: iCalendar text in, the member's busy times within a window out.
//!
//! Owns: [`busy_times`] and its [`IcsError`] (every error names the line of the text it is
//! about). Does not own: fetching (`calendar::fetch`) or storing (the store's calendars).
//!
//! How time is decided: the `icalendar` crate parses the text and the `rrule` crate expands
//! `RRULE`s, but neither decides what instant a wall-clock time is. Each event is expanded in
//! its own *floating* local wall time (handed to `rrule` as if it were UTC, which has no
//! gaps or folds), and each local occurrence is then mapped to an instant with jiff's bundled
//! time zone database for the event's `TZID` (or the member's zone for floating times and
//! all-day events). So a weekly 09:00 in `Europe/Berlin` stays 09:00 across daylight saving,
//! and one tz database (jiff's) decides every instant Baton shows. The alternative, letting
//! `rrule` use chrono-tz, would bring a second database that could disagree with jiff's.

use std::collections::HashMap;

use baton_core::calendar::{Busy, MAX_BUSY_TIMES};
use chrono::{Datelike as _, TimeZone as _, Timelike as _};
use icalendar::parser::{Component, Property, read_calendar};
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, ZonedDateTime};
use rrule::{Frequency, RRule, RRuleSet, Unvalidated};

/// Why a calendar could not be read, and the line (1-based, of the text as given) it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsError {
    /// The line the problem is on, counting from 1.
    pub line: usize,
    /// What is wrong, for people.
    pub message: String,
}

impl std::fmt::Display for IcsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

fn fail<T>(line: usize, message: impl Into<String>) -> Result<T, IcsError> {
    Err(IcsError {
        line,
        message: message.into(),
    })
}

/// The busy times of the calendar `text` that overlap `window`: each event's occurrences
/// (`RRULE`, `RDATE`, `EXDATE`, and `RECURRENCE-ID` overrides replacing the occurrence they
/// name), except events marked `TRANSP:TRANSPARENT` or `STATUS:CANCELLED`. An all-day event
/// is busy for its whole local days; floating times and all-day events are read in `zone`
/// (the member's). Sorted by start.
///
/// # Errors
/// When the text is not iCalendar, an event lacks or garbles a date, names an unknown time
/// zone, has a recurrence rule that is not supported (`SECONDLY`, `MINUTELY`, or one the
/// `rrule` crate refuses), or when the window holds more than [`MAX_BUSY_TIMES`] busy times.
pub fn busy_times(
    text: &str,
    zone: &TimeZone,
    window: (Timestamp, Timestamp),
) -> Result<Vec<Busy>, IcsError> {
    let lines = unfolded(text);
    let events = scan(&lines)?;
    let joined: String = lines.iter().map(|(l, _)| format!("{l}\r\n")).collect();
    let calendar = read_calendar(&joined).map_err(|message| parser_error(&message, &lines))?;
    let parsed: Vec<&Component<'_>> = calendar
        .components
        .iter()
        .filter(|c| c.name.as_str().eq_ignore_ascii_case("VEVENT"))
        .collect();
    if parsed.len() != events.len() {
        return fail(1, "the calendar's events could not be told apart");
    }
    let mut read = Vec::with_capacity(parsed.len());
    for (component, lines) in parsed.into_iter().zip(&events) {
        read.push(Event::read(component, lines, zone)?);
    }
    // A RECURRENCE-ID override replaces the occurrence of its series that starts then.
    let mut replaced: HashMap<&str, Vec<Timestamp>> = HashMap::new();
    for event in &read {
        if let (Some(uid), Some(at)) = (event.uid.as_deref(), event.recurrence_id) {
            replaced.entry(uid).or_default().push(at);
        }
    }
    let mut busy = Vec::new();
    for event in read.iter().filter(|e| e.busy) {
        let skip = match (&event.uid, event.recurrence_id) {
            (Some(uid), None) => replaced.get(uid.as_str()).map(Vec::as_slice),
            _ => None,
        };
        event.occurrences(zone, window, skip.unwrap_or_default(), &mut busy)?;
        if busy.len() > MAX_BUSY_TIMES {
            return fail(
                event.lines.begin,
                format!(
                    "the calendar holds more than {MAX_BUSY_TIMES} busy times in the {} days Baton keeps",
                    window.1.duration_since(window.0).as_hours() / 24
                ),
            );
        }
    }
    busy.sort();
    Ok(busy)
}

/// The content lines of `text` with folded lines joined (RFC 5545 3.1), each with the line
/// number it starts on; blank lines are dropped.
fn unfolded(text: &str) -> Vec<(String, usize)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines: Vec<(String, usize)> = Vec::new();
    for (n, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        match (line.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some((last, _))) => last.push_str(rest),
            _ if line.trim().is_empty() => {}
            _ => lines.push((line.to_owned(), n + 1)),
        }
    }
    lines
}

/// Where an event's lines are: its `BEGIN:VEVENT` and the first line of each property.
#[derive(Debug, Default)]
struct EventLines {
    begin: usize,
    properties: HashMap<String, usize>,
}

impl EventLines {
    fn of(&self, name: &str) -> usize {
        self.properties.get(name).copied().unwrap_or(self.begin)
    }
}

/// Checks the shape of the content lines (each `NAME[;PARAM…]:VALUE`, `BEGIN`s and `END`s
/// nested and closed, one `VCALENDAR` around everything) and notes where each event's
/// properties are, so that later errors can name their lines.
fn scan(lines: &[(String, usize)]) -> Result<Vec<EventLines>, IcsError> {
    let mut open: Vec<String> = Vec::new();
    let mut events = Vec::new();
    let mut closed = false;
    for (line, n) in lines {
        let n = *n;
        let name_end = line.find([';', ':']).unwrap_or(line.len());
        let name = &line[..name_end];
        if name.is_empty()
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            || !line.contains(':')
        {
            return fail(n, "expected a content line NAME:VALUE");
        }
        let name = name.to_ascii_uppercase();
        let value = line.split_once(':').map_or("", |(_, v)| v).trim();
        if closed {
            return fail(n, "nothing may follow END:VCALENDAR");
        }
        match name.as_str() {
            "BEGIN" => {
                let what = value.to_ascii_uppercase();
                if open.is_empty() && what != "VCALENDAR" {
                    return fail(n, "a calendar starts with BEGIN:VCALENDAR");
                }
                if what == "VEVENT" && open.len() == 1 {
                    events.push(EventLines {
                        begin: n,
                        properties: HashMap::new(),
                    });
                }
                open.push(what);
            }
            "END" => match open.pop() {
                Some(what) if what == value.to_ascii_uppercase() => closed = open.is_empty(),
                Some(what) => return fail(n, format!("expected END:{what}")),
                None => return fail(n, "END without BEGIN"),
            },
            _ if open.is_empty() => return fail(n, "a calendar starts with BEGIN:VCALENDAR"),
            _ => {
                if let (2, Some(event)) = (open.len(), events.last_mut())
                    && open[1] == "VEVENT"
                {
                    event.properties.entry(name).or_insert(n);
                }
            }
        }
    }
    match (open.last(), lines.last()) {
        (Some(what), Some((_, n))) => fail(*n, format!("END:{what} is missing")),
        (_, None) => fail(1, "the calendar is empty"),
        _ => Ok(events),
    }
}

/// The parser's error, with its line (of the unfolded text) turned into a line of the text.
fn parser_error(message: &str, lines: &[(String, usize)]) -> IcsError {
    let line = message
        .split("line ")
        .nth(1)
        .and_then(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<usize>().ok()
        })
        .and_then(|k| lines.get(k.saturating_sub(1)))
        .map_or(1, |(_, n)| *n);
    IcsError {
        line,
        message: "this is not valid iCalendar".to_owned(),
    }
}

/// A date or date-time value as written, before it is placed in time.
#[derive(Debug, Clone)]
enum When {
    /// `VALUE=DATE`: a whole local day.
    Date(Date),
    /// A UTC date-time (`…Z`).
    Utc(DateTime),
    /// A date-time in a named zone (`TZID=…`).
    Zoned(DateTime, TimeZone),
    /// A floating date-time: local wherever the reader is (here, the member's zone).
    Floating(DateTime),
}

impl When {
    /// Reads one value of `prop` (a list property has several, comma-separated).
    fn parse(value: &str, prop: &Property<'_>, line: usize) -> Result<Self, IcsError> {
        let param = |key: &str| {
            prop.params
                .iter()
                .find(|p| p.key.as_str().eq_ignore_ascii_case(key))
                .and_then(|p| p.val.as_ref())
                .map(|v| v.as_str().trim_matches('"').to_owned())
        };
        let bad = || {
            fail(
                line,
                format!(
                    "{} '{value}' is not a date or date-time",
                    prop.name.as_str()
                ),
            )
        };
        let value = value.trim();
        let is_date = param("VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
            || (value.len() == 8 && value.bytes().all(|b| b.is_ascii_digit()));
        if is_date {
            return match Date::strptime("%Y%m%d", value) {
                Ok(date) => Ok(When::Date(date)),
                Err(_) => bad(),
            };
        }
        let (text, utc) = match value.strip_suffix(['Z', 'z']) {
            Some(text) => (text, true),
            None => (value, false),
        };
        let Ok(dt) = DateTime::strptime("%Y%m%dT%H%M%S", text) else {
            return bad();
        };
        if utc {
            return Ok(When::Utc(dt));
        }
        match param("TZID") {
            Some(name) => match baton_core::tzdb::zone(name.trim_start_matches('/')) {
                Ok(tz) => Ok(When::Zoned(dt, tz)),
                Err(_) => fail(line, format!("the time zone '{name}' is not known")),
            },
            None => Ok(When::Floating(dt)),
        }
    }

    /// The zone this value's wall-clock time belongs to.
    fn zone(&self, member: &TimeZone) -> TimeZone {
        match self {
            When::Utc(_) => TimeZone::UTC,
            When::Zoned(_, tz) => tz.clone(),
            When::Date(_) | When::Floating(_) => member.clone(),
        }
    }

    /// The instant it names (an all-day value: the start of its day in `member`'s zone).
    fn zoned(&self, member: &TimeZone) -> Result<ZonedDateTime, jiff::Error> {
        let wall = match self {
            When::Date(d) => d.to_datetime(jiff::civil::Time::midnight()),
            When::Utc(dt) | When::Zoned(dt, _) | When::Floating(dt) => *dt,
        };
        self.zone(member)
            .to_ambiguous_zoned_datetime(wall)
            .compatible()
    }

    /// Its wall-clock time in `anchor`, the zone a series is expanded in. A floating value
    /// is taken as written (it is local wherever it is read).
    fn wall_in(&self, anchor: &TimeZone, member: &TimeZone) -> Result<DateTime, jiff::Error> {
        match self {
            When::Date(d) => Ok(d.to_datetime(jiff::civil::Time::midnight())),
            When::Floating(dt) => Ok(*dt),
            _ => Ok(self
                .zoned(member)?
                .with_time_zone(anchor.clone())
                .datetime()),
        }
    }
}

/// How long each occurrence lasts.
#[derive(Debug, Clone, Copy)]
enum Length {
    /// Whole local days (an all-day event).
    Days(i64),
    /// A span added to each start in its zone (`DURATION`, or `DTEND` less `DTSTART`).
    Span(Span),
}

/// One `VEVENT`, read.
#[derive(Debug)]
struct Event<'l> {
    lines: &'l EventLines,
    uid: Option<String>,
    start: When,
    length: Length,
    rrule: Option<(String, usize)>,
    rdates: Vec<When>,
    exdates: Vec<When>,
    recurrence_id: Option<Timestamp>,
    busy: bool,
}

/// The values of every `name` property of `c`, each with its property.
fn values<'c>(c: &'c Component<'c>, name: &str) -> Vec<&'c Property<'c>> {
    c.properties
        .iter()
        .filter(|p| p.name.as_str().eq_ignore_ascii_case(name))
        .collect()
}

fn text<'c>(c: &'c Component<'c>, name: &str) -> Option<&'c str> {
    values(c, name).first().map(|p| p.val.as_str().trim())
}

impl<'l> Event<'l> {
    fn read(c: &Component<'_>, lines: &'l EventLines, zone: &TimeZone) -> Result<Self, IcsError> {
        let when = |name: &str| -> Result<Option<When>, IcsError> {
            match values(c, name).first() {
                Some(p) => When::parse(p.val.as_str(), p, lines.of(name)).map(Some),
                None => Ok(None),
            }
        };
        let Some(start) = when("DTSTART")? else {
            return fail(lines.begin, "this event has no DTSTART");
        };
        let list = |name: &str| -> Result<Vec<When>, IcsError> {
            let mut all = Vec::new();
            for p in values(c, name) {
                for value in p.val.as_str().split(',') {
                    all.push(When::parse(value, p, lines.of(name))?);
                }
            }
            Ok(all)
        };
        let length = match (&start, when("DTEND")?, text(c, "DURATION")) {
            (When::Date(from), Some(When::Date(to)), _) => {
                Length::Days(from.until(to).map_or(1, |s| i64::from(s.get_days())).max(1))
            }
            (When::Date(_), None, Some(d)) => match d.parse::<Span>() {
                Ok(span) if span.get_days() > 0 => Length::Days(i64::from(span.get_days())),
                _ => Length::Days(1),
            },
            (When::Date(_), ..) => Length::Days(1),
            (_, Some(end), _) => {
                let line = lines.of("DTEND");
                let placed = start.zoned(zone).and_then(|s| Ok((s, end.zoned(zone)?)));
                let Ok((from, to)) = placed else {
                    return fail(line, "DTEND cannot be placed in time");
                };
                if to <= from {
                    return fail(line, "DTEND must be after DTSTART");
                }
                match Span::try_from(to.timestamp().duration_since(from.timestamp())) {
                    Ok(span) => Length::Span(span),
                    Err(_) => return fail(line, "this event is too long"),
                }
            }
            (_, None, Some(d)) => match d.parse::<Span>() {
                Ok(span) if span.is_positive() => Length::Span(span),
                _ => {
                    return fail(
                        lines.of("DURATION"),
                        format!("DURATION '{d}' is not a positive duration"),
                    );
                }
            },
            // RFC 5545 3.6.1: a date-time event without an end takes no time.
            (_, None, None) => Length::Span(Span::new()),
        };
        let recurrence_id = match when("RECURRENCE-ID")? {
            Some(at) => match at.zoned(zone) {
                Ok(z) => Some(z.timestamp()),
                Err(_) => {
                    return fail(
                        lines.of("RECURRENCE-ID"),
                        "RECURRENCE-ID cannot be placed in time",
                    );
                }
            },
            None => None,
        };
        let transparent = text(c, "TRANSP").is_some_and(|t| t.eq_ignore_ascii_case("TRANSPARENT"));
        let cancelled = text(c, "STATUS").is_some_and(|s| s.eq_ignore_ascii_case("CANCELLED"));
        Ok(Self {
            lines,
            uid: text(c, "UID").map(str::to_owned),
            length,
            rrule: text(c, "RRULE").map(|r| (r.to_owned(), lines.of("RRULE"))),
            rdates: list("RDATE")?,
            exdates: list("EXDATE")?,
            recurrence_id,
            busy: !transparent && !cancelled,
            start,
        })
    }

    /// Adds this event's occurrences that overlap `window` to `out`, leaving out those that
    /// start at an instant in `skip` (replaced by an override).
    fn occurrences(
        &self,
        zone: &TimeZone,
        window: (Timestamp, Timestamp),
        skip: &[Timestamp],
        out: &mut Vec<Busy>,
    ) -> Result<(), IcsError> {
        let anchor = self.start.zone(zone);
        let line = self.lines.of("DTSTART");
        let wall = |w: &When| {
            w.wall_in(&anchor, zone)
                .or_else(|_| fail(line, "a date of this event cannot be placed in time"))
        };
        let first = wall(&self.start)?;
        let mut starts: Vec<DateTime> = match &self.rrule {
            None => vec![first],
            Some((rule, rule_line)) => {
                self.expand(rule, *rule_line, first, &anchor, zone, window)?
            }
        };
        for rdate in &self.rdates {
            starts.push(wall(rdate)?);
        }
        let excluded = self
            .exdates
            .iter()
            .map(wall)
            .collect::<Result<Vec<_>, _>>()?;
        starts.retain(|s| !excluded.contains(s));
        starts.sort();
        starts.dedup();
        for local in starts {
            let Ok(start) = anchor.to_ambiguous_zoned_datetime(local).compatible() else {
                continue;
            };
            let end =
                match self.length {
                    Length::Days(days) => local
                        .date()
                        .checked_add(Span::new().days(days))
                        .and_then(|d| {
                            anchor
                                .to_ambiguous_zoned_datetime(
                                    d.to_datetime(jiff::civil::Time::midnight()),
                                )
                                .compatible()
                        }),
                    Length::Span(span) => start.checked_add(span),
                };
            let Ok(end) = end else { continue };
            let (start, end) = (start.timestamp(), end.timestamp());
            // An occurrence without length holds no time.
            if end > window.0 && start < window.1 && end > start && !skip.contains(&start) {
                out.push(Busy { start, end });
            }
            if out.len() > MAX_BUSY_TIMES {
                break;
            }
        }
        Ok(())
    }

    /// The local starts of the series `rule` (the `RRULE` value) from `first`, in floating
    /// wall time, that may overlap `window`.
    fn expand(
        &self,
        rule: &str,
        line: usize,
        first: DateTime,
        anchor: &TimeZone,
        zone: &TimeZone,
        window: (Timestamp, Timestamp),
    ) -> Result<Vec<DateTime>, IcsError> {
        // UNTIL is read here, like every other date, and placed in the series' wall time.
        let mut until = None;
        let mut parts = Vec::new();
        for part in rule.split(';').filter(|p| !p.is_empty()) {
            match part.split_once('=') {
                Some((key, value)) if key.eq_ignore_ascii_case("UNTIL") => until = Some(value),
                _ => parts.push(part),
            }
        }
        let refused = |why: String| IcsError {
            line,
            message: format!("the recurrence rule is not supported: {why}"),
        };
        let mut parsed: RRule<Unvalidated> = match parts.join(";").parse() {
            Ok(rule) => rule,
            Err(e) => return Err(refused(e.to_string())),
        };
        if matches!(parsed.get_freq(), Frequency::Secondly | Frequency::Minutely) {
            return Err(refused(format!(
                "FREQ={} repeats more often than Baton keeps busy times for",
                parsed.get_freq()
            )));
        }
        if let Some(value) = until {
            let prop = Property::new_ref("UNTIL", value);
            let until = match When::parse(value, &prop, line)? {
                // A date UNTIL includes the whole of that day.
                When::Date(d) if !matches!(self.start, When::Date(_)) => {
                    d.to_datetime(jiff::civil::Time::constant(23, 59, 59, 0))
                }
                other => other
                    .wall_in(anchor, zone)
                    .or_else(|_| fail(line, "UNTIL cannot be placed in time"))?,
            };
            parsed = parsed.until(floating(until, line)?);
        }
        let start = floating(first, line)?;
        let rule = parsed.validate(start).map_err(|e| refused(e.to_string()))?;
        // Far enough on both sides of the window for any zone's offset and the event's length.
        let margin = jiff::SignedDuration::from_hours(48);
        let reach = match self.length {
            Length::Days(days) => jiff::SignedDuration::from_hours(24 * days),
            Length::Span(span) => span
                .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
                .unwrap_or_default(),
        };
        let after = civil_utc(window.0 - margin - reach);
        let before = civil_utc(window.1 + margin);
        let limit = u16::try_from(MAX_BUSY_TIMES + 1).unwrap_or(u16::MAX);
        let found = RRuleSet::new(start)
            .rrule(rule)
            .after(floating(after, line)?)
            .before(floating(before, line)?)
            .all(limit);
        if found.limited && found.dates.len() < usize::from(limit) {
            return Err(refused(
                "it could not be expanded within Baton's limits".to_owned(),
            ));
        }
        Ok(found.dates.iter().filter_map(civil).collect())
    }
}

/// The wall-clock time of `t` in UTC.
fn civil_utc(t: Timestamp) -> DateTime {
    t.to_zoned_datetime(TimeZone::UTC).datetime()
}

/// A floating wall-clock time as `rrule` takes it: the same digits, labelled UTC.
fn floating(dt: DateTime, line: usize) -> Result<chrono::DateTime<rrule::Tz>, IcsError> {
    let utc = rrule::Tz::UTC.with_ymd_and_hms(
        i32::from(dt.year()),
        u32::try_from(dt.month()).unwrap_or(1),
        u32::try_from(dt.day()).unwrap_or(1),
        u32::try_from(dt.hour()).unwrap_or(0),
        u32::try_from(dt.minute()).unwrap_or(0),
        u32::try_from(dt.second()).unwrap_or(0),
    );
    match utc.single() {
        Some(at) => Ok(at),
        None => fail(line, "this date is out of range"),
    }
}

/// The digits of a floating time `rrule` produced, back as a wall-clock time (`None` beyond
/// jiff's range of years).
fn civil(d: &chrono::DateTime<rrule::Tz>) -> Option<DateTime> {
    let part = |n: u32| i8::try_from(n).ok();
    DateTime::new(
        i16::try_from(d.year()).ok()?,
        part(d.month())?,
        part(d.day())?,
        part(d.hour())?,
        part(d.minute())?,
        part(d.second())?,
        0,
    )
    .ok()
}
