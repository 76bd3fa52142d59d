//! A Redis-compatible (RESP2 and RESP3) in-memory server on the Volley scheduler: the `volley-resp`
//! crate's server, one task per connection, each parsing requests with the
//! sans-IO `resp::codec` coroutine, pipelined requests answered in order with one write per read.
//!
//! ```text
//! cargo run --release --example resp_server -- --port 6380
//! redis-cli -p 6380 set greeting hello
//! redis-benchmark -p 6380 -q -n 20000
//! ```
//!
//! Options: `--port N` (default 6380; 0 picks a free port), `--bind ADDR` (default 127.0.0.1),
//! `--max-bulk BYTES` (largest bulk string, default 64 MiB), `--max-inline BYTES` (longest
//! inline request, default 64 KiB), `--busy-poll N` (polls without sleeping while several
//! clients are ready at once, default 256; 0 turns busy-polling off and saves CPU when idle
//! between bursts). The server prints `listening on ADDR` once it accepts.
//! `RUST_LOG=debug` shows connections and protocol errors.

use std::process::ExitCode;

fn main() -> ExitCode {
    volley_resp::cli::init_logging();
    volley_resp::cli::main("resp_server", std::env::args().skip(1))
}
