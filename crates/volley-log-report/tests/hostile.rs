//! `log_report` on hostile input: a stream of NUL bytes with no newline, lines naming a new
//! component each, lines of huge fields, random bytes. Each input is generated on the fly into
//! the binary's standard input (nothing is stored); the binary must exit 0 with a peak RSS (the
//! child's `ru_maxrss`, from `wait4`) of at most 64 MiB and a report that counts what it skipped.
//!
//! The default sizes cross every limit (the 1 MiB line limit, the 4096 components counted at
//! once) and take seconds on a debug build. The full sizes of the issue (2 GiB of NUL bytes,
//! 100 MB of distinct components, 100 MB of huge fields, 512 MiB of random bytes) run with:
//!
//! ```text
//! cargo test --release -p volley-log-report --test hostile -- --ignored --nocapture
//! ```
//!
//! Each case prints its peak RSS on standard error (shown with `--nocapture`).

use serde_json::Value;
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus, Stdio};

/// The crate's `log_report` binary, which `cargo test` builds before running this test.
const LOG_REPORT: &str = env!("CARGO_BIN_EXE_log_report");

/// The most memory the binary may hold, whatever the input: 64 MiB, in KiB.
const BUDGET_KIB: u64 = 64 * 1024;

const MIB: u64 = 1024 * 1024;

/// What the generator knows the report must say.
#[derive(Debug, Default)]
struct Expected {
    lines: u64,
    too_long: u64,
    /// `None` when the generator cannot tell (random bytes).
    errors: Option<u64>,
}

/// Runs `log_report - --json` on what `generate` writes; checks the exit status, the memory and
/// the counts, and hands back the JSON report.
#[allow(clippy::zombie_processes)] // reaped by `wait_with_peak_rss`, with `wait4`
fn run_hostile<G>(case: &str, generate: G) -> Value
where
    G: FnOnce(&mut dyn Write) -> io::Result<Expected> + Send + 'static,
{
    let mut child = Command::new(LOG_REPORT)
        .args(["-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("log_report starts");
    let stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let mut out = BufWriter::with_capacity(256 * 1024, stdin);
        let expected = generate(&mut out)?;
        out.flush()?;
        Ok::<_, io::Error>(expected)
    });
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        stdout.read_to_end(&mut text).map(|_| text)
    });
    let mut stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let (status, peak_kib) = wait_with_peak_rss(&child);
    let expected = writer.join().unwrap().expect("the whole input was written");
    let stdout = reader.join().unwrap().unwrap();
    let stderr = errors.join().unwrap();
    assert!(status.success(), "{case}: {status}, stderr: {stderr}");
    eprintln!(
        "{case}: peak RSS {:.1} MiB (budget {} MiB)",
        peak_kib as f64 / 1024.0,
        BUDGET_KIB / 1024
    );
    assert!(
        peak_kib <= BUDGET_KIB,
        "{case}: peak RSS {peak_kib} KiB is over {BUDGET_KIB} KiB"
    );
    let json: Value = serde_json::from_slice(&stdout).expect("stdout is one JSON object");
    assert_eq!(json["lines"], expected.lines, "{case}: lines");
    assert_eq!(
        json["too_long"], expected.too_long,
        "{case}: lines too long"
    );
    assert!(
        json["malformed"].as_u64().unwrap() >= expected.too_long,
        "{case}: lines too long count as malformed"
    );
    if let Some(errors) = expected.errors {
        assert_eq!(json["errors"], errors, "{case}: error lines");
    }
    json
}

/// Reaps `child` and reads its peak resident set size, in KiB, from the kernel's accounting.
///
/// An upper bound: Linux folds the high-water mark of the image a process replaces at `exec`
/// into its peak, and a child starts as a copy (or a borrower) of this test process, so the
/// test process's own resident set at the spawn can show up in the figure.
#[allow(unsafe_code)]
fn wait_with_peak_rss(child: &Child) -> (ExitStatus, u64) {
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain integers, for which all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is this process's own child, not reaped yet (`Child::wait` is never
        // called on it); `status` and `usage` are valid for writes.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let e = io::Error::last_os_error();
        assert_eq!(e.kind(), io::ErrorKind::Interrupted, "wait4: {e}");
    }
    // On Linux, ru_maxrss is in KiB.
    (ExitStatus::from_raw(status), usage.ru_maxrss as u64)
}

