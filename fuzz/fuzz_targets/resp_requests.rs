//! Feeds arbitrary bytes to the RESP2 request decoder, cut into chunks at arbitrary points:
//! it must never panic, and the chunking must never change what it decodes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use volley_flow::proto::{Decoder, ProtoError};
use volley_resp::codec::{requests, RespLimits};

type Outcome = (Vec<Vec<Vec<u8>>>, Option<ProtoError>);

fn decode<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Outcome {
    let limits = RespLimits::default()
        .with_max_inline(256)
        .with_max_bulk(1024)
        .with_max_args(64)
        .with_max_request(4096);
    let mut decoder = Decoder::new(requests::<Vec<u8>>(limits));
    let mut frames = Vec::new();
    for chunk in chunks {
        for item in decoder.feed(chunk.to_vec()) {
            match item {
                Ok(request) => frames.push(request.into_args()),
                Err(error) => return (frames, Some(error)),
            }
        }
    }
    (frames, None)
}

fuzz_target!(|data: &[u8]| {
    let Some((&stride, bytes)) = data.split_first() else {
        return;
    };
    let whole = decode([bytes]);
    let chunked = decode(bytes.chunks(usize::from(stride).max(1)));
    assert_eq!(whole, chunked);
});
