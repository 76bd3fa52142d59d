//! The parameters `CONFIG GET` reports and `CONFIG SET` changes, validated as Redis 7.0
//! validates them, and the `CONFIG` command. Parameters that only tune Redis's encodings or
//! persistence are accepted and reported back; those the server acts on have typed accessors
//! ([`Settings::maxclients`], [`Settings::output_limit`]...).

use super::commands::{is, Command, Flow, Outcome};
use super::ctx::Ctx;
use super::glob::glob_match;
use super::notify::NotifyFlags;
use super::Config;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// How a parameter's value is checked and written back.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// `yes` or `no`.
    Bool,
    /// An integer within bounds.
    Int(i64, i64),
    /// A byte count with an optional unit (`1gb`, `64mb`, `100k`), reported in bytes.
    Memory,
    /// One word of a fixed list.
    Enum(&'static [&'static str]),
    /// Any text.
    Text,
    /// Reported, never changed at run time.
    Immutable,
    /// `save`: pairs of seconds and changes, or empty.
    Save,
    /// `client-output-buffer-limit`: `class hard soft seconds` groups.
    OutputLimits,
    /// `notify-keyspace-events`: letters from `KEg$lshzxetmdA`.
    Events,
}

/// One parameter: its name, its other name (Redis 7 renamed `ziplist` to `listpack`), how it is
/// checked, and its default.
struct Param {
    name: &'static str,
    alias: Option<&'static str>,
    kind: Kind,
    default: &'static str,
}

const fn p(name: &'static str, kind: Kind, default: &'static str) -> Param {
    Param {
        name,
        alias: None,
        kind,
        default,
    }
}

const fn aliased(
    name: &'static str,
    alias: &'static str,
    kind: Kind,
    default: &'static str,
) -> Param {
    Param {
        name,
        alias: Some(alias),
        kind,
        default,
    }
}

const MAXMEMORY_POLICIES: &[&str] = &[
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "noeviction",
];
const BIG: i64 = i64::MAX;
const INT: i64 = i32::MAX as i64;

