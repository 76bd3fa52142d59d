//! Stream commands through a `Session`: Redis 7.0's semantics, errors and reply shapes.

use volley_resp::server::Session;

fn reply(session: &mut Session, words: &[&str]) -> String {
    String::from_utf8(session.command(words)).expect("utf-8 reply")
}

fn filled(ids: &[&str]) -> Session {
    let mut session = Session::new();
    for id in ids {
        reply(&mut session, &["XADD", "s", id, "f", "v"]);
    }
    session
}

#[test]
fn ids_grow_and_edges_are_refused() {
    let mut s = filled(&["1-1"]);
    assert_eq!(
        reply(&mut s, &["XADD", "s", "1-*", "f", "v"]),
        "$3\r\n1-2\r\n"
    );
    assert_eq!(
        reply(&mut s, &["XADD", "s", "5", "f", "v"]),
        "$3\r\n5-0\r\n"
    );
    assert!(reply(&mut s, &["XADD", "s", "4-*", "f", "v"]).contains("equal or smaller"));
    assert!(reply(&mut s, &["XADD", "t", "0-0", "f", "v"]).contains("greater than 0-0"));
    assert_eq!(reply(&mut s, &["EXISTS", "t"]), ":0\r\n");
    assert_eq!(
        reply(&mut s, &["XADD", "s", "x-1", "f", "v"]),
        "-ERR Invalid stream ID specified as stream command argument\r\n"
    );
    assert_eq!(
        reply(&mut s, &["XADD", "s", "*", "f"]),
        "-ERR wrong number of arguments for 'xadd' command\r\n"
    );
    assert_eq!(
        reply(&mut s, &["XADD", "n", "NOMKSTREAM", "*", "f", "v"]),
        "$-1\r\n"
    );
    let max = "18446744073709551615-18446744073709551615";
    assert_eq!(reply(&mut s, &["XADD", "m", max, "f", "v"]).len(), 48);
    assert!(reply(&mut s, &["XADD", "m", "*", "f", "v"]).contains("exhausted"));
}

#[test]
fn ranges_are_inclusive_exclusive_and_counted() {
    let mut s = filled(&["1-0", "2-0", "3-0", "4-0"]);
    assert_eq!(
        reply(&mut s, &["XRANGE", "s", "(1-0", "3", "COUNT", "1"]),
        "*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
    );
    assert!(reply(&mut s, &["XREVRANGE", "s", "+", "-", "COUNT", "2"])
        .starts_with("*2\r\n*2\r\n$3\r\n4-0"));
    assert!(reply(&mut s, &["XRANGE", "s", "(-", "+"]).starts_with("-ERR"));
    assert_eq!(
        reply(&mut s, &["XRANGE", "s", "-", "(0-0"]),
        "-ERR invalid end ID for the interval\r\n"
    );
    assert_eq!(reply(&mut s, &["XDEL", "s", "2-0", "9-0"]), ":1\r\n");
    assert_eq!(reply(&mut s, &["XLEN", "s"]), ":3\r\n");
}

#[test]
fn trims_by_length_and_min_id() {
    let mut s = Session::new();
    for _ in 0..1000 {
        reply(&mut s, &["XADD", "s", "*", "f", "v"]);
    }
    assert_eq!(reply(&mut s, &["XTRIM", "s", "MAXLEN", "666"]), ":334\r\n");
    reply(&mut s, &["XTRIM", "s", "MAXLEN", "=", "555"]);
    reply(&mut s, &["XTRIM", "s", "MAXLEN", "~", "444"]);
    assert_eq!(
        reply(&mut s, &["XLEN", "s"]),
        ":500\r\n",
        "whole nodes only"
    );
    assert!(reply(&mut s, &["XTRIM", "s", "MAXLEN", "1", "LIMIT", "3"]).contains("special ~"));
    let mut m = filled(&["1-0", "2-0", "3-0", "4-0", "5-0"]);
    assert_eq!(reply(&mut m, &["XTRIM", "s", "MINID", "3-0"]), ":2\r\n");
    assert_eq!(
        reply(&mut m, &["XADD", "s", "MAXLEN", "0", "6-0", "f", "v"]),
        "$3\r\n6-0\r\n"
    );
    assert_eq!(reply(&mut m, &["XLEN", "s"]), ":0\r\n");
    assert_eq!(
        reply(&mut m, &["EXISTS", "s"]),
        ":1\r\n",
        "an empty stream stays"
    );
}

#[test]
fn xread_serves_entries_above_each_id() {
    let mut s = filled(&["1-0", "2-0"]);
    assert_eq!(reply(&mut s, &["XREAD", "STREAMS", "s", "$"]), "*-1\r\n");
    assert_eq!(
        reply(
            &mut s,
            &["XREAD", "COUNT", "1", "STREAMS", "none", "s", "0", "1-0"]
        ),
        "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
    );
    reply(&mut s, &["HELLO", "3"]);
    assert!(reply(&mut s, &["XREAD", "STREAMS", "s", "0"]).starts_with("%1\r\n$1\r\ns\r\n*2\r\n"));
    assert!(reply(&mut s, &["XREAD", "STREAMS", "s", "t", "0"]).contains("Unbalanced"));
}

