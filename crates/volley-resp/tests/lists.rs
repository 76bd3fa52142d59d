//! List commands through a `Session`: Redis 7.0's semantics, errors and reply shapes.

use volley_resp::server::Session;

fn reply(session: &mut Session, words: &[&str]) -> String {
    String::from_utf8(session.command(words)).expect("utf-8 reply")
}

fn list(words: &[&str]) -> Session {
    let mut session = Session::new();
    let mut command = vec!["RPUSH", "l"];
    command.extend_from_slice(words);
    reply(&mut session, &command);
    session
}

#[test]
fn pushes_pops_and_counts() {
    let mut s = Session::new();
    assert_eq!(reply(&mut s, &["LPUSHX", "l", "a"]), ":0\r\n");
    assert_eq!(reply(&mut s, &["RPUSH", "l", "a", "b", "c"]), ":3\r\n");
    assert_eq!(reply(&mut s, &["LPUSHX", "l", "z"]), ":4\r\n");
    assert_eq!(
        reply(&mut s, &["RPOP", "l", "2"]),
        "*2\r\n$1\r\nc\r\n$1\r\nb\r\n"
    );
    assert_eq!(reply(&mut s, &["LPOP", "l", "0"]), "*0\r\n");
    assert_eq!(reply(&mut s, &["LPOP", "missing", "1"]), "*-1\r\n");
    assert_eq!(
        reply(&mut s, &["LPOP", "l", "-1"]),
        "-ERR value is out of range, must be positive\r\n"
    );
    assert_eq!(
        reply(&mut s, &["LPOP", "l", "1", "2"]),
        "-ERR wrong number of arguments for 'lpop' command\r\n"
    );
    assert_eq!(
        reply(&mut s, &["LPOP", "l", "9"]),
        "*2\r\n$1\r\nz\r\n$1\r\na\r\n"
    );
    assert_eq!(reply(&mut s, &["EXISTS", "l"]), ":0\r\n");
}

#[test]
fn indexes_ranges_and_edits() {
    let mut s = list(&["a", "b", "c", "b", "a"]);
    assert_eq!(reply(&mut s, &["LINDEX", "l", "-1"]), "$1\r\na\r\n");
    assert_eq!(reply(&mut s, &["LINDEX", "l", "9"]), "$-1\r\n");
    assert_eq!(
        reply(&mut s, &["LRANGE", "l", "-2", "100"]),
        "*2\r\n$1\r\nb\r\n$1\r\na\r\n"
    );
    assert_eq!(
        reply(&mut s, &["LSET", "l", "9", "x"]),
        "-ERR index out of range\r\n"
    );
    assert_eq!(
        reply(&mut s, &["LSET", "nokey", "0", "x"]),
        "-ERR no such key\r\n"
    );
    assert_eq!(
        reply(&mut s, &["LINSERT", "l", "AFTER", "c", "d"]),
        ":6\r\n"
    );
    assert_eq!(
        reply(&mut s, &["LINSERT", "l", "BEFORE", "zz", "d"]),
        ":-1\r\n"
    );
    assert_eq!(
        reply(&mut s, &["LINSERT", "l", "MIDDLE", "c", "d"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(reply(&mut s, &["LREM", "l", "-1", "a"]), ":1\r\n");
    assert_eq!(
        reply(&mut s, &["LRANGE", "l", "0", "-1"]),
        "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\nb\r\n"
    );
    assert_eq!(reply(&mut s, &["LTRIM", "l", "1", "-2"]), "+OK\r\n");
    assert_eq!(reply(&mut s, &["LLEN", "l"]), ":3\r\n");
    assert_eq!(reply(&mut s, &["LTRIM", "l", "5", "1"]), "+OK\r\n");
    assert_eq!(reply(&mut s, &["EXISTS", "l"]), ":0\r\n");
}

#[test]
fn lpos_ranks_counts_and_maxlen() {
    let mut s = list(&["a", "b", "c", "1", "2", "3", "c", "c"]);
    assert_eq!(reply(&mut s, &["LPOS", "l", "c"]), ":2\r\n");
    assert_eq!(reply(&mut s, &["LPOS", "l", "c", "RANK", "-1"]), ":7\r\n");
    assert_eq!(
        reply(&mut s, &["LPOS", "l", "c", "COUNT", "0", "RANK", "2"]),
        "*2\r\n:6\r\n:7\r\n"
    );
    assert_eq!(
        reply(&mut s, &["LPOS", "l", "c", "COUNT", "0", "MAXLEN", "3"]),
        "*1\r\n:2\r\n"
    );
    assert_eq!(reply(&mut s, &["LPOS", "l", "x"]), "$-1\r\n");
    assert!(reply(&mut s, &["LPOS", "l", "c", "RANK", "0"]).starts_with("-ERR RANK can't be zero"));
    assert_eq!(
        reply(&mut s, &["LPOS", "l", "c", "COUNT", "-1"]),
        "-ERR COUNT can't be negative\r\n"
    );
}

#[test]
fn moves_and_multi_key_pops() {
    let mut s = list(&["a", "b", "c"]);
    assert_eq!(
        reply(&mut s, &["LMOVE", "l", "l", "LEFT", "RIGHT"]),
        "$1\r\na\r\n"
    );
    assert_eq!(reply(&mut s, &["RPOPLPUSH", "l", "other"]), "$1\r\na\r\n");
    assert_eq!(reply(&mut s, &["SET", "str", "x"]), "+OK\r\n");
    assert_eq!(
        reply(&mut s, &["LMOVE", "l", "str", "LEFT", "LEFT"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        reply(&mut s, &["LLEN", "l"]),
        ":2\r\n",
        "nothing moved on an error"
    );
    assert_eq!(
        reply(&mut s, &["LMOVE", "none", "l", "LEFT", "LEFT"]),
        "$-1\r\n"
    );
    assert_eq!(
        reply(&mut s, &["LMPOP", "2", "none", "l", "RIGHT", "COUNT", "5"]),
        "*2\r\n$1\r\nl\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n"
    );
    assert_eq!(reply(&mut s, &["LMPOP", "1", "l", "LEFT"]), "*-1\r\n");
    assert_eq!(
        reply(&mut s, &["LMPOP", "0", "l", "LEFT"]),
        "-ERR numkeys should be greater than 0\r\n"
    );
    assert_eq!(
        reply(&mut s, &["LMPOP", "1", "l", "LEFT", "COUNT", "0"]),
        "-ERR count should be greater than 0\r\n"
    );
    assert_eq!(
        reply(&mut s, &["LMPOP", "1", "l", "UP"]),
        "-ERR syntax error\r\n"
    );
}
