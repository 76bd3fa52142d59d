//! The log report against an independent, deliberately simple implementation written here:
//! generated logs with every kind of malformed line, CRLF, no final newline, an empty file,
//! a 20 MB line, lines straddling every buffer boundary, random logs, and the real binary.

use proptest::prelude::*;
use std::collections::HashMap;
use std::io::BufReader;
use std::process::Command;
use volley_flow::pipeline::DEFAULT_MAX_LINE;
use volley_log_report::generate;
use volley_log_report::report::{self, Limits, Report};

const LEVELS: [&str; 6] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

/// The report, the obvious way: split everything, collect everything, sort everything.
fn reference(log: &[u8]) -> Report {
    reference_with(log, DEFAULT_MAX_LINE)
}

/// The reference with a line limit of `max_line` bytes.
fn reference_with(log: &[u8], max_line: usize) -> Report {
    let mut pieces: Vec<&[u8]> = log.split(|&b| b == b'\n').collect();
    if pieces.last() == Some(&&b""[..]) {
        pieces.pop(); // the text after a final newline is not a line
    }
    let mut report = Report {
        lines: pieces.len() as u64,
        malformed: 0,
        malformed_lines: vec![],
        too_long: 0,
        max_line,
        levels: [0; 6],
        errors: 0,
        errors_by_component: HashMap::new(),
        component_overcount: 0,
        top_error_components: vec![],
        first_error: None,
        last_error: None,
    };
    for (i, piece) in pieces.iter().enumerate() {
        if piece.len() > max_line {
            report.too_long += 1;
            report.malformed += 1;
            if report.malformed_lines.len() < 5 {
                report.malformed_lines.push(i as u64 + 1);
            }
            continue;
        }
        let line = piece.strip_suffix(b"\r").unwrap_or(piece);
        let fields: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
        let level = fields
            .get(1)
            .and_then(|f| LEVELS.iter().position(|l| l.as_bytes() == *f));
        let component = fields.get(2).filter(|f| f.len() > 1 && f.ends_with(b":"));
        match (fields.len() >= 3, level, component) {
            (true, Some(level), Some(component)) => {
                report.levels[level] += 1;
                if level >= 4 {
                    report.errors += 1;
                    let name = component[..component.len() - 1].to_vec();
                    *report.errors_by_component.entry(name).or_default() += 1;
                    report.first_error.get_or_insert_with(|| fields[0].to_vec());
                    report.last_error = Some(fields[0].to_vec());
                }
            }
            _ => {
                report.malformed += 1;
                if report.malformed_lines.len() < 5 {
                    report.malformed_lines.push(i as u64 + 1);
                }
            }
        }
    }
    let mut ranked: Vec<(Vec<u8>, u64)> = report.errors_by_component.clone().into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(10);
    report.top_error_components = ranked;
    report
}

fn volley(log: &[u8]) -> Report {
    report::run(log).expect("reading a slice cannot fail")
}

/// Also read through a tiny buffer, so lines straddle refills at every possible offset.
fn volley_small_buffer(log: &[u8], capacity: usize) -> Report {
    report::run(BufReader::with_capacity(capacity, log)).expect("reading a slice cannot fail")
}

fn generated(bytes: u64, seed: u64) -> Vec<u8> {
    let mut log = Vec::new();
    generate::generate(&mut log, bytes, seed).unwrap();
    log
}

fn every_malformed_kind() -> Vec<u8> {
    let mut log = b"t0 ERROR first: before the bad lines\n".to_vec();
    for kind in generate::MALFORMED_KINDS {
        log.extend_from_slice(kind);
        log.push(b'\n');
    }
    log.extend_from_slice(b"t9 FATAL last: after them\n");
    log
}

#[test]
fn generated_logs_match_the_reference() {
    for seed in [1, 2, 3] {
        let log = generated(300_000, seed);
        let expected = reference(&log);
        assert!(
            expected.malformed > 5,
            "the generator must produce malformed lines"
        );
        assert!(expected.top_error_components.len() == 10);
        assert_eq!(volley(&log), expected, "seed {seed}");
    }
}

#[test]
fn every_malformed_kind_is_counted_and_numbered() {
    let log = every_malformed_kind();
    let report = volley(&log);
    assert_eq!(report, reference(&log));
    assert_eq!(report.lines, 11);
    assert_eq!(report.malformed, 9);
    assert_eq!(report.malformed_lines, [2, 3, 4, 5, 6]);
    assert_eq!(report.first_error.as_deref(), Some(&b"t0"[..]));
    assert_eq!(report.last_error.as_deref(), Some(&b"t9"[..]));
}