/// Every parameter, with Redis 7.0's defaults (those of the server itself where it differs:
/// no persistence, its own bulk length limit).
const PARAMS: &[Param] = &[
    p("activedefrag", Kind::Bool, "no"),
    p("activerehashing", Kind::Bool, "yes"),
    p("active-expire-effort", Kind::Int(1, 10), "1"),
    p(
        "appendfsync",
        Kind::Enum(&["always", "everysec", "no"]),
        "everysec",
    ),
    p("appendfilename", Kind::Immutable, "appendonly.aof"),
    p("appendonly", Kind::Bool, "no"),
    p("aof-use-rdb-preamble", Kind::Bool, "yes"),
    p("bind", Kind::Immutable, ""),
    p("busy-reply-threshold", Kind::Int(0, BIG), "5000"),
    p("client-output-buffer-limit", Kind::OutputLimits, ""),
    p("client-query-buffer-limit", Kind::Memory, ""),
    p("cluster-enabled", Kind::Immutable, "no"),
    p("databases", Kind::Immutable, "16"),
    p("daemonize", Kind::Immutable, "no"),
    p("dbfilename", Kind::Text, "dump.rdb"),
    p("dir", Kind::Text, ""),
    p("enable-debug-command", Kind::Immutable, "no"),
    aliased(
        "hash-max-listpack-entries",
        "hash-max-ziplist-entries",
        Kind::Int(0, BIG),
        "128",
    ),
    aliased(
        "hash-max-listpack-value",
        "hash-max-ziplist-value",
        Kind::Int(0, BIG),
        "64",
    ),
    p("hz", Kind::Int(0, INT), "10"),
    p("io-threads", Kind::Immutable, "1"),
    p("latency-monitor-threshold", Kind::Int(0, BIG), "0"),
    p("latency-tracking", Kind::Bool, "yes"),
    p(
        "latency-tracking-info-percentiles",
        Kind::Text,
        "50 99 99.9",
    ),
    p("lazyfree-lazy-eviction", Kind::Bool, "no"),
    p("lazyfree-lazy-expire", Kind::Bool, "no"),
    p("lazyfree-lazy-server-del", Kind::Bool, "no"),
    p("lazyfree-lazy-user-del", Kind::Bool, "no"),
    p("lazyfree-lazy-user-flush", Kind::Bool, "no"),
    p("lfu-decay-time", Kind::Int(0, INT), "1"),
    p("lfu-log-factor", Kind::Int(0, INT), "10"),
    p("list-compress-depth", Kind::Int(0, INT), "0"),
    aliased(
        "list-max-listpack-size",
        "list-max-ziplist-size",
        Kind::Int(i32::MIN as i64, INT),
        "-2",
    ),
    p("logfile", Kind::Immutable, ""),
    p(
        "loglevel",
        Kind::Enum(&["debug", "verbose", "notice", "warning"]),
        "notice",
    ),
    p("lua-time-limit", Kind::Int(0, BIG), "5000"),
    p("maxclients", Kind::Int(1, INT), "10000"),
    p("maxmemory", Kind::Memory, "0"),
    p("maxmemory-clients", Kind::Memory, "0"),
    p(
        "maxmemory-policy",
        Kind::Enum(MAXMEMORY_POLICIES),
        "noeviction",
    ),
    p("maxmemory-samples", Kind::Int(1, INT), "5"),
    p("min-replicas-max-lag", Kind::Int(0, INT), "10"),
    p("min-replicas-to-write", Kind::Int(0, INT), "0"),
    p("notify-keyspace-events", Kind::Events, ""),
    p("port", Kind::Immutable, ""),
    p("proto-max-bulk-len", Kind::Memory, ""),
    p("protected-mode", Kind::Bool, "yes"),
    p("rdbchecksum", Kind::Bool, "yes"),
    p("rdbcompression", Kind::Bool, "yes"),
    p("repl-backlog-size", Kind::Memory, "1048576"),
    aliased(
        "repl-ping-replica-period",
        "repl-ping-slave-period",
        Kind::Int(1, INT),
        "10",
    ),
    p("repl-timeout", Kind::Int(1, INT), "60"),
    p("replica-lazy-flush", Kind::Bool, "no"),
    aliased("replica-read-only", "slave-read-only", Kind::Bool, "yes"),
    p("save", Kind::Save, ""),
    p("set-max-intset-entries", Kind::Int(0, BIG), "512"),
    p("slowlog-log-slower-than", Kind::Int(-1, BIG), "10000"),
    p("slowlog-max-len", Kind::Int(0, BIG), "128"),
    p("stop-writes-on-bgsave-error", Kind::Bool, "yes"),
    p("supervised", Kind::Immutable, "no"),
    p("stream-node-max-bytes", Kind::Memory, "4096"),
    p("stream-node-max-entries", Kind::Int(0, BIG), "100"),
    p("tcp-backlog", Kind::Immutable, ""),
    p("tcp-keepalive", Kind::Int(0, INT), "300"),
    p("timeout", Kind::Int(0, INT), "0"),
    aliased(
        "zset-max-listpack-entries",
        "zset-max-ziplist-entries",
        Kind::Int(0, BIG),
        "128",
    ),
    aliased(
        "zset-max-listpack-value",
        "zset-max-ziplist-value",
        Kind::Int(0, BIG),
        "64",
    ),
];

/// The output buffer limits of one class of clients (`client-output-buffer-limit`): a client
/// whose unsent replies pass `hard` bytes, or stay above `soft` bytes for `soft_seconds`, is
/// disconnected. 0 turns a limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputLimit {
    /// Bytes that disconnect at once.
    pub hard: u64,
    /// Bytes that disconnect when exceeded for `soft_seconds`.
    pub soft: u64,
    /// How long the soft limit may be exceeded.
    pub soft_seconds: u64,
}

/// The classes `client-output-buffer-limit` configures, in Redis's order.
const CLASSES: [&str; 3] = ["normal", "slave", "pubsub"];

