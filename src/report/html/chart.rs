//! The inline SVG line chart of a finding's goroutines over time. Everything that draws it
//! (geometry, colours, labels) is in attributes, so it needs neither the style sheet nor a
//! script, and the same series always gives the same bytes.

use crate::model::Point;
use crate::report::present::count;

use super::escape::escape;

/// Series longer than this are drawn as a line without a dot (and tooltip) per snapshot: a
/// fleet of hundreds of instances would bury the line under dots.
const MAX_DOTS: usize = 200;

/// Chart geometry, in SVG user units: the plot area sits inside the margins, which hold the
/// axis labels.
const CHART_WIDTH: f64 = 640.0;
const CHART_HEIGHT: f64 = 200.0;
const PLOT_LEFT: f64 = 64.0;
const PLOT_RIGHT: f64 = 624.0;
const PLOT_TOP: f64 = 12.0;
const PLOT_BOTTOM: f64 = 164.0;

/// A line chart of goroutines over time, for two or more snapshots: the vertical axis runs
/// from 0 to the most goroutines seen (so a pool of 40 and a leak of 4,000 look as
/// different as they are), the horizontal one from the first snapshot to the last, labelled
/// with dates (by time; by order when the times do not spread). Presentation is in
/// attributes, not in the style sheet, so the chart draws without it.
pub(super) fn chart(series: &[Point]) -> Option<String> {
    if series.len() < 2 {
        return None;
    }
    let (first, last) = (series.first()?, series.last()?);
    let most = series.iter().map(|p| p.goroutines).max()?;
    let (low, high) = (0, most.max(1));
    let points = plot(series, low, high);

    let mut svg = String::new();
    let label = format!(
        "goroutines over time: {} at {} to {} at {}",
        first.goroutines,
        utc_label(&first.time),
        last.goroutines,
        utc_label(&last.time)
    );
    svg.push_str(&format!(
        "<svg class=\"chart\" width=\"{CHART_WIDTH}\" height=\"{CHART_HEIGHT}\" \
         viewBox=\"0 0 {CHART_WIDTH} {CHART_HEIGHT}\" role=\"img\" aria-label=\"{}\" \
         font-family=\"sans-serif\" font-size=\"11\" fill=\"#1f2328\">\n",
        escape(&label)
    ));
    // Axes, and a dashed line at the top of the range.
    svg.push_str(&format!(
        "<line x1=\"{PLOT_LEFT}\" y1=\"{PLOT_TOP}\" x2=\"{PLOT_RIGHT}\" y2=\"{PLOT_TOP}\" \
         stroke=\"#d0d7de\" stroke-dasharray=\"3 3\"/>\n\
         <line x1=\"{PLOT_LEFT}\" y1=\"{PLOT_TOP}\" x2=\"{PLOT_LEFT}\" y2=\"{PLOT_BOTTOM}\" stroke=\"#57606a\"/>\n\
         <line x1=\"{PLOT_LEFT}\" y1=\"{PLOT_BOTTOM}\" x2=\"{PLOT_RIGHT}\" y2=\"{PLOT_BOTTOM}\" stroke=\"#57606a\"/>\n"
    ));
    let label_x = PLOT_LEFT - 6.0;
    svg.push_str(&format!(
        "<text x=\"{label_x}\" y=\"{}\" text-anchor=\"end\">{high}</text>\n\
         <text x=\"{label_x}\" y=\"{}\" text-anchor=\"end\">{low}</text>\n",
        PLOT_TOP + 4.0,
        PLOT_BOTTOM + 4.0
    ));
    svg.push_str(&format!(
        "<text transform=\"translate(14 {}) rotate(-90)\" text-anchor=\"middle\" fill=\"#57606a\">goroutines</text>\n",
        (PLOT_TOP + PLOT_BOTTOM) / 2.0
    ));
    let time_y = PLOT_BOTTOM + 18.0;
    svg.push_str(&format!(
        "<text x=\"{PLOT_LEFT}\" y=\"{time_y}\" text-anchor=\"start\">{}</text>\n\
         <text x=\"{PLOT_RIGHT}\" y=\"{time_y}\" text-anchor=\"end\">{}</text>\n",
        escape(&utc_label(&first.time)),
        escape(&utc_label(&last.time))
    ));
    svg.push_str(&format!(
        "<path d=\"{}\" fill=\"none\" stroke=\"#0b5cad\" stroke-width=\"2\" stroke-linejoin=\"round\"/>\n",
        path(&points)
    ));
    if series.len() <= MAX_DOTS {
        for ((x, y), point) in points.iter().zip(series) {
            svg.push_str(&format!(
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"#0b5cad\"><title>{}: {}</title></circle>\n",
                escape(&utc_label(&point.time)),
                count(point.goroutines, "goroutine")
            ));
        }
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// Each point's place in the plot area, with `low..=high` goroutines spanning its height.
fn plot(series: &[Point], low: u64, high: u64) -> Vec<(f64, f64)> {
    let (Some(first), Some(last)) = (series.first(), series.last()) else {
        return Vec::new();
    };
    let span = last.unix_seconds - first.unix_seconds;
    let by_time =
        span.is_finite() && span > 0.0 && series.iter().all(|p| p.unix_seconds.is_finite());
    let steps = series.len().saturating_sub(1).max(1) as f64;
    let range = high.saturating_sub(low).max(1) as f64;
    series
        .iter()
        .enumerate()
        .map(|(index, point)| {
            let across = if by_time {
                ((point.unix_seconds - first.unix_seconds) / span).clamp(0.0, 1.0)
            } else {
                index as f64 / steps
            };
            let up = (point.goroutines.saturating_sub(low) as f64 / range).clamp(0.0, 1.0);
            (
                PLOT_LEFT + across * (PLOT_RIGHT - PLOT_LEFT),
                PLOT_BOTTOM - up * (PLOT_BOTTOM - PLOT_TOP),
            )
        })
        .collect()
}

/// The SVG path through `points`, one decimal per coordinate.
fn path(points: &[(f64, f64)]) -> String {
    points
        .iter()
        .enumerate()
        .map(|(index, (x, y))| format!("{}{x:.1},{y:.1}", if index == 0 { "M" } else { "L" }))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `2026-11-27T22:14:43Z` → `2026-11-27 22:14:43 UTC`; anything else as it is.
pub(super) fn utc_label(time: &str) -> String {
    match time.strip_suffix('Z') {
        Some(rest) if rest.len() > 10 && rest.as_bytes()[10] == b'T' => {
            format!("{} {} UTC", &rest[..10], &rest[11..])
        }
        _ => time.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::point;

    #[test]
    fn chart_paths() {
        let hour = 3600.0;
        let start = 1_795_809_600.0; // 2026-11-27T20:00:00Z
        for (series, expected) in [
            // Evenly spaced, growing from 0: a straight line corner to corner.
            (
                vec![
                    point(start, 0),
                    point(start + hour, 100),
                    point(start + 2.0 * hour, 200),
                    point(start + 3.0 * hour, 300),
                ],
                "M64.0,164.0 L250.7,113.3 L437.3,62.7 L624.0,12.0",
            ),
            // Spacing follows time, not order; the axis runs from 0 to the most.
            (
                vec![
                    point(start, 10),
                    point(start + 3.0 * hour, 30),
                    point(start + 4.0 * hour, 20),
                ],
                "M64.0,113.3 L484.0,12.0 L624.0,62.7",
            ),
            // Flat: along the top, well above 0.
            (
                vec![point(start, 7), point(start + hour, 7)],
                "M64.0,12.0 L624.0,12.0",
            ),
            // Times that do not spread: by order.
            (
                vec![point(start, 0), point(start, 4), point(start, 2)],
                "M64.0,164.0 L344.0,12.0 L624.0,88.0",
            ),
        ] {
            let svg = chart(&series).expect("a chart for 2+ points");
            let d = format!("d=\"{expected}\"");
            assert!(svg.contains(&d), "want {d} in\n{svg}");
        }
    }

    #[test]
    fn chart_labels_and_limits() {
        let start = 1_795_809_600.0;
        assert!(chart(&[]).is_none());
        assert!(chart(&[point(start, 3)]).is_none());
        let svg = chart(&[point(start, 12), point(start + 5400.0, 40)]).expect("chart");
        for label in [
            ">40</text>",
            ">0</text>",
            ">2026-11-27 20:00:00 UTC</text>",
            ">2026-11-27 21:30:00 UTC</text>",
        ] {
            assert!(svg.contains(label), "want {label} in\n{svg}");
        }
        assert_eq!(svg.matches("<circle").count(), 2);
        let long: Vec<Point> = (0..=MAX_DOTS)
            .map(|i| point(start + i as f64 * 60.0, i as u64))
            .collect();
        let svg = chart(&long).expect("chart");
        assert_eq!(svg.matches("<circle").count(), 0);
    }

    #[test]
    fn utc_labels() {
        assert_eq!(utc_label("2026-11-27T22:14:43Z"), "2026-11-27 22:14:43 UTC");
        assert_eq!(utc_label("yesterday"), "yesterday");
    }
}
