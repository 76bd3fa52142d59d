//! Hashes and sets as Redis 7.0 answers them, in RESP2 and RESP3, driven through a `Session`.

use std::collections::HashSet;
use volley_resp::server::Session;

fn reply(session: &mut Session, words: &[&str]) -> String {
    String::from_utf8(session.command(words)).expect("utf-8 reply")
}

/// The bulk strings of a reply, in order.
fn bulks(answer: &str) -> Vec<String> {
    let lines: Vec<&str> = answer.split("\r\n").collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with('$') && lines[i] != "$-1" {
            found.push(lines[i + 1].to_string());
            i += 2;
        } else {
            i += 1;
        }
    }
    found
}

#[test]
fn hash_basics_and_errors() {
    let mut s = Session::new();
    assert_eq!(reply(&mut s, &["HSET", "h", "a", "1", "b", "2"]), ":2\r\n");
    assert_eq!(
        reply(&mut s, &["HMSET", "h", "b", "3", "c", "x"]),
        "+OK\r\n"
    );
    assert_eq!(
        reply(&mut s, &["HSET", "h", "a"]),
        "-ERR wrong number of arguments for 'hset' command\r\n"
    );
    assert_eq!(reply(&mut s, &["HSETNX", "h", "a", "9"]), ":0\r\n");
    assert_eq!(
        reply(&mut s, &["HMGET", "h", "a", "zz"]),
        "*2\r\n$1\r\n1\r\n$-1\r\n"
    );
    assert_eq!(reply(&mut s, &["HLEN", "h"]), ":3\r\n");
    assert_eq!(reply(&mut s, &["HSTRLEN", "h", "c"]), ":1\r\n");
    assert_eq!(reply(&mut s, &["HEXISTS", "h", "c"]), ":1\r\n");
    assert_eq!(
        reply(&mut s, &["HINCRBY", "h", "c", "1"]),
        "-ERR hash value is not an integer\r\n"
    );
    assert_eq!(
        reply(&mut s, &["HINCRBYFLOAT", "h", "c", "1"]),
        "-ERR hash value is not a float\r\n"
    );
    assert_eq!(
        reply(&mut s, &["HINCRBYFLOAT", "h", "a", "inf"]),
        "-ERR value is NaN or Infinity\r\n"
    );
    assert_eq!(
        reply(&mut s, &["HINCRBYFLOAT", "h", "a", "0.1"]),
        "$3\r\n1.1\r\n"
    );
    reply(&mut s, &["HSET", "h", "big", "9223372036854775807"]);
    assert_eq!(
        reply(&mut s, &["HINCRBY", "h", "big", "1"]),
        "-ERR increment or decrement would overflow\r\n"
    );
    assert_eq!(
        reply(&mut s, &["HDEL", "h", "a", "b", "c", "big", "zz"]),
        ":4\r\n"
    );
    assert_eq!(
        reply(&mut s, &["EXISTS", "h"]),
        ":0\r\n",
        "an emptied hash is deleted"
    );
}

#[test]
fn hgetall_is_a_map_in_resp3_and_hrandfield_pairs_up() {
    let mut s = Session::new();
    reply(&mut s, &["HSET", "h", "f", "v"]);
    assert_eq!(
        reply(&mut s, &["HGETALL", "h"]),
        "*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
    );
    assert_eq!(
        reply(&mut s, &["HRANDFIELD", "h", "-2", "WITHVALUES"]),
        "*4\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\nf\r\n$1\r\nv\r\n"
    );
    reply(&mut s, &["HELLO", "3"]);
    assert_eq!(
        reply(&mut s, &["HGETALL", "h"]),
        "%1\r\n$1\r\nf\r\n$1\r\nv\r\n"
    );
    assert_eq!(reply(&mut s, &["HGETALL", "none"]), "%0\r\n");
    assert_eq!(
        reply(&mut s, &["HRANDFIELD", "h", "1", "WITHVALUES"]),
        "*1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
    );
    assert_eq!(reply(&mut s, &["HRANDFIELD", "none"]), "_\r\n");
    assert_eq!(
        reply(
            &mut s,
            &["HRANDFIELD", "h", "-9223372036854770000", "WITHVALUES"]
        ),
        "-ERR value is out of range\r\n"
    );
}