/// The current value of every parameter.
///
/// ```
/// use volley_resp::server::{Config, Settings};
///
/// let mut settings = Settings::new(&Config::default());
/// assert_eq!(settings.get("maxmemory-policy"), Some("noeviction"));
/// settings.set(&[("maxclients", "50"), ("hash-max-ziplist-entries", "7")]).unwrap();
/// assert_eq!(settings.maxclients(), 50);
/// assert_eq!(settings.get("hash-max-listpack-entries"), Some("7"));
/// assert_eq!(
///     settings.set(&[("hz", "x")]).unwrap_err(),
///     "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer"
/// );
/// ```
#[derive(Debug, Clone)]
pub struct Settings {
    values: BTreeMap<&'static str, String>,
    /// `notify-keyspace-events`, parsed: read on every keyspace event.
    notify: NotifyFlags,
}

impl Default for Settings {
    fn default() -> Self {
        Settings::new(&Config::default())
    }
}

impl Settings {
    /// Redis's defaults, with what `config` says about the address and the request limits.
    ///
    /// ```
    /// use volley_resp::server::{Config, Settings};
    /// let settings = Settings::new(&Config { port: 7001, ..Config::default() });
    /// assert_eq!(settings.get("port"), Some("7001"));
    /// ```
    pub fn new(config: &Config) -> Settings {
        let dir = std::env::current_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        let values = PARAMS
            .iter()
            .map(|param| {
                let value = match param.name {
                    "bind" => config.bind.clone(),
                    "port" => config.port.to_string(),
                    "dir" => dir.clone(),
                    "proto-max-bulk-len" => config.limits.max_bulk().to_string(),
                    "client-query-buffer-limit" => config.limits.max_request().to_string(),
                    "tcp-backlog" => volley_flow::sched::net::LISTEN_BACKLOG.to_string(),
                    "client-output-buffer-limit" => {
                        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
                            .to_string()
                    }
                    _ => param.default.to_string(),
                };
                (param.name, value)
            })
            .collect();
        Settings {
            values,
            notify: NotifyFlags::default(),
        }
    }