/// `bytes` NUL bytes and no newline: one line, far over the limit.
fn nul_bytes(bytes: u64) -> impl FnOnce(&mut dyn Write) -> io::Result<Expected> {
    move |out| {
        let zeros = vec![0u8; 64 * 1024];
        let mut left = bytes;
        while left > 0 {
            let n = left.min(zeros.len() as u64) as usize;
            out.write_all(&zeros[..n])?;
            left -= n as u64;
        }
        Ok(Expected {
            lines: 1,
            too_long: 1,
            errors: Some(0),
        })
    }
}

/// About `bytes` of ERROR lines, each naming a component never seen before.
fn distinct_components(bytes: u64) -> impl FnOnce(&mut dyn Write) -> io::Result<Expected> {
    move |out| {
        let (mut written, mut lines) = (0u64, 0u64);
        let mut line = Vec::with_capacity(64);
        while written < bytes {
            line.clear();
            writeln!(line, "2024-05-01T00:00:00Z ERROR component{lines}: boom")?;
            out.write_all(&line)?;
            written += line.len() as u64;
            lines += 1;
        }
        Ok(Expected {
            lines,
            too_long: 0,
            errors: Some(lines),
        })
    }
}

/// About `bytes` of lines made of huge fields: well-formed ERROR lines of about 900 KiB (a
/// 100 KiB timestamp, a 300 KiB component name, a 500 KiB message), each name new, and every
/// third line a 3 MiB record, over the limit.
fn huge_fields(bytes: u64) -> impl FnOnce(&mut dyn Write) -> io::Result<Expected> {
    move |out| {
        let mut expected = Expected {
            errors: Some(0),
            ..Expected::default()
        };
        let mut written = 0u64;
        let mut line = Vec::new();
        while written < bytes {
            line.clear();
            let (timestamp, name, message) = match expected.lines % 3 {
                2 => (1024 * 1024, 1024 * 1024, 1024 * 1024),
                _ => (100 * 1024, 300 * 1024, 500 * 1024),
            };
            line.extend(std::iter::repeat_n(b'7', timestamp));
            line.extend_from_slice(b" ERROR ");
            write!(line, "{}", expected.lines)?;
            line.extend(std::iter::repeat_n(b'n', name));
            line.extend_from_slice(b": ");
            line.extend(std::iter::repeat_n(b'm', message));
            match expected.lines % 3 {
                2 => expected.too_long += 1,
                _ => *expected.errors.as_mut().unwrap() += 1,
            }
            line.push(b'\n');
            out.write_all(&line)?;
            written += line.len() as u64;
            expected.lines += 1;
        }
        Ok(expected)
    }
}

/// `bytes` random bytes (SplitMix64 from a fixed seed).
fn random_bytes(bytes: u64) -> impl FnOnce(&mut dyn Write) -> io::Result<Expected> {
    move |out| {
        let mut state = 0x5eed_u64;
        let mut chunk = vec![0u8; 64 * 1024];
        let (mut left, mut expected, mut line_len) = (bytes, Expected::default(), 0u64);
        while left > 0 {
            for word in chunk.chunks_mut(8) {
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                word.copy_from_slice(&(z ^ (z >> 31)).to_le_bytes()[..word.len()]);
            }
            let n = left.min(chunk.len() as u64) as usize;
            for &byte in &chunk[..n] {
                if byte == b'\n' {
                    expected.lines += 1;
                    expected.too_long += u64::from(line_len > MIB);
                    line_len = 0;
                } else {
                    line_len += 1;
                }
            }
            out.write_all(&chunk[..n])?;
            left -= n as u64;
        }
        if line_len > 0 {
            expected.lines += 1;
            expected.too_long += u64::from(line_len > MIB);
        }
        Ok(expected)
    }
}