#[test]
fn hrandfield_counts() {
    let mut s = Session::new();
    for i in 0..100 {
        s.command(&["HSET", "h", &format!("f{i}"), "v"]);
    }
    let distinct = bulks(&reply(&mut s, &["HRANDFIELD", "h", "30"]));
    assert_eq!(distinct.len(), 30);
    assert_eq!(distinct.iter().collect::<HashSet<_>>().len(), 30);
    assert_eq!(
        bulks(&reply(&mut s, &["HRANDFIELD", "h", "500"])).len(),
        100
    );
    assert_eq!(
        bulks(&reply(&mut s, &["HRANDFIELD", "h", "-500"])).len(),
        500
    );
    assert_eq!(reply(&mut s, &["HRANDFIELD", "h", "0"]), "*0\r\n");
    assert_eq!(
        reply(&mut s, &["HRANDFIELD", "h", "1", "x"]),
        "-ERR syntax error\r\n"
    );
}

#[test]
fn hscan_and_sscan_cover_everything() {
    let mut s = Session::new();
    for i in 0..300 {
        s.command(&["HSET", "h", &format!("f{i}"), &format!("v{i}")]);
        s.command(&["SADD", "s", &format!("m{i}")]);
    }
    for (command, key, expected) in [("HSCAN", "h", 600), ("SSCAN", "s", 300)] {
        let mut cursor = "0".to_string();
        let mut seen = HashSet::new();
        loop {
            let answer = reply(&mut s, &[command, key, &cursor, "COUNT", "17"]);
            let items = bulks(&answer);
            cursor = items[0].clone();
            for (n, item) in items[1..].iter().enumerate() {
                seen.insert((n % 2, item.clone()));
            }
            if cursor == "0" {
                break;
            }
        }
        let total: usize = if command == "HSCAN" {
            seen.iter()
                .filter(|(_, i)| i.starts_with('f') || i.starts_with('v'))
                .count()
        } else {
            seen.iter().map(|(_, i)| i).collect::<HashSet<_>>().len()
        };
        assert!(total >= expected, "{command}: {total} of {expected}");
    }
    let matched = bulks(&reply(
        &mut s,
        &["SSCAN", "s", "0", "COUNT", "1000", "MATCH", "m1?"],
    ));
    assert_eq!(matched.len(), 11, "the cursor and m10..m19");
}

#[test]
fn set_basics_in_both_protocols() {
    let mut s = Session::new();
    assert_eq!(reply(&mut s, &["SADD", "s", "a", "b", "a"]), ":2\r\n");
    assert_eq!(
        reply(&mut s, &["SMISMEMBER", "s", "a", "z"]),
        "*2\r\n:1\r\n:0\r\n"
    );
    assert_eq!(reply(&mut s, &["SISMEMBER", "s", "b"]), ":1\r\n");
    assert_eq!(reply(&mut s, &["SREM", "s", "b", "z"]), ":1\r\n");
    assert_eq!(reply(&mut s, &["SMEMBERS", "s"]), "*1\r\n$1\r\na\r\n");
    reply(&mut s, &["HELLO", "3"]);
    assert_eq!(reply(&mut s, &["SMEMBERS", "s"]), "~1\r\n$1\r\na\r\n");
    assert_eq!(reply(&mut s, &["SPOP", "s", "5"]), "~1\r\n$1\r\na\r\n");
    assert_eq!(reply(&mut s, &["EXISTS", "s"]), ":0\r\n");
    assert_eq!(reply(&mut s, &["SPOP", "s"]), "_\r\n");
    assert_eq!(reply(&mut s, &["SPOP", "s", "1"]), "~0\r\n");
    assert_eq!(reply(&mut s, &["SRANDMEMBER", "s", "3"]), "*0\r\n");
    assert_eq!(
        reply(&mut s, &["SPOP", "s", "-1"]),
        "-ERR value is out of range, must be positive\r\n"
    );
}

#[test]
fn spop_with_a_large_count_pops_distinct_members() {
    let mut s = Session::new();
    let members: Vec<String> = (0..200_000).map(|i| i.to_string()).collect();
    let mut words = vec!["SADD", "s"];
    words.extend(members.iter().map(String::as_str));
    assert_eq!(reply(&mut s, &words), ":200000\r\n");
    let popped = bulks(&reply(&mut s, &["SPOP", "s", "199999"]));
    assert_eq!(popped.len(), 199_999);
    assert_eq!(popped.iter().collect::<HashSet<_>>().len(), 199_999);
    assert_eq!(reply(&mut s, &["SCARD", "s"]), ":1\r\n");
    let picks = bulks(&reply(&mut s, &["SRANDMEMBER", "s", "-5"]));
    assert_eq!(picks.len(), 5);
    assert!(picks.iter().all(|m| m == &picks[0]));
}