#[test]
fn crlf_files_match_lf_files() {
    let lf = generated(100_000, 5);
    let crlf: Vec<u8> = lf
        .iter()
        .flat_map(|&b| {
            if b == b'\n' {
                vec![b'\r', b'\n']
            } else {
                vec![b]
            }
        })
        .collect();
    assert_eq!(volley(&crlf), reference(&crlf));
    let (a, b) = (volley(&lf), volley(&crlf));
    assert_eq!(
        (a.lines, a.malformed, a.levels),
        (b.lines, b.malformed, b.levels)
    );
}

#[test]
fn a_file_without_a_final_newline_keeps_its_last_line() {
    let log = b"t1 INFO a: x\nt2 ERROR b: y";
    let report = volley(log);
    assert_eq!(report, reference(log));
    assert_eq!(report.lines, 2);
    assert_eq!(report.last_error.as_deref(), Some(&b"t2"[..]));
}

#[test]
fn an_empty_file_has_no_lines_and_no_errors() {
    let report = volley(b"");
    assert_eq!(report, reference(b""));
    assert_eq!(
        (report.lines, report.malformed, report.first_error),
        (0, 0, None)
    );
    let only_newline = volley(b"\n");
    assert_eq!((only_newline.lines, only_newline.malformed), (1, 1));
}

fn twenty_mb_lines() -> Vec<u8> {
    let mut log = b"t1 INFO small: before\nt2 ERROR huge: ".to_vec();
    log.extend(std::iter::repeat_n(b'x', 20 * 1024 * 1024));
    log.extend_from_slice(b"\xff\xfe\nt3 WARN small: after\n");
    log.extend(std::iter::repeat_n(b'y', 20 * 1024 * 1024)); // malformed, no final newline
    log
}

#[test]
fn a_20_mb_line_is_one_line_under_a_higher_limit() {
    let log = twenty_mb_lines();
    let limits = Limits {
        max_line: 32 * 1024 * 1024,
        ..Limits::default()
    };
    let reader = BufReader::with_capacity(64 * 1024, &log[..]);
    let report = report::run_with(reader, limits).unwrap();
    assert_eq!(report, reference_with(&log, limits.max_line));
    assert_eq!((report.lines, report.too_long), (4, 0));
    assert_eq!(report.errors_by_component[&b"huge"[..]], 1);
    assert_eq!(report.malformed_lines, [4]);
}

#[test]
fn lines_over_the_limit_are_skipped_counted_and_numbered() {
    let log = twenty_mb_lines();
    let report = volley_small_buffer(&log, 64 * 1024);
    assert_eq!(report, reference(&log));
    assert_eq!((report.lines, report.too_long, report.malformed), (4, 2, 2));
    assert_eq!(report.malformed_lines, [2, 4]);
    assert_eq!(report.level(volley_log_report::parse::Level::Warn), 1);
    assert!(report.errors_by_component.is_empty());
}

#[test]
fn the_line_limit_holds_at_every_buffer_size_and_length() {
    let mut log = Vec::new();
    for len in 0..40 {
        log.extend(std::iter::repeat_n(b'a', len));
        log.extend_from_slice(if len % 3 == 0 { b"\r\n" } else { b"\n" });
    }
    log.extend_from_slice(b"t ERROR db: tail without newline");
    for max_line in [0, 1, 7, 16, 33] {
        let expected = reference_with(&log, max_line);
        for capacity in [1, 2, 5, 16, 64, 4096] {
            let limits = Limits {
                max_line,
                ..Limits::default()
            };
            let reader = BufReader::with_capacity(capacity, &log[..]);
            let report = report::run_with(reader, limits).unwrap();
            assert_eq!(report, expected, "max_line {max_line} capacity {capacity}");
        }
    }
}

#[test]
fn lines_straddling_buffer_refills_at_every_offset() {
    let log = every_malformed_kind();
    let expected = reference(&log);
    for capacity in 1..=48 {
        assert_eq!(
            volley_small_buffer(&log, capacity),
            expected,
            "capacity {capacity}"
        );
    }
}

