//! The notification policy a member sets: delivery windows, email digest and event kinds.
//!
//! Owns: [`NotificationPolicy`], its validation, the parsing of a window, and the check that
//! warns about windows outside working hours. Does not own: finding the next window instant
//! (see `schedule_rule`).

use jiff::civil::Time;
use serde::{Deserialize, Serialize};

use crate::schedule::{Day, Schedule};
use crate::{CoreError, CoreResult};

/// Most delivery windows one policy may hold: more than hourly during a working day would
/// defeat the point of holding notifications.
pub const MAX_WINDOWS: usize = 12;

/// The window value meaning "the start of each working period", so a member with a split
/// day (or changing hours) need not restate their hours as windows.
pub const START_WINDOW: &str = "start";

/// Which kinds of events notify the member at all. Every kind is on unless turned off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EventKinds {
    /// Asks addressed to the member.
    pub asks: bool,
    /// Mentions of the member in a post.
    pub mentions: bool,
    /// Replies in threads the member follows.
    pub replies: bool,
    /// Work handed off to the member.
    pub handoffs: bool,
    /// Meetings the member is invited to or that change.
    pub meetings: bool,
    /// Decisions recorded in threads the member follows.
    pub decisions: bool,
}

impl Default for EventKinds {
    fn default() -> Self {
        Self {
            asks: true,
            mentions: true,
            replies: true,
            handoffs: true,
            meetings: true,
            decisions: true,
        }
    }
}

/// When and how a member's held notifications are delivered, as the API receives and stores
/// it. Checked (and normalized) by [`NotificationPolicy::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotificationPolicy {
    /// Delivery windows: local wall-clock times `HH:MM`, or [`START_WINDOW`] for the start of
    /// each working period. The default, 09:00 and 14:00, is the start of a typical working
    /// day and the early afternoon.
    pub windows: Vec<String>,
    /// Whether held notifications are also sent as one email per window.
    pub email_digest: bool,
    /// Which events notify the member at all.
    pub events: EventKinds,
}

impl Default for NotificationPolicy {
    fn default() -> Self {
        Self {
            windows: vec!["09:00".to_owned(), "14:00".to_owned()],
            email_digest: true,
            events: EventKinds::default(),
        }
    }
}

/// One parsed delivery window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Window {
    /// The start of each working period. Sorts first: it is the start of a day.
    Start,
    /// A local wall-clock time on every date.
    At(Time),
}

impl Window {
    /// Parses `HH:MM` (00:00 to 23:59) or [`START_WINDOW`].
    pub(super) fn parse(text: &str) -> Option<Self> {
        if text == START_WINDOW {
            return Some(Self::Start);
        }
        let b = text.as_bytes();
        let digit = |i: usize| {
            b.get(i)
                .filter(|c| c.is_ascii_digit())
                .and_then(|c| i8::try_from(c - b'0').ok())
        };
        if b.len() != 5 || b[2] != b':' {
            return None;
        }
        let (hours, minutes) = (digit(0)? * 10 + digit(1)?, digit(3)? * 10 + digit(4)?);
        Time::new(hours, minutes, 0, 0).ok().map(Self::At)
    }

    /// The stored spelling: `HH:MM` or [`START_WINDOW`].
    fn format(self) -> String {
        match self {
            Self::Start => START_WINDOW.to_owned(),
            Self::At(t) => format!("{:02}:{:02}", t.hour(), t.minute()),
        }
    }
}

