//! Transactions, pub/sub and blocking commands: in-process through a `Session` where one
//! client is enough, over sockets against the binary where clients wait for each other.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use support::Server;
use volley_resp::server::{ServerState, Session};

fn text(reply: Vec<u8>) -> String {
    String::from_utf8(reply).unwrap()
}

/// Two sessions on one server state are not possible, so transactions between clients are
/// tested over sockets; one client's own rules are tested here.
#[test]
fn multi_queues_and_exec_runs_in_order() {
    let mut s = Session::new();
    assert_eq!(text(s.command(&["MULTI"])), "+OK\r\n");
    assert_eq!(text(s.command(&["RPUSH", "l", "a", "b"])), "+QUEUED\r\n");
    assert_eq!(text(s.command(&["LRANGE", "l", "0", "-1"])), "+QUEUED\r\n");
    assert_eq!(text(s.command(&["PING"])), "+QUEUED\r\n");
    assert_eq!(
        text(s.command(&["EXEC"])),
        "*3\r\n:2\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n+PONG\r\n"
    );
    assert_eq!(text(s.command(&["EXEC"])), "-ERR EXEC without MULTI\r\n");
    assert_eq!(
        text(s.command(&["DISCARD"])),
        "-ERR DISCARD without MULTI\r\n"
    );
}

#[test]
fn multi_errors_are_redis_errors() {
    let mut s = Session::new();
    s.command(&["MULTI"]);
    assert_eq!(
        text(s.command(&["MULTI"])),
        "-ERR MULTI calls can not be nested\r\n"
    );
    assert_eq!(
        text(s.command(&["WATCH", "x"])),
        "-ERR WATCH inside MULTI is not allowed\r\n"
    );
    assert_eq!(text(s.command(&["SET", "a", "1"])), "+QUEUED\r\n");
    assert!(text(s.command(&["NOSUCHCOMMAND"])).starts_with("-ERR unknown command"));
    assert_eq!(
        text(s.command(&["GET"])),
        "-ERR wrong number of arguments for 'get' command\r\n"
    );
    assert_eq!(
        text(s.command(&["EXEC"])),
        "-EXECABORT Transaction discarded because of previous errors.\r\n"
    );
    assert_eq!(text(s.command(&["EXISTS", "a"])), ":0\r\n", "nothing ran");
    assert_eq!(
        text(s.command(&["PING"])),
        "+PONG\r\n",
        "the MULTI state is gone"
    );
}

#[test]
fn discard_drops_the_queue_and_the_watches() {
    let mut s = Session::new();
    s.command(&["WATCH", "x"]);
    s.command(&["SET", "x", "10"]);
    s.command(&["MULTI"]);
    assert_eq!(text(s.command(&["DISCARD"])), "+OK\r\n");
    s.command(&["MULTI"]);
    s.command(&["INCR", "x"]);
    assert_eq!(text(s.command(&["EXEC"])), "*1\r\n:11\r\n");
}

#[test]
fn a_touched_watch_fails_exec_with_a_null() {
    let mut s = Session::new();
    s.command(&["SET", "x", "30"]);
    s.command(&["WATCH", "a", "x", "b"]);
    s.command(&["SET", "x", "40"]);
    s.command(&["MULTI"]);
    s.command(&["PING"]);
    assert_eq!(text(s.command(&["EXEC"])), "*-1\r\n");
    // The failed EXEC unwatched everything.
    s.command(&["SET", "x", "50"]);
    s.command(&["MULTI"]);
    s.command(&["PING"]);
    assert_eq!(text(s.command(&["EXEC"])), "*1\r\n+PONG\r\n");
    // RESP3 says null as `_`.
    s.command(&["HELLO", "3"]);
    s.command(&["WATCH", "x"]);
    s.command(&["DEL", "x"]);
    s.command(&["MULTI"]);
    assert_eq!(text(s.command(&["EXEC"])), "_\r\n");
}

