//! Sorted-set commands through a `Session`: Redis 7.0's semantics, errors and reply shapes.

use volley_resp::server::Session;

fn reply(session: &mut Session, words: &[&str]) -> String {
    String::from_utf8(session.command(words)).expect("utf-8 reply")
}

fn with(members: &[(&str, &str)]) -> Session {
    let mut session = Session::new();
    for (score, member) in members {
        reply(&mut session, &["ZADD", "z", score, member]);
    }
    session
}

#[test]
fn zadd_options_incr_and_scores_as_redis_parses_them() {
    let mut s = Session::new();
    assert_eq!(reply(&mut s, &["ZADD", "z", "1", "a", "2", "b"]), ":2\r\n");
    assert_eq!(
        reply(
            &mut s,
            &["ZADD", "z", "CH", "GT", "0", "a", "5", "b", "3", "c"]
        ),
        ":2\r\n"
    );
    assert_eq!(
        reply(&mut s, &["ZADD", "z", "XX", "INCR", "10", "a"]),
        "$2\r\n11\r\n"
    );
    assert_eq!(
        reply(&mut s, &["ZADD", "z", "NX", "INCR", "10", "a"]),
        "$-1\r\n"
    );
    assert_eq!(
        reply(&mut s, &["ZADD", "z", "INCR", "1", "a", "2", "b"]),
        "-ERR INCR option supports a single increment-element pair\r\n"
    );
    assert_eq!(
        reply(&mut s, &["ZADD", "z", "NX", "GT", "1", "a"]),
        "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"
    );
    for bad in ["1e400", "nan", " 1", "x"] {
        assert_eq!(
            reply(&mut s, &["ZADD", "z", bad, "a"]),
            "-ERR value is not a valid float\r\n",
            "{bad}"
        );
    }
    assert_eq!(reply(&mut s, &["ZADD", "z", "0.3", "d"]), ":1\r\n");
    assert_eq!(
        reply(&mut s, &["ZSCORE", "z", "d"]),
        "$19\r\n0.29999999999999999\r\n"
    );
    reply(&mut s, &["ZADD", "inf", "inf", "x"]);
    assert_eq!(
        reply(&mut s, &["ZINCRBY", "inf", "-inf", "x"]),
        "-ERR resulting score is not a number (NaN)\r\n"
    );
    assert_eq!(reply(&mut s, &["ZADD", "none", "XX", "1", "a"]), ":0\r\n");
    assert_eq!(reply(&mut s, &["EXISTS", "none"]), ":0\r\n");
}

