//! The report as text for people and as one JSON object for programs.

use super::parse::Level;
use super::report::Report;
use serde_json::{json, Map, Value};
use std::fmt::Write;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Bytes from the log as text that is safe to print on a terminal: invalid UTF-8 becomes U+FFFD,
/// and control characters (escape sequences, carriage returns, bells) and the bidirectional
/// overrides that reorder a line are written as Rust escapes (`\u{1b}`), as is the backslash, so
/// what is shown cannot drive the terminal and still tells the bytes apart.
///
/// ```
/// use volley_log_report::render::printable;
/// assert_eq!(printable(b"db\x1b[2Jwiped"), "db\\u{1b}[2Jwiped");
/// assert_eq!(printable("caf\u{e9}".as_bytes()), "caf\u{e9}");
/// ```
pub fn printable(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for c in String::from_utf8_lossy(bytes).chars() {
        if c.is_control() || c == '\\' || is_bidi_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The characters that change the direction of the text after them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// One JSON object; names and timestamps that are not UTF-8 are shown with U+FFFD in place of
/// the invalid bytes (names that then coincide have their counts added). `component_counts` is
/// `"exact"` or `"estimated"`; when estimated, each count in `errors_by_component` is at most
/// `component_overcount` over the true count, and an unlisted component had at most that many.
pub fn to_json(report: &Report) -> Value {
    let levels: Map<String, Value> = Level::ALL
        .iter()
        .map(|&level| (level.name().to_string(), json!(report.level(level))))
        .collect();
    let mut by_component = Map::new();
    for (name, count) in &report.errors_by_component {
        let entry = by_component.entry(text(name)).or_insert(json!(0));
        *entry = json!(entry.as_u64().unwrap_or(0) + count);
    }
    let top: Vec<Value> = report
        .top_error_components
        .iter()
        .map(|(name, count)| json!([text(name), count]))
        .collect();
    json!({
        "lines": report.lines,
        "malformed": report.malformed,
        "malformed_lines": report.malformed_lines,
        "too_long": report.too_long,
        "max_line": report.max_line,
        "levels": levels,
        "errors": report.errors,
        "errors_by_component": by_component,
        "component_counts": if report.components_exact() { "exact" } else { "estimated" },
        "component_overcount": report.component_overcount,
        "top_error_components": top,
        "first_error": report.first_error.as_deref().map(text),
        "last_error": report.last_error.as_deref().map(text),
    })
}

/// The report for a terminal; every byte taken from the input goes through [`printable`].
pub fn to_text(report: &Report, source: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "log report: {}", printable(source.as_bytes()));
    let _ = writeln!(out, "  lines      {:>12}", report.lines);
    let shown: Vec<String> = report.malformed_lines.iter().map(u64::to_string).collect();
    let _ = write!(out, "  malformed  {:>12}", report.malformed);
    if !shown.is_empty() {
        let more = if report.malformed > shown.len() as u64 {
            ", ..."
        } else {
            ""
        };
        let _ = write!(out, "   (lines {}{more})", shown.join(", "));
    }
    out.push('\n');
    if report.too_long > 0 {
        let _ = writeln!(
            out,
            "  of which   {:>12}   longer than {} bytes, skipped unread",
            report.too_long, report.max_line
        );
    }
    let _ = writeln!(out, "\nlines per level");
    for level in Level::ALL {
        let _ = writeln!(out, "  {:<6} {:>12}", level.name(), report.level(level));
    }
    let errors = report.errors;
    let components = report.errors_by_component.len();
    if report.components_exact() {
        let _ = writeln!(
            out,
            "\nERROR + FATAL lines: {errors} in {components} components"
        );
    } else {
        let bound = report.component_overcount;
        let _ = writeln!(
            out,
            "\nERROR + FATAL lines: {errors} in more than {components} components\n\
             counts are estimates: each at most {bound} over the true count; \
             a component not listed had at most {bound}"
        );
    }
    if !report.top_error_components.is_empty() {
        let _ = writeln!(
            out,
            "top {} components by errors",
            report.top_error_components.len()
        );
        for (rank, (name, count)) in report.top_error_components.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {:>2}. {:<20} {count:>10}",
                rank + 1,
                printable(name)
            );
        }
    }
    let first = report
        .first_error
        .as_deref()
        .map_or("none".into(), printable);
    let last = report
        .last_error
        .as_deref()
        .map_or("none".into(), printable);
    let _ = writeln!(out, "\nfirst error at  {first}\nlast error at   {last}");
    out
}
