//! Clients that never read what they asked for, or that once sent something huge: the server's
//! memory stays bounded (its resident size is read from /proc) and a healthy client keeps being
//! served. Each test states the bound it asserts; no test depends on timing.
//!
//! Peak figures for the report: `cargo test -p volley-resp --test hostile_waits -- --nocapture`
//! prints each case's baseline and peak resident memory.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;
use support::{exchange, Server};

const MIB: u64 = 1024;

/// Sends one command as RESP and answers its reply bytes (`expected_len` of them).
fn call(stream: &mut TcpStream, words: &[&[u8]], expected_len: usize) -> Vec<u8> {
    exchange(
        stream,
        &volley_resp::codec::encode_command(words),
        expected_len,
    )
}

/// Runs `rounds` round trips on `healthy` and answers the server's peak resident memory (KiB)
/// seen between them.
fn serve_healthy(server: &Server, healthy: &mut TcpStream, rounds: usize) -> u64 {
    let mut peak = server.rss_kib();
    for round in 0..rounds {
        let value = round.to_string();
        assert_eq!(
            call(healthy, &[b"SET", b"probe", value.as_bytes()], 5),
            b"+OK\r\n"
        );
        peak = peak.max(server.rss_kib());
    }
    peak
}

fn report(case: &str, baseline: u64, peak: u64) {
    println!(
        "{case}: baseline {} MiB, peak {} MiB",
        baseline / MIB,
        peak / MIB
    );
}

#[test]
fn pipelined_lranges_never_read_do_not_grow_the_server() {
    let server = Server::start();
    let mut healthy = server.connect();
    // A list of 10,000 items of 1 KB: each LRANGE answers about 10 MB.
    let item = vec![b'x'; 1000];
    for round in 1..=100 {
        let mut words: Vec<&[u8]> = vec![b"RPUSH", b"big"];
        words.extend(std::iter::repeat_n(&item[..], 100));
        let expected = format!(":{}\r\n", round * 100);
        assert_eq!(
            call(&mut healthy, &words, expected.len()),
            expected.as_bytes()
        );
    }
    assert_eq!(call(&mut healthy, &[b"LLEN", b"big"], 8), b":10000\r\n");
    let baseline = server.rss_kib();
    // 2,000 of them in one go, never read: 20 GB of replies if the server produced them all.
    let mut hostile = server.connect();
    let requests = b"LRANGE big 0 -1\r\n".repeat(2000);
    hostile.write_all(&requests).unwrap();
    let peak = serve_healthy(&server, &mut healthy, 2000);
    report(
        "2,000 pipelined LRANGE of 10 MB, never read",
        baseline,
        peak,
    );
    // One reply in flight and what the sockets hold, not thousands of them.
    assert!(
        peak < baseline + 150 * MIB,
        "grew from {baseline} KiB to {peak} KiB"
    );
}

#[test]
fn a_huge_value_fetched_by_many_inline_gets_does_not_abort_the_server() {
    let mut server = Server::start();
    let mut healthy = server.connect();
    let value = vec![b'v'; 16 << 20];
    assert_eq!(
        call(&mut healthy, &[b"SET", b"huge", &value], 5),
        b"+OK\r\n"
    );
    drop(value);
    let baseline = server.rss_kib();
    // One 16 KiB write of inline GETs: some 1,800 replies of 16 MiB each.
    let mut hostile = server.connect();
    let mut burst = b"GET huge\r\n".repeat(16 * 1024 / 10);
    burst.truncate(16 * 1024 - (16 * 1024) % 10);
    hostile.write_all(&burst).unwrap();
    let peak = serve_healthy(&server, &mut healthy, 2000);
    report(
        "16 MiB value, 16 KiB of inline GETs, never read",
        baseline,
        peak,
    );
    assert!(server.is_running());
    assert!(
        peak < baseline + 100 * MIB,
        "grew from {baseline} KiB to {peak} KiB"
    );
    // The hostile client still gets its replies, in order, when it reads.
    let mut header = [0u8; 11];
    hostile.read_exact(&mut header).unwrap();
    assert_eq!(&header, b"$16777216\r\n");
}

