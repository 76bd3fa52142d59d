//! A server run by a simulated scheduler keeps every time by its virtual clock: key deadlines,
//! `TIME`, stream ids, client ages and idle times, the idle `timeout`, uptime. Hours pass in
//! no wall time, and each answer is exact.
#![feature(coroutines)]

#[path = "support/replies.rs"]
mod replies;

use replies::next_reply;
use std::net::SocketAddr;
use std::time::Duration;
use volley_core::{yield_from, Co, Exit};
use volley_flow::sched::net::Connection;
use volley_flow::sched::time::sleep;
use volley_flow::sched::{Scheduler, TaskResume};
use volley_flow::sim::net::{NetConfig, SimNet};
use volley_resp::server::{spawn_on, Config, SIMULATED_START_MILLIS};

const SERVER: &str = "10.0.0.1:6379";

/// One step of a scripted client.
enum Step {
    /// Send these bytes and take one reply.
    Ask(Vec<u8>),
    /// Wait this long (virtual time).
    Wait(Duration),
}

use Step::{Ask, Wait};

fn ask(line: &str) -> Step {
    Ask(format!("{line}\r\n").into_bytes())
}

fn wait_secs(secs: u64) -> Step {
    Wait(Duration::from_secs(secs))
}

/// What a scripted client got: each reply as text, and `"<closed>"` if the server closed the
/// connection instead of answering (the script stops there).
fn run_script(scripts: Vec<(&'static str, Vec<Step>)>) -> Vec<Vec<String>> {
    let mut sched = Scheduler::simulated(11);
    let config = NetConfig {
        min_latency: Duration::from_millis(1),
        max_latency: Duration::from_millis(1),
        ..NetConfig::default()
    };
    let net = SimNet::new(&sched, config);
    let listener = net.bind(SERVER.parse().unwrap()).unwrap();
    spawn_on(&mut sched, listener, Config::default());
    let handles: Vec<_> = scripts
        .into_iter()
        .map(|(from, steps)| {
            let net = net.clone();
            sched.spawn(Co::pinned(
                #[coroutine]
                static move |_: TaskResume| {
                    let server: SocketAddr = SERVER.parse().unwrap();
                    let conn = yield_from!(net.connect(from.parse().unwrap(), server))?;
                    let mut buf = Vec::new();
                    let mut replies = Vec::new();
                    for step in steps {
                        match step {
                            Wait(span) => yield_from!(sleep(span))?,
                            Ask(request) => {
                                let written = yield_from!(conn.write_all(&request)).is_ok();
                                let reply = match written {
                                    true => yield_from!(next_reply(&conn, &mut buf))?,
                                    false => None,
                                };
                                match reply {
                                    Some(reply) => {
                                        replies.push(String::from_utf8_lossy(&reply).into_owned())
                                    }
                                    None => {
                                        replies.push("<closed>".to_string());
                                        break;
                                    }
                                }
                            }
                        }
                    }
                    Ok::<_, Exit<_>>(replies)
                },
            ))
        })
        .collect();
    handles
        .into_iter()
        .map(|handle| sched.join(handle).expect("the client ran its script"))
        .collect()
}

#[test]
fn keys_expire_on_the_virtual_clock() {
    let replies = run_script(vec![(
        "10.0.1.1",
        vec![
            ask("SET session token EX 3600"),
            ask("SET flash note PX 1500"),
            wait_secs(1),
            ask("GET flash"),
            ask("PTTL flash"),
            wait_secs(1),
            ask("GET flash"),
            wait_secs(1800),
            ask("TTL session"),
            wait_secs(1800),
            ask("EXISTS session"),
        ],
    )]);
    // Each request reaches the server 1 ms after it is written and is answered 1 ms later:
    // the flash key's deadline is 1,500 ms after its SET arrived, and the PTTL arrives
    // 1,004 ms after that SET.
    assert_eq!(
        replies[0],
        [
            "+OK\r\n",
            "+OK\r\n",
            "$4\r\nnote\r\n",
            ":496\r\n",
            "$-1\r\n",
            ":1798\r\n",
            ":0\r\n"
        ]
    );
}

#[test]
fn time_and_stream_ids_read_the_simulated_calendar() {
    let replies = run_script(vec![(
        "10.0.1.1",
        vec![
            wait_secs(90),
            ask("TIME"),
            ask("XADD events * kind start"),
            wait_secs(86_400),
            ask("XADD events * kind stop"),
        ],
    )]);
    // Each request reaches the server 1 ms after it is written and is answered 1 ms later.
    let time: Vec<i64> = replies[0][0]
        .split("\r\n")
        .skip(2)
        .step_by(2)
        .map(|n| n.parse().unwrap())
        .collect();
    let time_ms = time[0] * 1000 + time[1] / 1000;
    let connected_by = SIMULATED_START_MILLIS + 10;
    assert!(
        (SIMULATED_START_MILLIS + 90_001..connected_by + 90_001).contains(&time_ms),
        "TIME answered {time_ms}"
    );
    assert_eq!(
        time[1] % 1000,
        0,
        "virtual time moved in whole milliseconds"
    );
    let id = |ms: i64| format!("${}\r\n{ms}-0\r\n", format!("{ms}-0").len());
    assert_eq!(replies[0][1], id(time_ms + 2));
    assert_eq!(replies[0][2], id(time_ms + 2 + 86_400_000 + 2));
}

/// The `name=value` fields of one `CLIENT LIST` line or `INFO` section, by name.
fn field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.split([' ', '\r', '\n'])
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix(['=', ':']))
}

#[test]
fn client_ages_idle_times_and_uptime_are_virtual() {
    let replies = run_script(vec![(
        "10.0.1.1",
        vec![
            wait_secs(7200),
            ask("PING"),
            wait_secs(600),
            ask("CLIENT LIST"),
            ask("INFO server"),
        ],
    )]);
    let list = &replies[0][1];
    assert_eq!(field(list, "age"), Some("7800"), "{list}");
    // CLIENT LIST itself is the last command: idle since it arrived.
    assert_eq!(field(list, "idle"), Some("0"), "{list}");
    let info = &replies[0][2];
    assert_eq!(field(info, "uptime_in_seconds"), Some("7800"), "{info}");
    let usec: i64 = field(info, "server_time_usec").unwrap().parse().unwrap();
    assert_eq!(usec / 1_000_000, SIMULATED_START_MILLIS / 1000 + 7800);
}

#[test]
fn the_idle_timeout_closes_quiet_clients_in_virtual_time() {
    let mut chatty = vec![ask("CONFIG SET timeout 30")];
    for _ in 0..8 {
        chatty.push(wait_secs(20));
        chatty.push(ask("PING"));
    }
    let replies = run_script(vec![
        ("10.0.1.1", chatty),
        ("10.0.1.2", vec![ask("PING"), wait_secs(120), ask("PING")]),
    ]);
    assert_eq!(replies[0][0], "+OK\r\n");
    assert!(
        replies[0][1..].iter().all(|reply| reply == "+PONG\r\n"),
        "a client that talks every 20 s outlives a 30 s timeout: {:?}",
        replies[0]
    );
    assert_eq!(
        replies[1],
        ["+PONG\r\n", "<closed>"],
        "a client quiet for 120 s is closed"
    );
}