#[test]
fn set_algebra_and_store_forms() {
    let mut s = Session::new();
    reply(&mut s, &["SADD", "a", "1", "2", "3", "4"]);
    reply(&mut s, &["SADD", "b", "3", "4", "5"]);
    reply(&mut s, &["SET", "str", "x"]);
    let sorted = |answer: String| {
        let mut items = bulks(&answer);
        items.sort();
        items
    };
    assert_eq!(sorted(reply(&mut s, &["SINTER", "a", "b"])), ["3", "4"]);
    assert_eq!(
        sorted(reply(&mut s, &["SUNION", "a", "b", "none"])).len(),
        5
    );
    assert_eq!(
        sorted(reply(&mut s, &["SDIFF", "a", "b", "none"])),
        ["1", "2"]
    );
    assert_eq!(reply(&mut s, &["SINTER", "a", "none"]), "*0\r\n");
    let wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    assert_eq!(reply(&mut s, &["SINTER", "none", "str"]), wrongtype);
    assert_eq!(reply(&mut s, &["SUNION", "a", "str"]), wrongtype);
    assert_eq!(reply(&mut s, &["SINTERSTORE", "a", "a", "b"]), ":2\r\n");
    assert_eq!(reply(&mut s, &["SCARD", "a"]), ":2\r\n");
    assert_eq!(reply(&mut s, &["SDIFFSTORE", "d", "a", "b"]), ":0\r\n");
    assert_eq!(reply(&mut s, &["EXISTS", "d"]), ":0\r\n");
    assert_eq!(reply(&mut s, &["SINTERCARD", "2", "a", "b"]), ":2\r\n");
    assert_eq!(
        reply(&mut s, &["SINTERCARD", "2", "a", "b", "LIMIT", "1"]),
        ":1\r\n"
    );
    assert_eq!(
        reply(&mut s, &["SINTERCARD", "0", "a"]),
        "-ERR numkeys should be greater than 0\r\n"
    );
    assert_eq!(
        reply(&mut s, &["SINTERCARD", "3", "a", "b"]),
        "-ERR Number of keys can't be greater than number of args\r\n"
    );
    assert_eq!(
        reply(&mut s, &["SINTERCARD", "2", "a", "b", "LIMIT", "-1"]),
        "-ERR LIMIT can't be negative\r\n"
    );
    assert_eq!(reply(&mut s, &["SMOVE", "a", "m", "3"]), ":1\r\n");
    assert_eq!(reply(&mut s, &["SMOVE", "a", "m", "3"]), ":0\r\n");
    assert_eq!(reply(&mut s, &["SMOVE", "a", "str", "4"]), wrongtype);
    assert_eq!(reply(&mut s, &["SMOVE", "a", "a", "4"]), ":1\r\n");
    assert_eq!(reply(&mut s, &["SMOVE", "a", "m", "4"]), ":1\r\n");
    assert_eq!(
        reply(&mut s, &["EXISTS", "a"]),
        ":0\r\n",
        "the emptied source is deleted"
    );
}

#[test]
fn repeated_picks_are_refused_past_proto_max_bulk_len() {
    let mut s = Session::new();
    reply(&mut s, &["SADD", "s", "member"]);
    reply(&mut s, &["HSET", "h", "field", "value"]);
    reply(&mut s, &["CONFIG", "SET", "proto-max-bulk-len", "1mb"]);
    let refused = "-ERR the reply for this count would exceed proto-max-bulk-len bytes\r\n";
    // Two billion picks would be a reply of tens of gigabytes: refused after about 1 MB.
    assert_eq!(reply(&mut s, &["SRANDMEMBER", "s", "-2000000000"]), refused);
    assert_eq!(
        reply(&mut s, &["HRANDFIELD", "h", "-2000000000", "WITHVALUES"]),
        refused
    );
    assert_eq!(
        bulks(&reply(&mut s, &["SRANDMEMBER", "s", "-1000"])).len(),
        1000
    );
    assert_eq!(
        reply(&mut s, &["SRANDMEMBER", "s", "-9223372036854775808"]),
        "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"
    );
}
