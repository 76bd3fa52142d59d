//! Unions, intersections and differences of sorted sets (and plain sets, every member scored
//! 1): ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD.

use super::parse::strict_double;
use super::{reply_members, SortedSet};
use crate::server::commands::{is, parse_i64, Flow, Outcome, SYNTAX, WRONGTYPE};
use crate::server::ctx::Ctx;
use crate::server::notify::EventClass;
use crate::server::store::{Store, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

/// Which operation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Union,
    Inter,
    Diff,
}

/// How scores of a member found in several inputs combine.
#[derive(Clone, Copy)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

impl Aggregate {
    fn apply(self, target: &mut f64, value: f64) {
        match self {
            Aggregate::Sum => {
                *target += value;
                // inf + -inf: Redis makes it 0.
                if target.is_nan() {
                    *target = 0.0;
                }
            }
            Aggregate::Min => *target = target.min(value),
            Aggregate::Max => *target = target.max(value),
        }
    }
}

/// One input: its members and scores (a snapshot shared by every mention of the same key, so
/// a key named many times costs its data once), and its weight.
struct Input {
    members: Rc<HashMap<Vec<u8>, f64>>,
    weight: f64,
}

/// Reads an input key: a sorted set, a set (scores 1), nothing, or `WRONGTYPE`.
fn read_input(store: &mut Store, key: &[u8]) -> Result<HashMap<Vec<u8>, f64>, Cow<'static, str>> {
    Ok(match store.get(key) {
        None => HashMap::new(),
        Some(Value::ZSet(set)) => set.entries().map(|(m, s)| (m.clone(), s)).collect(),
        Some(Value::Set(set)) => set.iter().map(|m| (m.clone(), 1.0)).collect(),
        Some(_) => return Err(WRONGTYPE.into()),
    })
}

/// What the arguments after the keys asked for.
struct Options {
    aggregate: Aggregate,
    with_scores: bool,
    limit: usize,
}

/// Parses `numkeys key... [options]` starting at `args[at]`; `name` is the command's for the
/// numkeys error.
fn parse(
    store: &mut Store,
    args: &[Vec<u8>],
    at: usize,
    name: &str,
    op: Op,
    store_form: bool,
    cardinality: bool,
) -> Result<(Vec<Input>, Options), Cow<'static, str>> {
    let numkeys =
        parse_i64(&args[at]).ok_or(Cow::Borrowed(crate::server::commands::NOT_INTEGER))?;
    if numkeys < 1 {
        return Err(format!("ERR at least 1 input key is needed for '{name}' command").into());
    }
    if numkeys as u64 > (args.len() - at - 1) as u64 {
        return Err(SYNTAX.into());
    }
    let numkeys = numkeys as usize;
    let mut inputs = Vec::with_capacity(numkeys);
    let mut seen: HashMap<&[u8], Rc<HashMap<Vec<u8>, f64>>> = HashMap::new();
    for key in &args[at + 1..at + 1 + numkeys] {
        let members = match seen.get(key.as_slice()) {
            Some(shared) => Rc::clone(shared),
            None => {
                let fresh = Rc::new(read_input(store, key)?);
                seen.insert(key, Rc::clone(&fresh));
                fresh
            }
        };
        inputs.push(Input {
            members,
            weight: 1.0,
        });
    }
    let mut options = Options {
        aggregate: Aggregate::Sum,
        with_scores: false,
        limit: 0,
    };
    let mut i = at + 1 + numkeys;
    while i < args.len() {
        let remaining = args.len() - i;
        let word = &args[i];
        if op != Op::Diff && !cardinality && remaining > numkeys && is(word, "weights") {
            for (input, arg) in inputs.iter_mut().zip(&args[i + 1..]) {
                input.weight =
                    strict_double(arg).ok_or(Cow::Borrowed("ERR weight value is not a float"))?;
            }
            i += 1 + numkeys;
        } else if op != Op::Diff && !cardinality && remaining >= 2 && is(word, "aggregate") {
            let kind = &args[i + 1];
            options.aggregate = match () {
                _ if is(kind, "sum") => Aggregate::Sum,
                _ if is(kind, "min") => Aggregate::Min,
                _ if is(kind, "max") => Aggregate::Max,
                _ => return Err(SYNTAX.into()),
            };
            i += 2;
        } else if !store_form && !cardinality && is(word, "withscores") {
            options.with_scores = true;
            i += 1;
        } else if cardinality && remaining >= 2 && is(word, "limit") {
            options.limit = parse_i64(&args[i + 1])
                .filter(|n| *n >= 0)
                .ok_or(Cow::Borrowed("ERR LIMIT can't be negative"))?
                as usize;
            i += 2;
        } else {
            return Err(SYNTAX.into());
        }
    }
    Ok((inputs, options))
}

