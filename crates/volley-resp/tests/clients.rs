//! The volley-resp server driven by real Redis clients: `redis-cli` for every command with
//! reply checks, `redis-benchmark` over its whole default suite, plain and pipelined.
//! These need `redis-tools` (CI installs it); without it they fail saying so.

mod support;

use std::process::Command;
use support::{tool, Server};

/// Runs one `redis-cli --no-raw` command and answers its output, trailing newline removed.
fn cli(server: &Server, args: &[&str]) -> String {
    let output = Command::new(tool("redis-cli"))
        .args(["-p", &server.port.to_string(), "--no-raw"])
        .args(args)
        .output()
        .expect("redis-cli runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.strip_suffix('\n').unwrap_or(&text).to_string()
}

#[test]
fn every_command_through_redis_cli() {
    let server = Server::start();
    let wrongtype = "(error) WRONGTYPE Operation against a key holding the wrong kind of value";
    let script: &[(&[&str], &str)] = &[
        (&["PING"], "PONG"),
        (&["PING", "hello"], "\"hello\""),
        (&["ECHO", "hi there"], "\"hi there\""),
        (&["SET", "k", "v"], "OK"),
        (&["GET", "k"], "\"v\""),
        (&["GET", "missing"], "(nil)"),
        (&["SET", "k", "w", "NX"], "(nil)"),
        (&["SET", "k", "w", "XX", "GET"], "\"v\""),
        (&["INCR", "n"], "(integer) 1"),
        (&["INCRBY", "n", "10"], "(integer) 11"),
        (&["DECR", "n"], "(integer) 10"),
        (&["INCR", "k"], "(error) ERR value is not an integer or out of range"),
        (&["INCRBY", "n", "x"], "(error) ERR value is not an integer or out of range"),
        (&["LPUSH", "l", "a", "b"], "(integer) 2"),
        (&["RPUSH", "l", "c"], "(integer) 3"),
        (&["LRANGE", "l", "0", "-1"], "1) \"b\"\n2) \"a\"\n3) \"c\""),
        (&["LRANGE", "l", "-2", "100"], "1) \"a\"\n2) \"c\""),
        (&["LLEN", "l"], "(integer) 3"),
        (&["LPOP", "l"], "\"b\""),
        (&["RPOP", "l"], "\"c\""),
        (&["GET", "l"], wrongtype),
        (&["LPUSH", "k", "x"], wrongtype),
        (&["SADD", "s", "x", "y", "x"], "(integer) 2"),
        (&["SCARD", "s"], "(integer) 2"),
        (&["SCARD", "l"], wrongtype),
        (&["HSET", "h", "f1", "v1", "f2", "v2"], "(integer) 2"),
        (&["HSET", "h", "f1", "v9"], "(integer) 0"),
        (&["HGET", "h", "f1"], "\"v9\""),
        (&["HGET", "h", "nope"], "(nil)"),
        (&["HSET", "h", "f1"], "(error) ERR wrong number of arguments for 'hset' command"),
        (&["ZADD", "z", "2", "b", "1", "a"], "(integer) 2"),
        (&["ZADD", "z", "x", "a"], "(error) ERR value is not a valid float"),
        (&["ZPOPMIN", "z"], "1) \"a\"\n2) \"1\""),
        (&["ZPOPMIN", "z", "5"], "1) \"b\"\n2) \"2\""),
        (&["MSET", "m1", "x", "m2", "y"], "OK"),
        (&["MGET", "m1", "m2", "nope", "l"], "1) \"x\"\n2) \"y\"\n3) (nil)\n4) (nil)"),
        (&["MSET", "m1"], "(error) ERR wrong number of arguments for 'mset' command"),
        (&["XADD", "x", "1-1", "f", "v"], "\"1-1\""),
        (
            &["XADD", "x", "1-1", "f", "v"],
            "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item",
        ),
        (&["XADD", "x", "5", "f", "v"], "\"5-0\""),
        (&["XADD", "x", "5-*", "f", "v"], "\"5-1\""),
        (&["DEL", "m1", "m2", "nope"], "(integer) 2"),
        (&["EXISTS", "k", "l", "h", "nope", "k"], "(integer) 4"),
        (&["EXPIRE", "h", "100"], "(integer) 1"),
        (&["TTL", "h"], "(integer) 100"),
        (&["TTL", "l"], "(integer) -1"),
        (&["TTL", "nope"], "(integer) -2"),
        (&["EXPIRE", "nope", "100"], "(integer) 0"),
        (&["EXPIRE", "l", "0"], "(integer) 1"),
        (&["EXISTS", "l"], "(integer) 0"),
        (&["DBSIZE"], "(integer) 5"), // k n s h x: z was emptied, l expired
        (&["SELECT", "0"], "OK"),
        (&["SELECT", "15"], "OK"),
        (&["SELECT", "16"], "(error) ERR DB index is out of range"),
        (&["CONFIG", "GET", "save"], "1) \"save\"\n2) \"\""),
        (&["CONFIG", "GET", "appendonly"], "1) \"appendonly\"\n2) \"no\""),
        (
            &["FOO", "a", "b"],
            "(error) ERR unknown command 'FOO', with args beginning with: 'a' 'b' ",
        ),
        (&["GET"], "(error) ERR wrong number of arguments for 'get' command"),
        (&["GET", "a", "b"], "(error) ERR wrong number of arguments for 'get' command"),
        (&["FLUSHALL"], "OK"),
        (&["DBSIZE"], "(integer) 0"),
        (&["QUIT"], "OK"),
    ];
    for (args, expected) in script {
        assert_eq!(
            cli(&server, args),
            *expected,
            "redis-cli {}",
            args.join(" ")
        );
    }
    // SPOP takes a random member: check what it took and what is left.
    cli(&server, &["SADD", "pop", "p", "q"]);
    let popped = cli(&server, &["SPOP", "pop"]);
    assert!(
        popped == "\"p\"" || popped == "\"q\"",
        "SPOP answered {popped}"
    );
    assert_eq!(cli(&server, &["SCARD", "pop"]), "(integer) 1");
    assert_eq!(cli(&server, &["SPOP", "pop", "5"]).lines().count(), 1);
    assert_eq!(cli(&server, &["EXISTS", "pop"]), "(integer) 0");
    // COMMAND COUNT counts the command table.
    assert_eq!(
        cli(&server, &["COMMAND", "COUNT"]),
        format!("(integer) {}", volley_resp::server::all_commands().count())
    );
    // COMMAND lists every command with its arity.
    let listing = cli(&server, &["COMMAND"]);
    assert!(listing.contains("\"zpopmin\""), "{listing}");
    // An XADD with an automatic id answers <ms>-<seq>.
    let id = cli(&server, &["XADD", "auto", "*", "f", "v"]);
    let id = id.trim_matches('"');
    let (ms, seq) = id.split_once('-').expect("ms-seq");
    assert!(
        ms.parse::<u64>().is_ok() && seq.parse::<u64>().is_ok(),
        "{id}"
    );
}

#[test]
fn redis_cli_speaks_resp3_with_dash_3() {
    let server = Server::start();
    let cli3 = |args: &[&str]| {
        let output = Command::new(tool("redis-cli"))
            .args(["-3", "-p", &server.port.to_string(), "--no-raw"])
            .args(args)
            .output()
            .expect("redis-cli runs");
        String::from_utf8_lossy(&output.stdout)
            .trim_end()
            .to_string()
    };
    assert_eq!(
        cli3(&["CONFIG", "GET", "appendonly"]),
        "1# \"appendonly\" => \"no\""
    );
    assert_eq!(cli3(&["GET", "missing"]), "(nil)");
    assert_eq!(cli3(&["SET", "k", "v"]), "OK");
    assert_eq!(
        cli3(&["INFO", "keyspace"]),
        "# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0"
    );
    assert!(cli3(&["CLIENT", "INFO"]).contains(" resp=3 "));
}

/// Runs redis-benchmark and checks it finished every test without an error.
fn benchmark(server: &Server, extra: &[&str]) -> String {
    let output = Command::new("timeout")
        .arg("300")
        .arg(tool("redis-benchmark"))
        .args(["-p", &server.port.to_string(), "-q", "-n", "20000"])
        .args(extra)
        .output()
        .expect("redis-benchmark runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "redis-benchmark failed: {stdout}\n{stderr}"
    );
    for text in [&stdout, &stderr] {
        let lower = text.to_lowercase();
        assert!(
            !lower.contains("error") && !lower.contains("err "),
            "redis-benchmark reported an error:\n{text}"
        );
    }
    stdout
}

/// The names of the tests a -q run reported finished ("NAME: N requests per second").
fn finished_tests(report: &str) -> Vec<String> {
    report
        .split(['\n', '\r'])
        .filter(|line| line.contains("requests per second"))
        .filter_map(|line| line.split(':').next())
        .map(|name| name.trim().to_string())
        .collect()
}

const DEFAULT_SUITE: &[&str] = &[
    "PING_INLINE",
    "PING_MBULK",
    "SET",
    "GET",
    "INCR",
    "LPUSH",
    "RPUSH",
    "LPOP",
    "RPOP",
    "SADD",
    "HSET",
    "SPOP",
    "ZADD",
    "ZPOPMIN",
    "LRANGE_100 (first 100 elements)",
    "MSET (10 keys)",
];

#[test]
fn redis_benchmark_default_suite_runs_without_errors() {
    let server = Server::start();
    let finished = finished_tests(&benchmark(&server, &[]));
    for test in DEFAULT_SUITE {
        assert!(
            finished.iter().any(|f| f == test),
            "{test} missing from {finished:?}"
        );
    }
}

#[test]
fn redis_benchmark_pipelined_16_runs_without_errors() {
    let mut server = Server::start();
    let finished = finished_tests(&benchmark(&server, &["-P", "16"]));
    for test in DEFAULT_SUITE {
        assert!(
            finished.iter().any(|f| f == test),
            "{test} missing from {finished:?}"
        );
    }
    assert!(server.is_running());
}