    /// The value of a parameter (either of its names, any case), if there is one by that name.
    ///
    /// ```
    /// use volley_resp::server::Settings;
    /// assert_eq!(Settings::default().get("APPENDONLY"), Some("no"));
    /// assert_eq!(Settings::default().get("nonsense"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        let param = find(name)?;
        self.values.get(param.name).map(String::as_str)
    }

    /// Every `(name, value)` whose name (either name of a parameter) matches the glob
    /// `pattern`, without case; each parameter at most once per name.
    ///
    /// ```
    /// use volley_resp::server::Settings;
    /// let found = Settings::default().matching(b"maxmemory*");
    /// assert_eq!(found[0], ("maxmemory", "0".to_string()));
    /// assert_eq!(found.len(), 4);
    /// ```
    pub fn matching(&self, pattern: &[u8]) -> Vec<(&'static str, String)> {
        let mut found = Vec::new();
        for param in PARAMS {
            let value = &self.values[param.name];
            for name in std::iter::once(param.name).chain(param.alias) {
                if glob_match(pattern, name.as_bytes(), true) {
                    found.push((name, value.clone()));
                }
            }
        }
        found
    }

    /// Sets every `(name, value)` pair, or none of them: Redis's error for the first that is
    /// unknown, immutable, repeated or invalid.
    ///
    /// ```
    /// use volley_resp::server::Settings;
    /// let mut settings = Settings::default();
    /// let error = settings.set(&[("appendonly", "yes"), ("databases", "4")]).unwrap_err();
    /// assert_eq!(error, "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config");
    /// assert_eq!(settings.get("appendonly"), Some("no"));
    /// ```
    pub fn set(&mut self, pairs: &[(&str, &str)]) -> Result<(), String> {
        let failed = |name: &str, why: &str| {
            format!("ERR CONFIG SET failed (possibly related to argument '{name}') - {why}")
        };
        let mut params = Vec::with_capacity(pairs.len());
        for (name, _) in pairs {
            let Some(param) = find(name) else {
                return Err(format!(
                    "ERR Unknown option or number of arguments for CONFIG SET - '{name}'"
                ));
            };
            if matches!(param.kind, Kind::Immutable) {
                return Err(failed(name, "can't set immutable config"));
            }
            if params.iter().any(|seen: &&Param| seen.name == param.name) {
                return Err(failed(name, "duplicate parameter"));
            }
            params.push(param);
        }
        let mut updates = Vec::with_capacity(pairs.len());
        for (param, (_, value)) in params.iter().zip(pairs) {
            let current = &self.values[param.name];
            let value =
                normalize(param.kind, value, current).map_err(|why| failed(param.name, &why))?;
            updates.push((param.name, value));
        }
        for (name, value) in updates {
            if name == "notify-keyspace-events" {
                self.notify = NotifyFlags::parse(&value);
            }
            self.values.insert(name, value);
        }
        Ok(())
    }

    /// `notify-keyspace-events`, parsed.
    ///
    /// ```
    /// use volley_resp::server::{EventClass, Settings};
    /// let mut settings = Settings::default();
    /// assert!(!settings.notify_flags().wants(EventClass::List));
    /// settings.set(&[("notify-keyspace-events", "Kl")]).unwrap();
    /// assert!(settings.notify_flags().wants(EventClass::List));
    /// ```
    pub fn notify_flags(&self) -> NotifyFlags {
        self.notify
    }

    /// An integer or memory parameter's value (0 if it is neither).
    ///
    /// ```
    /// use volley_resp::server::Settings;
    /// assert_eq!(Settings::default().int("hz"), 10);
    /// ```
    pub fn int(&self, name: &str) -> i64 {
        self.get(name).and_then(|v| v.parse().ok()).unwrap_or(0)
    }

    /// Whether a yes/no parameter is `yes`.
    ///
    /// ```
    /// use volley_resp::server::Settings;
    /// assert!(Settings::default().flag("latency-tracking"));
    /// ```
    pub fn flag(&self, name: &str) -> bool {
        self.get(name) == Some("yes")
    }

    /// How many clients may be connected at once (`maxclients`).
    ///
    /// ```
    /// use volley_resp::server::Settings;
    /// assert_eq!(Settings::default().maxclients(), 10_000);
    /// ```
    pub fn maxclients(&self) -> usize {
        self.int("maxclients").max(1) as usize
    }

    /// The output buffer limits of a class: `normal`, `replica` (or `slave`), `pubsub`.
    ///
    /// ```
    /// use volley_resp::server::{OutputLimit, Settings};
    /// let limit = Settings::default().output_limit("pubsub").unwrap();
    /// assert_eq!(limit, OutputLimit { hard: 32 << 20, soft: 8 << 20, soft_seconds: 60 });
    /// assert_eq!(Settings::default().output_limit("normal").unwrap().hard, 0);
    /// ```
    pub fn output_limit(&self, class: &str) -> Option<OutputLimit> {
        let class = if class == "replica" { "slave" } else { class };
        let value = self.get("client-output-buffer-limit")?;
        let words: Vec<&str> = value.split(' ').collect();
        words
            .chunks_exact(4)
            .find(|g| g[0] == class)
            .map(|g| OutputLimit {
                hard: g[1].parse().unwrap_or(0),
                soft: g[2].parse().unwrap_or(0),
                soft_seconds: g[3].parse().unwrap_or(0),
            })
    }
}

/// The parameter named `name` (either name, any case).
fn find(name: &str) -> Option<&'static Param> {
    PARAMS.iter().find(|param| {
        param.name.eq_ignore_ascii_case(name)
            || param
                .alias
                .is_some_and(|alias| alias.eq_ignore_ascii_case(name))
    })
}

