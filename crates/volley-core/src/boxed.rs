//! Type-erased coroutines: for recursion and for collections of different bodies.

use crate::{Body, Co, Typed};
use std::pin::Pin;

/// A body behind a pinned box, its type erased.
///
/// ```
/// use std::convert::Infallible;
/// use volley::{co_yield, BoxBody, Co, Resume};
/// let body: BoxBody<'static, (), u8> = Box::pin(#[coroutine] |_: Resume<(), Infallible>| {
///     co_yield!(4)?;
///     Ok(())
/// });
/// assert_eq!(Co::new(body).into_iter().next(), Some(4));
/// ```
pub type BoxBody<'a, S, Y, R = (), E = std::convert::Infallible> =
    Pin<Box<dyn Body<S, Y, R, E> + 'a>>;

/// A coroutine whose body type is erased: one type for every body with the same `S, Y, R, E`.
///
/// Use it for recursive generators (a body that delegates to itself) and to keep different
/// bodies in one collection.
///
/// ```
/// use std::convert::Infallible;
/// use volley::{co_yield, yield_from, BoxCo, Co, Resume};
///
/// enum Tree { Leaf(i32), Node(Vec<Tree>) }
///
/// fn walk(tree: &Tree) -> BoxCo<'_, (), i32> {
///     Co::boxed(#[coroutine] move |_: Resume<(), Infallible>| {
///         match tree {
///             Tree::Leaf(v) => { co_yield!(*v)?; }
///             Tree::Node(children) => {
///                 for child in children {
///                     yield_from!(walk(child))?;
///                 }
///             }
///         }
///         Ok(())
///     })
/// }
///
/// let tree = Tree::Node(vec![Tree::Leaf(1), Tree::Node(vec![Tree::Leaf(2), Tree::Leaf(3)])]);
/// assert_eq!(walk(&tree).into_iter().collect::<Vec<_>>(), [1, 2, 3]);
/// ```
pub type BoxCo<'a, S, Y, R = (), E = std::convert::Infallible> = Co<DynBody<'a, S, Y, R, E>>;

/// The [`Resumable`](crate::Resumable) inside a [`BoxCo`]: a boxed body with its types fixed.
/// Name it where an adapter takes the body type, as in `SharedCo<DynBody<'static, (), u8>>`.
///
/// ```
/// use std::convert::Infallible;
/// use volley::{co_yield, Co, DynBody, Resume, SharedCo};
/// let shared: SharedCo<DynBody<'static, (), u8>> = SharedCo::new(Co::boxed(
///     #[coroutine] |_: Resume<(), Infallible>| { co_yield!(1)?; Ok(()) },
/// ));
/// assert_eq!(shared.start().unwrap().yielded(), Some(1));
/// ```
pub type DynBody<'a, S, Y, R = (), E = std::convert::Infallible> =
    Typed<BoxBody<'a, S, Y, R, E>, S, E>;

impl<'a, S, Y, R, E> BoxCo<'a, S, Y, R, E> {
    /// Wraps any body, `static` ones included, behind a pinned box.
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use volley::{co_yield, BoxCo, Co, Resume};
    /// let mut several: Vec<BoxCo<'static, (), &str>> = vec![
    ///     Co::boxed(#[coroutine] |_: Resume<(), Infallible>| { co_yield!("a")?; Ok(()) }),
    ///     Co::boxed(#[coroutine] |_: Resume<(), Infallible>| { co_yield!("b")?; co_yield!("c")?; Ok(()) }),
    /// ];
    /// let all: Vec<&str> = several.iter_mut().flat_map(|co| co).collect();
    /// assert_eq!(all, ["a", "b", "c"]);
    /// ```
    pub fn boxed(body: impl Body<S, Y, R, E> + 'a) -> Self {
        let erased: BoxBody<'a, S, Y, R, E> = Box::pin(body);
        Co::new(erased)
    }
}
