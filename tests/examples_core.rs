//! Runs each core example and checks that it prints exactly what its doc comment promises.
//!
//! Every example's top doc comment holds a ```` ```text ```` block with its whole output; these
//! tests run the built example binary and compare its stdout with that block, line for line.
//! The binaries are found next to this test's own binary (`target/<profile>/examples/`), and are
//! built with `cargo build --examples` first when missing or older than their source.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Once;
use std::time::SystemTime;

/// The examples this file covers.
const EXAMPLES: [&str; 6] = [
    "lazy",
    "running_average",
    "throw_reset",
    "close_cleanup",
    "flatten",
    "fibonacci",
];

fn source_of(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(format!("{name}.rs"))
}

/// `target/<profile>/examples/<name>`, next to `target/<profile>/deps/<this test>`.
fn binary_of(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows its own path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test binary lives in target/<profile>/deps");
    profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

fn modified(path: &Path) -> Option<SystemTime> {
    path.metadata().and_then(|m| m.modified()).ok()
}

/// True when the binary is missing or older than its source.
fn is_stale(name: &str) -> bool {
    match (modified(&binary_of(name)), modified(&source_of(name))) {
        (Some(built), Some(written)) => built < written,
        _ => true,
    }
}

/// Builds the examples once per test run if any of them is missing or stale.
fn ensure_built() {
    static BUILD: Once = Once::new();
    BUILD.call_once(|| {
        if !EXAMPLES.iter().any(|name| is_stale(name)) {
            return;
        }
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["build", "--package", "volley"]);
        for name in EXAMPLES {
            build.args(["--example", name]);
        }
        if binary_of("lazy")
            .components()
            .any(|c| c.as_os_str() == "release")
        {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "building the examples failed: {status}");
    });
}

/// Runs an example with `RUST_LOG` set to `log` (or removed), and checks it succeeded.
fn run(name: &str, log: Option<&str>) -> Output {
    ensure_built();
    let mut command = Command::new(binary_of(name));
    match log {
        Some(filter) => command.env("RUST_LOG", filter),
        None => command.env_remove("RUST_LOG"),
    };
    let output = command.output().expect("the example binary runs");
    assert!(
        output.status.success(),
        "{name} failed with {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    output
}

/// The ```` ```text ```` block of the example's top doc comment, one entry per line.
fn promised_output(name: &str) -> Vec<String> {
    let source = std::fs::read_to_string(source_of(name)).expect("the example source is readable");
    let doc: Vec<&str> = source
        .lines()
        .map_while(|line| line.strip_prefix("//!"))
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect();
    let start = doc
        .iter()
        .position(|line| *line == "```text")
        .unwrap_or_else(|| panic!("{name}'s doc comment has no ```text block"));
    let block: Vec<String> = doc[start + 1..]
        .iter()
        .take_while(|line| **line != "```")
        .map(|line| line.to_string())
        .collect();
    assert!(!block.is_empty(), "{name}'s ```text block is empty");
    block
}

/// Runs the example without logging and compares its stdout with its doc comment.
fn prints_what_its_doc_promises(name: &str) {
    let output = run(name, None);
    let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
    let printed: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        printed,
        promised_output(name),
        "{name} printed something other than its doc comment says"
    );
    assert!(
        output.stderr.is_empty(),
        "{name} wrote to stderr without RUST_LOG: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn lazy_prints_what_its_doc_promises() {
    prints_what_its_doc_promises("lazy");
}

#[test]
fn running_average_prints_what_its_doc_promises() {
    prints_what_its_doc_promises("running_average");
}

#[test]
fn throw_reset_prints_what_its_doc_promises() {
    prints_what_its_doc_promises("throw_reset");
}

#[test]
fn close_cleanup_prints_what_its_doc_promises() {
    prints_what_its_doc_promises("close_cleanup");
}

#[test]
fn flatten_prints_what_its_doc_promises() {
    prints_what_its_doc_promises("flatten");
}

#[test]
fn fibonacci_prints_what_its_doc_promises() {
    prints_what_its_doc_promises("fibonacci");
}

/// The stderr of an example run with `RUST_LOG` set to `filter`.
fn logs_of(name: &str, filter: &str) -> String {
    String::from_utf8(run(name, Some(filter)).stderr).expect("stderr is UTF-8")
}

fn assert_logged(logs: &str, wanted: &[&str]) {
    for needle in wanted {
        assert!(
            logs.contains(needle),
            "missing {needle:?} in the logs:\n{logs}"
        );
    }
}

#[test]
fn lazy_logs_its_lifecycle_with_rust_log_volley_debug() {
    let logs = logs_of("lazy", "volley=debug");
    assert_logged(
        &logs,
        &[
            "coroutine created",
            "coroutine started",
            "coroutine closed",
            "announced",
            "counting",
        ],
    );
}

#[test]
fn running_average_warns_about_the_early_send() {
    let logs = logs_of("running_average", "volley=warn");
    assert_logged(&logs, &["send before start", "running_average"]);
    assert!(
        !logs.contains("coroutine created"),
        "debug events leaked through a warn filter:\n{logs}"
    );
}

#[test]
fn throw_reset_logs_the_throws_and_the_end() {
    let logs = logs_of("throw_reset", "volley=debug");
    assert_logged(
        &logs,
        &[
            "error thrown into coroutine",
            "coroutine completed",
            "running_total",
        ],
    );
}

#[test]
fn close_cleanup_logs_both_closes() {
    let logs = logs_of("close_cleanup", "volley=debug");
    assert_logged(
        &logs,
        &["first_writer", "second_writer", "coroutine closed"],
    );
    assert!(
        !logs.contains("drop_close_failed"),
        "closing on drop failed:\n{logs}"
    );
}
