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

/// Starts an in-process server on a free port; answers its address.
fn start_server() -> std::net::SocketAddr {
    let server = Server::bind(Config {
        port: 0,
        ..Config::default()
    })
    .unwrap();
    let address = server.local_addr().unwrap();
    std::thread::spawn(move || server.run());
    address
}

fn connect(address: std::net::SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// Reads one line (up to `\n`) of a reply.
fn read_line(stream: &mut TcpStream) -> String {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while !line.ends_with(b"\n") {
        match stream.read(&mut byte).unwrap() {
            0 => break,
            _ => line.push(byte[0]),
        }
    }
    String::from_utf8(line).unwrap()
}

#[test]
fn client_kill_closes_another_connection_and_maxclients_refuses_extra_ones() {
    let address = start_server();
    let mut victim = connect(address);
    victim.write_all(b"CLIENT ID\r\n").unwrap();
    let id = read_line(&mut victim);
    let id = id.trim().trim_start_matches(':').to_string();
    let mut killer = connect(address);
    round_trip(
        &mut killer,
        format!("CLIENT KILL ID {id}\r\n").as_bytes(),
        b":1\r\n",
    );
    let mut rest = Vec::new();
    victim.read_to_end(&mut rest).unwrap();
    assert_eq!(rest, b"", "the killed client is closed without a reply");
    let list = bulk(&mut killer, b"CLIENT LIST\r\n");
    assert_eq!(
        list.lines().filter(|l| l.starts_with("id=")).count(),
        1,
        "{list}"
    );

    round_trip(&mut killer, b"CONFIG SET maxclients 2\r\n", b"+OK\r\n");
    let mut second = connect(address);
    round_trip(&mut second, b"PING\r\n", b"+PONG\r\n");
    let mut refused = connect(address);
    let mut got = Vec::new();
    refused.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"-ERR max number of clients reached\r\n");
    let stats = bulk(&mut killer, b"INFO stats\r\n");
    assert!(stats.contains("\r\nrejected_connections:1\r\n"), "{stats}");
}

/// Sends `request` and reads the bulk string it answers.
fn bulk(stream: &mut TcpStream, request: &[u8]) -> String {
    stream.write_all(request).unwrap();
    let header = read_line(stream);
    let len: usize = header.trim()[1..].parse().unwrap();
    let mut body = vec![0; len + 2];
    stream.read_exact(&mut body).unwrap();
    String::from_utf8(body).unwrap()
}

#[test]
fn resp3_is_negotiated_per_connection() {
    let address = start_server();
    let mut three = connect(address);
    let mut two = connect(address);
    three.write_all(b"HELLO 3\r\n").unwrap();
    assert_eq!(read_line(&mut three), "%7\r\n");
    while read_line(&mut three) != "*0\r\n" {}
    round_trip(&mut three, b"GET nothing\r\n", b"_\r\n");
    round_trip(&mut two, b"GET nothing\r\n", b"$-1\r\n");
}

#[test]
fn clients_idle_past_the_timeout_are_closed() {
    let address = start_server();
    let mut idle = connect(address);
    round_trip(&mut idle, b"PING\r\n", b"+PONG\r\n");
    let mut admin = connect(address);
    round_trip(&mut admin, b"CONFIG SET timeout 1\r\n", b"+OK\r\n");
    // The server closes it on its own once it has been idle for over a second.
    let mut rest = Vec::new();
    idle.read_to_end(&mut rest).unwrap();
    assert_eq!(rest, b"");
}
