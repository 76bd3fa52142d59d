//! Hostile and odd input against the volley-resp server over raw sockets: each malformed
//! connection gets Redis's protocol error and is closed, memory stays bounded, and a healthy
//! connection keeps working throughout. Pipelined and inline requests are answered in order.

mod support;

use std::io::Write;
use support::{exchange, read_to_close, Server};

/// Checks the healthy connection still answers.
fn still_works(healthy: &mut std::net::TcpStream, round: usize) {
    let value = round.to_string();
    let set = format!(
        "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${}\r\n{value}\r\n",
        value.len()
    );
    assert_eq!(exchange(healthy, set.as_bytes(), 5), b"+OK\r\n");
    let expected = format!("${}\r\n{value}\r\n", value.len());
    assert_eq!(
        exchange(healthy, b"GET k\r\n", expected.len()),
        expected.as_bytes()
    );
}

#[test]
fn malformed_connections_are_closed_while_another_keeps_working() {
    let server = Server::start();
    let mut healthy = server.connect();
    still_works(&mut healthy, 0);
    let cases: &[(&[u8], &str)] = &[
        (
            b"*1\r\n$999999999999\r\n",
            "-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            b"*2147483648\r\n",
            "-ERR Protocol error: invalid multibulk length\r\n",
        ),
        (
            b"*abc\r\n",
            "-ERR Protocol error: invalid multibulk length\r\n",
        ),
        (
            b"*2\r\n$3\r\nGET\r\n:1\r\n",
            "-ERR Protocol error: expected '$', got ':'\r\n",
        ),
        (
            b"*1\r\n$-5\r\n",
            "-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            b"SET \"k v\r\n",
            "-ERR Protocol error: unbalanced quotes in request\r\n",
        ),
    ];
    for (round, (bytes, expected)) in cases.iter().enumerate() {
        let mut hostile = server.connect();
        hostile.write_all(bytes).unwrap();
        let got = read_to_close(&mut hostile);
        assert_eq!(
            String::from_utf8_lossy(&got),
            *expected,
            "for {:?}",
            String::from_utf8_lossy(bytes)
        );
        still_works(&mut healthy, round + 1);
    }
}

#[test]
fn requests_before_a_protocol_error_are_answered_first() {
    let server = Server::start();
    let mut client = server.connect();
    client
        .write_all(b"PING\r\n*1\r\n$4\r\nPING\r\n*x\r\nPING\r\n")
        .unwrap();
    let got = read_to_close(&mut client);
    assert_eq!(
        String::from_utf8_lossy(&got),
        "+PONG\r\n+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n"
    );
}

#[test]
fn an_endless_line_is_refused_with_bounded_memory() {
    let server = Server::start();
    let mut healthy = server.connect();
    still_works(&mut healthy, 0);
    let before = server.rss_kib();
    let mut hostile = server.connect();
    let junk = vec![b'a'; 64 * 1024];
    let mut refused = false;
    for _ in 0..64 {
        // 4 MiB at most: the server must refuse after 64 KiB, so writes start failing.
        if hostile.write_all(&junk).is_err() {
            refused = true;
            break;
        }
    }
    let got = read_to_close(&mut hostile);
    assert!(
        refused || !got.is_empty(),
        "the server neither refused nor answered an endless line"
    );
    assert!(
        String::from_utf8_lossy(&got)
            .starts_with("-ERR Protocol error: too big inline request\r\n"),
        "got {:?}",
        String::from_utf8_lossy(&got)
    );
    still_works(&mut healthy, 1);
    let grown = server.rss_kib().saturating_sub(before);
    assert!(
        grown < 16 * 1024,
        "the server grew by {grown} KiB for one endless line"
    );
}

#[test]
fn a_huge_declared_bulk_only_costs_what_actually_arrives() {
    let server = Server::start();
    let mut healthy = server.connect();
    still_works(&mut healthy, 0);
    let before = server.rss_kib();
    // 60 MB declared (under the 64 MiB default limit) on several connections, 1 KiB sent.
    let mut stalled: Vec<_> = (0..8).map(|_| server.connect()).collect();
    for conn in &mut stalled {
        conn.write_all(b"*2\r\n$3\r\nGET\r\n$60000000\r\n").unwrap();
        conn.write_all(&[b'x'; 1024]).unwrap();
    }
    still_works(&mut healthy, 1);
    let grown = server.rss_kib().saturating_sub(before);
    assert!(grown < 16 * 1024, "8 stalled 60 MB bulks cost {grown} KiB");
}

#[test]
fn pipelined_and_split_requests_are_answered_in_order() {
    let server = Server::start();
    let mut client = server.connect();
    let mut batch = Vec::new();
    let mut expected = Vec::new();
    for i in 0..200 {
        let value = i.to_string();
        batch.extend_from_slice(format!("ECHO {value}\r\n").as_bytes());
        batch.extend_from_slice(
            format!("*2\r\n$4\r\nECHO\r\n${}\r\n{value}\r\n", value.len()).as_bytes(),
        );
        let reply = format!("${}\r\n{value}\r\n", value.len());
        expected.extend_from_slice(reply.as_bytes());
        expected.extend_from_slice(reply.as_bytes());
    }
    assert_eq!(exchange(&mut client, &batch, expected.len()), expected);
    // A request split across writes, mid-length and mid-payload.
    client.write_all(b"*2\r\n$4\r\nEC").unwrap();
    client.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    client.write_all(b"HO\r\n$5\r\nhel").unwrap();
    client.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(exchange(&mut client, b"lo\r\n", 11), b"$5\r\nhello\r\n");
    // Blank inline lines and empty arrays are skipped, as Redis skips them.
    assert_eq!(
        exchange(&mut client, b"\r\n*0\r\nPING\r\n", 7),
        b"+PONG\r\n"
    );
    assert_eq!(exchange(&mut client, b"QUIT\r\n", 5), b"+OK\r\n");
    assert!(read_to_close(&mut client).is_empty());
}