/// A weighted score; NaN (0 times infinity) counts as 0, as in Redis.
fn weighted(score: f64, weight: f64) -> f64 {
    let value = score * weight;
    if value.is_nan() {
        0.0
    } else {
        value
    }
}

/// Computes the operation over the inputs.
fn compute(mut inputs: Vec<Input>, op: Op, aggregate: Aggregate) -> HashMap<Vec<u8>, f64> {
    match op {
        Op::Union => {
            let mut out: HashMap<Vec<u8>, f64> = HashMap::new();
            for input in inputs {
                for (member, &score) in input.members.iter() {
                    let value = weighted(score, input.weight);
                    match out.get_mut(member) {
                        Some(total) => aggregate.apply(total, value),
                        None => {
                            out.insert(member.clone(), value);
                        }
                    }
                }
            }
            out
        }
        Op::Inter => {
            // Walk the smallest input; look the others up.
            let smallest = (0..inputs.len())
                .min_by_key(|&i| inputs[i].members.len())
                .unwrap_or(0);
            let first = inputs.swap_remove(smallest);
            let mut out = HashMap::new();
            'members: for (member, &score) in first.members.iter() {
                let mut total = weighted(score, first.weight);
                for input in &inputs {
                    match input.members.get(member) {
                        Some(&other) => aggregate.apply(&mut total, weighted(other, input.weight)),
                        None => continue 'members,
                    }
                }
                out.insert(member.clone(), total);
            }
            out
        }
        Op::Diff => {
            let mut inputs = inputs.into_iter();
            let Some(first) = inputs.next() else {
                return HashMap::new();
            };
            let rest: Vec<Input> = inputs.collect();
            first
                .members
                .iter()
                .filter(|(member, _)| !rest.iter().any(|i| i.members.contains_key(*member)))
                .map(|(member, score)| (member.clone(), *score))
                .collect()
        }
    }
}

fn into_sorted(members: HashMap<Vec<u8>, f64>) -> SortedSet {
    let mut set = SortedSet::default();
    for (member, score) in members {
        set.insert(member, score);
    }
    set
}

fn reply_form(ctx: &mut Ctx<'_>, args: &[Vec<u8>], op: Op, name: &str) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let (inputs, options) = parse(store, args, 1, name, op, false, false)?;
    let result = into_sorted(compute(inputs, op, options.aggregate));
    reply_members(reply, result.len(), result.iter(), options.with_scores);
    Ok(Flow::Continue)
}

fn store_form(ctx: &mut Ctx<'_>, args: &[Vec<u8>], op: Op, name: &str) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let (inputs, options) = parse(store, args, 2, name, op, true, false)?;
    let result = into_sorted(compute(inputs, op, options.aggregate));
    let len = result.len();
    reply.int(len as i64);
    if len == 0 {
        if store.remove(&args[1]) {
            ctx.notify(EventClass::Generic, "del", &args[1]);
        }
    } else {
        store.set(args[1].clone(), Value::ZSet(result), None, false);
        ctx.notify(EventClass::ZSet, name, &args[1]);
    }
    Ok(Flow::Continue)
}

/// `ZUNION numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`
pub fn zunion(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    reply_form(ctx, args, Op::Union, "zunion")
}

/// `ZINTER numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`
pub fn zinter(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    reply_form(ctx, args, Op::Inter, "zinter")
}

/// `ZDIFF numkeys key [key ...] [WITHSCORES]`
pub fn zdiff(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    reply_form(ctx, args, Op::Diff, "zdiff")
}

/// `ZUNIONSTORE dst numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]`
pub fn zunionstore(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    store_form(ctx, args, Op::Union, "zunionstore")
}

/// `ZINTERSTORE dst numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]`
pub fn zinterstore(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    store_form(ctx, args, Op::Inter, "zinterstore")
}

/// `ZDIFFSTORE dst numkeys key [key ...]`
pub fn zdiffstore(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    store_form(ctx, args, Op::Diff, "zdiffstore")
}

/// `ZINTERCARD numkeys key [key ...] [LIMIT limit]`
pub fn zintercard(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let (inputs, options) = parse(store, args, 1, "zintercard", Op::Inter, false, true)?;
    let mut count = compute(inputs, Op::Inter, Aggregate::Sum).len();
    if options.limit > 0 {
        count = count.min(options.limit);
    }
    reply.int(count as i64);
    Ok(Flow::Continue)
}
