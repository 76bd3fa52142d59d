//! redis-py, the Python client, against the volley-resp server: with its default settings
//! (RESP3 since redis-py 8) and with `protocol=2`, over strings, hashes, sets, sorted sets,
//! lists, pipelines, databases, INFO, CONFIG and CLIENT (`tests/clients/redis_py.py`).
//!
//! redis-py is found on the Python path or installed with pip (`redis>=6`) into this target's
//! temporary directory. Only when PyPI cannot be reached is the test skipped, loudly.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{tool, Server};

/// Where pip installs redis-py for these tests.
fn install_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("redis-py")
}

/// Whether redis-py 5 or later imports with `PYTHONPATH=dir`.
fn has_redis_py(dir: &Path) -> bool {
    Command::new(tool("python3"))
        .env("PYTHONPATH", dir)
        .args([
            "-c",
            "import redis, sys; sys.exit(int(redis.__version__.split('.')[0]) < 5)",
        ])
        .status()
        .is_ok_and(|status| status.success())
}

/// Makes redis-py importable from `install_dir()`; `Err` with pip's words when PyPI is out of
/// reach.
fn ensure_redis_py() -> Result<PathBuf, String> {
    let dir = install_dir();
    if has_redis_py(&dir) {
        return Ok(dir);
    }
    let output = Command::new("timeout")
        .arg("300")
        .arg(tool("python3"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .arg("--target")
        .arg(&dir)
        .arg("redis>=6")
        .output()
        .expect("python3 -m pip runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if output.status.success() && has_redis_py(&dir) {
        return Ok(dir);
    }
    let offline = [
        "NewConnectionError",
        "Failed to establish a new connection",
        "Temporary failure in name resolution",
        "Network is unreachable",
        "ConnectTimeout",
        "ProxyError",
        "No matching distribution found",
    ];
    if offline.iter().any(|sign| stderr.contains(sign)) {
        Err(stderr)
    } else {
        panic!("pip could not install redis-py: {stderr}");
    }
}

#[test]
fn redis_py_works_with_resp3_and_resp2() {
    let dir = match ensure_redis_py() {
        Ok(dir) => dir,
        Err(why) => {
            eprintln!(
                "\n*** SKIPPED redis_py_works_with_resp3_and_resp2: PyPI is unreachable, so \
                 redis-py could not be installed ***\n{why}"
            );
            return;
        }
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/redis_py.py");
    let server = Server::start();
    for protocol in ["default", "2"] {
        let output = Command::new("timeout")
            .arg("120")
            .arg(tool("python3"))
            .env("PYTHONPATH", &dir)
            .arg(&script)
            .arg(server.port.to_string())
            .arg(protocol)
            .output()
            .expect("python3 runs the redis-py script");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && stdout.trim_end().ends_with("ok"),
            "redis-py with protocol {protocol} failed:\n{stdout}\n{stderr}"
        );
    }
}

#[test]
fn redis_py_transactions_blocking_pops_and_pubsub_work() {
    let dir = match ensure_redis_py() {
        Ok(dir) => dir,
        Err(why) => {
            eprintln!(
                "\n*** SKIPPED redis_py_transactions_blocking_pops_and_pubsub_work: PyPI is \
                 unreachable, so redis-py could not be installed ***\n{why}"
            );
            return;
        }
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/redis_py_waits.py");
    let server = Server::start();
    for protocol in ["default", "2"] {
        let output = Command::new("timeout")
            .arg("120")
            .arg(tool("python3"))
            .env("PYTHONPATH", &dir)
            .arg(&script)
            .arg(server.port.to_string())
            .arg(protocol)
            .output()
            .expect("python3 runs the redis-py script");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && stdout.trim_end().ends_with("ok"),
            "redis-py with protocol {protocol} failed:\n{stdout}\n{stderr}"
        );
    }
}
