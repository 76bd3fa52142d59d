//! The `#[co]` attribute: generator functions without a closure header, their types read from
//! the signature, named after the function.
#![feature(coroutines)]

use std::collections::HashMap;
use volley::{co, co_yield, yield_from, Co, CoError, DynError, Exit, Step};

#[co(yield = f64, send = f64)]
fn running_average() -> Result<(), Exit> {
    let (mut total, mut count, mut average) = (0.0, 0.0, 0.0);
    loop {
        total += co_yield!(average)?;
        count += 1.0;
        average = total / count;
    }
}

#[test]
fn sends_and_yields_the_signature_types() {
    let mut avg = running_average();
    assert_eq!(avg.name(), "running_average");
    assert_eq!(avg.start(), Ok(Step::Yield(0.0)));
    assert_eq!(avg.send(10.0), Ok(Step::Yield(10.0)));
    assert_eq!(avg.send(20.0), Ok(Step::Yield(15.0)));
    assert_eq!(avg.close(), Ok(None));
}

#[co(yield = u32)]
fn countdown(from: u32) -> Result<&'static str, Exit> {
    for n in (1..=from).rev() {
        co_yield!(n)?;
    }
    Ok("liftoff")
}

#[test]
fn arguments_are_captured_and_the_return_value_kept() {
    let mut items = countdown(3).into_iter();
    assert_eq!(items.by_ref().collect::<Vec<_>>(), [3, 2, 1]);
    assert_eq!(items.take_return(), Some("liftoff"));
}

#[co(yield = &'a str)]
fn words<'a>(text: &'a str) -> Result<usize, Exit> {
    let mut n = 0;
    for word in text.split_whitespace() {
        co_yield!(word)?;
        n += 1;
    }
    Ok(n)
}

#[co(yield = char)]
fn initials(text: &str) -> Result<(), Exit> {
    for word in text.split_whitespace() {
        if let Some(c) = word.chars().next() {
            co_yield!(c)?;
        }
    }
    Ok(())
}

#[test]
fn borrowed_arguments_named_and_elided() {
    let text = String::from("two way coroutines");
    assert_eq!(words(&text).into_iter().count(), 3);
    assert_eq!(initials(&text).into_iter().collect::<String>(), "twc");
}

/// A self-borrowing body: it iterates over its own local vector across yields.
#[co(static, yield = String)]
fn sorted_keys(counts: HashMap<String, u32>) -> Result<(), Exit> {
    let mut keys: Vec<&String> = counts.keys().collect();
    keys.sort();
    for key in keys {
        co_yield!(key.clone())?;
    }
    Ok(())
}

#[test]
fn static_bodies_borrow_their_own_locals() {
    let counts = HashMap::from([("b".to_string(), 1), ("a".to_string(), 2)]);
    assert_eq!(
        sorted_keys(counts).into_iter().collect::<Vec<_>>(),
        ["a", "b"]
    );
}

#[co(yield = u32, send = &'static str)]
fn parse_sum() -> Result<u32, Exit<DynError>> {
    let mut total = 0;
    loop {
        let text = co_yield!(total)?;
        if text.is_empty() {
            return Ok(total);
        }
        total += text.parse::<u32>()?; // ParseIntError converts into DynError
    }
}

#[test]
fn question_mark_converts_std_errors_into_dyn_error() {
    let mut sum = parse_sum();
    sum.start().unwrap();
    assert_eq!(sum.send("4").unwrap(), Step::Yield(4));
    let Err(CoError::Raised(e)) = sum.send("four") else {
        panic!("a parse error is raised")
    };
    assert!(e.downcast_ref::<std::num::ParseIntError>().is_some());
}

#[co(yield = u32, name = "evens below ten")]
fn evens() -> Result<(), Exit> {
    yield_from!((0..10).step_by(2))?;
    Ok(())
}

#[test]
fn delegation_and_custom_names() {
    let co = evens();
    assert_eq!(co.name(), "evens below ten");
    assert_eq!(co.into_iter().sum::<u32>(), 20);
}

#[co(yield = T)]
fn repeat<T: Clone>(value: T, times: usize) -> Result<(), Exit> {
    for _ in 0..times {
        co_yield!(value.clone())?;
    }
    Ok(())
}

#[test]
fn generic_functions() {
    assert_eq!(repeat('x', 3).into_iter().collect::<String>(), "xxx");
}

#[co(yield = u8)]
fn closing_cleanup(log: std::rc::Rc<std::cell::RefCell<Vec<&'static str>>>) -> Result<(), Exit> {
    loop {
        match co_yield!(1) {
            Ok(()) => log.borrow_mut().push("next"),
            Err(Exit::Closed) => {
                log.borrow_mut().push("closed");
                return Err(Exit::Closed);
            }
            Err(Exit::Raised(never)) => match never {},
        }
    }
}

#[test]
fn close_reaches_the_body() {
    let log = std::rc::Rc::default();
    let mut co: Co<_> = closing_cleanup(std::rc::Rc::clone(&log));
    co.start().unwrap();
    co.send(()).unwrap();
    drop(co);
    assert_eq!(*log.borrow(), ["next", "closed"]);
}

enum Tree {
    Leaf(u32),
    Node(Vec<Tree>),
}

/// Recursive delegation: each node delegates to a boxed coroutine per child.
#[co(boxed, yield = u32)]
fn leaves(tree: &Tree) -> Result<usize, Exit> {
    match tree {
        Tree::Leaf(v) => {
            co_yield!(*v)?;
            Ok(1)
        }
        Tree::Node(children) => {
            let mut count = 0;
            for child in children {
                count += yield_from!(leaves(child))?;
            }
            Ok(count)
        }
    }
}

#[test]
fn boxed_bodies_recurse() {
    let tree = Tree::Node(vec![
        Tree::Leaf(1),
        Tree::Node(vec![Tree::Leaf(2), Tree::Node(vec![]), Tree::Leaf(3)]),
    ]);
    let mut walk = leaves(&tree).into_iter();
    assert_eq!(walk.by_ref().collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(walk.take_return(), Some(3));
    let boxed: volley::BoxCo<'_, (), u32, usize> = leaves(&tree);
    assert_eq!(boxed.name(), "leaves");
}
