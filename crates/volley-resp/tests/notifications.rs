//! Keyspace notifications through a `Session`: which events the write commands report, in
//! which order, and that commands which change nothing report none.

use volley_resp::server::Session;

/// A session publishing every class of keyevent message (`EA`).
fn session(flags: &str) -> Session {
    let mut session = Session::new();
    session.command(&["CONFIG", "SET", "notify-keyspace-events", flags]);
    session
}

/// Runs `words`, then answers the events queued so far as `event key` strings (keyevent
/// channels) or `key event` strings (keyspace channels), emptying the queue.
fn run(session: &mut Session, words: &[&str]) -> Vec<String> {
    let reply = session.command(words);
    assert_ne!(reply.first(), Some(&b'-'), "{words:?} failed: {reply:?}");
    std::mem::take(&mut session.server.events)
        .into_iter()
        .map(|event| {
            let channel = String::from_utf8(event.channel).expect("utf-8 channel");
            let message = String::from_utf8(event.message).expect("utf-8 message");
            let name = channel.split_once("__:").map_or("", |(_, name)| name);
            format!("{name} {message}")
        })
        .collect()
}

#[test]
fn strings_and_generic_events() {
    let mut s = session("EA");
    assert_eq!(run(&mut s, &["SET", "k", "v"]), ["set k"]);
    assert_eq!(
        run(&mut s, &["SET", "k", "v", "EX", "100"]),
        ["set k", "expire k"]
    );
    assert_eq!(run(&mut s, &["PERSIST", "k"]), ["persist k"]);
    assert!(
        run(&mut s, &["PERSIST", "k"]).is_empty(),
        "no deadline left"
    );
    assert_eq!(run(&mut s, &["EXPIRE", "k", "100"]), ["expire k"]);
    assert!(
        run(&mut s, &["EXPIRE", "k", "50", "GT"]).is_empty(),
        "refused"
    );
    assert_eq!(run(&mut s, &["INCR", "n"]), ["incrby n"]);
    assert_eq!(run(&mut s, &["APPEND", "n", "0"]), ["append n"]);
    assert_eq!(
        run(&mut s, &["MSET", "a", "1", "b", "2"]),
        ["set a", "set b"]
    );
    assert_eq!(
        run(&mut s, &["RENAME", "a", "c"]),
        ["rename_from a", "rename_to c"]
    );
    assert_eq!(
        run(&mut s, &["DEL", "c", "missing", "b"]),
        ["del c", "del b"]
    );
    assert_eq!(run(&mut s, &["GETDEL", "n"]), ["del n"]);
    assert!(run(&mut s, &["GETDEL", "n"]).is_empty());
    assert_eq!(
        run(&mut s, &["MOVE", "k", "1"]),
        ["move_from k", "move_to k"]
    );
    assert_eq!(
        run(&mut s, &["SETEX", "p", "100", "v"]),
        ["set p", "expire p"]
    );
    assert_eq!(
        run(&mut s, &["EXPIRE", "p", "-1"]),
        ["del p"],
        "a past deadline deletes"
    );
}

#[test]
fn keyspace_channels_carry_the_event_name() {
    let mut s = session("Kl");
    assert_eq!(run(&mut s, &["SET", "k", "v"]), Vec::<String>::new());
    assert_eq!(run(&mut s, &["LPUSH", "q", "a"]), ["q lpush"]);
}

#[test]
fn containers_report_their_changes_then_del_when_emptied() {
    let mut s = session("EA");
    assert_eq!(run(&mut s, &["RPUSH", "l", "a", "b"]), ["rpush l"]);
    assert_eq!(run(&mut s, &["LPOP", "l"]), ["lpop l"]);
    assert_eq!(
        run(&mut s, &["LMOVE", "l", "m", "LEFT", "RIGHT"]),
        ["rpush m", "lpop l", "del l"]
    );
    assert!(run(&mut s, &["RPOP", "l"]).is_empty(), "no such list");

    assert_eq!(run(&mut s, &["SADD", "s", "a", "b"]), ["sadd s"]);
    assert!(run(&mut s, &["SADD", "s", "a"]).is_empty(), "nothing added");
    assert!(
        run(&mut s, &["SREM", "s", "x"]).is_empty(),
        "nothing removed"
    );
    assert_eq!(run(&mut s, &["SREM", "s", "a", "b"]), ["srem s", "del s"]);

    assert_eq!(run(&mut s, &["ZADD", "z", "1", "a"]), ["zadd z"]);
    assert!(
        run(&mut s, &["ZADD", "z", "1", "a"]).is_empty(),
        "same score"
    );
    assert_eq!(run(&mut s, &["ZINCRBY", "z", "1", "a"]), ["zincr z"]);
    assert_eq!(run(&mut s, &["ZPOPMIN", "z"]), ["zpopmin z", "del z"]);

    assert_eq!(run(&mut s, &["HSET", "h", "f", "1"]), ["hset h"]);
    assert_eq!(run(&mut s, &["HINCRBY", "h", "f", "2"]), ["hincrby h"]);
    assert!(run(&mut s, &["HDEL", "h", "x"]).is_empty());
    assert_eq!(run(&mut s, &["HDEL", "h", "f"]), ["hdel h", "del h"]);
}

#[test]
fn stream_events_follow_consumer_creation() {
    let mut s = session("Kt");
    let events = |s: &mut Session, words: &[&str]| -> Vec<String> {
        run(s, words)
            .into_iter()
            .map(|e| e.trim_start_matches("x ").to_string())
            .collect()
    };
    assert_eq!(
        events(&mut s, &["XGROUP", "CREATE", "x", "g", "$", "MKSTREAM"]),
        ["xgroup-create"]
    );
    assert_eq!(
        events(&mut s, &["XGROUP", "CREATECONSUMER", "x", "g", "bob"]),
        ["xgroup-createconsumer"]
    );
    assert_eq!(events(&mut s, &["XADD", "x", "1", "f", "v"]), ["xadd"]);
    assert_eq!(
        events(
            &mut s,
            &["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "x", ">"]
        ),
        ["xgroup-createconsumer"]
    );
    assert_eq!(
        events(&mut s, &["XCLAIM", "x", "g", "mike", "0", "1-0", "FORCE"]),
        ["xgroup-createconsumer"]
    );
    assert!(events(&mut s, &["XGROUP", "DELCONSUMER", "x", "g", "lee"]).is_empty());
    assert!(events(&mut s, &["XAUTOCLAIM", "x", "g", "bob", "0", "1-0"]).is_empty());
    assert_eq!(
        events(&mut s, &["XGROUP", "DELCONSUMER", "x", "g", "bob"]),
        ["xgroup-delconsumer"]
    );
}