fn line_strategy() -> impl Strategy<Value = Vec<u8>> {
    let token = prop::sample::select(vec![
        &b"t1"[..],
        b"",
        b" ",
        b"INFO",
        b"ERROR",
        b"FATAL",
        b"info",
        b"db:",
        b":",
        b"web:",
        b"db",
        b"\r",
        b"\xff",
        b"msg",
        b"a:b:",
    ]);
    prop::collection::vec(token, 0..7).prop_map(|tokens| tokens.join(&b' '))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn random_logs_match_the_reference(
        lines in prop::collection::vec(line_strategy(), 0..40),
        final_newline in any::<bool>(),
        capacity in 1usize..32,
    ) {
        let mut log = lines.join(&b'\n');
        if final_newline && !log.is_empty() {
            log.push(b'\n');
        }
        let expected = reference(&log);
        prop_assert_eq!(&volley(&log), &expected);
        prop_assert_eq!(&volley_small_buffer(&log, capacity), &expected);
    }
}

/// The crate's `log_report` binary, which `cargo test` builds before running this test.
const LOG_REPORT: &str = env!("CARGO_BIN_EXE_log_report");

#[test]
fn the_binary_prints_one_json_object_matching_the_reference() {
    let log = every_malformed_kind();
    let path = std::env::temp_dir().join(format!("volley_log_report_{}.log", std::process::id()));
    std::fs::write(&path, &log).unwrap();
    let out = Command::new(LOG_REPORT)
        .arg(&path)
        .arg("--json")
        .output()
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
    let expected = reference(&log);
    assert_eq!(json["lines"], expected.lines);
    assert_eq!(json["malformed"], expected.malformed);
    assert_eq!(
        json["malformed_lines"],
        serde_json::json!(expected.malformed_lines)
    );
    assert_eq!(json["levels"]["ERROR"], 1);
    assert_eq!(json["levels"]["FATAL"], 1);
    assert_eq!(
        json["errors_by_component"],
        serde_json::json!({"first": 1, "last": 1})
    );
    assert_eq!(
        json["top_error_components"],
        serde_json::json!([["first", 1], ["last", 1]])
    );
    assert_eq!(json["first_error"], "t0");
    assert_eq!(json["last_error"], "t9");
    assert_eq!(json["errors"], 2);
    assert_eq!(json["component_counts"], "exact");
    assert_eq!(
        (
            json["too_long"].as_u64(),
            json["component_overcount"].as_u64()
        ),
        (Some(0), Some(0))
    );
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 13);
}

#[test]
fn the_binary_runs_on_its_default_input_and_rejects_bad_input_cleanly() {
    let out = Command::new(LOG_REPORT).arg("--json").output().unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["lines"].as_u64().unwrap() > 10_000);
    assert!(json["first_error"].is_string());

    let missing = Command::new(LOG_REPORT)
        .arg("/nonexistent/volley.log")
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("cannot open /nonexistent/volley.log")
    );
    let bad_flag = Command::new(LOG_REPORT)
        .arg("--frobnicate")
        .output()
        .unwrap();
    assert_eq!(bad_flag.status.code(), Some(2));
}

#[test]
fn no_errors_gives_null_timestamps() {
    let out = run_on_stdin(b"t1 INFO a: fine\n", &["--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(json["first_error"].is_null() && json["last_error"].is_null());
    assert_eq!(json["top_error_components"], serde_json::json!([]));
}

/// Runs the binary on `log` (through stdin) with `args`; its stdout, after checking it exited 0.
fn run_on_stdin(log: &[u8], args: &[&str]) -> Vec<u8> {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(LOG_REPORT)
        .arg("-")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = log.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn text_output_escapes_what_could_drive_a_terminal() {
    // A component name with a clear-screen sequence, a bell and a right-to-left override, and a
    // timestamp with a carriage return.
    let log = b"t\r0 ERROR db\x1b[2J\x07\xe2\x80\xaeevil: boom\nt1 INFO ok: fine\n";
    let text = run_on_stdin(log, &[]);
    for forbidden in [&b"\x1b"[..], b"\x07", b"\r", "\u{202e}".as_bytes()] {
        assert!(
            !text.windows(forbidden.len()).any(|w| w == forbidden),
            "{forbidden:?} reached the terminal: {}",
            String::from_utf8_lossy(&text)
        );
    }
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("db\\u{1b}[2J\\u{7}\\u{202e}evil"), "{text}");
    assert!(text.contains("first error at  t\\r0"), "{text}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Whatever bytes come in, `--json` prints one valid JSON object with the same counts.
    #[test]
    fn json_output_is_valid_for_any_bytes(log in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let out = run_on_stdin(&log, &["--json"]);
        let json: serde_json::Value = serde_json::from_slice(&out).expect("stdout is one JSON object");
        let expected = reference(&log);
        prop_assert_eq!(&json["lines"], &serde_json::json!(expected.lines));
        prop_assert_eq!(&json["malformed"], &serde_json::json!(expected.malformed));
    }
}
