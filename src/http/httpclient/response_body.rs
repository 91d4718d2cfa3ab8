//! The body of a response on its way to the caller: decompressed in
//! bounded steps, checked against `max_body_size`, collected or streamed.

use bytes::{Bytes, BytesMut};

use super::callbacks::guarded;
use super::error::FetchError;
use super::request::StreamingCallback;
use crate::util::GzipDecompressor;

/// The most decompressed output produced per step.
const DECOMPRESS_STEP: usize = 64 * 1024;

/// The body collected so far: a body that arrived in one piece is kept as
/// it came (no copy); pieces are joined from the second one on.
#[derive(Default)]
enum Collected {
    #[default]
    Empty,
    One(Bytes),
    Joined(BytesMut),
}

impl Collected {
    fn push(&mut self, data: Bytes) {
        *self = match std::mem::take(self) {
            Collected::Empty => Collected::One(data),
            Collected::One(first) => {
                let mut joined = BytesMut::with_capacity(first.len() + data.len());
                joined.extend_from_slice(&first);
                joined.extend_from_slice(&data);
                Collected::Joined(joined)
            }
            Collected::Joined(mut joined) => {
                joined.extend_from_slice(&data);
                Collected::Joined(joined)
            }
        }
    }

    fn into_bytes(self) -> Bytes {
        match self {
            Collected::Empty => Bytes::new(),
            Collected::One(bytes) => bytes,
            Collected::Joined(joined) => joined.freeze(),
        }
    }
}

/// Collects the (decoded, decompressed) body: into memory or to the
/// streaming callback, within `max_body_size`.
pub(crate) struct ResponseBody {
    discard: bool,
    decompressor: Option<GzipDecompressor>,
    fed: bool,
    streaming: Option<StreamingCallback>,
    collected: Collected,
    total: u64,
    max_body_size: u64,
}

impl ResponseBody {
    /// A body that is dropped (`discard`), or decompressed with
    /// `decompressor` if given, then streamed to `streaming` or collected,
    /// at most `max_body_size` bytes of it.
    pub(crate) fn new(
        discard: bool,
        decompressor: Option<GzipDecompressor>,
        streaming: Option<StreamingCallback>,
        max_body_size: u64,
    ) -> ResponseBody {
        ResponseBody {
            discard,
            decompressor,
            fed: false,
            streaming,
            collected: Collected::Empty,
            total: 0,
            max_body_size,
        }
    }

    fn emit(&mut self, data: Bytes) -> Result<(), FetchError> {
        if data.is_empty() {
            return Ok(());
        }
        self.total += data.len() as u64;
        if self.total > self.max_body_size {
            return Err(FetchError::Malformed(format!(
                "response body larger than max_body_size ({} bytes)",
                self.max_body_size
            )));
        }
        match &self.streaming {
            Some(callback) => guarded("streaming_callback", || callback(data)),
            None => {
                self.collected.push(data);
                Ok(())
            }
        }
    }

    pub(crate) fn receive(&mut self, chunk: Bytes) -> Result<(), FetchError> {
        if self.discard {
            return Ok(());
        }
        let Some(mut decompressor) = self.decompressor.take() else {
            return self.emit(chunk);
        };
        self.fed = true;
        let inflated = self.inflate(&mut decompressor, &chunk);
        self.decompressor = Some(decompressor);
        inflated
    }

    /// Decompresses `chunk` in bounded steps, emitting each.
    fn inflate(
        &mut self,
        decompressor: &mut GzipDecompressor,
        chunk: &[u8],
    ) -> Result<(), FetchError> {
        let mut output = decompressor
            .decompress(chunk, DECOMPRESS_STEP)
            .map_err(FetchError::Decompress)?;
        loop {
            self.emit(Bytes::from(output))?;
            if decompressor.unconsumed_tail().is_empty() {
                return Ok(());
            }
            let tail = decompressor.take_unconsumed_tail();
            output = decompressor
                .decompress(&tail, DECOMPRESS_STEP)
                .map_err(FetchError::Decompress)?;
        }
    }

    pub(crate) fn finish(&mut self) -> Result<Bytes, FetchError> {
        if let Some(mut decompressor) = self.decompressor.take()
            && self.fed
        {
            let tail = decompressor.flush().map_err(FetchError::Decompress)?;
            self.emit(Bytes::from(tail))?;
        }
        Ok(std::mem::take(&mut self.collected).into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn decompresses_in_pieces_within_the_limit() {
        let compressed = gzip(&[b'x'; 200_000]);
        let mut body = ResponseBody::new(false, Some(GzipDecompressor::new()), None, 200_000);
        for piece in compressed.chunks(7) {
            body.receive(Bytes::copy_from_slice(piece)).unwrap();
        }
        assert_eq!(body.finish().unwrap(), Bytes::from(vec![b'x'; 200_000]));

        let mut body = ResponseBody::new(false, Some(GzipDecompressor::new()), None, 199_999);
        let error = body.receive(Bytes::from(compressed)).unwrap_err();
        assert!(error.to_string().contains("max_body_size"));
    }

    #[test]
    fn a_body_in_one_piece_is_kept_as_it_came_and_pieces_are_joined() {
        let piece = Bytes::from("hello");
        let mut body = ResponseBody::new(false, None, None, 100);
        body.receive(piece.clone()).unwrap();
        let whole = body.finish().unwrap();
        assert_eq!(whole.as_ptr(), piece.as_ptr());
        let mut body = ResponseBody::new(false, None, None, 100);
        for piece in ["he", "ll", "o"] {
            body.receive(Bytes::from(piece)).unwrap();
        }
        assert_eq!(body.finish().unwrap(), piece);
    }

    #[test]
    fn an_empty_gzip_body_needs_no_trailer_and_discarded_bodies_vanish() {
        let mut body = ResponseBody::new(false, Some(GzipDecompressor::new()), None, 10);
        assert!(body.finish().unwrap().is_empty());
        let mut body = ResponseBody::new(true, None, None, 1);
        body.receive(Bytes::from("more than one byte")).unwrap();
        assert!(body.finish().unwrap().is_empty());
    }
}