#[test]
fn unwatch_and_untouched_watches_let_exec_run() {
    let mut s = Session::new();
    s.command(&["WATCH", "x"]);
    s.command(&["SET", "x", "1"]);
    assert_eq!(text(s.command(&["UNWATCH"])), "+OK\r\n");
    s.command(&["MULTI"]);
    s.command(&["GET", "x"]);
    assert_eq!(text(s.command(&["EXEC"])), "*1\r\n$1\r\n1\r\n");
    // A write that failed touches nothing.
    s.command(&["WATCH", "x"]);
    assert!(text(s.command(&["LPUSH", "x", "v"])).starts_with("-WRONGTYPE"));
    s.command(&["MULTI"]);
    s.command(&["PING"]);
    assert_eq!(text(s.command(&["EXEC"])), "*1\r\n+PONG\r\n");
}

#[test]
fn flushes_touch_only_watched_keys_that_exist() {
    let mut s = Session::new();
    s.command(&["WATCH", "absent"]);
    s.command(&["FLUSHALL"]);
    s.command(&["MULTI"]);
    s.command(&["PING"]);
    assert_eq!(text(s.command(&["EXEC"])), "*1\r\n+PONG\r\n");
    s.command(&["SET", "x", "1"]);
    s.command(&["WATCH", "x"]);
    s.command(&["FLUSHDB"]);
    s.command(&["MULTI"]);
    assert_eq!(text(s.command(&["EXEC"])), "*-1\r\n");
    // SWAPDB replacing a missing watched key with an existing one touches it.
    s.command(&["SELECT", "1"]);
    s.command(&["SET", "y", "1"]);
    s.command(&["SELECT", "0"]);
    s.command(&["WATCH", "y"]);
    s.command(&["SWAPDB", "0", "1"]);
    s.command(&["MULTI"]);
    assert_eq!(text(s.command(&["EXEC"])), "*-1\r\n");
}

#[test]
fn a_watched_key_that_expires_fails_exec() {
    let mut s = Session::new();
    s.command(&["SET", "x", "1", "PX", "1"]);
    s.command(&["WATCH", "x"]);
    let start = Instant::now();
    while text(s.command(&["EXISTS", "x"])) != ":0\r\n" {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the key never expired"
        );
        std::thread::yield_now();
    }
    s.command(&["MULTI"]);
    s.command(&["PING"]);
    assert_eq!(text(s.command(&["EXEC"])), "*-1\r\n");
}

#[test]
fn blocking_commands_inside_exec_answer_as_timed_out() {
    let mut s = Session::new();
    s.command(&["MULTI"]);
    for command in [
        &["BLPOP", "empty", "0"][..],
        &["BRPOP", "empty", "0"],
        &["BRPOPLPUSH", "e1", "e2", "0"],
        &["BZPOPMIN", "z", "0"],
        &["BZPOPMAX", "z", "0"],
    ] {
        assert_eq!(text(s.command(command)), "+QUEUED\r\n");
    }
    assert_eq!(
        text(s.command(&["EXEC"])),
        "*5\r\n*-1\r\n*-1\r\n*-1\r\n*-1\r\n*-1\r\n"
    );
    assert_eq!(s.server.waits.blocked_clients(), 0);
}

