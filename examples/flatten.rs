//! Flattening a nested JSON value into `(JSON Pointer, leaf)` pairs with a recursive coroutine:
//! one `yield_from!` per child, at any depth.
//!
//! A leaf is a scalar or an empty array or object, so nothing in the document is lost. Each path
//! is an RFC 6901 JSON Pointer, checked by looking it up again with `Value::pointer`. Then a
//! document nested 10,000 levels deep (built in code: `serde_json`'s parser stops at 128) is
//! flattened whole, and once more stopped after its first leaf, which closes 10,000 suspended
//! coroutines innermost first. It prints:
//!
//! ```text
//! /features/send = true
//! /features/throw = true
//! /meta/a~1b = null
//! /meta/m~0n = 1.5
//! /name = "volley"
//! /tags = []
//! /version/0 = 0
//! /version/1 = 1
//! /version/2 = 0
//! 9 leaves; every path resolves back with Value::pointer: true
//! deep: 10000 levels, 2 leaves, the first "bottom" at a path of 10000 segments
//! deep: every path resolves back with Value::pointer: true
//! deep: stopped after the first leaf, 10000 suspended coroutines closed
//! deep: the 10000-level value dropped
//! ```
//!
//! The walk itself needs little stack at any depth: `yield_from!` grows the stack on the heap
//! when it runs low. Dropping the value is `serde_json`'s own recursive `Drop`: at 10,000 levels
//! it takes about 4-5 MiB of stack in a debug build and 1-2 MiB in a release build, within the
//! main thread's usual 8 MiB; on a spawned thread (2 MiB by default) give it a bigger stack.
//!
//! Run it with `cargo run --example flatten`.
#![feature(coroutines)]

use serde_json::{json, Map, Value};
use std::cell::RefCell;
use volley::{co, co_yield, yield_from, Exit};

/// A leaf of a JSON document and the JSON Pointer that leads to it.
type Leaf<'a> = (String, &'a Value);

/// How deep the generated document is nested.
const DEPTH: usize = 10_000;

/// Yields every leaf under `value`, in document order, and returns how many there were.
///
/// `path` holds the pointer of `value` itself; each level appends its child's segment while it
/// delegates to that child and takes it off again afterwards, so a leaf's path is built once,
/// not once per level.
#[co(boxed = 'p, yield = Leaf<'v>)]
fn flatten<'v: 'p, 'p>(value: &'v Value, path: &'p RefCell<String>) -> Result<usize, Exit> {
    let mut leaves = 0;
    match value {
        Value::Array(items) if !items.is_empty() => {
            for (index, item) in items.iter().enumerate() {
                let parent = push_segment(path, &index.to_string());
                leaves += yield_from!(flatten(item, path))?;
                path.borrow_mut().truncate(parent);
            }
        }
        Value::Object(fields) if !fields.is_empty() => {
            for (key, item) in fields {
                let parent = push_segment(path, key);
                leaves += yield_from!(flatten(item, path))?;
                path.borrow_mut().truncate(parent);
            }
        }
        leaf => {
            let here = path.borrow().clone();
            co_yield!((here, leaf))?;
            leaves = 1;
        }
    }
    Ok(leaves)
}

/// Appends one escaped pointer segment (`~` as `~0`, `/` as `~1`) and returns the length the
/// path had before, to truncate back to.
fn push_segment(path: &RefCell<String>, segment: &str) -> usize {
    let mut path = path.borrow_mut();
    let parent = path.len();
    path.push('/');
    for c in segment.chars() {
        match c {
            '~' => path.push_str("~0"),
            '/' => path.push_str("~1"),
            c => path.push(c),
        }
    }
    parent
}

/// Flattens `document` whole: its leaves and the count `flatten` returned.
fn leaves_of(document: &Value) -> (Vec<Leaf<'_>>, usize) {
    let path = RefCell::new(String::new());
    let mut walk = flatten(document, &path).into_iter();
    let leaves: Vec<Leaf<'_>> = walk.by_ref().collect();
    let count = walk.take_return().unwrap_or_default();
    (leaves, count)
}

/// `true` when every leaf is found again at its path.
fn all_resolve(document: &Value, leaves: &[Leaf<'_>]) -> bool {
    leaves
        .iter()
        .all(|(path, leaf)| document.pointer(path) == Some(*leaf))
}

/// A document `depth` levels deep, alternating arrays and objects, with two leaves at the
/// bottom: `"bottom"` and `"second"`.
fn nested(depth: usize) -> Value {
    let mut value = json!(["bottom", "second"]);
    for level in 1..depth {
        value = if level % 2 == 0 {
            Value::Array(vec![value])
        } else {
            Value::Object(Map::from_iter([("next".to_string(), value)]))
        };
    }
    value
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_tracing();

    let document: Value = serde_json::from_str(
        r#"{
            "features": {"send": true, "throw": true},
            "meta": {"a/b": null, "m~n": 1.5},
            "name": "volley",
            "tags": [],
            "version": [0, 1, 0]
        }"#,
    )?;
    let (leaves, count) = leaves_of(&document);
    assert_eq!((leaves.len(), count), (9, 9));
    assert!(all_resolve(&document, &leaves));
    for (path, leaf) in &leaves {
        println!("{path} = {leaf}");
    }
    println!(
        "{count} leaves; every path resolves back with Value::pointer: {}",
        all_resolve(&document, &leaves)
    );

    let deep = nested(DEPTH);
    let (leaves, count) = leaves_of(&deep);
    let (first_path, first_leaf) = leaves.first().ok_or("the deep document has no leaf")?;
    assert_eq!(first_path.matches('/').count(), DEPTH);
    assert!(all_resolve(&deep, &leaves));
    println!(
        "deep: {DEPTH} levels, {count} leaves, the first {first_leaf} at a path of {} segments",
        first_path.matches('/').count()
    );
    println!(
        "deep: every path resolves back with Value::pointer: {}",
        all_resolve(&deep, &leaves)
    );
    drop(leaves);

    {
        let path = RefCell::new(String::new());
        let mut walk = flatten(&deep, &path).into_iter();
        let first = walk.next();
        drop(walk);
        if first.is_some() {
            println!("deep: stopped after the first leaf, {DEPTH} suspended coroutines closed");
        }
    }

    drop(deep);
    println!("deep: the {DEPTH}-level value dropped");
    Ok(())
}

/// Sends `volley` events to stderr, filtered by `RUST_LOG` (for example `volley=debug`).
fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
}
