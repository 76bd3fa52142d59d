//! The server's sans-IO core, without sockets: the command table, the databases and the reply
//! encoding, driven request by request through a `Session`.

use volley_resp::codec::Request;
use volley_resp::server::{Flow, Session};

/// Runs one command given as words; answers the raw reply and the flow.
fn run(session: &mut Session, words: &[&str]) -> (String, Flow) {
    let request = Request::new(words.iter().map(|w| w.as_bytes().to_vec()).collect());
    let mut out = Vec::new();
    let flow = session.execute(request, &mut out);
    (String::from_utf8(out).expect("utf-8 reply"), flow)
}

fn reply(session: &mut Session, words: &[&str]) -> String {
    run(session, words).0
}

#[test]
fn arity_is_checked_before_anything_runs() {
    let mut store = Session::new();
    assert_eq!(
        reply(&mut store, &["set", "k"]),
        "-ERR wrong number of arguments for 'set' command\r\n"
    );
    assert_eq!(
        reply(&mut store, &["DBSIZE", "x"]),
        "-ERR wrong number of arguments for 'dbsize' command\r\n"
    );
    assert_eq!(
        reply(&mut store, &["xadd", "s", "*", "f"]),
        "-ERR wrong number of arguments for 'xadd' command\r\n"
    );
    assert_eq!(reply(&mut store, &["DBSIZE"]), ":0\r\n");
}

#[test]
fn unknown_commands_quote_their_first_arguments() {
    let mut store = Session::new();
    assert_eq!(
        reply(&mut store, &["nope"]),
        "-ERR unknown command 'nope', with args beginning with: \r\n"
    );
    let long = "x".repeat(300);
    let answer = reply(&mut store, &["nope", &long, "second"]);
    assert!(answer.starts_with(&format!(
        "-ERR unknown command 'nope', with args beginning with: '{}' ",
        "x".repeat(128)
    )));
    assert!(
        !answer.contains("second"),
        "arguments past 128 characters are left out"
    );
}

#[test]
fn wrong_types_answer_wrongtype_and_change_nothing() {
    let mut store = Session::new();
    reply(&mut store, &["LPUSH", "l", "a"]);
    let wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    for words in [
        &["GET", "l"][..],
        &["INCR", "l"],
        &["SADD", "l", "x"],
        &["HSET", "l", "f", "v"],
        &["HGET", "l", "f"],
        &["ZADD", "l", "1", "m"],
        &["ZPOPMIN", "l"],
        &["SCARD", "l"],
        &["SPOP", "l"],
        &["XADD", "l", "*", "f", "v"],
        &["SET", "l", "v", "GET"],
    ] {
        assert_eq!(reply(&mut store, words), wrongtype, "{words:?}");
    }
    assert_eq!(
        reply(&mut store, &["LRANGE", "l", "0", "-1"]),
        "*1\r\n$1\r\na\r\n"
    );
}

