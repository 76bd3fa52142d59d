//! The server run in-process through the library API on an ephemeral port, and the binary's
//! command line.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;
use volley_resp::codec::RespLimits;
use volley_resp::server::{Config, Server};

/// Sends `request` and reads exactly `expected.len()` bytes back.
fn round_trip(stream: &mut TcpStream, request: &[u8], expected: &[u8]) {
    stream.write_all(request).unwrap();
    let mut got = vec![0; expected.len()];
    stream.read_exact(&mut got).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(expected)
    );
}

#[test]
fn a_server_bound_on_port_zero_serves_from_its_own_thread() {
    let config = Config {
        port: 0,
        limits: RespLimits::default().with_max_inline(16),
        ..Config::default()
    };
    let server = Server::bind(config).unwrap();
    let address = server.local_addr().unwrap();
    assert_ne!(address.port(), 0);
    // The server runs until the test process exits.
    std::thread::spawn(move || server.run());
    let mut client = TcpStream::connect(address).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    round_trip(&mut client, b"PING\r\n", b"+PONG\r\n");
    round_trip(
        &mut client,
        b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\nGET k\r\n",
        b"+OK\r\n$1\r\nv\r\n",
    );
    // A second connection shares the keyspace.
    let mut other = TcpStream::connect(address).unwrap();
    other
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    round_trip(&mut other, b"GET k\r\n", b"$1\r\nv\r\n");
    // The configured limits apply.
    other.write_all(&[b'a'; 17]).unwrap();
    let mut got = Vec::new();
    other.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"-ERR Protocol error: too big inline request\r\n");
    round_trip(&mut client, b"QUIT\r\n", b"+OK\r\n");
}

#[test]
fn the_binary_explains_its_flags_and_refuses_bad_ones() {
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_volley-resp"))
            .args(args)
            .output()
            .expect("volley-resp runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    assert_eq!(
        run(&["--help"]),
        (
            Some(2),
            "volley-resp: usage: volley-resp [--port N] [--bind ADDR] [--max-bulk BYTES] \
             [--max-inline BYTES] [--busy-poll N]\n"
                .to_string()
        )
    );
    assert_eq!(
        run(&["--port", "70000"]),
        (
            Some(2),
            "volley-resp: --port: not a valid value: \"70000\"\n".to_string()
        )
    );
    assert_eq!(
        run(&["--busy-poll"]),
        (
            Some(2),
            "volley-resp: --busy-poll needs a value\n".to_string()
        )
    );
    assert_eq!(
        run(&["--verbose"]),
        (
            Some(2),
            "volley-resp: unknown option \"--verbose\" (try --help)\n".to_string()
        )
    );
}

#[test]
fn a_connection_task_serves_any_stream_and_leaves_the_registry_when_done() {
    use std::cell::RefCell;
    use std::rc::Rc;
    use volley_flow::sched::net::UnixStream;
    use volley_flow::sched::Scheduler;
    use volley_resp::server::{serve_connection, Client, ServerState};

    let (ours, theirs) = std::os::unix::net::UnixStream::pair().unwrap();
    let ours = UnixStream::from_std(ours).unwrap();
    let peer = std::thread::spawn(move || {
        let mut theirs = theirs;
        theirs
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        theirs
            .write_all(b"PING\r\nSET k v\r\nCLIENT\r\nQUIT\r\n")
            .unwrap();
        let mut got = Vec::new();
        theirs.read_to_end(&mut got).unwrap();
        got
    });
    let state = Rc::new(RefCell::new(ServerState::default()));
    let client = state
        .borrow_mut()
        .clients
        .register(|id| Client::new(id, "simulated:1", "simulated:2"));
    assert_eq!(state.borrow().clients.len(), 1);
    let mut sched = Scheduler::new();
    let task = sched.spawn(serve_connection(ours, Rc::clone(&state), client));
    sched.join(task).unwrap();
    let got = peer.join().unwrap();
    assert!(
        got.starts_with(b"+PONG\r\n+OK\r\n-ERR "),
        "{:?}",
        String::from_utf8_lossy(&got)
    );
    assert!(got.ends_with(b"+OK\r\n"));
    let mut state = state.borrow_mut();
    assert!(state.clients.is_empty());
    assert_eq!(state.dbs[0].key_count(), 1);
    assert_eq!(state.stats.commands_processed, 3);
}
