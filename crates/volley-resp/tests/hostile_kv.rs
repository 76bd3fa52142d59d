//! Hostile use of the keyspace over a socket: a million EXPIREs on one key, a huge SPOP, a
//! huge negative SRANDMEMBER. Each keeps the server's memory bounded and another client served.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use support::Server;

/// Sends `count` copies of `command` (already RESP-encoded) in pipelined batches, reading
/// every reply (each `reply_len` bytes) before the next batch.
fn pipeline(stream: &mut TcpStream, command: &[u8], count: usize, reply_len: usize) {
    const BATCH: usize = 10_000;
    let mut sent = 0;
    while sent < count {
        let n = BATCH.min(count - sent);
        stream.write_all(&command.repeat(n)).expect("write a batch");
        let mut replies = vec![0; n * reply_len];
        stream.read_exact(&mut replies).expect("read a batch");
        sent += n;
    }
}

fn encode(words: &[&str]) -> Vec<u8> {
    let args: Vec<&[u8]> = words.iter().map(|word| word.as_bytes()).collect();
    volley_resp::codec::encode_command(&args)
}

/// Sends one command and reads its reply up to `expected_len` bytes.
fn call(stream: &mut TcpStream, words: &[&str], expected_len: usize) -> Vec<u8> {
    support::exchange(stream, &encode(words), expected_len)
}

fn ping(stream: &mut TcpStream) {
    assert_eq!(call(stream, &["PING"], 7), b"+PONG\r\n");
}

#[test]
fn a_million_expires_on_one_key_then_del_leave_nothing_behind() {
    let server = Server::start();
    let mut healthy = server.connect();
    let mut hostile = server.connect();
    assert_eq!(call(&mut hostile, &["SET", "k", "v"], 5), b"+OK\r\n");
    ping(&mut healthy);
    let before = server.rss_kib();
    // Each EXPIRE sets a new deadline; the index keeps only the latest.
    pipeline(
        &mut hostile,
        &encode(&["EXPIRE", "k", "100000"]),
        500_000,
        4,
    );
    pipeline(
        &mut hostile,
        &encode(&["PEXPIRE", "k", "99999999"]),
        500_000,
        4,
    );
    assert_eq!(call(&mut hostile, &["DEL", "k"], 4), b":1\r\n");
    ping(&mut healthy);
    let grown = server.rss_kib().saturating_sub(before);
    // Before the index kept one entry per key, this run kept about 145 MB.
    assert!(
        grown < 8 * 1024,
        "a million EXPIREs then DEL kept {grown} KiB"
    );
    assert_eq!(call(&mut healthy, &["DBSIZE"], 4), b":0\r\n");
}

#[test]
fn spop_with_a_huge_count_answers_and_others_are_served() {
    let server = Server::start();
    let mut healthy = server.connect();
    let mut hostile = server.connect();
    let total = 200_000;
    for batch in 0..(total / 10_000) {
        let members: Vec<String> = (0..10_000)
            .map(|i| (batch * 10_000 + i).to_string())
            .collect();
        let mut words = vec!["SADD", "s"];
        words.extend(members.iter().map(String::as_str));
        assert_eq!(call(&mut hostile, &words, 8), b":10000\r\n");
    }
    ping(&mut healthy);
    hostile
        .write_all(&encode(&["SPOP", "s", "200000"]))
        .expect("send SPOP");
    // The reply: `*200000\r\n` then one bulk per member; read until all arrived.
    let mut reply = Vec::new();
    let mut chunk = vec![0; 1 << 16];
    while reply.iter().filter(|b| **b == b'$').count() < total {
        let n = hostile.read(&mut chunk).expect("read the SPOP reply");
        assert!(n > 0, "the server closed the connection");
        reply.extend_from_slice(&chunk[..n]);
    }
    assert!(reply.starts_with(b"*200000\r\n"));
    ping(&mut healthy);
    assert_eq!(call(&mut healthy, &["EXISTS", "s"], 4), b":0\r\n");
}

#[test]
fn a_negative_srandmember_count_cannot_grow_the_server() {
    let server = Server::start();
    let mut hostile = server.connect();
    assert_eq!(call(&mut hostile, &["SADD", "s", "member"], 4), b":1\r\n");
    let before = server.rss_kib();
    let refused = b"-ERR the reply for this count would exceed proto-max-bulk-len bytes\r\n";
    assert_eq!(
        call(
            &mut hostile,
            &["CONFIG", "SET", "proto-max-bulk-len", "8mb"],
            5
        ),
        b"+OK\r\n"
    );
    // Tens of gigabytes of reply if built: refused once it passes 8 MB.
    assert_eq!(
        call(
            &mut hostile,
            &["SRANDMEMBER", "s", "-4000000000"],
            refused.len()
        ),
        refused
    );
    let grown = server.rss_kib().saturating_sub(before);
    assert!(
        grown < 32 * 1024,
        "a refused SRANDMEMBER grew the server by {grown} KiB"
    );
    ping(&mut hostile);
}
