//! RESP2 and RESP3, the Redis protocol, for servers: a sans-IO request decoder and the reply
//! encoding.
//!
//! [`requests`] decodes what clients send (and [`encode_command`] writes it), both forms Redis accepts: multibulk arrays of bulk
//! strings (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and inline commands (`PING\r\n`, split on spaces
//! with Redis's quoting rules). It is a [`volley_flow::proto`] coroutine, driven chunk by
//! chunk with a [`Decoder`](volley_flow::proto::Decoder). Malformed input raises a
//! [`ProtoError`](volley_flow::proto::ProtoError) worded as Redis words it ("invalid multibulk
//! length", "invalid bulk length", "expected '$', got 'x'", ...), so a server replies
//! `-ERR Protocol error: {error}` and closes that connection. [`RespLimits`] bounds what one
//! request may make the server hold.
//!
//! [`Reply`] appends replies to a connection's output buffer in the client's [`Protocol`]:
//! every RESP3 type, and its RESP2 form as Redis 7 sends it to RESP2 clients. Numbers are
//! formatted as Redis formats them ([`format_double`], [`double_to_string`], [`format_human`]).
//!
//! ```
//! use volley_resp::codec::{requests, Reply, RespLimits};
//! use volley_flow::proto::Decoder;
//!
//! let mut decoder = Decoder::new(requests::<&'static [u8]>(RespLimits::default()));
//! let got: Vec<Vec<Vec<u8>>> = decoder
//!     .feed(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv1\r\nGET k\r\n")
//!     .map(|request| request.unwrap().into_args())
//!     .collect();
//! assert_eq!(got, [vec![b"SET".to_vec(), b"k".to_vec(), b"v1".to_vec()], vec![b"GET".to_vec(), b"k".to_vec()]]);
//!
//! let mut out = Vec::new();
//! let mut reply = Reply::new(&mut out);
//! reply.ok();
//! reply.bulk(b"v1");
//! assert_eq!(out, b"+OK\r\n$2\r\nv1\r\n");
//! ```

mod inline;
mod limits;
mod number;
mod reply;
mod request;
#[cfg(test)]
mod tests;

pub use inline::split_args;
pub use limits::RespLimits;
pub use number::{double_to_string, format_double, format_human};
pub use reply::{Protocol, Reply};
pub use request::{encode_command, requests, Request};