#[test]
fn counters_refuse_non_integers_and_overflow() {
    let mut store = Session::new();
    reply(&mut store, &["SET", "n", "9223372036854775806"]);
    assert_eq!(
        reply(&mut store, &["INCR", "n"]),
        ":9223372036854775807\r\n"
    );
    assert_eq!(
        reply(&mut store, &["INCR", "n"]),
        "-ERR increment or decrement would overflow\r\n"
    );
    reply(&mut store, &["SET", "s", " 1"]);
    assert_eq!(
        reply(&mut store, &["INCR", "s"]),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(reply(&mut store, &["DECRBY", "fresh", "5"]), ":-5\r\n");
}

#[test]
fn set_options_behave_like_redis() {
    let mut store = Session::new();
    assert_eq!(reply(&mut store, &["SET", "k", "1", "NX"]), "+OK\r\n");
    assert_eq!(reply(&mut store, &["SET", "k", "2", "NX"]), "$-1\r\n");
    assert_eq!(
        reply(&mut store, &["SET", "k", "3", "XX", "GET"]),
        "$1\r\n1\r\n"
    );
    assert_eq!(
        reply(&mut store, &["SET", "k", "4", "NX", "XX"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        reply(&mut store, &["SET", "k", "4", "EX", "0"]),
        "-ERR invalid expire time in 'set' command\r\n"
    );
    assert_eq!(
        reply(&mut store, &["SET", "k", "4", "EX", "100"]),
        "+OK\r\n"
    );
    assert_eq!(reply(&mut store, &["TTL", "k"]), ":100\r\n");
    assert_eq!(reply(&mut store, &["SET", "k", "5", "KEEPTTL"]), "+OK\r\n");
    assert_eq!(reply(&mut store, &["TTL", "k"]), ":100\r\n");
    assert_eq!(reply(&mut store, &["SET", "k", "6"]), "+OK\r\n");
    assert_eq!(reply(&mut store, &["TTL", "k"]), ":-1\r\n");
}

#[test]
fn expired_keys_disappear_and_the_sweep_reclaims_them() {
    let mut store = Session::new();
    reply(&mut store, &["SET", "a", "1", "PX", "1"]);
    reply(&mut store, &["SET", "b", "1"]);
    reply(&mut store, &["EXPIRE", "b", "-1"]);
    std::thread::sleep(std::time::Duration::from_millis(5));
    assert_eq!(store.server.purge_expired(100), 1);
    assert_eq!(reply(&mut store, &["EXISTS", "a", "b"]), ":0\r\n");
    assert_eq!(reply(&mut store, &["GET", "a"]), "$-1\r\n");
    reply(&mut store, &["SET", "c", "1"]);
    assert_eq!(reply(&mut store, &["EXPIRE", "c", "100", "NX"]), ":1\r\n");
    assert_eq!(reply(&mut store, &["EXPIRE", "c", "50", "NX"]), ":0\r\n");
    assert_eq!(reply(&mut store, &["EXPIRE", "c", "50", "GT"]), ":0\r\n");
    assert_eq!(reply(&mut store, &["EXPIRE", "c", "200", "GT"]), ":1\r\n");
    assert_eq!(
        reply(&mut store, &["EXPIRE", "c", "1", "XX", "NX"]),
        "-ERR Unsupported option XX\r\n"
    );
}

#[test]
fn pops_with_counts_and_empty_containers_vanish() {
    let mut store = Session::new();
    reply(&mut store, &["RPUSH", "l", "a", "b", "c"]);
    assert_eq!(
        reply(&mut store, &["LPOP", "l", "2"]),
        "*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        reply(&mut store, &["RPOP", "l", "-1"]),
        "-ERR value is out of range, must be positive\r\n"
    );
    assert_eq!(reply(&mut store, &["RPOP", "l", "5"]), "*1\r\n$1\r\nc\r\n");
    assert_eq!(reply(&mut store, &["EXISTS", "l"]), ":0\r\n");
    assert_eq!(reply(&mut store, &["LPOP", "l"]), "$-1\r\n");
    assert_eq!(reply(&mut store, &["LPOP", "l", "1"]), "*-1\r\n");
    reply(
        &mut store,
        &["ZADD", "z", "1.5", "a", "-inf", "b", "1.5", "c"],
    );
    assert_eq!(
        reply(&mut store, &["ZPOPMIN", "z", "3"]),
        "*6\r\n$1\r\nb\r\n$4\r\n-inf\r\n$1\r\na\r\n$3\r\n1.5\r\n$1\r\nc\r\n$3\r\n1.5\r\n"
    );
    assert_eq!(reply(&mut store, &["ZPOPMIN", "z"]), "*0\r\n");
}

#[test]
fn zadd_options_follow_redis() {
    let mut store = Session::new();
    assert_eq!(reply(&mut store, &["ZADD", "z", "1", "a"]), ":1\r\n");
    assert_eq!(
        reply(&mut store, &["ZADD", "z", "XX", "2", "a", "3", "b"]),
        ":0\r\n"
    );
    assert_eq!(
        reply(&mut store, &["ZADD", "z", "CH", "GT", "1", "a"]),
        ":0\r\n"
    );
    assert_eq!(
        reply(&mut store, &["ZADD", "z", "CH", "GT", "5", "a"]),
        ":1\r\n"
    );
    assert_eq!(
        reply(&mut store, &["ZADD", "z", "NX", "XX", "1", "a"]),
        "-ERR XX and NX options at the same time are not compatible\r\n"
    );
    assert_eq!(
        reply(&mut store, &["ZADD", "z", "nan", "a"]),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(
        reply(&mut store, &["ZADD", "z", "NX", "1"]),
        "-ERR syntax error\r\n"
    );
}

#[test]
fn streams_get_increasing_ids_and_trim() {
    let mut store = Session::new();
    assert_eq!(
        reply(&mut store, &["XADD", "s", "0-0", "f", "v"]),
        "-ERR The ID specified in XADD must be greater than 0-0\r\n"
    );
    assert_eq!(
        reply(&mut store, &["XADD", "s", "NOMKSTREAM", "1-1", "f", "v"]),
        "$-1\r\n"
    );
    assert_eq!(
        reply(&mut store, &["XADD", "s", "1-1", "f", "v"]),
        "$3\r\n1-1\r\n"
    );
    assert_eq!(
        reply(&mut store, &["XADD", "s", "1-*", "f", "v"]),
        "$3\r\n1-2\r\n"
    );
    assert_eq!(
        reply(
            &mut store,
            &["XADD", "s", "MAXLEN", "~", "1", "2-0", "f", "v"]
        ),
        "$3\r\n2-0\r\n"
    );
    assert_eq!(
        reply(&mut store, &["XADD", "s", "x-1", "f", "v"]),
        "-ERR Invalid stream ID specified as stream command argument\r\n"
    );
}

#[test]
fn config_get_answers_what_redis_benchmark_asks() {
    let mut store = Session::new();
    assert_eq!(
        reply(&mut store, &["CONFIG", "GET", "save"]),
        "*2\r\n$4\r\nsave\r\n$0\r\n\r\n"
    );
    assert_eq!(
        reply(&mut store, &["config", "get", "appendonly"]),
        "*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n"
    );
    assert_eq!(reply(&mut store, &["CONFIG", "GET", "nothing*"]), "*0\r\n");
    assert_eq!(
        reply(&mut store, &["CONFIG", "SET", "x", "y"]),
        "-ERR unknown subcommand 'SET'. Try CONFIG HELP.\r\n"
    );
}

#[test]
fn quit_replies_then_closes_and_select_picks_one_of_sixteen_databases() {
    let mut store = Session::new();
    assert_eq!(
        run(&mut store, &["QUIT"]),
        ("+OK\r\n".to_string(), Flow::Close)
    );
    assert_eq!(
        run(&mut store, &["PING"]),
        ("+PONG\r\n".to_string(), Flow::Continue)
    );
    assert_eq!(reply(&mut store, &["SELECT", "0"]), "+OK\r\n");
    assert_eq!(
        reply(&mut store, &["SELECT", "x"]),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        reply(&mut store, &["SELECT", "16"]),
        "-ERR DB index is out of range\r\n"
    );
    assert_eq!(
        reply(&mut store, &["SELECT", "-1"]),
        "-ERR DB index is out of range\r\n"
    );
    assert_eq!(
        reply(&mut store, &["SELECT", "4294967296"]),
        "-ERR value is not an integer or out of range\r\n"
    );
}

#[test]
fn databases_are_separate_and_swap_and_flush_one_by_one() {
    let mut store = Session::new();
    reply(&mut store, &["SET", "k", "zero"]);
    assert_eq!(reply(&mut store, &["SELECT", "15"]), "+OK\r\n");
    assert_eq!(reply(&mut store, &["GET", "k"]), "$-1\r\n");
    reply(&mut store, &["SET", "k", "fifteen"]);
    reply(&mut store, &["SET", "other", "x"]);
    assert_eq!(reply(&mut store, &["DBSIZE"]), ":2\r\n");
    assert_eq!(reply(&mut store, &["SWAPDB", "0", "15"]), "+OK\r\n");
    assert_eq!(reply(&mut store, &["GET", "k"]), "$4\r\nzero\r\n");
    assert_eq!(reply(&mut store, &["DBSIZE"]), ":1\r\n");
    assert_eq!(
        reply(&mut store, &["SWAPDB", "x", "1"]),
        "-ERR invalid first DB index\r\n"
    );
    assert_eq!(
        reply(&mut store, &["SWAPDB", "1", "y"]),
        "-ERR invalid second DB index\r\n"
    );
    assert_eq!(
        reply(&mut store, &["SWAPDB", "1", "16"]),
        "-ERR DB index is out of range\r\n"
    );
    assert_eq!(
        reply(&mut store, &["FLUSHDB", "now"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(reply(&mut store, &["FLUSHDB", "ASYNC"]), "+OK\r\n");
    assert_eq!(reply(&mut store, &["DBSIZE"]), ":0\r\n");
    reply(&mut store, &["SELECT", "0"]);
    assert_eq!(reply(&mut store, &["GET", "k"]), "$7\r\nfifteen\r\n");
    assert_eq!(reply(&mut store, &["FLUSHALL", "SYNC"]), "+OK\r\n");
    assert_eq!(reply(&mut store, &["DBSIZE"]), ":0\r\n");
}
