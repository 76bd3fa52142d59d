//! Feeding a `futures::Stream` into push targets.

use super::{Close, PipelineError, Push};
use futures_core::Stream;

/// Feeds every item of a stream into `target` as it arrives, then closes the target and
/// returns its result. Awaits between items, so other tasks run while the stream is pending.
///
/// ```
/// use futures::{executor::block_on, stream};
/// use volley_flow::pipeline::{aggregate, push};
/// let words = stream::iter(["async", "items", "pushed"]);
/// let (n, longest) = block_on(push::drain_stream(
///     words,
///     push::broadcast((aggregate::count(), aggregate::max())),
/// ))
/// .unwrap();
/// assert_eq!((n, longest), (3, Some("pushed")));
/// ```
pub async fn drain_stream<St, P>(stream: St, mut target: P) -> Result<P::Output, PipelineError>
where
    St: Stream,
    P: Push<St::Item> + Close,
{
    let mut stream = std::pin::pin!(stream);
    while let Some(item) = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
        target.send(item)?;
    }
    target.close()
}
