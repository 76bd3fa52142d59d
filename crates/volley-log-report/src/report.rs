//! The log report, computed in one pass by a push pipeline with `broadcast`.

use super::parse::{
    classify, component, is_error, level_index, malformed_line_number, timestamp, well_formed,
    Level,
};
use std::collections::HashMap;
use std::io::BufRead;
use volley_flow::pipeline::{aggregate, push, Close, LineSource, PipelineError, Push};

/// How many malformed line numbers the report lists.
pub const MALFORMED_SHOWN: usize = 5;
/// How many components the ranking lists.
pub const TOP_COMPONENTS: usize = 10;

/// Everything the report says about one log. Names and timestamps are the raw bytes of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Every line, well formed or not.
    pub lines: u64,
    /// The lines that are not `TIMESTAMP LEVEL COMPONENT: MESSAGE`.
    pub malformed: u64,
    /// The first [`MALFORMED_SHOWN`] malformed line numbers, counted from 1.
    pub malformed_lines: Vec<u64>,
    /// Lines per level, indexed by [`Level::index`].
    pub levels: [u64; 6],
    /// ERROR and FATAL lines per component.
    pub errors_by_component: HashMap<Vec<u8>, u64>,
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
}

/// The whole report as one push target for borrowed lines: every aggregate fed in one pass.
pub fn report_target() -> impl for<'line> Push<&'line [u8]> + Close<Output = Report> {
    let malformed = push::filter_map(
        malformed_line_number,
        push::broadcast((aggregate::count(), aggregate::first_n(MALFORMED_SHOWN))),
    );
    let errors = push::filter(
        is_error,
        push::broadcast((
            push::map(component, aggregate::count_by_key::<Vec<u8>>()),
            push::map(timestamp, aggregate::first::<Vec<u8>>()),
            push::map(timestamp, aggregate::last::<Vec<u8>>()),
        )),
    );
    let records = push::filter_map(
        well_formed,
        push::broadcast((push::map(level_index, aggregate::count_by_index(6)), errors)),
    );
    let everything = push::enumerate(push::map(
        classify,
        push::broadcast((aggregate::count(), malformed, records)),
    ));
    Finish { everything }
}

/// Turns the tuple of aggregate results into a [`Report`] on close.
struct Finish<P> {
    everything: P,
}

type Parts = (
    u64,
    (u64, Vec<u64>),
    (
        Vec<u64>,
        (HashMap<Vec<u8>, u64>, Option<Vec<u8>>, Option<Vec<u8>>),
    ),
);

impl<'line, P> Push<&'line [u8]> for Finish<P>
where
    P: Push<&'line [u8]> + Close<Output = Parts>,
{
    #[inline]
    fn send(&mut self, line: &'line [u8]) -> Result<(), PipelineError> {
        self.everything.send(line)
    }
}

impl<P: Close<Output = Parts>> Close for Finish<P> {
    type Output = Report;

    fn close(self) -> Result<Report, PipelineError> {
        let (lines, (malformed, malformed_lines), (level_counts, (by_component, first, last))) =
            self.everything.close()?;
        let mut levels = [0; 6];
        levels.copy_from_slice(&level_counts);
        let top_error_components = aggregate::rank(by_component.iter(), TOP_COMPONENTS)
            .into_iter()
            .map(|(name, &count)| (name.clone(), count))
            .collect();
        Ok(Report {
            lines,
            malformed,
            malformed_lines,
            levels,
            errors_by_component: by_component,
            top_error_components,
            first_error: first,
            last_error: last,
        })
    }
}

/// Runs the report over every line of `reader`.
pub fn run(reader: impl BufRead) -> Result<Report, PipelineError> {
    LineSource::new(reader).push_into(report_target())
}
