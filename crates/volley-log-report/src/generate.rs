//! A deterministic log generator: realistic records plus every kind of malformed line.

use std::io::{self, Write};

const COMPONENTS: [&str; 24] = [
    "db",
    "web",
    "auth",
    "cache",
    "queue",
    "billing",
    "search",
    "mailer",
    "api",
    "gateway",
    "scheduler",
    "storage",
    "metrics",
    "session",
    "payments",
    "cdn",
    "dns",
    "ldap",
    "backup",
    "indexer",
    "thumbnailer",
    "exporter",
    "importer",
    "notifier",
];

const MESSAGES: [&[u8]; 8] = [
    b"request served in 12ms",
    b"connection reset by peer",
    b"retrying after timeout (attempt 3 of 5)",
    b"disk usage at 91%, compaction scheduled",
    b"user=42 action=login ok=true",
    b"caf\xc3\xa9 \xff\xfe invalid utf-8 kept as bytes",
    b"slow query: SELECT * FROM orders WHERE id = ?",
    b"",
];

/// Lines that must be counted as malformed, one of each kind.
pub const MALFORMED_KINDS: [&[u8]; 9] = [
    b"",                          // empty line
    b"2024-05-01T00:00:00Z",      // one field
    b"2024-05-01T00:00:00Z INFO", // two fields
    b"2024-05-01T00:00:00Z NOTICE db: unknown level",
    b"2024-05-01T00:00:00Z error db: lower-case level",
    b"2024-05-01T00:00:00Z  INFO db: double space",
    b"2024-05-01T00:00:00Z WARN db no colon",
    b"2024-05-01T00:00:00Z ERROR : colon only",
    b"\xff\xfe ERROR", // invalid UTF-8, two fields
];

/// A small, fast, deterministic random source (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Writes log lines until at least `target_bytes` are written; the same `seed` always gives the
/// same bytes. About 1 line in 200 is malformed, 1 in 50 ends with CRLF.
///
/// ```
/// use volley_log_report::generate::generate;
///
/// let (mut a, mut b) = (Vec::new(), Vec::new());
/// let written = generate(&mut a, 4096, 7).unwrap();
/// generate(&mut b, 4096, 7).unwrap();
/// assert_eq!((written, a.len() as u64 >= 4096), (a.len() as u64, true));
/// assert_eq!(a, b);
/// ```
pub fn generate(out: &mut impl Write, target_bytes: u64, seed: u64) -> io::Result<u64> {
    let mut rng = Rng(seed);
    let mut written = 0u64;
    let mut line = Vec::with_capacity(256);
    let mut seconds = 1_714_521_600u64; // 2024-05-01T00:00:00Z
    while written < target_bytes {
        line.clear();
        seconds += rng.below(3);
        if rng.below(200) == 0 {
            let kind = MALFORMED_KINDS[rng.below(MALFORMED_KINDS.len() as u64) as usize];
            line.extend_from_slice(kind);
        } else {
            write_record(&mut line, &mut rng, seconds);
        }
        if rng.below(50) == 0 {
            line.push(b'\r');
        }
        line.push(b'\n');
        out.write_all(&line)?;
        written += line.len() as u64;
    }
    Ok(written)
}

fn write_record(line: &mut Vec<u8>, rng: &mut Rng, seconds: u64) {
    let (days, rest) = (seconds / 86_400 - 19_844, seconds % 86_400);
    let (month, day) = (5 + days / 30, days % 30 + 1);
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    let millis = rng.below(1000);
    let level = match rng.below(100) {
        0..=9 => "TRACE",
        10..=29 => "DEBUG",
        30..=79 => "INFO",
        80..=91 => "WARN",
        92..=98 => "ERROR",
        _ => "FATAL",
    };
    // Skewed so that a few components dominate the error ranking.
    let pick = rng.below(COMPONENTS.len() as u64);
    let component = COMPONENTS[(pick * pick / COMPONENTS.len() as u64) as usize];
    let message = MESSAGES[rng.below(MESSAGES.len() as u64) as usize];
    let _ = write!(
        line,
        "2024-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{millis:03}Z {level} {component}: "
    );
    line.extend_from_slice(message);
}
