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
        "-ERR Unknown option or number of arguments for CONFIG SET - 'x'\r\n"
    );
    assert_eq!(
        reply(
            &mut store,
            &["CONFIG", "SET", "maxmemory", "10mb", "appendonly", "yes"]
        ),
        "+OK\r\n"
    );
    assert_eq!(
        reply(&mut store, &["CONFIG", "GET", "maxmemory", "appendo*"]),
        "*4\r\n$9\r\nmaxmemory\r\n$8\r\n10485760\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n"
    );
    assert_eq!(
        reply(&mut store, &["CONFIG", "GET", "list-max-ziplist-size"]),
        "*2\r\n$21\r\nlist-max-ziplist-size\r\n$2\r\n-2\r\n"
    );
    assert_eq!(
        reply(&mut store, &["CONFIG", "SET", "maxmemory"]),
        "-ERR wrong number of arguments for 'config|set' command\r\n"
    );
    assert_eq!(reply(&mut store, &["CONFIG", "RESETSTAT"]), "+OK\r\n");
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

/// The words of a reply's bulk strings, for replies whose exact bytes vary (INFO, CLIENT LIST).
fn text_of(raw: &str) -> String {
    raw.split("\r\n").skip(1).collect::<Vec<_>>().join("\n")
}

#[test]
fn hello_switches_protocol_and_every_reply_follows() {
    let mut session = Session::new();
    assert_eq!(reply(&mut session, &["GET", "missing"]), "$-1\r\n");
    let hello = reply(&mut session, &["HELLO", "3"]);
    assert_eq!(
        hello,
        "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n\
         $5\r\nproto\r\n:3\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n\
         $4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"
    );
    assert_eq!(reply(&mut session, &["GET", "missing"]), "_\r\n");
    assert_eq!(reply(&mut session, &["LPOP", "missing", "2"]), "_\r\n");
    assert_eq!(
        reply(&mut session, &["CONFIG", "GET", "appendonly"]),
        "%1\r\n$10\r\nappendonly\r\n$2\r\nno\r\n"
    );
    assert!(reply(&mut session, &["INFO", "server"]).starts_with("="));
    // HELLO without a version answers in the current protocol; HELLO 2 goes back.
    assert!(reply(&mut session, &["HELLO"]).starts_with("%7\r\n"));
    assert!(reply(&mut session, &["HELLO", "2"]).starts_with("*14\r\n"));
    assert_eq!(reply(&mut session, &["GET", "missing"]), "$-1\r\n");
}

#[test]
fn hello_checks_its_arguments_like_redis() {
    let mut session = Session::new();
    assert_eq!(
        reply(&mut session, &["HELLO", "4"]),
        "-NOPROTO unsupported protocol version\r\n"
    );
    assert_eq!(
        reply(&mut session, &["HELLO", "x"]),
        "-ERR Protocol version is not an integer or out of range\r\n"
    );
    assert_eq!(
        reply(&mut session, &["HELLO", "3", "AUTH", "admin", "pw"]),
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    );
    assert_eq!(
        reply(&mut session, &["HELLO", "3", "SETNAME"]),
        "-ERR Syntax error in HELLO option 'SETNAME'\r\n"
    );
    assert_eq!(
        reply(&mut session, &["HELLO", "2", "SETNAME", "bad name"]),
        "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"
    );
    // A failed HELLO keeps the protocol.
    assert_eq!(reply(&mut session, &["GET", "k"]), "$-1\r\n");
    let ok = reply(
        &mut session,
        &["HELLO", "3", "AUTH", "default", "any", "SETNAME", "app"],
    );
    assert!(ok.starts_with("%7\r\n"), "{ok}");
    assert_eq!(reply(&mut session, &["CLIENT", "GETNAME"]), "$3\r\napp\r\n");
    assert_eq!(
        reply(&mut session, &["AUTH", "secret"]),
        "-ERR AUTH <password> called without any password configured for the default user. \
         Are you sure your configuration is correct?\r\n"
    );
    assert_eq!(reply(&mut session, &["AUTH", "default", "x"]), "+OK\r\n");
    assert_eq!(reply(&mut session, &["RESET"]), "+RESET\r\n");
    assert_eq!(reply(&mut session, &["CLIENT", "GETNAME"]), "$-1\r\n");
    assert_eq!(reply(&mut session, &["GET", "k"]), "$-1\r\n");
}