/// Checks `value` for a parameter of `kind`; answers the value as `CONFIG GET` will show it.
fn normalize(kind: Kind, value: &str, current: &str) -> Result<String, String> {
    match kind {
        Kind::Bool => match value.to_ascii_lowercase().as_str() {
            "yes" | "no" => Ok(value.to_ascii_lowercase()),
            _ => Err("argument must be 'yes' or 'no'".into()),
        },
        Kind::Int(min, max) => {
            let n: i64 = value
                .parse()
                .map_err(|_| "argument couldn't be parsed into an integer".to_string())?;
            if n < min || n > max {
                return Err(format!(
                    "argument must be between {min} and {max} inclusive"
                ));
            }
            Ok(n.to_string())
        }
        Kind::Memory => memory(value)
            .map(|n| n.to_string())
            .ok_or_else(|| "argument must be a memory value".to_string()),
        Kind::Enum(words) => {
            let lower = value.to_ascii_lowercase();
            if words.contains(&lower.as_str()) {
                Ok(lower)
            } else {
                Err(format!(
                    "argument(s) must be one of the following: {}",
                    words.join(", ")
                ))
            }
        }
        Kind::Text => Ok(value.to_string()),
        Kind::Immutable => Err("can't set immutable config".into()),
        Kind::Save => {
            let words: Vec<&str> = value.split_whitespace().collect();
            let valid =
                words.len().is_multiple_of(2) && words.iter().all(|w| w.parse::<u64>().is_ok());
            if valid {
                Ok(words.join(" "))
            } else {
                Err("Invalid save parameters".into())
            }
        }
        Kind::OutputLimits => output_limits(value, current),
        Kind::Events => {
            if value.bytes().all(|b| b"KEg$lshzxetmdA".contains(&b)) {
                Ok(events_canonical(value))
            } else {
                Err("Invalid event class character. Use 'Ag$lshzxeKEtmd'.".into())
            }
        }
    }
}

/// `notify-keyspace-events` as Redis writes it back: `A` standing for all the type classes.
fn events_canonical(value: &str) -> String {
    let has = |c: char| value.contains(c) || (value.contains('A') && "g$lshzxetd".contains(c));
    let mut out = String::new();
    if "g$lshzxetd".chars().all(has) {
        out.push('A');
    } else {
        out.extend("g$lshzxetd".chars().filter(|c| has(*c)));
    }
    out.extend("KEm".chars().filter(|c| value.contains(*c)));
    out
}

/// A byte count with an optional unit, as Redis's `memtoull` reads it.
fn memory(value: &str) -> Option<u64> {
    let lower = value.to_ascii_lowercase();
    let split = lower
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (digits, unit) = lower.split_at(split);
    let number: u64 = digits.parse().ok()?;
    let factor: u64 = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    number.checked_mul(factor)
}

/// Applies `class hard soft seconds` groups over the current limits.
fn output_limits(value: &str, current: &str) -> Result<String, String> {
    let words: Vec<&str> = value.split_whitespace().collect();
    if !words.len().is_multiple_of(4) {
        return Err("Wrong number of arguments in buffer limit configuration.".into());
    }
    let mut limits: Vec<[String; 3]> = CLASSES
        .iter()
        .map(|class| {
            let words: Vec<&str> = current.split(' ').collect();
            let group = words.chunks_exact(4).find(|g| g[0] == *class);
            let field = |i: usize| group.map_or("0", |g| g[i]).to_string();
            [field(1), field(2), field(3)]
        })
        .collect();
    for group in words.chunks_exact(4) {
        let class = match group[0].to_ascii_lowercase().as_str() {
            "normal" => 0,
            "slave" | "replica" => 1,
            "pubsub" => 2,
            _ => {
                return Err("Invalid client class specified in buffer limit configuration.".into())
            }
        };
        let bad = || "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
        let hard = memory(group[1]).ok_or_else(bad)?;
        let soft = memory(group[2]).ok_or_else(bad)?;
        let seconds: u64 = group[3].parse().map_err(|_| bad())?;
        limits[class] = [hard.to_string(), soft.to_string(), seconds.to_string()];
    }
    Ok(CLASSES
        .iter()
        .zip(&limits)
        .map(|(class, [hard, soft, seconds])| format!("{class} {hard} {soft} {seconds}"))
        .collect::<Vec<_>>()
        .join(" "))
}

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[Command {
    name: "config",
    arity: -2,
    flags: &["admin", "noscript", "loading", "stale"],
    keys: (0, 0, 0),
    run: config,
}];

