//! The wall's pictures, drawn here as SVG: no script, no library, and they scale with the page
//! (a viewBox and relative widths), so they read the same on a phone and on a TV.

use maud::{html, Markup};

use crate::store::{DayCount, DepartmentFlow};

const INK: &str = "#1f2a44";
const KUDOS: &str = "#f2a900";
const FEEDBACK: &str = "#3b82c4";
const GRID: &str = "#d9dee8";

/// Stacked bars: kudos and customer shout-outs per day.
pub fn per_day(days: &[(String, DayCount)]) -> Markup {
    let max = days
        .iter()
        .map(|(_, d)| d.kudos + d.feedback)
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = 40.0;
    let width = slot * days.len().max(1) as f64;
    let (top, plot) = (16.0, 100.0);
    let total: i64 = days.iter().map(|(_, d)| d.kudos + d.feedback).sum();
    let label = format!("Thank-yous per day: {total} in all");
    html! {
        svg class="chart" viewBox=(format!("0 0 {width} 140")) role="img" aria-label=(label)
            preserveAspectRatio="xMidYMid meet" {
            title { (label) }
            line x1="0" x2=(width) y1=(top + plot) y2=(top + plot) stroke=(GRID) {}
            @for (i, (name, d)) in days.iter().enumerate() {
                @let x = i as f64 * slot + 8.0;
                @let k = plot * d.kudos as f64 / max as f64;
                @let f = plot * d.feedback as f64 / max as f64;
                rect x=(x) y=(top + plot - k) width=(slot - 16.0) height=(k) fill=(KUDOS) {
                    title { (name) ": " (d.kudos) " kudos" }
                }
                rect x=(x) y=(top + plot - k - f) width=(slot - 16.0) height=(f) fill=(FEEDBACK) {
                    title { (name) ": " (d.feedback) " customer shout-outs" }
                }
                @if d.kudos + d.feedback > 0 {
                    text x=(x + (slot - 16.0) / 2.0) y=(top + plot - k - f - 3.0) text-anchor="middle"
                        font-size="10" fill=(INK) { (d.kudos + d.feedback) }
                }
                text x=(x + (slot - 16.0) / 2.0) y="134" text-anchor="middle" font-size="9" fill=(INK) {
                    (name)
                }
            }
        }
        p class="legend" {
            span class="key kudos-key" { "kudos" } " "
            span class="key feedback-key" { "customer shout-outs" }
        }
    }
}

/// Horizontal bars, one per value, most used first.
pub fn values(values: &[(String, i64)]) -> Markup {
    if values.is_empty() {
        return html! { p class="quiet" { "No values tagged yet." } };
    }
    let max = values.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    let row = 22.0;
    let height = row * values.len() as f64;
    let label = format!("Values mix: {} values used", values.len());
    html! {
        svg class="chart" viewBox=(format!("0 0 300 {height}")) role="img" aria-label=(label) {
            title { (label) }
            @for (i, (name, n)) in values.iter().enumerate() {
                @let y = i as f64 * row;
                @let w = 120.0 * *n as f64 / max as f64;
                text x="0" y=(y + 15.0) font-size="11" fill=(INK) { (truncate(name, 22)) }
                rect x="140" y=(y + 4.0) width=(w.max(2.0)) height="14" rx="3" fill=(KUDOS) {
                    title { (name) ": " (n) }
                }
                text x=(146.0 + w) y=(y + 15.0) font-size="11" fill=(INK) { (n) }
            }
        }
    }
}

/// The internal-customer map: rows are the thanking departments, columns the thanked ones,
/// darker cells more thanks.
pub fn departments(flows: &[DepartmentFlow]) -> Markup {
    if flows.is_empty() {
        return html! {
            p class="quiet" { "Appears once colleagues in departments thank each other (/config department)." }
        };
    }
    const MOST: usize = 8;
    let mut names: Vec<&str> = Vec::new();
    for f in flows {
        for n in [f.from.as_str(), f.to.as_str()] {
            if !names.contains(&n) && names.len() < MOST {
                names.push(n);
            }
        }
    }
    let max = flows.iter().map(|f| f.count).max().unwrap_or(1).max(1);
    let cell = 28.0;
    let left = 90.0;
    let head = 70.0;
    let size = cell * names.len() as f64;
    let label = format!("Which departments thanked which: {} pairs", flows.len());
    html! {
        svg class="chart" viewBox=(format!("0 0 {} {}", left + size + 56.0, head + size + 4.0)) role="img" aria-label=(label) {
            title { (label) }
            @for (c, to) in names.iter().enumerate() {
                @let x = left + c as f64 * cell + cell / 2.0;
                text x=(x) y=(head - 4.0) font-size="10" fill=(INK) text-anchor="start"
                    transform=(format!("rotate(-45 {x} {})", head - 4.0)) { (truncate(to, 14)) }
            }
            @for (r, from) in names.iter().enumerate() {
                @let y = head + r as f64 * cell;
                text x=(left - 4.0) y=(y + cell / 2.0 + 4.0) font-size="10" fill=(INK) text-anchor="end" {
                    (truncate(from, 14))
                }
                @for (c, to) in names.iter().enumerate() {
                    @let n = flows.iter().find(|f| f.from == *from && f.to == *to).map_or(0, |f| f.count);
                    @let x = left + c as f64 * cell;
                    rect x=(x + 1.0) y=(y + 1.0) width=(cell - 2.0) height=(cell - 2.0) rx="3"
                        fill=(FEEDBACK) fill-opacity=(format!("{:.2}", if n == 0 { 0.06 } else { 0.2 + 0.8 * n as f64 / max as f64 })) {
                        title { (from) " thanked " (to) ": " (n) }
                    }
                    @if n > 0 {
                        text x=(x + cell / 2.0) y=(y + cell / 2.0 + 4.0) font-size="10" text-anchor="middle"
                            fill=(if n as f64 / max as f64 > 0.5 { "#ffffff" } else { INK }) { (n) }
                    }
                }
            }
        }
        p class="legend" { "Rows thanked columns (kudos per recipient)." }
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}
