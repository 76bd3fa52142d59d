//! Shared by the socket tests: starts the `volley-resp` binary on a free loopback port and
//! finds the real Redis client tools. Included by those tests as a module.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `volley-resp` server process, killed when dropped.
pub struct Server {
    child: Child,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
}

impl Server {
    /// Starts the `volley-resp` binary on a free port.
    pub fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_volley-resp"))
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the volley-resp binary could not start");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("volley-resp printed nothing");
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line from volley-resp: {line:?}"));
        Server { child, port }
    }

    /// The server's resident memory in KiB, from /proc.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc status of the server");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc status")
    }

    /// Whether the server process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// A raw client connection with a read timeout, so a broken server fails the test.
    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to volley-resp");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("read timeout");
        stream
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The path of a Redis client tool, or a loud failure saying how to install it.
pub fn tool(name: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "{name} is not installed: these tests drive the server with real clients. \
             redis-cli and redis-benchmark come with `apt-get install redis-tools`, node and npm \
             with `apt-get install nodejs npm` (CI installs them in .ci/run); python3 must be on \
             the PATH."
        )
    })
}

/// Sends `bytes` and reads until `expected_len` bytes arrived or the server closed.
pub fn exchange(stream: &mut TcpStream, bytes: &[u8], expected_len: usize) -> Vec<u8> {
    stream.write_all(bytes).expect("write to server");
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while got.len() < expected_len {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => panic!("reading from the server failed: {e} (got so far {got:?})"),
        }
    }
    got
}

/// Reads until the server closes the connection; answers everything it sent.
pub fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    match stream.read_to_end(&mut got) {
        Ok(_) => got,
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => got,
        Err(e) => panic!("the server neither replied nor closed: {e} (got {got:?})"),
    }
}
