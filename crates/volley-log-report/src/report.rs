//! The log report, computed in one pass by a push pipeline with `broadcast`.

use super::parse::{
    classify, component, is_error, is_skipped, level_index, malformed_line_number, timestamp,
    well_formed, Level,
};
use std::collections::HashMap;
use std::io::BufRead;
use volley_flow::pipeline::{
    aggregate, push, Close, Line, LineSource, PipelineError, Push, DEFAULT_MAX_LINE,
};

/// How many malformed line numbers the report lists.
pub const MALFORMED_SHOWN: usize = 5;
/// How many components the ranking lists.
pub const TOP_COMPONENTS: usize = 10;
/// How many components the report counts exactly by default; past that, counts are estimates
/// (see [`Limits::max_components`]).
pub const DEFAULT_MAX_COMPONENTS: usize = 4096;

/// What bounds the report's memory, whatever the input.
///
/// ```
/// use volley_log_report::report::{self, Limits};
/// let limits = Limits { max_line: 16, ..Limits::default() };
/// let report = report::run_with("t INFO a: ok\nt INFO a: far too long\n".as_bytes(), limits).unwrap();
/// assert_eq!((report.lines, report.too_long, report.malformed_lines.clone()), (2, 1, vec![2]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest line read, in bytes; a longer one is skipped unread and counted as
    /// malformed and [too long](Report::too_long). Default [`DEFAULT_MAX_LINE`] (1 MiB).
    pub max_line: usize,
    /// How many components are counted at once. While the log names no more, counts are exact;
    /// beyond, the least counted component gives its place to a new one, and counts become
    /// estimates ([`Report::component_overcount`]). Default [`DEFAULT_MAX_COMPONENTS`].
    pub max_components: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: DEFAULT_MAX_LINE,
            max_components: DEFAULT_MAX_COMPONENTS,
        }
    }
}

/// Everything the report says about one log. Names and timestamps are the raw bytes of the log,
/// cut to [`MAX_FIELD`](crate::parse::MAX_FIELD) bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Every line, well formed or not, read or skipped.
    pub lines: u64,
    /// The lines that are not `TIMESTAMP LEVEL COMPONENT: MESSAGE`, with the lines too long to
    /// read.
    pub malformed: u64,
    /// The first [`MALFORMED_SHOWN`] malformed line numbers, counted from 1.
    pub malformed_lines: Vec<u64>,
    /// The lines longer than [`Limits::max_line`], skipped unread (also counted as malformed).
    pub too_long: u64,
    /// The line limit in force.
    pub max_line: usize,
    /// Lines per level, indexed by [`Level::index`].
    pub levels: [u64; 6],
    /// ERROR and FATAL lines, counted exactly.
    pub errors: u64,
    /// ERROR and FATAL lines per component: every component while they fit in
    /// [`Limits::max_components`], otherwise the most frequent ones with estimated counts.
    pub errors_by_component: HashMap<Vec<u8>, u64>,
    /// 0 when the counts per component are exact; otherwise a bound `E`: each listed count is
    /// at most `E` over the true count, and a component not listed had at most `E` errors (`E`
    /// never exceeds `errors / max_components`, so every component with more errors is
    /// listed).
    pub component_overcount: u64,
    /// The [`TOP_COMPONENTS`] components with the most errors: count descending, then name
    /// ascending.
    pub top_error_components: Vec<(Vec<u8>, u64)>,
    /// The timestamp of the first ERROR or FATAL line.
    pub first_error: Option<Vec<u8>>,
    /// The timestamp of the last ERROR or FATAL line.
    pub last_error: Option<Vec<u8>>,
}

impl Report {
    /// The count for one level.
    pub fn level(&self, level: Level) -> u64 {
        self.levels[level.index()]
    }

    /// Whether the counts per component are exact.
    pub fn components_exact(&self) -> bool {
        self.component_overcount == 0
    }
}

/// The whole report as one push target for lines: every aggregate fed in one pass.
pub fn report_target(limits: Limits) -> impl for<'line> Push<Line<'line>> + Close<Output = Report> {
    let malformed = push::filter_map(
        malformed_line_number,
        push::broadcast((aggregate::count(), aggregate::first_n(MALFORMED_SHOWN))),
    );
    let errors = push::filter(
        is_error,
        push::broadcast((
            aggregate::count(),
            push::map(
                component,
                aggregate::heavy_hitters::<Vec<u8>>(limits.max_components),
            ),
            push::map(timestamp, aggregate::first::<Vec<u8>>()),
            push::map(timestamp, aggregate::last::<Vec<u8>>()),
        )),
    );
    let records = push::filter_map(
        well_formed,
        push::broadcast((push::map(level_index, aggregate::count_by_index(6)), errors)),
    );
    let everything = push::enumerate(push::broadcast((
        aggregate::count(),
        push::filter(is_skipped, aggregate::count()),
        push::map(classify, push::broadcast((malformed, records))),
    )));
    Finish { everything, limits }
}

/// Turns the tuple of aggregate results into a [`Report`] on close.
struct Finish<P> {
    everything: P,
    limits: Limits,
}

type Parts = (
    u64,
    u64,
    (
        (u64, Vec<u64>),
        (
            Vec<u64>,
            (
                u64,
                aggregate::Tally<Vec<u8>>,
                Option<Vec<u8>>,
                Option<Vec<u8>>,
            ),
        ),
    ),
);

impl<'line, P> Push<Line<'line>> for Finish<P>
where
    P: Push<Line<'line>> + Close<Output = Parts>,
{
    #[inline]
    fn send(&mut self, line: Line<'line>) -> Result<(), PipelineError> {
        self.everything.send(line)
    }
}

impl<P: Close<Output = Parts>> Close for Finish<P> {
    type Output = Report;

    fn close(self) -> Result<Report, PipelineError> {
        let (
            lines,
            too_long,
            ((malformed, malformed_lines), (level_counts, (errors, by_component, first, last))),
        ) = self.everything.close()?;
        let mut levels = [0; 6];
        levels.copy_from_slice(&level_counts);
        // Once components were pushed out, the smallest kept count bounds both how much a listed
        // count may be over and how many errors an unlisted component had.
        let component_overcount = match by_component.is_exact() {
            true => 0,
            false => by_component.unlisted_at_most().max(1),
        };
        let top_error_components = by_component.top(TOP_COMPONENTS);
        let errors_by_component = by_component
            .into_counts()
            .into_iter()
            .map(|counted| (counted.key, counted.count))
            .collect();
        Ok(Report {
            lines,
            malformed,
            malformed_lines,
            too_long,
            max_line: self.limits.max_line,
            levels,
            errors,
            errors_by_component,
            component_overcount,
            top_error_components,
            first_error: first,
            last_error: last,
        })
    }
}

/// Runs the report over every line of `reader`, with the default [`Limits`].
pub fn run(reader: impl BufRead) -> Result<Report, PipelineError> {
    run_with(reader, Limits::default())
}

/// Runs the report over every line of `reader` within `limits`.
pub fn run_with(reader: impl BufRead, limits: Limits) -> Result<Report, PipelineError> {
    LineSource::new(reader)
        .max_line(limits.max_line)
        .push_lines_into(report_target(limits))
}
