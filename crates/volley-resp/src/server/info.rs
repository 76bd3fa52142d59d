//! `INFO [section ...]`: the server's state in Redis's sections and field names.

use super::commands::{all, is, Command, Flow, Outcome};
use super::ctx::Ctx;
use super::hello::REDIS_VERSION;
use super::state::ServerState;
use std::fmt::Write;

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[Command {
    name: "info",
    arity: -1,
    flags: &["loading", "stale"],
    keys: (0, 0, 0),
    run: info,
}];

/// Sections in the order Redis prints them; `default` shows those marked so, `all` every one
/// but modules, `everything` every one.
const SECTIONS: &[(&str, bool)] = &[
    ("server", true),
    ("clients", true),
    ("memory", true),
    ("persistence", true),
    ("stats", true),
    ("replication", true),
    ("cpu", true),
    ("modules", true),
    ("commandstats", false),
    ("errorstats", true),
    ("cluster", true),
    ("keyspace", true),
];

/// `INFO [section [section ...]]`: sections by name (any case), or `default`, `all`,
/// `everything`; unknown names add nothing.
pub fn info(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let mut wanted = vec![false; SECTIONS.len()];
    if args.len() == 1 {
        wanted.iter_mut().zip(SECTIONS).for_each(|(w, s)| *w = s.1);
    }
    for arg in &args[1..] {
        for (slot, (name, default)) in wanted.iter_mut().zip(SECTIONS) {
            *slot |= is(arg, name)
                || is(arg, "everything")
                || (is(arg, "all") && *name != "modules")
                || (is(arg, "default") && *default);
        }
    }
    let text = render(ctx.server, &wanted);
    ctx.reply.verbatim(text.as_bytes(), "txt");
    Ok(Flow::Continue)
}

/// The chosen sections, as INFO prints them.
fn render(server: &mut ServerState, wanted: &[bool]) -> String {
    let mut text = String::new();
    for ((name, _), _) in SECTIONS.iter().zip(wanted).filter(|(_, w)| **w) {
        if !text.is_empty() {
            text.push_str("\r\n");
        }
        let title = match *name {
            "cpu" => "CPU".to_string(),
            "commandstats" => "Commandstats".to_string(),
            "errorstats" => "Errorstats".to_string(),
            other => {
                let mut title = other.to_string();
                title[..1].make_ascii_uppercase();
                title
            }
        };
        let _ = write!(text, "# {title}\r\n");
        section(server, name, &mut text);
    }
    text
}

/// Appends one `field:value` line.
macro_rules! field {
    ($text:expr, $name:expr, $value:expr) => {
        let _ = write!($text, "{}:{}\r\n", $name, $value);
    };
}

