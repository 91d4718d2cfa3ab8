//! One request and its response on one connection (the client role of
//! HTTP/1.1): the head and body written through the codec, `100 Continue`
//! awaited when asked for, the response head and body read, decompressed
//! and handed to the callbacks.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use bytes::{Bytes, BytesMut};
use futures_util::FutureExt;
use http::Version;
use tokio::time::Instant;

use super::body_writer::{self, BodySink, BodyWriteError, BodyWriter};
use super::connection::Connection;
use super::error::FetchError;
use super::prepare::{OutgoingBody, Prepared};
use super::request::{HeaderCallback, StreamingCallback};
use super::time_info::Timer;
use crate::http1::codec::{BodyDecoder, BodyLength, Decoded, WriteBuffer, encode_request_head};
use crate::httputil::{HttpHeaders, ResponseStartLine};
use crate::iostream::{IoStream, WriteFuture};
use crate::util::GzipDecompressor;
use crate::util::log_target::APP_LOG;

/// The status codes of redirects the client can follow.
pub(crate) const REDIRECT_CODES: [u16; 5] = [301, 302, 303, 307, 308];

/// The most decompressed output produced per step.
const DECOMPRESS_STEP: usize = 64 * 1024;

/// What the response may take.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_header_size: usize,
    pub(crate) max_body_size: u64,
}

/// Where the response goes besides the [`Received`] value.
#[derive(Clone, Default)]
pub(crate) struct Callbacks {
    pub(crate) streaming: Option<StreamingCallback>,
    pub(crate) header: Option<HeaderCallback>,
}

/// A response read completely.
#[derive(Debug)]
pub(crate) struct Received {
    pub(crate) start_line: ResponseStartLine,
    pub(crate) headers: HttpHeaders,
    /// The body (empty when streamed or when this is a redirect to follow).
    pub(crate) body: Bytes,
    /// A redirect with a `Location` that the client is to follow.
    pub(crate) redirect: bool,
    /// Whether the connection can carry another request.
    pub(crate) reusable: bool,
}

/// Runs `f`, turning a panic into an error (and a log record on the
/// application log).
fn guarded(callback: &'static str, f: impl FnOnce()) -> Result<(), FetchError> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let message = crate::util::panic_message(payload.as_ref()).to_owned();
        tracing::error!(target: APP_LOG, "Exception in {callback}: {message}");
        FetchError::CallbackPanicked { callback, message }
    })
}

/// Queues what `out` holds on `stream`; the future of the last piece.
fn queue(stream: &IoStream, out: &mut WriteBuffer) -> Option<WriteFuture> {
    out.take().into_iter().map(|piece| stream.write(piece)).last()
}

fn write_error(error: BodyWriteError) -> FetchError {
    match error {
        BodyWriteError::Stream(error) => FetchError::Stream(error),
        BodyWriteError::Output(error) => FetchError::InvalidRequest(error.to_string()),
    }
}

/// Sends the body through `sink` and ends it.
async fn send_body(sink: &Arc<Mutex<BodySink>>, body: &OutgoingBody) -> Result<(), FetchError> {
    match body {
        OutgoingBody::None => {}
        OutgoingBody::Full(bytes) => {
            // A fixed body is queued whole; `finish` below waits for it.
            let _queued = BodyWriter::new(sink.clone()).write(bytes.clone());
        }
        OutgoingBody::Producer(producer) => {
            let writer = BodyWriter::new(sink.clone());
            let produced = AssertUnwindSafe(producer(writer)).catch_unwind().await;
            match produced {
                Ok(Ok(())) => {}
                Ok(Err(error)) => return Err(FetchError::BodyProducer(Arc::from(error))),
                Err(payload) => {
                    let message = crate::util::panic_message(payload.as_ref()).to_owned();
                    tracing::error!(target: APP_LOG, "Exception in body_producer: {message}");
                    return Err(FetchError::CallbackPanicked {
                        callback: "body_producer",
                        message,
                    });
                }
            }
        }
    }
    body_writer::finish(sink).await.map_err(write_error)
}

/// The line a header callback gets for the start line.
fn start_line_text(start_line: &ResponseStartLine) -> String {
    let version = if start_line.version == Version::HTTP_10 {
        "HTTP/1.0"
    } else {
        "HTTP/1.1"
    };
    format!("{version} {} {}\r\n", start_line.code, start_line.reason)
}

/// `content-type` as `Content-Type`.
fn title_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        out.push(if upper { c.to_ascii_uppercase() } else { c });
        upper = c == '-';
    }
    out
}

/// Bytes as ISO-8859-1 text (how HTTP header values were meant to be
/// read; ASCII stays as it is).
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

fn call_header_callback(
    callback: &HeaderCallback,
    start_line: &ResponseStartLine,
    headers: &HttpHeaders,
) -> Result<(), FetchError> {
    guarded("header_callback", || {
        callback(&start_line_text(start_line));
        for (name, value) in headers.get_all() {
            callback(&format!(
                "{}: {}\r\n",
                title_case(name.as_str()),
                latin1(value.as_bytes())
            ));
        }
        callback("\r\n");
    })
}

/// Collects the (decoded, decompressed) body: into memory or to the
/// streaming callback, within `max_body_size`.
struct ResponseBody {
    discard: bool,
    decompressor: Option<GzipDecompressor>,
    fed: bool,
    streaming: Option<StreamingCallback>,
    collected: BytesMut,
    total: u64,
    max_body_size: u64,
}

