//! `broadcast`: one pass over the items, several targets fed side by side.

use super::{Close, PipelineError, Push};

/// Feeds every item to each of several targets in one pass: the fix for two consumers of one
/// stream, with no second pass and nothing collected.
///
/// `targets` is a tuple of up to eight targets of any kinds (their results come back as a tuple
/// from `close`), or a `Vec` of targets of one kind. Items are cloned for every target but the
/// last, so send references (`&[u8]`, `&Record`) or cheap copies.
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed, push};
/// let words = "to be or not to be".split(' ');
/// let (n, longest, top) =
///     feed(words, push::broadcast((aggregate::count(), aggregate::max(), aggregate::top_k(2)))).unwrap();
/// assert_eq!((n, longest, top), (6, Some("to"), vec!["to", "to"]));
/// ```
pub fn broadcast<Ts>(targets: Ts) -> Broadcast<Ts> {
    Broadcast { targets }
}

/// The stage made by [`broadcast`].
///
/// ```
/// use volley_flow::pipeline::{aggregate, push, Close, Push};
/// let mut b = push::broadcast(vec![aggregate::sum::<u32>(), aggregate::sum::<u32>()]);
/// b.send(5).unwrap();
/// assert_eq!(b.close().unwrap(), vec![5, 5]);
/// ```
#[derive(Debug, Clone)]
pub struct Broadcast<Ts> {
    targets: Ts,
}

macro_rules! broadcast_tuple {
    ($($t:ident $v:ident),+ ; $last:ident $lv:ident) => {
        impl<T, $($t,)+ $last> Push<T> for Broadcast<($($t,)+ $last,)>
        where
            T: Clone,
            $($t: Push<T>,)+
            $last: Push<T>,
        {
            #[inline]
            fn send(&mut self, item: T) -> Result<(), PipelineError> {
                #[allow(non_snake_case)]
                let ($($t,)+ $last,) = &mut self.targets;
                $($t.send(item.clone())?;)+
                $last.send(item)
            }
        }

        impl<$($t: Close,)+ $last: Close> Close for Broadcast<($($t,)+ $last,)> {
            type Output = ($($t::Output,)+ $last::Output,);

            /// Closes every target in order (so every cleanup runs), then reports the first
            /// failure, if any.
            fn close(self) -> Result<Self::Output, PipelineError> {
                let ($($v,)+ $lv,) = self.targets;
                $(let $v = $v.close();)+
                let $lv = $lv.close();
                Ok(($($v?,)+ $lv?,))
            }
        }
    };
}

broadcast_tuple!(A a ; B b);
broadcast_tuple!(A a, B b ; C c);
broadcast_tuple!(A a, B b, C c ; D d);
broadcast_tuple!(A a, B b, C c, D d ; E e);
broadcast_tuple!(A a, B b, C c, D d, E e ; F f);
broadcast_tuple!(A a, B b, C c, D d, E e, F f ; G g);
broadcast_tuple!(A a, B b, C c, D d, E e, F f, G g ; H h);

impl<T, P> Push<T> for Broadcast<Vec<P>>
where
    T: Clone,
    P: Push<T>,
{
    #[inline]
    fn send(&mut self, item: T) -> Result<(), PipelineError> {
        if let Some((last, rest)) = self.targets.split_last_mut() {
            for target in rest {
                target.send(item.clone())?;
            }
            last.send(item)?;
        }
        Ok(())
    }
}

impl<P: Close> Close for Broadcast<Vec<P>> {
    type Output = Vec<P::Output>;

    /// Closes every target in order (so every cleanup runs), then reports the first failure.
    fn close(self) -> Result<Vec<P::Output>, PipelineError> {
        let closed: Vec<_> = self.targets.into_iter().map(Close::close).collect();
        closed.into_iter().collect()
    }
}