#[test]
fn a_stream_of_nul_bytes_is_one_skipped_line() {
    let json = run_hostile("256 MiB of NUL bytes", nul_bytes(256 * MIB));
    assert_eq!(json["malformed_lines"], serde_json::json!([1]));
}

#[test]
fn distinct_components_are_counted_in_bounded_memory() {
    let json = run_hostile(
        "16 MB of distinct components",
        distinct_components(16_000_000),
    );
    assert_eq!(json["component_counts"], "estimated");
    let bound = json["component_overcount"].as_u64().unwrap();
    let errors = json["errors"].as_u64().unwrap();
    assert!(
        bound >= 1 && bound <= errors / 4096,
        "bound {bound}, {errors} errors"
    );
    assert_eq!(json["errors_by_component"].as_object().unwrap().len(), 4096);
}

#[test]
fn huge_fields_are_cut_and_over_long_lines_skipped() {
    let json = run_hostile("32 MB of huge fields", huge_fields(32_000_000));
    for (name, _) in json["errors_by_component"].as_object().unwrap() {
        assert!(name.len() <= 256, "a name of {} bytes was kept", name.len());
    }
    assert!(json["first_error"].as_str().unwrap().len() <= 256);
}

#[test]
fn random_bytes_give_a_report() {
    let json = run_hostile("32 MiB of random bytes", random_bytes(32 * MIB));
    assert!(json["malformed"].as_u64().unwrap() > 0);
}

#[test]
fn standard_input_and_files_give_the_same_report() {
    let mut log = b"t1 ERROR db: before\n".to_vec();
    log.extend(std::iter::repeat_n(0u8, 3 * MIB as usize));
    log.extend_from_slice(b"\nt2 ERROR db: after\n");
    let path = std::env::temp_dir().join(format!("volley_hostile_{}.log", std::process::id()));
    std::fs::write(&path, &log).unwrap();
    let from_file = Command::new(LOG_REPORT)
        .arg(&path)
        .arg("--json")
        .output()
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    let from_stdin = run_hostile("a 3 MiB line between two records", move |out| {
        out.write_all(&log)?;
        Ok(Expected {
            lines: 3,
            too_long: 1,
            errors: Some(2),
        })
    });
    assert!(from_file.status.success());
    let from_file: Value = serde_json::from_slice(&from_file.stdout).unwrap();
    assert_eq!(from_file, from_stdin);
    assert_eq!(from_file["malformed_lines"], serde_json::json!([2]));
}

#[test]
fn the_text_report_says_what_it_skipped_and_estimated() {
    let mut log = String::new();
    for i in 0..50 {
        log.push_str(&format!("t ERROR c{i}: x\nt ERROR heavy: y\n"));
    }
    log.push_str(&"x".repeat(100));
    let out = Command::new(LOG_REPORT)
        .args(["-", "--max-line", "64", "--max-components", "10"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(log.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("of which              1   longer than 64 bytes, skipped unread"),
        "{text}"
    );
    assert!(
        text.contains("ERROR + FATAL lines: 100 in more than 10 components"),
        "{text}"
    );
    assert!(
        text.contains("counts are estimates: each at most"),
        "{text}"
    );
    assert!(text.contains(" 1. heavy "), "{text}");

    let bad = Command::new(LOG_REPORT)
        .args(["--max-components", "0"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--max-components"));
}

#[test]
#[ignore = "full size: run with --release, see the file's documentation"]
fn full_size_hostile_inputs_stay_within_64_mib() {
    run_hostile("2 GiB of NUL bytes", nul_bytes(2048 * MIB));
    run_hostile(
        "100 MB of distinct components",
        distinct_components(100_000_000),
    );
    run_hostile("100 MB of huge fields", huge_fields(100_000_000));
    run_hostile("512 MiB of random bytes", random_bytes(512 * MIB));
}
