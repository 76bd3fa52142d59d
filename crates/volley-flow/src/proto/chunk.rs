//! A read buffer lent to a decoder chunk by chunk, without a copy per chunk.

use std::fmt;
use std::sync::Arc;

/// The buffer a connection reads into, lent to a [`Decoder`](super::Decoder) one chunk at a
/// time as a [`SharedChunk`] and taken back for the next read.
///
/// Lending shares the buffer (a reference count, no copy). The body's [`Input`](super::Input)
/// reads the frames the chunk holds in place, and before it asks for more it copies the few
/// bytes of a frame cut at the chunk's end into its own buffer and drops the chunk. So by the
/// next read the buffer is no longer shared and [`as_mut_slice`](ReadBuffer::as_mut_slice)
/// hands it back as it is. Were a chunk still held somewhere (a frames iterator dropped before
/// its end), the buffer would be copied first, never changed under its holder.
///
/// ```
/// use std::io::Read;
/// use volley::proto::{Decoded, Decoder, Input, ProtoError, ReadBuffer, SharedChunk};
/// use volley::{co, yield_from, Exit};
///
/// /// Each line is a command; its first word is kept.
/// #[co(static, yield = Decoded<Vec<u8>>, send = SharedChunk)]
/// fn commands() -> Result<(), Exit<ProtoError>> {
///     let mut input = Input::default();
///     loop {
///         let line = yield_from!(input.read_line())?;
///         let name = line.split(|&b| b == b' ').next().unwrap_or_default().to_vec();
///         yield_from!(input.emit(name))?;
///     }
/// }
///
/// let mut socket = &b"PING\r\nECHO hi\r\n"[..]; // stands for a TcpStream
/// let mut buffer = ReadBuffer::new(8);
/// let mut decoder = Decoder::new(commands());
/// let mut commands = Vec::new();
/// loop {
///     let n = socket.read(buffer.as_mut_slice()).unwrap();
///     if n == 0 {
///         break;
///     }
///     for command in decoder.feed(buffer.lend(n)) {
///         commands.push(command.unwrap());
///     }
///     assert!(!buffer.is_lent(), "the decoder gave the chunk back");
/// }
/// assert_eq!(commands, [b"PING".to_vec(), b"ECHO".to_vec()]);
/// ```
#[derive(Debug, Clone)]
pub struct ReadBuffer {
    bytes: Arc<Vec<u8>>,
}

impl ReadBuffer {
    /// A buffer of `len` bytes (zeroed), read into whole.
    ///
    /// ```
    /// use volley_flow::proto::ReadBuffer;
    /// assert_eq!(ReadBuffer::new(16 * 1024).len(), 16 * 1024);
    /// ```
    pub fn new(len: usize) -> Self {
        ReadBuffer {
            bytes: Arc::new(vec![0; len]),
        }
    }

    /// The buffer's size in bytes.
    ///
    /// ```
    /// use volley_flow::proto::ReadBuffer;
    /// assert_eq!(ReadBuffer::new(3).len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the buffer has no room at all.
    ///
    /// ```
    /// use volley_flow::proto::ReadBuffer;
    /// assert!(ReadBuffer::new(0).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The whole buffer, to read into. A copy is made first only if a chunk lent earlier is
    /// still held; otherwise this is the buffer itself.
    ///
    /// ```
    /// use volley_flow::proto::ReadBuffer;
    /// let mut buffer = ReadBuffer::new(4);
    /// buffer.as_mut_slice()[..2].copy_from_slice(b"hi");
    /// assert_eq!(buffer.lend(2).as_ref(), b"hi");
    /// ```
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        Arc::make_mut(&mut self.bytes).as_mut_slice()
    }

    /// Lends the first `len` bytes (at most the whole buffer) as a chunk, without copying them.
    ///
    /// ```
    /// use volley_flow::proto::ReadBuffer;
    /// let mut buffer = ReadBuffer::new(4);
    /// buffer.as_mut_slice().copy_from_slice(b"abcd");
    /// let chunk = buffer.lend(3);
    /// assert_eq!(chunk.as_ref(), b"abc");
    /// assert!(buffer.is_lent());
    /// drop(chunk);
    /// assert!(!buffer.is_lent());
    /// ```
    pub fn lend(&self, len: usize) -> SharedChunk {
        SharedChunk {
            bytes: Some(Arc::clone(&self.bytes)),
            len: len.min(self.bytes.len()),
        }
    }

    /// Whether a chunk lent from this buffer is still held somewhere.
    ///
    /// ```
    /// use volley_flow::proto::ReadBuffer;
    /// let buffer = ReadBuffer::new(1);
    /// let chunk = buffer.lend(1);
    /// assert!(buffer.is_lent());
    /// # drop(chunk);
    /// ```
    pub fn is_lent(&self) -> bool {
        Arc::strong_count(&self.bytes) > 1
    }
}

