//! Pub/sub fan-out load: one publisher, many subscribers of one channel, against a server
//! already listening. Prints the messages delivered per second (publishes × subscribers / time
//! from the first PUBLISH until every subscriber has read every message). Driven by
//! `benches/pubsub_fanout.sh`, which runs it against Volley's server and redis-server in turn.
//!
//! ```text
//! cargo bench -p volley-benches --bench pubsub_fanout -- PORT [SUBSCRIBERS] [MESSAGES] [PAYLOAD]
//! ```

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::time::Instant;

/// Publishes pipelined per round trip.
const BATCH: usize = 32;

fn arg(args: &[String], at: usize, default: usize) -> usize {
    args.get(at)
        .map(|a| a.parse().expect("a number"))
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let port: u16 = args
        .first()
        .and_then(|p| p.parse().ok())
        .expect("usage: pubsub_fanout PORT [SUBSCRIBERS] [MESSAGES] [PAYLOAD]");
    let subscribers = arg(&args, 1, 100);
    let messages = arg(&args, 2, 20_000);
    let payload = vec![b'p'; arg(&args, 3, 16)];
    let channel = b"fanout";
    let frame_len = format!(
        "*3\r\n$7\r\nmessage\r\n${}\r\nfanout\r\n${}\r\n",
        channel.len(),
        payload.len()
    )
    .len()
        + payload.len()
        + 2;
    let ready = Arc::new(Barrier::new(subscribers + 1));
    let readers: Vec<_> = (0..subscribers)
        .map(|_| {
            let ready = Arc::clone(&ready);
            std::thread::spawn(move || {
                let mut conn = TcpStream::connect(("127.0.0.1", port)).expect("connect");
                conn.write_all(b"SUBSCRIBE fanout\r\n").unwrap();
                let confirm = b"*3\r\n$9\r\nsubscribe\r\n$6\r\nfanout\r\n:1\r\n";
                let mut got = vec![0u8; confirm.len()];
                conn.read_exact(&mut got).unwrap();
                assert_eq!(got, confirm);
                ready.wait();
                let mut left = frame_len * messages;
                let mut buf = vec![0u8; 64 * 1024];
                while left > 0 {
                    let n = conn.read(&mut buf).expect("read messages");
                    assert!(n > 0, "the server closed a subscriber");
                    left = left.saturating_sub(n);
                }
                Instant::now()
            })
        })
        .collect();
    let mut publisher = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    publisher.set_nodelay(true).unwrap();
    let mut command = format!(
        "*3\r\n$7\r\nPUBLISH\r\n$6\r\nfanout\r\n${}\r\n",
        payload.len()
    )
    .into_bytes();
    command.extend_from_slice(&payload);
    command.extend_from_slice(b"\r\n");
    let reply = format!(":{subscribers}\r\n").into_bytes();
    ready.wait();
    let start = Instant::now();
    let mut sent = 0;
    let mut replies = vec![0u8; reply.len() * BATCH];
    while sent < messages {
        let batch = BATCH.min(messages - sent);
        publisher.write_all(&command.repeat(batch)).unwrap();
        publisher
            .read_exact(&mut replies[..reply.len() * batch])
            .unwrap();
        assert_eq!(
            &replies[..reply.len()],
            &reply[..],
            "every subscriber reached"
        );
        sent += batch;
    }
    let published = start.elapsed();
    let done = readers
        .into_iter()
        .map(|r| r.join().unwrap())
        .max()
        .unwrap_or(start);
    let elapsed = done.duration_since(start).as_secs_f64();
    let delivered = (messages * subscribers) as f64;
    println!(
        "subscribers={subscribers} messages={messages} payload={} publish_per_s={:.0} delivered_per_s={:.0}",
        payload.len(),
        messages as f64 / published.as_secs_f64().max(elapsed),
        delivered / elapsed
    );
}