fn section(server: &mut ServerState, name: &str, text: &mut String) {
    let uptime = server.now().saturating_duration_since(server.stats.started);
    let unix = server.unix_clock().since_epoch();
    match name {
        "server" => {
            field!(text, "redis_version", REDIS_VERSION);
            field!(text, "redis_git_sha1", "00000000");
            field!(text, "redis_git_dirty", 0);
            field!(text, "redis_build_id", "0");
            field!(text, "redis_mode", "standalone");
            field!(text, "os", std::env::consts::OS);
            field!(text, "arch_bits", usize::BITS);
            field!(text, "multiplexing_api", "epoll");
            field!(text, "process_id", std::process::id());
            field!(text, "run_id", run_id());
            field!(text, "tcp_port", server.config.port);
            field!(text, "server_time_usec", unix.as_micros());
            field!(text, "uptime_in_seconds", uptime.as_secs());
            field!(text, "uptime_in_days", uptime.as_secs() / 86_400);
            field!(text, "hz", server.settings.int("hz"));
            field!(text, "configured_hz", server.settings.int("hz"));
            field!(text, "executable", "");
            field!(text, "config_file", "");
            field!(text, "io_threads_active", 0);
        }
        "clients" => {
            let blocked = server
                .clients
                .iter()
                .filter(|(_, c)| c.try_borrow().is_ok_and(|c| c.activity.blocked))
                .count();
            field!(text, "connected_clients", server.clients.len());
            field!(text, "cluster_connections", 0);
            field!(text, "maxclients", server.settings.maxclients());
            field!(text, "client_recent_max_input_buffer", 0);
            field!(text, "client_recent_max_output_buffer", 0);
            field!(text, "blocked_clients", blocked);
            field!(text, "tracking_clients", 0);
            field!(text, "clients_in_timeout_table", 0);
        }
        "memory" => {
            let (rss, peak) = memory();
            let maxmemory = server.settings.int("maxmemory");
            field!(text, "used_memory", rss);
            field!(text, "used_memory_human", human(rss));
            field!(text, "used_memory_rss", rss);
            field!(text, "used_memory_rss_human", human(rss));
            field!(text, "used_memory_peak", peak);
            field!(text, "used_memory_peak_human", human(peak));
            field!(text, "maxmemory", maxmemory);
            field!(text, "maxmemory_human", human(maxmemory as u64));
            field!(
                text,
                "maxmemory_policy",
                server
                    .settings
                    .get("maxmemory-policy")
                    .unwrap_or("noeviction")
            );
            field!(text, "mem_fragmentation_ratio", "1.00");
            field!(text, "mem_allocator", "libc");
            field!(text, "lazyfree_pending_objects", 0);
        }
        "persistence" => {
            let started = unix.as_secs().saturating_sub(uptime.as_secs());
            field!(text, "loading", 0);
            field!(text, "async_loading", 0);
            field!(text, "rdb_changes_since_last_save", 0);
            field!(text, "rdb_bgsave_in_progress", 0);
            field!(text, "rdb_last_save_time", started);
            field!(text, "rdb_last_bgsave_status", "ok");
            field!(text, "aof_enabled", 0);
            field!(text, "aof_rewrite_in_progress", 0);
            field!(text, "aof_rewrite_scheduled", 0);
            field!(text, "aof_last_bgrewrite_status", "ok");
            field!(text, "aof_last_write_status", "ok");
        }
        "stats" => {
            let stats = &server.stats;
            field!(
                text,
                "total_connections_received",
                stats.connections_received
            );
            field!(text, "total_commands_processed", stats.commands_processed);
            field!(text, "instantaneous_ops_per_sec", 0);
            field!(text, "total_net_input_bytes", stats.net_input_bytes);
            field!(text, "total_net_output_bytes", stats.net_output_bytes);
            field!(text, "rejected_connections", stats.rejected_connections);
            field!(text, "expired_keys", stats.expired_keys);
            field!(text, "evicted_keys", 0);
            field!(text, "keyspace_hits", 0);
            field!(text, "keyspace_misses", 0);
            field!(text, "total_error_replies", stats.error_replies);
        }
        "replication" => {
            field!(text, "role", "master");
            field!(text, "connected_slaves", 0);
            field!(text, "master_failover_state", "no-failover");
            field!(text, "master_replid", run_id());
            field!(text, "master_replid2", "0".repeat(40));
            field!(text, "master_repl_offset", 0);
            field!(text, "second_repl_offset", -1);
            field!(text, "repl_backlog_active", 0);
            field!(text, "repl_backlog_size", 1_048_576);
            field!(text, "repl_backlog_first_byte_offset", 0);
            field!(text, "repl_backlog_histlen", 0);
        }
        "cpu" => {
            let (user, system) = cpu_seconds();
            field!(text, "used_cpu_sys", format!("{system:.6}"));
            field!(text, "used_cpu_user", format!("{user:.6}"));
            field!(text, "used_cpu_sys_children", "0.000000");
            field!(text, "used_cpu_user_children", "0.000000");
        }
        "modules" => {}
        "commandstats" => {
            for (command, stat) in all().zip(&server.stats.commands) {
                if stat.calls + stat.rejected + stat.failed == 0 {
                    continue;
                }
                let _ = write!(
                    text,
                    "cmdstat_{}:calls={},usec=0,usec_per_call=0.00,rejected_calls={},failed_calls={}\r\n",
                    command.name, stat.calls, stat.rejected, stat.failed
                );
            }
        }
        "errorstats" => {
            for (code, count) in &server.stats.errors_by_code {
                let _ = write!(text, "errorstat_{code}:count={count}\r\n");
            }
        }
        "cluster" => {
            field!(text, "cluster_enabled", 0);
        }
        "keyspace" => {
            for index in 0..server.dbs.len() {
                let db = &mut server.dbs[index];
                let keys = db.key_count();
                if keys > 0 {
                    let expires = db.volatile_count();
                    let _ = write!(
                        text,
                        "db{index}:keys={keys},expires={expires},avg_ttl=0\r\n"
                    );
                }
            }
        }
        _ => {}
    }
}

/// A 40-hex-digit id for this server process, drawn once from its start time and process id.
fn run_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let mut x = (u64::from(std::process::id()) << 32 ^ unix_micros()) | 1;
        let mut id = String::with_capacity(48);
        while id.len() < 40 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let _ = write!(id, "{x:016x}");
        }
        id.truncate(40);
        id
    })
}

/// Microseconds since the Unix epoch.
fn unix_micros() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// Resident and peak resident bytes of this process, from /proc (0 where unavailable).
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = |field: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0)
            * 1024
    };
    (kib("VmRSS:"), kib("VmHWM:"))
}

/// User and system CPU seconds of this process, from /proc (clock ticks of 1/100 s).
fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) / 100.0, ticks(12) / 100.0)
}

/// Bytes as Redis's `*_human` fields write them (`1.50M`).
fn human(bytes: u64) -> String {
    let bytes = bytes as f64;
    let units = [("G", 1u64 << 30), ("M", 1 << 20), ("K", 1 << 10)];
    for (unit, size) in units {
        if bytes >= size as f64 {
            return format!("{:.2}{unit}", bytes / size as f64);
        }
    }
    format!("{bytes}B")
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn sizes_read_like_redis() {
        assert_eq!(human(0), "0B");
        assert_eq!(human(1536), "1.50K");
        assert_eq!(human(3 << 20), "3.00M");
    }
}
