//! LCS: the longest common subsequence of two strings, its length, or where it matches.
//!
//! The dynamic-programming table has (len(a) + 1) × (len(b) + 1) cells of 4 bytes; as in Redis,
//! a table larger than `proto-max-bulk-len` is refused before anything is allocated.

use super::max_string;
use crate::server::commands::{int_arg, is, Flow, Outcome, SYNTAX};
use crate::server::ctx::Ctx;
use crate::server::store::Value;
use std::borrow::Cow;

/// One matched run: its first and last position in each string.
struct Run {
    a: (usize, usize),
    b: (usize, usize),
}

/// `LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]`
pub fn lcs(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let limit = max_string(ctx) as u64;
    let (store, reply) = ctx.db_reply();
    let mut text = |key: &[u8]| match store.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Str(bytes)) => Ok(bytes.clone()),
        Some(_) => Err(Cow::Borrowed(
            "ERR The specified keys must contain string values",
        )),
    };
    let a = text(&args[1])?;
    let b = text(&args[2])?;
    let (mut len_only, mut idx, mut with_len, mut min_len) = (false, false, false, 0usize);
    let mut at = 3;
    while at < args.len() {
        let word = &args[at];
        if is(word, "idx") {
            idx = true;
        } else if is(word, "len") {
            len_only = true;
        } else if is(word, "withmatchlen") {
            with_len = true;
        } else if is(word, "minmatchlen") && at + 1 < args.len() {
            min_len = usize::try_from(int_arg(&args[at + 1])?.max(0)).unwrap_or(usize::MAX);
            at += 1;
        } else {
            return Err(SYNTAX.into());
        }
        at += 1;
    }
    if len_only && idx {
        return Err("ERR If you want both the length and indexes, please just use IDX.".into());
    }
    let width = b.len() + 1;
    let cells = (a.len() as u64 + 1) * (width as u64);
    if cells.saturating_mul(4) > limit {
        return Err(
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len".into(),
        );
    }
    let mut table: Vec<u32> = Vec::new();
    table.try_reserve_exact(cells as usize).map_err(|_| {
        Cow::Borrowed("ERR Insufficient memory, failed allocating transient memory for LCS")
    })?;
    table.resize(cells as usize, 0);
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            table[i * width + j] = if a[i - 1] == b[j - 1] {
                table[(i - 1) * width + j - 1] + 1
            } else {
                table[(i - 1) * width + j].max(table[i * width + j - 1])
            };
        }
    }
    let total = table[a.len() * width + b.len()] as usize;
    if len_only {
        reply.int(total as i64);
        return Ok(Flow::Continue);
    }
    // Walk back from the end, collecting the common bytes and the runs they form.
    let mut common = vec![0u8; total];
    let mut runs: Vec<Run> = Vec::new();
    let mut open: Option<Run> = None;
    let (mut i, mut j, mut k) = (a.len(), b.len(), total);
    while i > 0 && j > 0 {
        let mut close = false;
        if a[i - 1] == b[j - 1] {
            common[k - 1] = a[i - 1];
            match &mut open {
                Some(run) if run.a.0 == i && run.b.0 == j => {
                    run.a.0 -= 1;
                    run.b.0 -= 1;
                }
                Some(_) => close = true,
                None => {
                    open = Some(Run {
                        a: (i - 1, i - 1),
                        b: (j - 1, j - 1),
                    })
                }
            }
            if open
                .as_ref()
                .is_some_and(|run| run.a.0 == 0 || run.b.0 == 0)
            {
                close = true;
            }
            i -= 1;
            j -= 1;
            k -= 1;
        } else {
            if table[(i - 1) * width + j] > table[i * width + j - 1] {
                i -= 1;
            } else {
                j -= 1;
            }
            close = open.is_some();
        }
        if close {
            if let Some(run) = open.take() {
                if run.a.1 - run.a.0 + 1 >= min_len {
                    runs.push(run);
                }
            }
        }
    }
    if !idx {
        reply.bulk(&common);
        return Ok(Flow::Continue);
    }
    reply.map(2);
    reply.bulk(b"matches");
    reply.array(runs.len());
    for run in &runs {
        reply.array(if with_len { 3 } else { 2 });
        for (start, end) in [run.a, run.b] {
            reply.array(2);
            reply.int(start as i64);
            reply.int(end as i64);
        }
        if with_len {
            reply.int((run.a.1 - run.a.0 + 1) as i64);
        }
    }
    reply.bulk(b"len");
    reply.int(total as i64);
    Ok(Flow::Continue)
}