#[test]
fn client_subcommands_describe_and_control_the_connection() {
    let mut session = Session::new();
    assert_eq!(reply(&mut session, &["CLIENT", "ID"]), ":1\r\n");
    assert_eq!(
        reply(&mut session, &["CLIENT", "SETNAME", "worker"]),
        "+OK\r\n"
    );
    assert_eq!(
        reply(&mut session, &["CLIENT", "SETINFO", "LIB-NAME", "redis-py"]),
        "+OK\r\n"
    );
    assert_eq!(
        reply(&mut session, &["CLIENT", "SETINFO", "colour", "x"]),
        "-ERR Unrecognized option 'colour'\r\n"
    );
    reply(&mut session, &["SELECT", "2"]);
    let info = text_of(&reply(&mut session, &["CLIENT", "INFO"]));
    assert!(
        info.starts_with("id=1 addr=127.0.0.1:0 laddr=127.0.0.1:0 "),
        "{info}"
    );
    for part in [
        " name=worker ",
        " flags=N ",
        " db=2 ",
        " cmd=client|info ",
        " resp=2 ",
        " lib-name=redis-py ",
    ] {
        assert!(info.contains(part), "{part} in {info}");
    }
    let list = text_of(&reply(&mut session, &["CLIENT", "LIST", "TYPE", "normal"]));
    assert!(list.starts_with("id=1 "), "{list}");
    assert_eq!(
        reply(&mut session, &["CLIENT", "LIST", "TYPE", "pubsub"]),
        "$0\r\n\r\n"
    );
    assert_eq!(
        reply(&mut session, &["CLIENT", "LIST", "TYPE", "robot"]),
        "-ERR Unknown client type 'robot'\r\n"
    );
    assert_eq!(
        reply(&mut session, &["CLIENT", "ID", "extra"]),
        "-ERR wrong number of arguments for 'client|id' command\r\n"
    );
    assert_eq!(
        reply(&mut session, &["CLIENT", "FLY"]),
        "-ERR unknown subcommand 'FLY'. Try CLIENT HELP.\r\n"
    );
    assert_eq!(
        reply(&mut session, &["CLIENT", "KILL", "1.2.3.4:5"]),
        "-ERR No such client\r\n"
    );
    assert_eq!(
        reply(&mut session, &["CLIENT", "KILL", "ID", "1"]),
        ":0\r\n"
    );
    for bad in ["0", "x"] {
        assert_eq!(
            reply(&mut session, &["CLIENT", "KILL", "ID", bad]),
            "-ERR client-id should be greater than 0\r\n"
        );
    }
    assert_eq!(
        reply(&mut session, &["CLIENT", "KILL", "ID", "1", "SKIPME"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run(&mut session, &["CLIENT", "KILL", "ID", "1", "SKIPME", "no"]),
        (":1\r\n".to_string(), Flow::Close)
    );
}

#[test]
fn client_reply_off_and_skip_silence_replies() {
    let mut session = Session::new();
    assert_eq!(reply(&mut session, &["CLIENT", "REPLY", "SKIP"]), "");
    assert_eq!(reply(&mut session, &["SET", "k", "v"]), "");
    assert_eq!(reply(&mut session, &["GET", "k"]), "$1\r\nv\r\n");
    assert_eq!(reply(&mut session, &["CLIENT", "REPLY", "OFF"]), "");
    assert_eq!(reply(&mut session, &["GET", "k"]), "");
    assert_eq!(reply(&mut session, &["CLIENT", "REPLY", "ON"]), "+OK\r\n");
    assert_eq!(reply(&mut session, &["GET", "k"]), "$1\r\nv\r\n");
}

#[test]
fn info_prints_the_sections_asked_for() {
    let mut session = Session::new();
    reply(&mut session, &["SET", "k", "v", "EX", "100"]);
    reply(&mut session, &["GET", "k"]);
    reply(&mut session, &["GET"]);
    let default = text_of(&reply(&mut session, &["INFO"]));
    for field in [
        "redis_version:7.0.15",
        "used_cpu_user:",
        "used_memory:",
        "connected_clients:1",
        "db0:keys=1,expires=1,avg_ttl=0",
        "errorstat_ERR:count=1",
    ] {
        assert!(default.contains(field), "{field} in {default}");
    }
    assert!(!default.contains("rejected_calls"));
    let all = text_of(&reply(&mut session, &["INFO", "all"]));
    assert!(
        all.contains(
            "cmdstat_get:calls=1,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0"
        ),
        "{all}"
    );
    let cpu = text_of(&reply(&mut session, &["INFO", "CPU", "keyspace"]));
    assert!(cpu.starts_with("# CPU\nused_cpu_sys:"), "{cpu}");
    assert!(cpu.contains("\n\n# Keyspace\ndb0:keys=1"), "{cpu}");
    assert!(!cpu.contains("used_memory"));
    assert_eq!(reply(&mut session, &["INFO", "nonsense"]), "$0\r\n\r\n");
    reply(&mut session, &["CONFIG", "RESETSTAT"]);
    assert!(!text_of(&reply(&mut session, &["INFO", "commandstats"])).contains("cmdstat_get"));
}

#[test]
fn the_suite_harness_commands_are_answered() {
    let mut session = Session::new();
    assert_eq!(reply(&mut session, &["FUNCTION", "FLUSH"]), "+OK\r\n");
    assert_eq!(
        reply(&mut session, &["FUNCTION", "FLUSH", "ASYNC"]),
        "+OK\r\n"
    );
    assert_eq!(reply(&mut session, &["FUNCTION", "LIST"]), "*0\r\n");
    assert_eq!(
        reply(&mut session, &["COMMAND", "INFO", "get"]),
        "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*0\r\n*0\r\n*0\r\n*0\r\n"
    );
    assert!(reply(&mut session, &["TIME"]).starts_with("*2\r\n$10\r\n"));
}

#[test]
fn keys_found_expired_are_counted_and_reported_as_events() {
    let mut session = Session::new();
    reply(
        &mut session,
        &["CONFIG", "SET", "notify-keyspace-events", "KEx"],
    );
    reply(&mut session, &["SELECT", "3"]);
    reply(&mut session, &["SET", "gone", "v", "PX", "1"]);
    std::thread::sleep(std::time::Duration::from_millis(3));
    // Found expired on access (not by the sweep): counted and reported all the same.
    assert_eq!(reply(&mut session, &["GET", "gone"]), "$-1\r\n");
    let events: Vec<(String, String)> = session
        .server
        .events
        .iter()
        .map(|e| {
            (
                String::from_utf8_lossy(&e.channel).into_owned(),
                String::from_utf8_lossy(&e.message).into_owned(),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            ("__keyspace@3__:gone".to_string(), "expired".to_string()),
            ("__keyevent@3__:expired".to_string(), "gone".to_string()),
        ]
    );
    assert!(text_of(&reply(&mut session, &["INFO", "stats"])).contains("expired_keys:1\n"));
}