/// `CONFIG GET pattern [pattern ...]`, `CONFIG SET name value [name value ...]`,
/// `CONFIG RESETSTAT`, `CONFIG REWRITE` (refused: there is no config file).
pub fn config(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let sub = &args[1];
    if is(sub, "get") {
        if args.len() < 3 {
            return Err(super::commands::wrong_arity("config|get"));
        }
        let mut found: Vec<(String, String)> = Vec::new();
        for pattern in &args[2..] {
            let text = String::from_utf8_lossy(pattern);
            let has_glob = pattern.iter().any(|b| b"*?[".contains(b));
            if !has_glob {
                if let Some(value) = ctx.server.settings.get(&text) {
                    if !found.iter().any(|(n, _)| *n == text) {
                        found.push((text.into_owned(), value.to_string()));
                    }
                }
                continue;
            }
            for (name, value) in ctx.server.settings.matching(pattern) {
                if !found.iter().any(|(n, _)| n == name) {
                    found.push((name.to_string(), value));
                }
            }
        }
        ctx.reply.map(found.len());
        for (name, value) in &found {
            ctx.reply.bulk(name.as_bytes());
            ctx.reply.bulk(value.as_bytes());
        }
    } else if is(sub, "set") {
        if args.len() < 4 {
            return Err(super::commands::wrong_arity("config|set"));
        }
        if !args.len().is_multiple_of(2) {
            return Err(super::commands::SYNTAX.into());
        }
        let texts: Vec<String> = args[2..]
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let pairs: Vec<(&str, &str)> = texts
            .chunks_exact(2)
            .map(|pair| (pair[0].as_str(), pair[1].as_str()))
            .collect();
        ctx.server.settings.set(&pairs).map_err(Cow::Owned)?;
        ctx.reply.ok();
    } else if is(sub, "resetstat") && args.len() == 2 {
        ctx.server.stats.reset();
        ctx.reply.ok();
    } else if is(sub, "rewrite") && args.len() == 2 {
        return Err("ERR The server is running without a config file".into());
    } else {
        let sub = String::from_utf8_lossy(sub);
        return Err(format!("ERR unknown subcommand '{sub}'. Try CONFIG HELP.").into());
    }
    Ok(Flow::Continue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_values_read_like_redis() {
        assert_eq!(memory("100"), Some(100));
        assert_eq!(memory("1k"), Some(1000));
        assert_eq!(memory("1KB"), Some(1024));
        assert_eq!(memory("2gb"), Some(2 << 30));
        assert_eq!(memory("-1"), None);
        assert_eq!(memory("1tb"), None);
        assert_eq!(memory(""), None);
    }

    #[test]
    fn output_limits_merge_per_class() {
        let mut settings = Settings::default();
        settings
            .set(&[("client-output-buffer-limit", "pubsub 1mb 0 0")])
            .unwrap();
        assert_eq!(
            settings.get("client-output-buffer-limit"),
            Some("normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 0 0")
        );
        assert!(settings
            .set(&[("client-output-buffer-limit", "nobody 1 1 1")])
            .is_err());
        assert!(settings
            .set(&[("client-output-buffer-limit", "normal 1 1")])
            .is_err());
    }

    #[test]
    fn every_kind_is_checked() {
        let mut settings = Settings::default();
        let why = |s: &mut Settings, name: &str, value: &str| s.set(&[(name, value)]).unwrap_err();
        assert!(
            why(&mut settings, "appendonly", "maybe").ends_with("argument must be 'yes' or 'no'")
        );
        assert!(why(&mut settings, "maxclients", "0")
            .ends_with("argument must be between 1 and 2147483647 inclusive"));
        assert!(
            why(&mut settings, "maxmemory", "lots").ends_with("argument must be a memory value")
        );
        assert!(why(&mut settings, "maxmemory-policy", "random")
            .contains("must be one of the following"));
        assert!(why(&mut settings, "save", "60").ends_with("Invalid save parameters"));
        assert_eq!(
            why(&mut settings, "hz", "1 2"),
            "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer"
        );
        assert_eq!(
            settings.set(&[("hz", "5"), ("HZ", "6")]).unwrap_err(),
            "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter"
        );
        settings
            .set(&[
                ("save", "3600 1 300 100"),
                ("maxmemory", "1mb"),
                ("appendonly", "YES"),
            ])
            .unwrap();
        assert_eq!(settings.get("save"), Some("3600 1 300 100"));
        assert_eq!(settings.get("maxmemory"), Some("1048576"));
        assert_eq!(settings.get("appendonly"), Some("yes"));
        settings.set(&[("notify-keyspace-events", "KEA")]).unwrap();
        assert_eq!(settings.get("notify-keyspace-events"), Some("AKE"));
    }
}
