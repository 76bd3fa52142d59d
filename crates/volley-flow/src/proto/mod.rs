//! Sans-IO protocol machines: a byte-stream protocol written as one coroutine body that reads
//! like blocking code, yet does no I/O.
//!
//! The caller feeds chunks of bytes with `send` (any [`Chunk`]: a `Vec<u8>`, a `&[u8]`, or a
//! [`SharedChunk`] lent by a connection's [`ReadBuffer`], which is read in place) and receives
//! [`Decoded::Frame`] for each complete frame or [`Decoded::NeedMore`] when the buffered bytes
//! are used up. Frames may straddle chunks at any byte, and one chunk may hold many frames. A
//! body may refuse one frame and go on ([`Decoded::Invalid`], with [`Input::reject`]), and the
//! end of the input inside a frame is reported ([`Decoder::finish`], [`ProtoError::Truncated`]).
//!
//! Inside the body an [`Input`] buffers the chunks, and its reads are delegated to with
//! `yield_from!`: [`Input::read_line`], [`Input::read_until`], [`Input::read_exact`],
//! [`Input::peek`], [`Input::skip_line`] and [`Input::skip`], [`Input::emit`] to hand out a frame
//! and [`Input::reject`] to refuse one. Every read enforces [`Limits`] (longest line, largest
//! payload); exceeding one raises a [`ProtoError`], never unbounded memory or a panic.
//! [`Decoder`] drives such a body chunk by chunk as an iterator of frames. The `volley-resp`
//! crate's `codec` is a complete RESP2 (Redis protocol) request decoder built this way.
//!
//! ```
//! use volley::co;
//! use volley::proto::{Decoded, Decoder, Input, Limits, ProtoError};
//! use volley::{yield_from, Exit};
//!
//! /// A netstring-like protocol: "<len>:<bytes>,".
//! #[co(static, yield = Decoded<String>, send = Vec<u8>)]
//! fn netstrings() -> Result<(), Exit<ProtoError>> {
//!     let mut input = Input::new(Limits::default().with_max_line(20).with_max_payload(1024));
//!     loop {
//!         let len = yield_from!(input.read_until(b':'))?;
//!         let len: usize = std::str::from_utf8(&len[..len.len() - 1])
//!             .ok()
//!             .and_then(|digits| digits.parse().ok())
//!             .ok_or_else(|| ProtoError::invalid("bad length"))?;
//!         let payload = yield_from!(input.read_exact(len + 1))?;
//!         if payload[len] != b',' {
//!             return Err(ProtoError::invalid("missing ','").into());
//!         }
//!         let text = String::from_utf8_lossy(&payload[..len]).into_owned();
//!         yield_from!(input.emit(text))?;
//!     }
//! }
//!
//! let mut decoder = Decoder::new(netstrings());
//! let got: Vec<String> = decoder.feed(b"5:hello,3:w".to_vec()).collect::<Result<_, _>>().unwrap();
//! assert_eq!(got, ["hello"]);
//! let got: Vec<String> = decoder.feed(b"hy,".to_vec()).collect::<Result<_, _>>().unwrap();
//! assert_eq!(got, ["why"]);
//! let end: Vec<_> = decoder.finish().collect();
//! assert!(end.is_empty(), "the input ended between frames");
//! ```

#![warn(missing_debug_implementations)]

mod chunk;
mod decoded;
mod decoder;
mod error;
mod input;
mod limits;
mod read;
#[cfg(test)]
mod tests;

pub use chunk::{Chunk, ReadBuffer, SharedChunk};
pub use decoded::Decoded;
pub use decoder::{DecodedItem, Decoder, Frames};
pub use error::ProtoError;
pub use input::Input;
pub use limits::Limits;
pub use read::{Emit, ReadExact, ReadUntil, Skip};