#[test]
fn a_subscriber_that_never_reads_is_disconnected_at_its_output_limit() {
    let server = Server::start();
    let mut publisher = server.connect();
    let mut slow = server.connect();
    slow.write_all(b"SUBSCRIBE firehose\r\n").unwrap();
    let mut confirm = [0u8; 33];
    slow.read_exact(&mut confirm).unwrap();
    assert!(confirm.starts_with(b"*3\r\n$9\r\nsubscribe"));
    let baseline = server.rss_kib();
    let message = vec![b'm'; 64 * 1024];
    let mut peak = baseline;
    let mut published = 0u64;
    // The pub/sub class's hard limit is 32 MB: well before 1 GB of messages the slow
    // subscriber is cut off and PUBLISH reaches nobody.
    loop {
        let reply = call(&mut publisher, &[b"PUBLISH", b"firehose", &message], 4);
        peak = peak.max(server.rss_kib());
        published += 1;
        if reply == b":0\r\n" {
            break;
        }
        assert_eq!(reply, b":1\r\n");
        assert!(
            published < 16 * 1024,
            "the slow subscriber was never cut off"
        );
    }
    report(
        "a subscriber that never reads 64 KiB messages",
        baseline,
        peak,
    );
    assert!(
        peak < baseline + 100 * MIB,
        "grew from {baseline} KiB to {peak} KiB"
    );
    // What it had been sent before the cut, then the end of the connection.
    slow.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut sink = vec![0u8; 1 << 20];
    loop {
        match slow.read(&mut sink) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the slow subscriber was not disconnected: {e}"),
        }
    }
}

#[test]
fn the_normal_class_limit_disconnects_a_client_that_does_not_read() {
    let server = Server::start();
    let mut admin = server.connect();
    assert_eq!(
        call(
            &mut admin,
            &[
                b"CONFIG",
                b"SET",
                b"client-output-buffer-limit",
                b"normal 1mb 0 0"
            ],
            5
        ),
        b"+OK\r\n"
    );
    let value = vec![b'v'; 2 << 20];
    assert_eq!(call(&mut admin, &[b"SET", b"two", &value], 5), b"+OK\r\n");
    let mut reader = server.connect();
    assert_eq!(call(&mut reader, &[b"PING"], 7), b"+PONG\r\n");
    reader.write_all(b"GET two\r\n").unwrap();
    let mut got = Vec::new();
    let _ = reader.read_to_end(&mut got);
    assert!(
        got.is_empty(),
        "the 2 MB reply broke the 1 MB limit: closed unsent"
    );
    assert_eq!(call(&mut admin, &[b"PING"], 7), b"+PONG\r\n");
}

#[test]
fn idle_connections_give_back_their_peak_input_buffer() {
    let server = Server::start();
    let baseline = server.rss_kib();
    let value = vec![b'v'; 60 << 20];
    let mut clients: Vec<TcpStream> = Vec::new();
    for _ in 0..10 {
        let mut client = server.connect();
        // Every client writes the same key: the data set holds one 60 MiB value.
        assert_eq!(call(&mut client, &[b"SET", b"same", &value], 5), b"+OK\r\n");
        clients.push(client);
    }
    drop(value);
    // The connections are idle now; what the server holds is the one value.
    let idle = server.rss_kib();
    report(
        "10 idle clients that each sent a 60 MiB value",
        baseline,
        idle,
    );
    assert!(
        idle < baseline + 60 * MIB + 80 * MIB,
        "10 idle connections hold {idle} KiB (baseline {baseline} KiB)"
    );
    for client in &mut clients {
        assert_eq!(call(client, &[b"PING"], 7), b"+PONG\r\n");
    }
}
