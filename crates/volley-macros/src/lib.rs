//! The body attribute macros of Volley, re-exported as `volley::co` and `volley::task`.
//!
//! `#[co]` turns a function whose body uses `co_yield!` / `yield_from!` into a generator
//! function: calling it returns a [`Co`] handle, named after the function, and no body code runs
//! until the handle is started. The function is written as the body it is: its return type is
//! what the body returns, `Result<R, Exit<E>>`, and the attribute names what the body yields and
//! what `send` injects:
//!
//! ```ignore
//! #[volley::co(yield = f64, send = f64)]
//! fn running_average() -> Result<(), Exit> {
//!     let (mut total, mut count, mut average) = (0.0, 0.0, 0.0);
//!     loop {
//!         total += co_yield!(average)?;
//!         count += 1.0;
//!         average = total / count;
//!     }
//! }
//! ```
//!
//! expands to
//!
//! ```ignore
//! fn running_average() -> Co<impl Protocol<f64, f64, (), Infallible>> {
//!     Co::new(#[coroutine] move |_: Resume<f64, Infallible>| -> Result<(), Exit> { ... })
//!         .named("running_average")
//! }
//! ```
//!
//! Arguments of the attribute, all optional:
//! - `yield = T`: the type of each yield (default `()`);
//! - `send = T`: the type `send` injects (default `()`);
//! - `static`: the body keeps borrows of its own locals across a yield (a buffer it reads
//!   into, an iterator over a local vector); it is pinned on the heap with `Co::pinned`;
//! - `boxed` (or `boxed = 'a`): return a type-erased `BoxCo<'a, S, Y, R, E>` made by
//!   `Co::boxed`, for recursive generators (a body that delegates to itself) and collections of
//!   different bodies; the lifetime defaults to the function's one lifetime parameter, the
//!   elided one of its borrowed arguments, or `'static`;
//! - `name = "..."`: the name tracing and misuse reports carry (default: the function's name);
//! - `crate = path`: where the Volley items live (default `::volley`), for crates that depend on
//!   `volley-core` directly.
//!
//! `#[task]` is `#[co]` for scheduler tasks: it yields `volley::sched::Syscall` and is sent
//! `volley::sched::Reply`; its return type is `Result<T, Exit<TaskError>>` (or the alias
//! `volley::sched::TaskResult<T>`, where `?` raises any std error). The function then returns
//! `Co<impl volley::sched::TaskBody<T>>`, which `Scheduler::spawn` and, inside a task,
//! `yield_from!(spawn(..))` take, giving a `JoinHandle<T>`:
//!
//! ```ignore
//! #[volley::task]
//! fn fetch_count(chan: Channel<u32>) -> TaskResult<u32> {
//!     let mut total = 0;
//!     while let Some(n) = yield_from!(chan.recv())? {
//!         total += n;
//!     }
//!     Ok(total)
//! }
//! let handle = sched.spawn(fetch_count(chan));
//! ```
//!
//! [`Co`]: https://docs.rs/volley/latest/volley/struct.Co.html
#![forbid(unsafe_code)]
#![warn(
    missing_docs,
    missing_debug_implementations,
    rustdoc::broken_intra_doc_links
)]

mod expand;

use proc_macro::TokenStream;

/// Turns a function whose body uses `co_yield!` / `yield_from!` into a generator function that
/// returns a named `Co`. See the [crate docs](crate) for the arguments.
#[proc_macro_attribute]
pub fn co(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(args.into(), item.into(), expand::Kind::Co)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Turns a function into a scheduler task: `#[co]` with `Syscall` yields and `Reply` sends.
/// See the [crate docs](crate).
#[proc_macro_attribute]
pub fn task(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(args.into(), item.into(), expand::Kind::Task)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