impl ResponseBody {
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
                self.collected.extend_from_slice(&data);
                Ok(())
            }
        }
    }

    fn receive(&mut self, chunk: Bytes) -> Result<(), FetchError> {
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
    fn inflate(&mut self, decompressor: &mut GzipDecompressor, chunk: &[u8]) -> Result<(), FetchError> {
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

    fn finish(&mut self) -> Result<Bytes, FetchError> {
        if let Some(mut decompressor) = self.decompressor.take()
            && self.fed
        {
            let tail = decompressor.flush().map_err(FetchError::Decompress)?;
            self.emit(Bytes::from(tail))?;
        }
        Ok(std::mem::take(&mut self.collected).freeze())
    }
}

/// Sends the request `prepared` on `conn` and reads its response.
/// `follow_redirects`: a redirect with a `Location` is read to its end
/// but its body is dropped and no callback sees it.
pub(crate) async fn exchange(
    conn: &mut Connection,
    prepared: &Prepared,
    callbacks: &Callbacks,
    follow_redirects: bool,
    limits: Limits,
    timer: &mut Timer,
) -> Result<Received, FetchError> {
    conn.received = false;
    timer.pretransfer = Some(Instant::now());
    let mut out = WriteBuffer::new();
    let encoder = encode_request_head(
        &prepared.start_line,
        &prepared.headers,
        prepared.chunked,
        &mut out,
    )
    .map_err(|error| FetchError::InvalidRequest(error.to_string()))?;
    let head_written = queue(&conn.stream, &mut out);
    let sink = Arc::new(Mutex::new(BodySink::new(encoder, conn.stream.clone())));
    let mut body_sent = false;
    if !prepared.expect_continue {
        send_body(&sink, &prepared.body).await?;
        body_sent = true;
    }
    if let Some(written) = head_written {
        written.await.map_err(FetchError::Stream)?;
    }

    let method = &prepared.start_line.method;
    let head = loop {
        let head = conn.read_head(limits.max_header_size, method).await?;
        timer.starttransfer.get_or_insert_with(Instant::now);
        let code = head.start_line.code;
        if (100..200).contains(&code) && code != 101 {
            if code == 100 && !body_sent {
                send_body(&sink, &prepared.body).await?;
                body_sent = true;
            }
            continue;
        }
        break head;
    };

    let code = head.start_line.code;
    let mut headers = head.headers;
    let redirect =
        follow_redirects && REDIRECT_CODES.contains(&code) && headers.contains("Location");
    let gzipped = headers
        .get("Content-Encoding")
        .is_some_and(|coding| coding.trim().eq_ignore_ascii_case("gzip"));
    let decompressor = if prepared.decompress && gzipped && !redirect {
        if let Some(coding) = headers.get("Content-Encoding").map(str::to_owned) {
            headers
                .add("X-Consumed-Content-Encoding", &coding)
                .map_err(|error| FetchError::Malformed(error.to_string()))?;
        }
        headers.remove("Content-Encoding");
        Some(GzipDecompressor::new())
    } else {
        None
    };
    if !redirect && let Some(callback) = &callbacks.header {
        call_header_callback(callback, &head.start_line, &headers)?;
    }

    let mut sink_out = ResponseBody {
        discard: redirect,
        decompressor,
        fed: false,
        streaming: callbacks.streaming.clone(),
        collected: BytesMut::new(),
        total: 0,
        max_body_size: limits.max_body_size,
    };
    let mut decoder = BodyDecoder::new(head.body, limits.max_body_size);
    loop {
        let step = decoder
            .decode(&mut conn.buf)
            .map_err(|error| FetchError::Malformed(error.to_string()))?;
        match step {
            Decoded::Data(chunk) => sink_out.receive(chunk)?,
            Decoded::Finished => break,
            Decoded::NeedMore => {
                if !conn.read_more().await? {
                    match decoder.decode_eof() {
                        Ok(Decoded::Data(chunk)) => sink_out.receive(chunk)?,
                        Ok(_) => break,
                        Err(_) => return Err(FetchError::ConnectionClosed),
                    }
                }
            }
        }
    }
    let body = sink_out.finish()?;
    let reusable = head.keep_alive
        && body_sent
        && prepared.keep_alive
        && code != 101
        && head.body != BodyLength::CloseDelimited
        && conn.buf.is_empty();
    Ok(Received {
        start_line: head.start_line,
        headers,
        body,
        redirect,
        reusable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines_are_title_cased_and_latin1() {
        assert_eq!(title_case("x-xss-protection"), "X-Xss-Protection");
        assert_eq!(latin1(b"caf\xe9"), "café");
        let start = ResponseStartLine {
            version: Version::HTTP_10,
            code: 200,
            reason: "OK".into(),
        };
        assert_eq!(start_line_text(&start), "HTTP/1.0 200 OK\r\n");
    }

    #[test]
    fn a_panicking_callback_becomes_an_error() {
        let error = guarded("streaming_callback", || panic!("boom")).unwrap_err();
        assert!(
            matches!(error, FetchError::CallbackPanicked { callback: "streaming_callback", ref message } if message == "boom")
        );
    }
}
