//! The command line of `log_report`: arguments, input selection, progress bar, output.

use crate::report::Limits;
use crate::{generate, render, report};
use indicatif::{ProgressBar, ProgressStyle};
use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

/// Size of the built-in sample.
const SAMPLE_BYTES: u64 = 2 * 1024 * 1024;
/// Seed of the built-in sample.
const SAMPLE_SEED: u64 = 42;
/// Files at least this large get a progress bar (on a terminal, not with `--json`).
const PROGRESS_FROM: u64 = 16 * 1024 * 1024;
/// Read buffer for files and standard input.
const READ_BUFFER: usize = 256 * 1024;

const USAGE: &str = "usage: log_report [PATH | -] [--json] [--max-line SIZE] [--max-components N]\n       log_report --generate SIZE OUT   (SIZE like 4096, 100MiB, 1GiB)\n\n  --max-line SIZE       longer lines are skipped unread and counted (default 1MiB)\n  --max-components N    components counted at once; past N, counts are estimates (default 4096)";

enum Command {
    Report {
        path: Option<String>,
        json: bool,
        limits: Limits,
    },
    Generate {
        bytes: u64,
        out: String,
    },
    Help,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut path = None;
    let mut json = false;
    let mut limits = Limits::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json" => json = true,
            "--max-line" => {
                let size = args.next().ok_or("--max-line needs a SIZE")?;
                limits.max_line = usize::try_from(parse_size(&size)?)
                    .map_err(|_| format!("--max-line {size} is too large"))?;
            }
            "--max-components" => {
                let n = args.next().ok_or("--max-components needs a number")?;
                limits.max_components = match n.parse::<usize>() {
                    Ok(n) if n > 0 => n,
                    _ => return Err(format!("bad --max-components {n:?} (a number, 1 or more)")),
                };
            }
            "-h" | "--help" => return Ok(Command::Help),
            "--generate" => {
                let size = args.next().ok_or("--generate needs SIZE and OUT")?;
                let out = args.next().ok_or("--generate needs SIZE and OUT")?;
                return Ok(Command::Generate {
                    bytes: parse_size(&size)?,
                    out,
                });
            }
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ if path.is_some() => return Err(format!("unexpected argument {arg}")),
            _ => path = Some(arg),
        }
    }
    Ok(Command::Report { path, json, limits })
}

fn parse_size(size: &str) -> Result<u64, String> {
    let (digits, unit) = match size.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => size.split_at(at),
        None => (size, ""),
    };
    let scale: u64 = match unit {
        "" | "B" => 1,
        "KiB" | "K" => 1 << 10,
        "MiB" | "M" => 1 << 20,
        "GiB" | "G" => 1 << 30,
        _ => {
            return Err(format!(
                "unknown size unit in {size:?} (use B, KiB, MiB or GiB)"
            ))
        }
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| format!("bad size {size:?}"))
}

/// Runs `log_report` with these arguments (without the program name) and returns its exit
/// status: 0 on success, 1 when the report or the generation fails, 2 on a usage error. The
/// report goes to standard output, errors to standard error.
pub fn main(args: impl IntoIterator<Item = String>) -> ExitCode {
    let command = match parse_args(args) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("log_report: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let outcome = match command {
        Command::Help => {
            println!("{USAGE}");
            Ok(())
        }
        Command::Generate { bytes, out } => generate_file(bytes, &out),
        Command::Report { path, json, limits } => report(path.as_deref(), json, limits),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("log_report: {message}");
            ExitCode::FAILURE
        }
    }
}

fn generate_file(bytes: u64, out: &str) -> Result<(), String> {
    let file = File::create(out).map_err(|e| format!("cannot create {out}: {e}"))?;
    let mut writer = io::BufWriter::with_capacity(READ_BUFFER, file);
    let written = generate::generate(&mut writer, bytes, SAMPLE_SEED)
        .and_then(|n| writer.flush().map(|()| n))
        .map_err(|e| format!("cannot write {out}: {e}"))?;
    eprintln!("log_report: wrote {written} bytes to {out}");
    Ok(())
}

fn report(path: Option<&str>, json: bool, limits: Limits) -> Result<(), String> {
    let started = Instant::now();
    let (report, label, bytes) = match path {
        None => {
            let mut sample = Vec::with_capacity(SAMPLE_BYTES as usize + 256);
            generate::generate(&mut sample, SAMPLE_BYTES, SAMPLE_SEED)
                .map_err(|e| format!("cannot generate the sample: {e}"))?;
            let label = format!(
                "built-in sample ({} bytes, seed {SAMPLE_SEED}; pass a PATH to read a file)",
                sample.len()
            );
            (run(&sample[..], limits)?, label, sample.len() as u64)
        }
        Some("-") => (
            run(
                BufReader::with_capacity(READ_BUFFER, io::stdin().lock()),
                limits,
            )?,
            "standard input".to_string(),
            0,
        ),
        Some(path) => {
            let file = File::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            let show_progress = !json && size >= PROGRESS_FROM && io::stderr().is_terminal();
            let report = if show_progress {
                let bar = progress_bar(size);
                let report = run(
                    BufReader::with_capacity(READ_BUFFER, bar.wrap_read(file)),
                    limits,
                );
                bar.finish_and_clear();
                report?
            } else {
                run(BufReader::with_capacity(READ_BUFFER, file), limits)?
            };
            (report, path.to_string(), size)
        }
    };
    let output = if json {
        let mut line = render::to_json(&report).to_string();
        line.push('\n');
        line
    } else {
        render::to_text(&report, &label)
    };
    if !json && bytes > 0 && io::stderr().is_terminal() {
        let seconds = started.elapsed().as_secs_f64();
        let mib = bytes as f64 / (1024.0 * 1024.0);
        eprintln!(
            "read {mib:.1} MiB in {seconds:.2} s ({:.0} MiB/s)",
            mib / seconds
        );
    }
    match io::stdout().lock().write_all(output.as_bytes()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write the report: {e}"))
        }
        _ => Ok(()),
    }
}

fn run(reader: impl BufRead, limits: Limits) -> Result<report::Report, String> {
    report::run_with(reader, limits).map_err(|e| format!("the report failed: {e}"))
}

fn progress_bar(size: u64) -> ProgressBar {
    let bar = ProgressBar::new(size);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}
