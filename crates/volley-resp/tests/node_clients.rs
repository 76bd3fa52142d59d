//! node-redis 6 (RESP3 by default) and ioredis (RESP2, with its INFO ready check) against the
//! volley-resp server, each with its default settings (`tests/clients/node_clients.cjs`).
//!
//! Needs `node` and `npm` (CI installs them in .ci/run); the two packages are installed with
//! npm into this target's temporary directory. Only when the npm registry cannot be reached is
//! the test skipped, loudly.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{tool, Server};

/// Installs `redis@6` and `ioredis` under `dir` unless they are there; `Err` with npm's words
/// when the registry is out of reach.
fn ensure_packages(dir: &Path) -> Result<(), String> {
    let installed = ["redis", "ioredis"].iter().all(|name| {
        dir.join("node_modules")
            .join(name)
            .join("package.json")
            .is_file()
    });
    if installed {
        return Ok(());
    }
    std::fs::create_dir_all(dir).expect("a directory for the npm packages");
    let output = Command::new("timeout")
        .arg("300")
        .arg(tool("npm"))
        .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
        .arg(dir)
        .args(["redis@6", "ioredis"])
        .output()
        .expect("npm runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if output.status.success() {
        return Ok(());
    }
    let offline = [
        "ENOTFOUND",
        "EAI_AGAIN",
        "ETIMEDOUT",
        "ECONNREFUSED",
        "ECONNRESET",
        "ENETUNREACH",
    ];
    if offline.iter().any(|sign| stderr.contains(sign)) {
        Err(stderr)
    } else {
        panic!("npm could not install redis and ioredis: {stderr}");
    }
}

#[test]
fn node_redis_and_ioredis_work_with_their_defaults() {
    let dir: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("node-clients");
    if let Err(why) = ensure_packages(&dir) {
        eprintln!(
            "\n*** SKIPPED node_redis_and_ioredis_work_with_their_defaults: the npm registry is \
             unreachable, so the clients could not be installed ***\n{why}"
        );
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/node_clients.cjs");
    let server = Server::start();
    let output = Command::new("timeout")
        .arg("120")
        .arg(tool("node"))
        .env("NODE_PATH", dir.join("node_modules"))
        .arg(&script)
        .arg(server.port.to_string())
        .output()
        .expect("node runs the client script");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.trim_end().ends_with("ok"),
        "the node clients failed:\n{stdout}\n{stderr}"
    );
}
