// docs/semantics.md, case 12: the seed's bug, two consumers of one generator, does not compile.
#![feature(coroutines)]
use std::convert::Infallible;
use volley_core::{co_yield, Co, Resume};

fn main() {
    let lines = Co::new(
        #[coroutine]
        |_: Resume<(), Infallible>| {
            co_yield!("ERROR disk full")?;
            co_yield!("INFO ok")?;
            Ok(())
        },
    );
    let errors = lines.into_iter().filter(|l| l.starts_with("ERROR")).count();
    let total = lines.into_iter().count();
    println!("{errors} of {total}");
}