/// A chunk of bytes shared with the buffer it was read into: what a [`ReadBuffer`] lends, and
/// what a protocol body is sent (it is `AsRef<[u8]>`). Cloning it shares the bytes; the
/// default chunk is empty and allocates nothing (a [`Decoder`](super::Decoder) sends it to ask
/// for the next frame).
///
/// ```
/// use volley_flow::proto::SharedChunk;
/// let chunk = SharedChunk::from(b"GET k\r\n".to_vec());
/// assert_eq!(chunk.len(), 7);
/// assert!(SharedChunk::default().is_empty());
/// ```
#[derive(Clone, Default)]
pub struct SharedChunk {
    bytes: Option<Arc<Vec<u8>>>,
    len: usize,
}

impl SharedChunk {
    /// How many bytes the chunk holds.
    ///
    /// ```
    /// use volley_flow::proto::SharedChunk;
    /// assert_eq!(SharedChunk::from(vec![1, 2]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the chunk holds no bytes.
    ///
    /// ```
    /// use volley_flow::proto::SharedChunk;
    /// assert!(SharedChunk::from(Vec::new()).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl AsRef<[u8]> for SharedChunk {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        match &self.bytes {
            Some(bytes) => &bytes[..self.len],
            None => &[],
        }
    }
}

impl From<Vec<u8>> for SharedChunk {
    fn from(bytes: Vec<u8>) -> Self {
        SharedChunk {
            len: bytes.len(),
            bytes: Some(Arc::new(bytes)),
        }
    }
}

impl fmt::Debug for SharedChunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedChunk")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

/// What a protocol body may be sent: bytes (`AsRef<[u8]>`), and, for a [`SharedChunk`], the
/// chunk itself, so an [`Input`](super::Input) can read it in place instead of copying it.
///
/// Implemented for the usual byte containers; a chunk type of your own needs only
/// `impl Chunk for MyChunk {}` (its bytes are then copied, as a `Vec<u8>`'s are).
///
/// ```
/// use volley_flow::proto::{Chunk, SharedChunk};
/// assert!(SharedChunk::from(b"in place".to_vec()).into_shared().is_ok());
/// assert!(b"copied".to_vec().into_shared().is_err());
///
/// struct Datagram([u8; 4]);
/// impl AsRef<[u8]> for Datagram {
///     fn as_ref(&self) -> &[u8] {
///         &self.0
///     }
/// }
/// impl Chunk for Datagram {}
/// assert_eq!(Datagram(*b"ping").into_shared().unwrap_err().as_ref(), b"ping");
/// ```
pub trait Chunk: AsRef<[u8]> + Sized {
    /// The chunk as a [`SharedChunk`] to read in place, or itself back to be copied.
    fn into_shared(self) -> Result<SharedChunk, Self> {
        Err(self)
    }
}

impl Chunk for SharedChunk {
    #[inline]
    fn into_shared(self) -> Result<SharedChunk, Self> {
        Ok(self)
    }
}

impl Chunk for Vec<u8> {}
impl Chunk for &[u8] {}
impl<const N: usize> Chunk for &[u8; N] {}
impl<const N: usize> Chunk for [u8; N] {}
impl Chunk for Box<[u8]> {}
impl Chunk for String {}
impl Chunk for &str {}
impl Chunk for std::borrow::Cow<'_, [u8]> {}
impl Chunk for Arc<[u8]> {}