#[test]
fn xsetid_and_xinfo_report_the_counters() {
    let mut s = filled(&["1-0", "2-0", "3-0"]);
    reply(&mut s, &["XDEL", "s", "2-0"]);
    assert_eq!(
        reply(&mut s, &["XSETID", "s", "2-0"]),
        "-ERR The ID specified in XSETID is smaller than the target stream top item\r\n"
    );
    assert_eq!(
        reply(&mut s, &["XSETID", "s", "9-0", "ENTRIESADDED", "7"]),
        "+OK\r\n"
    );
    assert_eq!(
        reply(&mut s, &["XSETID", "none", "1-0"]),
        "-ERR no such key\r\n"
    );
    let info = reply(&mut s, &["XINFO", "STREAM", "s"]);
    for needle in [
        "length\r\n:2",
        "last-generated-id\r\n$3\r\n9-0",
        "max-deleted-entry-id\r\n$3\r\n2-0",
        "entries-added\r\n:7",
        "recorded-first-entry-id\r\n$3\r\n1-0",
    ] {
        assert!(info.contains(needle), "{needle} in {info}");
    }
    assert_eq!(
        reply(&mut s, &["XINFO", "HELP", "x"]),
        "-ERR wrong number of arguments for 'xinfo|help' command\r\n"
    );
}

#[test]
fn consumer_groups_deliver_track_and_claim() {
    let mut s = filled(&["1-0", "2-0", "3-0"]);
    assert!(reply(&mut s, &["XGROUP", "CREATE", "none", "g", "$"]).contains("MKSTREAM"));
    assert_eq!(
        reply(&mut s, &["XGROUP", "CREATE", "s", "g", "0"]),
        "+OK\r\n"
    );
    assert_eq!(
        reply(&mut s, &["XGROUP", "CREATE", "s", "g", "0"]),
        "-BUSYGROUP Consumer Group name already exists\r\n"
    );
    let first = reply(
        &mut s,
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "alice",
            "COUNT",
            "2",
            "STREAMS",
            "s",
            ">",
        ],
    );
    assert!(
        first.starts_with("*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-0"),
        "{first}"
    );
    assert_eq!(
        reply(&mut s, &["XPENDING", "s", "g"]),
        "*4\r\n:2\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n*1\r\n*2\r\n$5\r\nalice\r\n$1\r\n2\r\n"
    );
    assert_eq!(reply(&mut s, &["XACK", "s", "g", "1-0", "1-0"]), ":1\r\n");
    // The history of alice: 2-0 only, then nothing above it.
    assert!(reply(
        &mut s,
        &["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"]
    )
    .contains("2-0"));
    assert_eq!(
        reply(
            &mut s,
            &["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "2-0"]
        ),
        "*1\r\n*2\r\n$1\r\ns\r\n*0\r\n"
    );
    assert_eq!(
        reply(&mut s, &["XCLAIM", "s", "g", "bob", "0", "2-0", "JUSTID"]),
        "*1\r\n$3\r\n2-0\r\n"
    );
    assert_eq!(
        reply(
            &mut s,
            &[
                "XAUTOCLAIM",
                "s",
                "g",
                "carol",
                "0",
                "0",
                "COUNT",
                "1",
                "JUSTID"
            ]
        ),
        "*3\r\n$3\r\n0-0\r\n*1\r\n$3\r\n2-0\r\n*0\r\n"
    );
    assert_eq!(
        reply(&mut s, &["XGROUP", "DELCONSUMER", "s", "g", "carol"]),
        ":1\r\n"
    );
    assert!(reply(
        &mut s,
        &["XREADGROUP", "GROUP", "nog", "x", "STREAMS", "s", ">"]
    )
    .starts_with("-NOGROUP"));
    assert_eq!(reply(&mut s, &["XGROUP", "DESTROY", "s", "g"]), ":1\r\n");
}

#[test]
fn group_lag_follows_reads_and_deletions_as_redis_counts_them() {
    let mut s = filled(&["1-0", "2-0", "3-0", "4-0", "5-0"]);
    reply(&mut s, &["XGROUP", "CREATE", "s", "g", "0"]);
    let lag = |s: &mut Session| {
        let groups = reply(s, &["XINFO", "GROUPS", "s"]);
        groups
            .split("lag\r\n")
            .nth(1)
            .map(|rest| rest.lines().next().unwrap_or("").to_string())
    };
    assert_eq!(lag(&mut s).as_deref(), Some(":5"));
    reply(
        &mut s,
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "COUNT",
            "2",
            "STREAMS",
            "s",
            ">",
        ],
    );
    assert_eq!(lag(&mut s).as_deref(), Some(":3"));
    // A deletion ahead of the group makes the counter unknowable: null, as Redis answers.
    reply(&mut s, &["XDEL", "s", "4-0"]);
    assert_eq!(lag(&mut s).as_deref(), Some("$-1"));
    reply(
        &mut s,
        &["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"],
    );
    assert_eq!(lag(&mut s).as_deref(), Some(":0"));
}