#[test]
fn blocking_pops_answer_at_once_when_data_is_there() {
    let mut s = Session::new();
    s.command(&["RPUSH", "l2", "a", "b"]);
    assert_eq!(
        text(s.command(&["BLPOP", "l1", "l2", "0"])),
        "*2\r\n$2\r\nl2\r\n$1\r\na\r\n"
    );
    assert_eq!(
        text(s.command(&["BRPOP", "l1", "l2", "0"])),
        "*2\r\n$2\r\nl2\r\n$1\r\nb\r\n"
    );
    assert_eq!(text(s.command(&["EXISTS", "l2"])), ":0\r\n");
    s.command(&["ZADD", "z", "1", "a", "2", "b"]);
    assert_eq!(
        text(s.command(&["BZPOPMIN", "z", "0"])),
        "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    s.command(&["SET", "str", "x"]);
    assert!(text(s.command(&["BLPOP", "nothing", "str", "1"])).starts_with("-WRONGTYPE"));
}

#[test]
fn blocking_timeouts_are_checked_as_redis_checks_them() {
    let mut s = Session::new();
    assert_eq!(
        text(s.command(&["BLPOP", "l", "-1"])),
        "-ERR timeout is negative\r\n"
    );
    assert_eq!(
        text(s.command(&["BRPOP", "l", "abc"])),
        "-ERR timeout is not a float or out of range\r\n"
    );
    assert_eq!(
        text(s.command(&["BLMOVE", "a", "b", "up", "left", "0"])),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        text(s.command(&["BLMPOP", "0", "0", "l", "left"])),
        "-ERR numkeys should be greater than 0\r\n"
    );
    assert_eq!(s.server.waits.blocked_clients(), 0);
}

#[test]
fn a_session_blocks_and_is_served_by_a_push_in_order() {
    // One Session is one client: block it, then push through the server state as another
    // client would, and look at what is queued for it.
    let mut s = Session::with_state(ServerState::default());
    assert_eq!(text(s.command(&["BLPOP", "q", "0"])), "");
    assert_eq!(s.server.waits.blocked_clients(), 1);
    assert!(s.client.borrow().activity.blocked);
    assert_eq!(
        text(s.command(&["CLIENT", "UNBLOCK", "99"])),
        ":0\r\n",
        "an unknown client is not blocked"
    );
}

#[test]
fn pubsub_confirmations_and_introspection() {
    let mut s = Session::new();
    assert_eq!(
        text(s.command(&["SUBSCRIBE", "a", "b", "a"])),
        "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n\
         *3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n"
    );
    assert_eq!(
        text(s.command(&["GET", "k"])),
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
    );
    assert_eq!(text(s.command(&["PING"])), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    assert_eq!(
        text(s.command(&["PSUBSCRIBE", "n*"])),
        "*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:3\r\n"
    );
    assert_eq!(
        text(s.command(&["UNSUBSCRIBE"])),
        "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:2\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:1\r\n"
    );
    assert_eq!(
        text(s.command(&["PUNSUBSCRIBE"])),
        "*3\r\n$12\r\npunsubscribe\r\n$2\r\nn*\r\n:0\r\n"
    );
    assert_eq!(
        text(s.command(&["UNSUBSCRIBE"])),
        "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n"
    );
    assert_eq!(text(s.command(&["PING"])), "+PONG\r\n");
    assert_eq!(
        text(s.command(&["PUBSUB", "NUMSUB", "a", "zz"])),
        "*4\r\n$1\r\na\r\n:0\r\n$2\r\nzz\r\n:0\r\n"
    );
    assert_eq!(text(s.command(&["PUBSUB", "NUMPAT"])), ":0\r\n");
}

#[test]
fn a_resp3_subscriber_gets_pushes_and_may_run_anything() {
    let mut s = Session::new();
    s.command(&["HELLO", "3"]);
    assert_eq!(
        text(s.command(&["SUBSCRIBE", "c"])),
        ">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n"
    );
    assert_eq!(text(s.command(&["SET", "k", "v"])), "+OK\r\n");
    // Publishing to itself: the message comes before the count.
    assert_eq!(
        text(s.command(&["PUBLISH", "c", "hi"])),
        ">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n:1\r\n"
    );
    assert_eq!(
        text(s.command(&["PUBSUB", "CHANNELS"])),
        "*1\r\n$1\r\nc\r\n"
    );
    assert_eq!(text(s.command(&["RESET"])), "+RESET\r\n");
    assert_eq!(text(s.command(&["PUBSUB", "CHANNELS"])), "*0\r\n");
}

/// A socket client speaking raw RESP.
struct Conn(TcpStream);

impl Conn {
    fn new(server: &Server) -> Conn {
        Conn(server.connect())
    }

    fn send(&mut self, words: &[&str]) {
        let args: Vec<&[u8]> = words.iter().map(|word| word.as_bytes()).collect();
        let bytes = volley_resp::codec::encode_command(&args);
        self.0.write_all(&bytes).unwrap();
    }

    /// Reads exactly `expected.len()` bytes and compares.
    fn expect(&mut self, expected: &str) {
        let mut got = vec![0u8; expected.len()];
        self.0.read_exact(&mut got).unwrap();
        assert_eq!(String::from_utf8_lossy(&got), expected);
    }

    /// Reads one line, without its `\r\n`.
    fn line(&mut self) -> String {
        let mut line = Vec::new();
        let mut byte = [0u8];
        while !line.ends_with(b"\r\n") {
            self.0.read_exact(&mut byte).unwrap();
            line.push(byte[0]);
        }
        line.truncate(line.len() - 2);
        String::from_utf8(line).unwrap()
    }

    /// Reads one bulk string reply.
    fn bulk(&mut self) -> Vec<u8> {
        let header = self.line();
        let len: usize = header[1..].parse().unwrap();
        let mut body = vec![0u8; len + 2];
        self.0.read_exact(&mut body).unwrap();
        body.truncate(len);
        body
    }

    fn call(&mut self, words: &[&str], expected: &str) {
        self.send(words);
        self.expect(expected);
    }
}

/// Waits until the server reports `count` blocked clients.
fn wait_blocked(admin: &mut Conn, count: usize) {
    let start = Instant::now();
    loop {
        admin.send(&["INFO", "clients"]);
        let info = String::from_utf8_lossy(&admin.bulk()).to_string();
        if info.contains(&format!("blocked_clients:{count}\r\n")) {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "never {count} blocked: {info}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn blocked_clients_are_served_first_blocked_first() {
    let server = Server::start();
    let mut admin = Conn::new(&server);
    let mut first = Conn::new(&server);
    let mut second = Conn::new(&server);
    first.send(&["BLPOP", "q", "other", "0"]);
    wait_blocked(&mut admin, 1);
    second.send(&["BRPOP", "q", "0"]);
    wait_blocked(&mut admin, 2);
    admin.call(&["RPUSH", "q", "a", "b", "c"], ":3\r\n");
    first.expect("*2\r\n$1\r\nq\r\n$1\r\na\r\n");
    second.expect("*2\r\n$1\r\nq\r\n$1\r\nc\r\n");
    admin.call(&["LRANGE", "q", "0", "-1"], "*1\r\n$1\r\nb\r\n");
    // Both go on with their next commands.
    first.call(&["PING"], "+PONG\r\n");
    second.call(&["PING"], "+PONG\r\n");
}

#[test]
fn a_pipeline_behind_a_blocked_command_waits_for_it() {
    let server = Server::start();
    let mut admin = Conn::new(&server);
    let mut blocked = Conn::new(&server);
    blocked.send(&["BLPOP", "q", "0"]);
    blocked.send(&["GET", "after"]);
    wait_blocked(&mut admin, 1);
    admin.call(&["SET", "after", "yes"], "+OK\r\n");
    admin.call(&["LPUSH", "q", "x"], ":1\r\n");
    blocked.expect("*2\r\n$1\r\nq\r\n$1\r\nx\r\n$3\r\nyes\r\n");
}

#[test]
fn a_transaction_wakes_blocked_clients_after_exec() {
    let server = Server::start();
    let mut admin = Conn::new(&server);
    let mut blocked = Conn::new(&server);
    blocked.send(&["BLPOP", "q", "0"]);
    wait_blocked(&mut admin, 1);
    admin.call(&["MULTI"], "+OK\r\n");
    admin.call(&["LPUSH", "q", "a"], "+QUEUED\r\n");
    admin.call(&["LPOP", "q"], "+QUEUED\r\n");
    admin.call(&["LPUSH", "q", "b"], "+QUEUED\r\n");
    admin.call(&["EXEC"], "*3\r\n:1\r\n$1\r\na\r\n:1\r\n");
    blocked.expect("*2\r\n$1\r\nq\r\n$1\r\nb\r\n");
}

#[test]
fn blocking_times_out_and_unblocks() {
    let server = Server::start();
    let mut admin = Conn::new(&server);
    let mut blocked = Conn::new(&server);
    blocked.call(&["BLPOP", "q", "0.01"], "*-1\r\n");
    blocked.call(&["BZPOPMIN", "z", "0.01"], "*-1\r\n");
    blocked.send(&["CLIENT", "ID"]);
    let id = blocked.line()[1..].to_string();
    blocked.send(&["BRPOPLPUSH", "a", "b", "0"]);
    wait_blocked(&mut admin, 1);
    admin.call(&["CLIENT", "UNBLOCK", &id, "ERROR"], ":1\r\n");
    blocked.expect("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
    admin.call(&["CLIENT", "UNBLOCK", &id], ":0\r\n");
}

#[test]
fn a_blocked_client_that_leaves_leaves_nothing_behind() {
    let server = Server::start();
    let mut admin = Conn::new(&server);
    let mut gone = Conn::new(&server);
    gone.send(&["BLPOP", "q", "0"]);
    wait_blocked(&mut admin, 1);
    drop(gone);
    wait_blocked(&mut admin, 0);
    // The push is not swallowed by the departed client.
    admin.call(&["LPUSH", "q", "kept"], ":1\r\n");
    admin.call(&["LLEN", "q"], ":1\r\n");
}

#[test]
fn blmove_serves_and_chains_to_a_client_blocked_on_the_target() {
    let server = Server::start();
    let mut admin = Conn::new(&server);
    let mut mover = Conn::new(&server);
    let mut target = Conn::new(&server);
    target.send(&["BLPOP", "dst", "0"]);
    wait_blocked(&mut admin, 1);
    mover.send(&["BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"]);
    wait_blocked(&mut admin, 2);
    admin.call(&["RPUSH", "src", "v"], ":1\r\n");
    mover.expect("$1\r\nv\r\n");
    target.expect("*2\r\n$3\r\ndst\r\n$1\r\nv\r\n");
    wait_blocked(&mut admin, 0);
}

#[test]
fn publish_reaches_channel_and_pattern_subscribers() {
    let server = Server::start();
    let mut publisher = Conn::new(&server);
    let mut sub = Conn::new(&server);
    let mut psub = Conn::new(&server);
    sub.call(
        &["SUBSCRIBE", "news"],
        "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n",
    );
    psub.send(&["HELLO", "3"]);
    let fields: usize = psub.line()[1..].parse().unwrap();
    for _ in 0..fields * 2 {
        let item = psub.line();
        if item.starts_with('$') {
            psub.line();
        } else if item.starts_with('*') {
            assert_eq!(item, "*0", "HELLO's modules");
        }
    }
    psub.call(
        &["PSUBSCRIBE", "ne*"],
        ">3\r\n$10\r\npsubscribe\r\n$3\r\nne*\r\n:1\r\n",
    );
    publisher.call(&["PUBLISH", "news", "hello"], ":2\r\n");
    sub.expect("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
    psub.expect(">4\r\n$8\r\npmessage\r\n$3\r\nne*\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
    publisher.call(&["PUBSUB", "NUMSUB", "news"], "*2\r\n$4\r\nnews\r\n:1\r\n");
    publisher.call(&["PUBSUB", "NUMPAT"], ":1\r\n");
    drop(sub);
    drop(psub);
    let start = Instant::now();
    loop {
        publisher.send(&["PUBLISH", "news", "again"]);
        let mut reply = [0u8; 4];
        publisher.0.read_exact(&mut reply).unwrap();
        if &reply == b":0\r\n" {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "subscribers never left"
        );
    }
}

#[test]
fn watch_sees_writes_from_other_clients() {
    let server = Server::start();
    let mut watcher = Conn::new(&server);
    let mut writer = Conn::new(&server);
    watcher.call(&["SET", "x", "1"], "+OK\r\n");
    watcher.call(&["WATCH", "x"], "+OK\r\n");
    writer.call(&["INCR", "x"], ":2\r\n");
    watcher.call(&["MULTI"], "+OK\r\n");
    watcher.call(&["INCR", "x"], "+QUEUED\r\n");
    watcher.call(&["EXEC"], "*-1\r\n");
    watcher.call(&["GET", "x"], "$1\r\n2\r\n");
}

#[test]
fn over_maxmemory_commands_that_allocate_are_refused() {
    let mut s = Session::new();
    s.command(&["SET", "x", "1"]);
    assert_eq!(
        text(s.command(&["CONFIG", "SET", "maxmemory", "1"])),
        "+OK\r\n"
    );
    let oom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
    assert_eq!(text(s.command(&["SET", "y", "1"])), oom);
    assert_eq!(
        text(s.command(&["GET", "x"])),
        "$1\r\n1\r\n",
        "reads still run"
    );
    s.command(&["MULTI"]);
    assert_eq!(text(s.command(&["LPUSH", "l", "v"])), oom);
    assert_eq!(
        text(s.command(&["EXEC"])),
        "-EXECABORT Transaction discarded because of previous errors.\r\n"
    );
    s.command(&["MULTI"]);
    s.command(&["GET", "x"]);
    assert_eq!(text(s.command(&["DISCARD"])), "+OK\r\n");
    assert_eq!(
        text(s.command(&["CONFIG", "SET", "maxmemory", "0"])),
        "+OK\r\n"
    );
    assert_eq!(text(s.command(&["SET", "y", "1"])), "+OK\r\n");
}

#[test]
fn keyspace_events_reach_pattern_subscribers() {
    let server = Server::start();
    let mut admin = Conn::new(&server);
    let mut sub = Conn::new(&server);
    admin.call(
        &["CONFIG", "SET", "notify-keyspace-events", "KEA"],
        "+OK\r\n",
    );
    sub.call(
        &["PSUBSCRIBE", "__key*"],
        "*3\r\n$10\r\npsubscribe\r\n$6\r\n__key*\r\n:1\r\n",
    );
    admin.call(&["RPUSH", "src", "2", "1"], ":2\r\n");
    admin.call(&["SORT", "src", "STORE", "dst"], ":2\r\n");
    // The list family may report its own RPUSH first: skip to the SORT's events.
    let wanted =
        "*4\r\n$8\r\npmessage\r\n$6\r\n__key*\r\n$18\r\n__keyspace@0__:dst\r\n$9\r\nsortstore\r\n";
    let mut seen = String::new();
    while !seen.contains(wanted) {
        let mut byte = [0u8];
        sub.0.read_exact(&mut byte).unwrap();
        seen.push(byte[0] as char);
    }
    sub.expect(
        "*4\r\n$8\r\npmessage\r\n$6\r\n__key*\r\n$24\r\n__keyevent@0__:sortstore\r\n$3\r\ndst\r\n",
    );
    // Keys the expiry sweep removes are reported too.
    admin.call(&["SET", "brief", "1", "PX", "1"], "+OK\r\n");
    let wanted = "$22\r\n__keyevent@0__:expired\r\n$5\r\nbrief\r\n";
    let mut seen = String::new();
    while !seen.contains(wanted) {
        let mut byte = [0u8];
        sub.0.read_exact(&mut byte).unwrap();
        seen.push(byte[0] as char);
    }
}

#[test]
fn stream_reads_with_block_check_their_arguments() {
    let mut s = Session::new();
    assert_eq!(
        text(s.command(&["XREAD", "BLOCK", "-1", "STREAMS", "s", "0"])),
        "-ERR timeout is negative\r\n"
    );
    assert_eq!(
        text(s.command(&["XREAD", "BLOCK", "x", "STREAMS", "s", "0"])),
        "-ERR timeout is not an integer or out of range\r\n"
    );
    assert_eq!(
        text(s.command(&["XREAD", "BLOCK", "10", "STREAMS", "s"])),
        "-ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be specified.\r\n"
    );
    assert_eq!(s.server.waits.blocked_clients(), 0);
}