#[test]
fn ranks_and_ranges_by_rank_score_and_lex() {
    let mut s = with(&[("1", "a"), ("2", "b"), ("3", "c"), ("4", "d")]);
    assert_eq!(reply(&mut s, &["ZRANK", "z", "c"]), ":2\r\n");
    assert_eq!(reply(&mut s, &["ZREVRANK", "z", "c"]), ":1\r\n");
    assert_eq!(
        reply(&mut s, &["ZRANGE", "z", "-2", "-1"]),
        "*2\r\n$1\r\nc\r\n$1\r\nd\r\n"
    );
    assert_eq!(
        reply(
            &mut s,
            &["ZRANGE", "z", "(4", "2", "BYSCORE", "REV", "LIMIT", "0", "1"]
        ),
        "*1\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        reply(
            &mut s,
            &[
                "ZRANGEBYSCORE",
                "z",
                "(1",
                "+inf",
                "WITHSCORES",
                "LIMIT",
                "1",
                "1"
            ]
        ),
        "*2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_eq!(reply(&mut s, &["ZCOUNT", "z", "(1", "3"]), ":2\r\n");
    assert_eq!(
        reply(&mut s, &["ZRANGE", "z", "0", "1", "LIMIT", "0", "1"]),
        "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n"
    );
    assert_eq!(
        reply(&mut s, &["ZRANGEBYSCORE", "z", "x", "1"]),
        "-ERR min or max is not a float\r\n"
    );
    let mut lex = with(&[("0", "a"), ("0", "b"), ("0", "c")]);
    assert_eq!(reply(&mut lex, &["ZLEXCOUNT", "z", "(a", "+"]), ":2\r\n");
    assert_eq!(
        reply(&mut lex, &["ZREVRANGEBYLEX", "z", "[b", "-"]),
        "*2\r\n$1\r\nb\r\n$1\r\na\r\n"
    );
    assert_eq!(
        reply(&mut lex, &["ZRANGEBYLEX", "z", "a", "+"]),
        "-ERR min or max not valid string range item\r\n"
    );
    assert_eq!(
        reply(&mut lex, &["ZREMRANGEBYLEX", "z", "[b", "+"]),
        ":2\r\n"
    );
    assert_eq!(
        reply(&mut s, &["ZREMRANGEBYRANK", "z", "0", "-1"]),
        ":4\r\n"
    );
    assert_eq!(reply(&mut s, &["EXISTS", "z"]), ":0\r\n");
}

#[test]
fn resp3_shapes_pair_members_with_doubles() {
    let mut s = with(&[("1", "a"), ("2.5", "b")]);
    reply(&mut s, &["HELLO", "3"]);
    assert_eq!(
        reply(&mut s, &["ZRANGE", "z", "0", "-1", "WITHSCORES"]),
        "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n"
    );
    assert_eq!(reply(&mut s, &["ZPOPMIN", "z"]), "*2\r\n$1\r\na\r\n,1\r\n");
    assert_eq!(
        reply(&mut s, &["ZPOPMAX", "z", "5"]),
        "*1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n"
    );
    assert_eq!(reply(&mut s, &["ZMPOP", "1", "z", "MIN"]), "_\r\n");
    assert_eq!(reply(&mut s, &["ZSCORE", "z", "a"]), "_\r\n");
}

#[test]
fn unions_intersections_and_differences() {
    let mut s = Session::new();
    reply(&mut s, &["ZADD", "a", "1", "x", "2", "y"]);
    reply(&mut s, &["ZADD", "b", "10", "y", "20", "z"]);
    reply(&mut s, &["SADD", "s", "y"]);
    assert_eq!(
        reply(
            &mut s,
            &["ZUNIONSTORE", "u", "2", "a", "b", "WEIGHTS", "2", "1"]
        ),
        ":3\r\n"
    );
    assert_eq!(
        reply(&mut s, &["ZRANGE", "u", "0", "-1", "WITHSCORES"]),
        "*6\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\ny\r\n$2\r\n14\r\n$1\r\nz\r\n$2\r\n20\r\n"
    );
    assert_eq!(
        reply(
            &mut s,
            &[
                "ZINTER",
                "3",
                "a",
                "b",
                "s",
                "AGGREGATE",
                "MAX",
                "WITHSCORES"
            ]
        ),
        "*2\r\n$1\r\ny\r\n$2\r\n10\r\n"
    );
    assert_eq!(
        reply(&mut s, &["ZDIFF", "2", "a", "b"]),
        "*1\r\n$1\r\nx\r\n"
    );
    assert_eq!(
        reply(&mut s, &["ZINTERCARD", "2", "a", "b", "LIMIT", "0"]),
        ":1\r\n"
    );
    assert_eq!(
        reply(&mut s, &["ZUNION", "0", "a"]),
        "-ERR at least 1 input key is needed for 'zunion' command\r\n"
    );
    assert_eq!(
        reply(&mut s, &["ZDIFF", "2", "a", "b", "WEIGHTS", "1", "1"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        reply(&mut s, &["ZINTERSTORE", "u", "2", "a", "nokey"]),
        ":0\r\n"
    );
    assert_eq!(reply(&mut s, &["EXISTS", "u"]), ":0\r\n");
    assert_eq!(
        reply(&mut s, &["ZRANGESTORE", "r", "b", "0", "0"]),
        ":1\r\n"
    );
    assert_eq!(
        reply(&mut s, &["ZRANGE", "r", "0", "-1"]),
        "*1\r\n$1\r\ny\r\n"
    );
}

#[test]
fn random_members_are_distinct_for_positive_counts() {
    let mut s = Session::new();
    for i in 0..100 {
        reply(&mut s, &["ZADD", "z", &i.to_string(), &format!("m{i}")]);
    }
    let raw = reply(&mut s, &["ZRANDMEMBER", "z", "40"]);
    let members: Vec<&str> = raw.lines().filter(|l| l.starts_with('m')).collect();
    let distinct: std::collections::HashSet<&str> = members.iter().copied().collect();
    assert_eq!((members.len(), distinct.len()), (40, 40));
    assert!(reply(&mut s, &["ZRANDMEMBER", "z", "-300"]).starts_with("*300\r\n"));
    assert!(reply(&mut s, &["ZRANDMEMBER", "z", "-9223372036854775808"]).contains("out of range"));
}

#[test]
fn a_large_set_pops_and_ranks_without_walking() {
    let mut s = Session::new();
    let mut words = vec!["ZADD".to_string(), "z".to_string()];
    for i in 0..50_000 {
        words.push(i.to_string());
        words.push(format!("m{i}"));
    }
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    assert_eq!(reply(&mut s, &words), ":50000\r\n");
    assert_eq!(reply(&mut s, &["ZRANK", "z", "m25000"]), ":25000\r\n");
    assert_eq!(reply(&mut s, &["ZCOUNT", "z", "100", "(200"]), ":100\r\n");
    assert!(reply(&mut s, &["ZPOPMIN", "z", "49999"]).starts_with("*99998\r\n"));
    assert_eq!(reply(&mut s, &["ZCARD", "z"]), ":1\r\n");
}

#[test]
fn zscan_answers_every_member_in_one_step() {
    let mut s = with(&[("1", "a"), ("2.5", "b"), ("3", "c")]);
    assert_eq!(
        reply(&mut s, &["ZSCAN", "z", "0", "MATCH", "[ab]", "COUNT", "1"]),
        "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n"
    );
    assert_eq!(
        reply(&mut s, &["ZSCAN", "z", "x"]),
        "-ERR invalid cursor\r\n"
    );
    assert_eq!(
        reply(&mut s, &["ZSCAN", "none", "0"]),
        "*2\r\n$1\r\n0\r\n*0\r\n"
    );
}

#[test]
fn one_request_cannot_make_replies_or_copies_beyond_the_data() {
    let mut s = Session::new();
    let mut words = vec!["ZADD".to_string(), "z".to_string()];
    for i in 0..2_000 {
        words.push(i.to_string());
        words.push(format!("m{i}"));
    }
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    reply(&mut s, &words);
    // A key named 1,000 times is read once: the union is as big as the set.
    let mut union = vec!["ZUNIONSTORE", "u", "1000"];
    union.extend(std::iter::repeat_n("z", 1000));
    assert_eq!(reply(&mut s, &union), ":2000\r\n");
    assert_eq!(reply(&mut s, &["ZSCORE", "u", "m3"]), "$4\r\n3000\r\n");
    // Repeats are not bounded by the data: a reply that could not be held is refused.
    let huge = reply(&mut s, &["ZRANDMEMBER", "z", "-4611686018427387903"]);
    assert!(huge.starts_with("-ERR value is out of range"), "{huge}");
}
