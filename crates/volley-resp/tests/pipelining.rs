//! Pipelined requests with large replies are answered as the client's socket drains: the
//! server does not build every reply first, nor read further requests from that client while
//! its replies wait, and other clients are served meanwhile.

mod support;

use std::io::{Read, Write};
use support::{exchange, Server};

/// RPUSHes `count` values of `size` bytes onto `key`, in pipelined batches.
fn fill_list(client: &mut std::net::TcpStream, key: &str, count: usize, size: usize) {
    let value = "x".repeat(size);
    let command = format!(
        "*3\r\n$5\r\nRPUSH\r\n${}\r\n{key}\r\n${size}\r\n{value}\r\n",
        key.len()
    );
    for batch in (0..count).collect::<Vec<_>>().chunks(100) {
        let mut request = Vec::new();
        for _ in batch {
            request.extend_from_slice(command.as_bytes());
        }
        client.write_all(&request).unwrap();
        let mut replies = 0;
        let mut buf = [0u8; 4096];
        let mut got = Vec::new();
        while replies < batch.len() {
            let n = client.read(&mut buf).unwrap();
            assert!(n > 0, "the server closed the connection");
            got.extend_from_slice(&buf[..n]);
            replies = got.iter().filter(|b| **b == b'\n').count();
        }
    }
}

/// `INFO stats`' total_net_output_bytes, read by `client`.
fn output_bytes(client: &mut std::net::TcpStream) -> u64 {
    client.write_all(b"INFO stats\r\n").unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !got.ends_with(b"\r\n\r\n") || !String::from_utf8_lossy(&got).contains("total_error") {
        let n = client.read(&mut buf).unwrap();
        assert!(n > 0);
        got.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&got);
    text.lines()
        .find_map(|l| l.strip_prefix("total_net_output_bytes:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("total_net_output_bytes in INFO stats")
}

#[test]
fn pipelined_large_replies_never_read_keep_the_server_small_and_responsive() {
    let server = Server::start();
    let mut healthy = server.connect();
    // A list of 10,000 values of 1 KB: each LRANGE of it replies about 10 MB.
    fill_list(&mut healthy, "l", 10_000, 1024);
    let baseline = server.rss_kib();
    let mut hostile = server.connect();
    let mut requests = Vec::new();
    for _ in 0..2_000 {
        requests.extend_from_slice(b"LRANGE l 0 -1\r\n");
    }
    hostile.write_all(&requests).unwrap();
    // Wait until the server has produced a whole reply for it (counted when first written),
    // while the healthy client is answered. From then on the hostile client's task is parked
    // writing what its socket does not take: its 2,000 replies would need it to read.
    loop {
        assert_eq!(exchange(&mut healthy, b"PING\r\n", 7), b"+PONG\r\n");
        if output_bytes(&mut healthy) > 10_000_000 {
            break;
        }
    }
    let grown_kib = server.rss_kib().saturating_sub(baseline);
    eprintln!("server RSS: {baseline} KiB with the list, +{grown_kib} KiB with the hostile client");
    // Building every reply would take 2,000 x 10 MB; one reply in flight is about 10 MB, and
    // it may be held twice while it moves to the connection's own buffer.
    assert!(
        grown_kib < 64 * 1024,
        "the server grew by {grown_kib} KiB for one client that never reads"
    );
    assert_eq!(exchange(&mut healthy, b"GET nothing\r\n", 5), b"$-1\r\n");
    // CLIENT LIST shows the replies waiting for the hostile client.
    healthy.write_all(b"CLIENT LIST\r\n").unwrap();
    let mut list = Vec::new();
    let mut buf = [0u8; 4096];
    while list.iter().filter(|b| **b == b'\n').count() < 3 {
        let n = healthy.read(&mut buf).unwrap();
        assert!(n > 0);
        list.extend_from_slice(&buf[..n]);
    }
    let list = String::from_utf8_lossy(&list);
    let waiting = list
        .lines()
        .filter_map(|line| line.split(" omem=").nth(1))
        .filter_map(|rest| rest.split(' ').next()?.parse::<u64>().ok())
        .max();
    assert!(waiting.is_some_and(|bytes| bytes > 0), "{list}");
    drop(hostile);
    assert_eq!(exchange(&mut healthy, b"DBSIZE\r\n", 4), b":1\r\n");
}

#[test]
fn pipelined_replies_past_the_pause_arrive_whole_and_in_order() {
    let server = Server::start();
    let mut client = server.connect();
    fill_list(&mut client, "l", 100, 1000);
    // 200 LRANGEs of 100 KB each, then a marker: every reply in order, none lost or cut.
    let mut requests = Vec::new();
    for _ in 0..200 {
        requests.extend_from_slice(b"LRANGE l 0 -1\r\n");
    }
    requests.extend_from_slice(b"ECHO done\r\n");
    client.write_all(&requests).unwrap();
    let one = {
        let mut reply = b"*100\r\n".to_vec();
        for _ in 0..100 {
            reply.extend_from_slice(b"$1000\r\n");
            reply.extend_from_slice(&[b'x'; 1000]);
            reply.extend_from_slice(b"\r\n");
        }
        reply
    };
    let mut expected = Vec::new();
    for _ in 0..200 {
        expected.extend_from_slice(&one);
    }
    expected.extend_from_slice(b"$4\r\ndone\r\n");
    let mut got = vec![0u8; expected.len()];
    client.read_exact(&mut got).unwrap();
    assert!(
        got == expected,
        "the replies differ from 200 LRANGE replies and the marker"
    );
}
