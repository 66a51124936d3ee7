//! The relay page's coverage chart: a week of working time drawn as hand-written SVG, no script.
//!
//! Owns: the chart's geometry in `viewBox` units (the template draws it, and CSS scales it to
//! the page's width). Does not own: the coverage maths (`baton_core::relay::coverage`, through
//! `services::relays`) or the words about gaps and windows beside the chart (`relay`).

use baton_core::model::Member;
use baton_core::relay::Coverage;
use jiff::{Timestamp, ZonedDateTime};

use crate::routes::dto::time;

/// Width of the leg names' column.
const LABEL_WIDTH: i64 = 110;
/// Height of the day labels' band at the top.
const HEADER: i64 = 20;
/// Height of one row.
const ROW: i64 = 22;
/// Longest leg name drawn in the chart (the table above it has the full name).
const LABEL_CHARS: usize = 16;

/// The coverage chart's geometry: one unit is 15 minutes on the x axis, so every coordinate is
/// a small integer and the chart stays a few kilobytes.
pub(super) struct Chart {
    pub(super) width: i64,
    pub(super) height: i64,
    pub(super) label: String,
    pub(super) days: Vec<Mark>,
    pub(super) rows: Vec<ChartRow>,
    pub(super) covered: ChartRow,
    pub(super) gaps: Vec<Bar>,
    pub(super) overlaps: Vec<Bar>,
}

/// A day boundary with its label.
pub(super) struct Mark {
    pub(super) x: i64,
    pub(super) label: String,
}

/// One row of bars: a leg's working time, or the combined coverage.
pub(super) struct ChartRow {
    pub(super) label: String,
    pub(super) y: i64,
    pub(super) bars: Vec<Bar>,
}

/// One span of time, with a tooltip (`<title>`) when it has one, and its start and end as the
/// API writes them (UTC), so the drawing can be checked against the coverage API.
pub(super) struct Bar {
    pub(super) x: i64,
    pub(super) width: i64,
    pub(super) title: String,
    pub(super) start: String,
    pub(super) end: String,
}

impl Chart {
    /// The chart of `coverage` over the week bounded by `days` (its eight midnights): one row
    /// per leg in `legs`' order, the covered row below them, and a band over every gap, whose
    /// bars carry `gap_titles` as tooltips. `label` is the chart's accessible name.
    pub(super) fn new(
        label: String,
        legs: &[Member],
        coverage: &Coverage,
        days: &[ZonedDateTime],
        gap_titles: &[String],
    ) -> Self {
        let from = days[0].timestamp();
        let x = |ts: Timestamp| LABEL_WIDTH + (ts.duration_since(from).as_secs() + 450) / 900;
        let bars = |spans: &[(Timestamp, Timestamp)], titles: &[String]| -> Vec<Bar> {
            spans
                .iter()
                .enumerate()
                .map(|(i, &(start, end))| Bar {
                    x: x(start),
                    width: (x(end) - x(start)).max(1),
                    title: titles.get(i).cloned().unwrap_or_default(),
                    start: time(start),
                    end: time(end),
                })
                .collect()
        };
        let rows: Vec<ChartRow> = legs
            .iter()
            .zip(&coverage.per_leg)
            .zip(0..)
            .map(|((m, spans), i)| ChartRow {
                label: m.name.chars().take(LABEL_CHARS).collect(),
                y: HEADER + ROW * i,
                bars: bars(spans, &[]),
            })
            .collect();
        let covered_y = HEADER + ROW * rows.len() as i64;
        Self {
            width: x(days[7].timestamp()) + 4,
            height: covered_y + ROW + 4,
            label,
            days: days[..7]
                .iter()
                .map(|d| Mark {
                    x: x(d.timestamp()),
                    label: d.strftime("%a %-d").to_string(),
                })
                .collect(),
            rows,
            covered: ChartRow {
                label: "Covered".into(),
                y: covered_y,
                bars: bars(&coverage.covered, &[]),
            },
            gaps: bars(&coverage.gaps, gap_titles),
            overlaps: bars(&coverage.overlaps, &[]),
        }
    }

    /// Top of the rows, where the gap bands start.
    pub(super) fn rows_top(&self) -> i64 {
        HEADER
    }

    /// Height of all rows together, the legs' and the covered one: the gap bands' height.
    pub(super) fn rows_height(&self) -> i64 {
        self.covered.y + ROW - HEADER
    }
}
