//! Strings, keys and expiry as Redis 7.0 answers them: options, range checks, error texts and
//! number formatting, driven through a `Session` (no socket).

use volley_resp::server::Session;

fn reply(session: &mut Session, words: &[&str]) -> String {
    String::from_utf8(session.command(words)).expect("utf-8 reply")
}

fn error(session: &mut Session, words: &[&str]) -> String {
    let answer = reply(session, words);
    assert!(answer.starts_with('-'), "{words:?} answered {answer:?}");
    answer.trim_end().trim_start_matches('-').to_string()
}

#[test]
fn set_options_combine_as_in_redis() {
    let mut s = Session::new();
    assert_eq!(reply(&mut s, &["SET", "k", "v", "NX"]), "+OK\r\n");
    assert_eq!(reply(&mut s, &["SET", "k", "w", "NX"]), "$-1\r\n");
    assert_eq!(
        reply(&mut s, &["SET", "k", "w", "XX", "GET"]),
        "$1\r\nv\r\n"
    );
    assert_eq!(reply(&mut s, &["SET", "new", "x", "NX", "GET"]), "$-1\r\n");
    assert_eq!(reply(&mut s, &["GET", "new"]), "$1\r\nx\r\n");
    assert_eq!(
        reply(&mut s, &["SET", "k", "v", "NX", "XX"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        reply(&mut s, &["SET", "k", "v", "EX", "10", "PX", "10"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        reply(&mut s, &["SET", "k", "v", "KEEPTTL", "EX", "10"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        reply(&mut s, &["SET", "k", "v", "EX"]),
        "-ERR syntax error\r\n"
    );
    reply(&mut s, &["LPUSH", "list", "a"]);
    assert!(error(&mut s, &["SET", "list", "v", "GET"]).starts_with("WRONGTYPE"));
    assert_eq!(reply(&mut s, &["TYPE", "list"]), "+list\r\n");
}

#[test]
fn expiry_amounts_are_range_checked() {
    let mut s = Session::new();
    let set_error = "ERR invalid expire time in 'set' command";
    assert_eq!(
        error(&mut s, &["SET", "k", "v", "EX", "10000000000000000"]),
        set_error
    );
    assert_eq!(
        error(&mut s, &["SET", "k", "v", "EX", "-9999999999999999"]),
        set_error
    );
    assert_eq!(error(&mut s, &["SET", "k", "v", "PX", "0"]), set_error);
    assert_eq!(
        error(&mut s, &["GETEX", "k", "EX", "10000000000000000"]),
        "ERR invalid expire time in 'getex' command"
    );
    assert_eq!(
        error(&mut s, &["SETEX", "k", "-10", "v"]),
        "ERR invalid expire time in 'setex' command"
    );
    reply(&mut s, &["SET", "k", "v"]);
    for amount in ["9223370399119966", "9223372036854776", "-9223372036854776"] {
        assert_eq!(
            error(&mut s, &["EXPIRE", "k", amount]),
            "ERR invalid expire time in 'expire' command"
        );
    }
    assert_eq!(
        error(&mut s, &["PEXPIRE", "k", "9223372036854770000"]),
        "ERR invalid expire time in 'pexpire' command"
    );
    assert_eq!(
        reply(&mut s, &["TTL", "k"]),
        ":-1\r\n",
        "errors leave the key alone"
    );
    assert_eq!(
        error(&mut s, &["EXPIRE", "k", ""]),
        "ERR value is not an integer or out of range"
    );
    // A negative amount in range deletes the key, as a deadline in the past.
    assert_eq!(reply(&mut s, &["EXPIRE", "k", "-100"]), ":1\r\n");
    assert_eq!(reply(&mut s, &["EXISTS", "k"]), ":0\r\n");
}

#[test]
fn expire_conditions_and_their_conflicts() {
    let mut s = Session::new();
    reply(&mut s, &["SET", "k", "v"]);
    assert_eq!(reply(&mut s, &["EXPIRE", "k", "100", "XX"]), ":0\r\n");
    assert_eq!(
        reply(&mut s, &["EXPIRE", "k", "100", "GT"]),
        ":0\r\n",
        "no TTL is infinite"
    );
    assert_eq!(reply(&mut s, &["EXPIRE", "k", "100", "LT"]), ":1\r\n");
    assert_eq!(reply(&mut s, &["EXPIRE", "k", "200", "NX"]), ":0\r\n");
    assert_eq!(reply(&mut s, &["EXPIRE", "k", "200", "XX", "GT"]), ":1\r\n");
    assert_eq!(reply(&mut s, &["EXPIRE", "k", "150", "GT"]), ":0\r\n");
    assert_eq!(reply(&mut s, &["TTL", "k"]), ":200\r\n");
    assert_eq!(
        error(&mut s, &["EXPIRE", "k", "1", "NX", "GT"]),
        "ERR NX and XX, GT or LT options at the same time are not compatible"
    );
    assert_eq!(
        error(&mut s, &["EXPIRE", "k", "1", "LT", "GT"]),
        "ERR GT and LT options at the same time are not compatible"
    );
    assert_eq!(
        error(&mut s, &["EXPIRE", "k", "1", "AB"]),
        "ERR Unsupported option AB"
    );
    assert_eq!(reply(&mut s, &["PERSIST", "k"]), ":1\r\n");
    assert_eq!(reply(&mut s, &["PERSIST", "k"]), ":0\r\n");
    assert_eq!(reply(&mut s, &["PTTL", "nokey"]), ":-2\r\n");
    assert_eq!(reply(&mut s, &["EXPIRETIME", "k"]), ":-1\r\n");
    assert_eq!(
        reply(&mut s, &["PEXPIREAT", "k", "99999999999999"]),
        ":1\r\n"
    );
    assert_eq!(reply(&mut s, &["PEXPIRETIME", "k"]), ":99999999999999\r\n");
    assert_eq!(reply(&mut s, &["EXPIRETIME", "k"]), ":100000000000\r\n");
    assert_eq!(reply(&mut s, &["EXPIREAT", "k", "4000000000"]), ":1\r\n");
    assert_eq!(reply(&mut s, &["EXPIRETIME", "k"]), ":4000000000\r\n");
}

#[test]
fn a_million_expires_on_one_key_leave_one_index_entry_then_none() {
    let mut s = Session::new();
    reply(&mut s, &["SET", "k", "v"]);
    for i in 0..1_000_000u32 {
        let seconds = (1000 + i % 5000).to_string();
        s.command(&["EXPIRE", "k", &seconds]);
    }
    assert_eq!(s.server.dbs[0].deadline_entries(), 1);
    reply(&mut s, &["SET", "k", "v2", "KEEPTTL"]);
    assert_eq!(s.server.dbs[0].deadline_entries(), 1);
    reply(&mut s, &["DEL", "k"]);
    assert_eq!(s.server.dbs[0].deadline_entries(), 0);
    reply(&mut s, &["SETEX", "a", "100", "v"]);
    reply(&mut s, &["SET", "a", "plain"]);
    assert_eq!(
        s.server.dbs[0].deadline_entries(),
        0,
        "a plain SET drops the deadline"
    );
    reply(&mut s, &["SETEX", "a", "100", "v"]);
    reply(&mut s, &["RENAME", "a", "b"]);
    assert_eq!(reply(&mut s, &["TTL", "b"]), ":100\r\n");
    assert_eq!(s.server.dbs[0].deadline_entries(), 1);
    reply(&mut s, &["FLUSHDB"]);
    assert_eq!(s.server.dbs[0].deadline_entries(), 0);
}

#[test]
fn getex_getdel_getset() {
    let mut s = Session::new();
    reply(&mut s, &["SET", "k", "v"]);
    assert_eq!(reply(&mut s, &["GETEX", "k", "EX", "100"]), "$1\r\nv\r\n");
    assert_eq!(reply(&mut s, &["TTL", "k"]), ":100\r\n");
    assert_eq!(reply(&mut s, &["GETEX", "k", "PERSIST"]), "$1\r\nv\r\n");
    assert_eq!(reply(&mut s, &["TTL", "k"]), ":-1\r\n");
    assert_eq!(
        reply(&mut s, &["GETEX", "k", "PERSIST", "EX", "1"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(reply(&mut s, &["GETEX", "nokey"]), "$-1\r\n");
    assert_eq!(reply(&mut s, &["GETSET", "k", "w"]), "$1\r\nv\r\n");
    assert_eq!(reply(&mut s, &["GETDEL", "k"]), "$1\r\nw\r\n");
    assert_eq!(reply(&mut s, &["GETDEL", "k"]), "$-1\r\n");
}

#[test]
fn counters_and_floats_format_as_redis() {
    let mut s = Session::new();
    assert_eq!(
        reply(&mut s, &["INCRBYFLOAT", "f", "10.5"]),
        "$4\r\n10.5\r\n"
    );
    assert_eq!(
        reply(&mut s, &["INCRBYFLOAT", "f", "0.1"]),
        "$4\r\n10.6\r\n"
    );
    reply(&mut s, &["SET", "f", "0.1"]);
    assert_eq!(reply(&mut s, &["INCRBYFLOAT", "f", "0.2"]), "$3\r\n0.3\r\n");
    assert_eq!(
        error(&mut s, &["INCRBYFLOAT", "f", "+inf"]),
        "ERR increment would produce NaN or Infinity"
    );
    assert_eq!(
        error(&mut s, &["INCRBYFLOAT", "f", " 1"]),
        "ERR value is not a valid float"
    );
    reply(&mut s, &["SET", "n", "9223372036854775807"]);
    assert_eq!(
        error(&mut s, &["INCR", "n"]),
        "ERR increment or decrement would overflow"
    );
    assert_eq!(
        error(&mut s, &["DECRBY", "n", "-9223372036854775808"]),
        "ERR decrement would overflow"
    );
    reply(&mut s, &["SET", "sp", " 1"]);
    assert_eq!(
        error(&mut s, &["INCR", "sp"]),
        "ERR value is not an integer or out of range"
    );
    reply(&mut s, &["SETEX", "t", "100", "1"]);
    assert_eq!(reply(&mut s, &["INCR", "t"]), ":2\r\n");
    assert_eq!(
        reply(&mut s, &["TTL", "t"]),
        ":100\r\n",
        "INCR keeps the time to live"
    );
}

#[test]
fn ranges_and_growth_stay_within_proto_max_bulk_len() {
    let mut s = Session::new();
    assert_eq!(reply(&mut s, &["SETRANGE", "k", "5", "x"]), ":6\r\n");
    assert_eq!(reply(&mut s, &["GET", "k"]), "$6\r\n\0\0\0\0\0x\r\n");
    assert_eq!(reply(&mut s, &["SETRANGE", "none", "0", ""]), ":0\r\n");
    assert_eq!(reply(&mut s, &["EXISTS", "none"]), ":0\r\n");
    assert_eq!(
        error(&mut s, &["SETRANGE", "k", "-1", "x"]),
        "ERR offset is out of range"
    );
    let too_big = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    assert_eq!(
        error(&mut s, &["SETRANGE", "k", "536870911", "xx"]),
        too_big
    );
    assert_eq!(
        error(&mut s, &["SETBIT", "k", "4294967296", "1"]),
        "ERR bit offset is not an integer or out of range"
    );
    assert_eq!(
        error(&mut s, &["SETBIT", "k", "0", "2"]),
        "ERR bit is not an integer or out of range"
    );
    reply(&mut s, &["CONFIG", "SET", "proto-max-bulk-len", "1mb"]);
    assert_eq!(error(&mut s, &["SETRANGE", "k", "1048576", "x"]), too_big);
    reply(&mut s, &["SET", "s", "Hello World"]);
    assert_eq!(
        reply(&mut s, &["GETRANGE", "s", "0", "-1"]),
        "$11\r\nHello World\r\n"
    );
    assert_eq!(
        reply(&mut s, &["GETRANGE", "s", "-5", "-1"]),
        "$5\r\nWorld\r\n"
    );
    assert_eq!(reply(&mut s, &["GETRANGE", "s", "-1", "-5"]), "$0\r\n\r\n");
    assert_eq!(reply(&mut s, &["GETRANGE", "s", "5", "3"]), "$0\r\n\r\n");
    assert_eq!(
        reply(&mut s, &["GETRANGE", "s", "0", "999"]),
        "$11\r\nHello World\r\n"
    );
    assert_eq!(reply(&mut s, &["APPEND", "s", "!"]), ":12\r\n");
    assert_eq!(reply(&mut s, &["STRLEN", "s"]), ":12\r\n");
    assert_eq!(reply(&mut s, &["SETBIT", "b", "7", "1"]), ":0\r\n");
    assert_eq!(reply(&mut s, &["GETBIT", "b", "7"]), ":1\r\n");
    assert_eq!(reply(&mut s, &["GET", "b"]), "$1\r\n\x01\r\n");
    assert_eq!(reply(&mut s, &["BITCOUNT", "s"]), ":45\r\n");
}

#[test]
fn lcs_answers_the_subsequence_its_length_and_its_runs() {
    let mut s = Session::new();
    reply(&mut s, &["MSET", "a", "ohmytext", "b", "mynewtext"]);
    assert_eq!(reply(&mut s, &["LCS", "a", "b"]), "$6\r\nmytext\r\n");
    assert_eq!(reply(&mut s, &["LCS", "a", "b", "LEN"]), ":6\r\n");
    assert_eq!(
        reply(&mut s, &["LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"]),
        "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"
    );
    assert_eq!(
        error(&mut s, &["LCS", "a", "b", "LEN", "IDX"]),
        "ERR If you want both the length and indexes, please just use IDX."
    );
    reply(&mut s, &["CONFIG", "SET", "proto-max-bulk-len", "1mb"]);
    let long = "x".repeat(1000);
    reply(&mut s, &["MSET", "a", &long, "b", &long]);
    assert_eq!(
        error(&mut s, &["LCS", "a", "b"]),
        "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
    );
}

#[test]
fn msetnx_sets_all_or_nothing() {
    let mut s = Session::new();
    assert_eq!(reply(&mut s, &["MSETNX", "a", "1", "b", "2"]), ":1\r\n");
    assert_eq!(reply(&mut s, &["MSETNX", "b", "3", "c", "4"]), ":0\r\n");
    assert_eq!(
        reply(&mut s, &["MGET", "a", "b", "c"]),
        "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n"
    );
    assert_eq!(reply(&mut s, &["SETNX", "a", "x"]), ":0\r\n");
    assert_eq!(reply(&mut s, &["SETNX", "z", "x"]), ":1\r\n");
}

#[test]
fn keys_rename_copy_move() {
    let mut s = Session::new();
    reply(&mut s, &["MSET", "foo", "1", "bar", "2", "foobar", "3"]);
    let keys = reply(&mut s, &["KEYS", "foo*"]);
    assert!(keys.starts_with("*2\r\n") && keys.contains("foobar"));
    assert_eq!(error(&mut s, &["RENAME", "nokey", "x"]), "ERR no such key");
    assert_eq!(reply(&mut s, &["RENAME", "foo", "foo"]), "+OK\r\n");
    assert_eq!(reply(&mut s, &["RENAMENX", "foo", "bar"]), ":0\r\n");
    assert_eq!(reply(&mut s, &["RENAMENX", "foo", "baz"]), ":1\r\n");
    assert_eq!(reply(&mut s, &["COPY", "baz", "bar"]), ":0\r\n");
    assert_eq!(reply(&mut s, &["COPY", "baz", "bar", "REPLACE"]), ":1\r\n");
    assert_eq!(reply(&mut s, &["GET", "bar"]), "$1\r\n1\r\n");
    assert_eq!(
        error(&mut s, &["COPY", "baz", "baz"]),
        "ERR source and destination objects are the same"
    );
    assert_eq!(
        error(&mut s, &["COPY", "baz", "x", "DB", "16"]),
        "ERR DB index is out of range"
    );
    assert_eq!(
        error(&mut s, &["COPY", "baz", "x", "DB", "nan"]),
        "ERR value is not an integer or out of range"
    );
    reply(&mut s, &["SADD", "set", "a", "b"]);
    assert_eq!(reply(&mut s, &["COPY", "set", "set2", "DB", "3"]), ":1\r\n");
    reply(&mut s, &["SADD", "set", "c"]);
    assert_eq!(reply(&mut s, &["MOVE", "baz", "3"]), ":1\r\n");
    assert_eq!(reply(&mut s, &["EXISTS", "baz"]), ":0\r\n");
    reply(&mut s, &["SELECT", "3"]);
    assert_eq!(
        reply(&mut s, &["SCARD", "set2"]),
        ":2\r\n",
        "the copy is independent"
    );
    assert_eq!(reply(&mut s, &["GET", "baz"]), "$1\r\n1\r\n");
    assert_eq!(
        error(&mut s, &["MOVE", "baz", "3"]),
        "ERR source and destination objects are the same"
    );
    let random = reply(&mut s, &["RANDOMKEY"]);
    assert!(
        random == "$3\r\nbaz\r\n" || random == "$4\r\nset2\r\n",
        "{random}"
    );
    reply(&mut s, &["FLUSHDB"]);
    assert_eq!(reply(&mut s, &["RANDOMKEY"]), "$-1\r\n");
}

#[test]
fn scan_reports_every_key_once_the_cursor_ends() {
    let mut s = Session::new();
    for i in 0..1000 {
        s.command(&["SET", &format!("key:{i}"), "v"]);
    }
    s.command(&["SADD", "a-set", "m"]);
    let mut seen = std::collections::HashSet::new();
    let mut cursor = "0".to_string();
    loop {
        let answer = reply(&mut s, &["SCAN", &cursor, "COUNT", "37", "MATCH", "key:*"]);
        let mut lines = answer.split("\r\n");
        assert_eq!(lines.next(), Some("*2"));
        lines.next();
        cursor = lines.next().expect("a cursor").to_string();
        lines.next();
        for line in lines {
            if let Some(key) = line.strip_prefix("key:") {
                seen.insert(key.to_string());
            }
        }
        // Deleting keys already reported must not hide others.
        s.command(&["DEL", "key:0", "key:999"]);
        if cursor == "0" {
            break;
        }
    }
    assert!(seen.len() >= 998, "only {} keys reported", seen.len());
    let typed = reply(&mut s, &["SCAN", "0", "COUNT", "5000", "TYPE", "set"]);
    assert!(typed.ends_with("*1\r\n$5\r\na-set\r\n"), "{typed}");
    assert_eq!(error(&mut s, &["SCAN", "x"]), "ERR invalid cursor");
    assert_eq!(
        error(&mut s, &["SCAN", "0", "COUNT", "0"]),
        "ERR syntax error"
    );
}

#[test]
fn object_memory_dump_restore() {
    let mut s = Session::new();
    reply(&mut s, &["SET", "n", "12345"]);
    reply(&mut s, &["SET", "t", "some text"]);
    assert_eq!(reply(&mut s, &["OBJECT", "ENCODING", "n"]), "$3\r\nint\r\n");
    assert_eq!(
        reply(&mut s, &["OBJECT", "ENCODING", "t"]),
        "$6\r\nembstr\r\n"
    );
    assert_eq!(reply(&mut s, &["OBJECT", "ENCODING", "none"]), "$-1\r\n");
    assert!(
        error(&mut s, &["OBJECT", "FREQ", "n"]).contains("LFU maxmemory policy is not selected")
    );
    assert!(reply(&mut s, &["MEMORY", "USAGE", "t"]).starts_with(':'));
    reply(&mut s, &["HSET", "h", "f", "v", "g", "w"]);
    let payload = s.command(&["DUMP", "h"]);
    let body = &payload[payload.iter().position(|b| *b == b'\n').unwrap() + 1..payload.len() - 2];
    let mut request = vec![
        b"RESTORE".to_vec(),
        b"h2".to_vec(),
        b"0".to_vec(),
        body.to_vec(),
    ];
    let mut out = Vec::new();
    s.execute(volley_resp::codec::Request::new(request.clone()), &mut out);
    assert_eq!(out, b"+OK\r\n");
    assert_eq!(reply(&mut s, &["HGET", "h2", "g"]), "$1\r\nw\r\n");
    out.clear();
    s.execute(volley_resp::codec::Request::new(request.clone()), &mut out);
    assert_eq!(out, b"-BUSYKEY Target key name already exists.\r\n");
    request[3].push(b'!');
    request.push(b"REPLACE".to_vec());
    out.clear();
    s.execute(volley_resp::codec::Request::new(request), &mut out);
    assert_eq!(out, b"-ERR DUMP payload version or checksum are wrong\r\n");
}