impl NotificationPolicy {
    /// Checks the policy and returns it normalized: windows sorted (`start` first, then by
    /// time of day).
    ///
    /// # Errors
    ///
    /// `windows` when there are none, more than [`MAX_WINDOWS`], one that is neither `HH:MM`
    /// nor [`START_WINDOW`], or the same window twice.
    pub fn validate(mut self) -> CoreResult<NotificationPolicy> {
        if self.windows.is_empty() || self.windows.len() > MAX_WINDOWS {
            return Err(CoreError::invalid(
                "windows",
                format!("a policy needs between 1 and {MAX_WINDOWS} delivery windows"),
            ));
        }
        let mut parsed = Vec::with_capacity(self.windows.len());
        for text in &self.windows {
            let window = Window::parse(text).ok_or_else(|| {
                let shown: String = text.chars().take(20).collect();
                CoreError::invalid(
                    "windows",
                    format!("'{shown}' is neither a wall-clock time HH:MM nor '{START_WINDOW}'"),
                )
            })?;
            parsed.push(window);
        }
        parsed.sort_unstable();
        if let Some(pair) = parsed.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(CoreError::invalid(
                "windows",
                format!("the window {} is listed twice", pair[0].format()),
            ));
        }
        self.windows = parsed.into_iter().map(Window::format).collect();
        Ok(self)
    }

    /// The windows as parsed. One that does not parse is skipped, so an unvalidated policy
    /// can only deliver less often, never at a time nobody chose.
    pub(super) fn parsed_windows(&self) -> Vec<Window> {
        self.windows
            .iter()
            .filter_map(|w| Window::parse(w))
            .collect()
    }

    /// The `HH:MM` windows whose wall-clock time lies inside no working interval of any
    /// weekday, for the warning "this window is outside your working hours". Such a window
    /// never fires. Read from the weekly rule (a representative week), so time off and
    /// daylight-saving days do not cause a warning. [`START_WINDOW`] is never reported.
    pub fn windows_outside_working_hours(&self, schedule: &Schedule) -> Vec<String> {
        let weekly = &schedule.spec().weekly;
        let intervals: Vec<(Time, Time)> = Day::ALL
            .iter()
            .flat_map(|&day| weekly.day(day))
            .filter_map(
                |[start, end]| match (Window::parse(start), Window::parse(end)) {
                    (Some(Window::At(start)), Some(Window::At(end))) => Some((start, end)),
                    _ => None,
                },
            )
            .collect();
        // An interval whose end is not after its start runs past midnight; its part after
        // midnight falls on the next weekday, which is also in the representative week.
        let inside = |t: Time| {
            intervals.iter().any(|&(start, end)| {
                if start < end {
                    start <= t && t < end
                } else {
                    start <= t || t < end
                }
            })
        };
        self.parsed_windows()
            .into_iter()
            .filter_map(|window| match window {
                Window::At(t) if !inside(t) => Some(window.format()),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(windows: &[&str]) -> NotificationPolicy {
        NotificationPolicy {
            windows: windows.iter().map(|w| (*w).to_owned()).collect(),
            ..NotificationPolicy::default()
        }
    }

    #[test]
    fn windows_are_sorted_with_start_first() {
        let valid = policy(&["14:00", "start", "09:30"]).validate().unwrap();
        assert_eq!(valid.windows, ["start", "09:30", "14:00"]);
    }

    #[test]
    fn bad_duplicate_and_too_many_windows_are_refused() {
        for windows in [
            &[][..],
            &["9:00"][..],
            &["24:00"][..],
            &["12:60"][..],
            &["Start"][..],
            &["09:00", "14:00", "09:00"][..],
        ] {
            let err = policy(windows).validate().unwrap_err();
            assert_eq!(err.field, "windows", "{windows:?}");
        }
        let thirteen: Vec<String> = (0..13).map(|h| format!("{h:02}:00")).collect();
        let err = NotificationPolicy {
            windows: thirteen,
            ..NotificationPolicy::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(err.field, "windows");
    }

    #[test]
    fn the_default_policy_is_valid_and_missing_fields_take_defaults() {
        let parsed: NotificationPolicy =
            serde_json::from_value(serde_json::json!({ "events": { "replies": false } })).unwrap();
        assert_eq!(parsed.windows, ["09:00", "14:00"]);
        assert!(parsed.email_digest && parsed.events.asks && !parsed.events.replies);
        assert_eq!(
            NotificationPolicy::default().validate().unwrap(),
            NotificationPolicy::default()
        );
        let unknown = serde_json::json!({ "window": ["09:00"] });
        assert!(serde_json::from_value::<NotificationPolicy>(unknown).is_err());
    }
}
