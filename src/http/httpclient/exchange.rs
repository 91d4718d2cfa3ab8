//! One request and its response on one connection (the client role of
//! HTTP/1.1): the head and body written through the codec, `100 Continue`
//! awaited when asked for, the response head and body read, decompressed
//! and handed to the callbacks.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::FutureExt;
use tokio::time::Instant;

use super::body_writer::{self, BodySink, BodyWriteError, BodyWriter};
use super::callbacks::{Callbacks, call_header_callback, panicked};
use super::connection::Connection;
use super::error::FetchError;
use super::prepare::{OutgoingBody, Prepared};
use super::response_body::ResponseBody;
use super::time_info::Timer;
use crate::http1::codec::{BodyDecoder, BodyLength, Decoded, WriteBuffer, encode_request_head};
use crate::httputil::{HttpHeaders, ResponseStartLine};
use crate::iostream::{IoStream, WriteFuture};
use crate::util::GzipDecompressor;

/// The status codes of redirects the client can follow.
pub(crate) const REDIRECT_CODES: [u16; 5] = [301, 302, 303, 307, 308];

/// What the response may take.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_header_size: usize,
    pub(crate) max_body_size: u64,
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

/// Queues what `out` holds on `stream`; the future of the last piece.
fn queue(stream: &IoStream, out: &mut WriteBuffer) -> Option<WriteFuture> {
    out.take()
        .into_iter()
        .map(|piece| stream.write(piece))
        .last()
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
                Err(payload) => return Err(panicked("body_producer", payload)),
            }
        }
    }
    body_writer::finish(sink).await.map_err(write_error)
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

    let mut body_out = ResponseBody::new(
        redirect,
        decompressor,
        callbacks.streaming.clone(),
        limits.max_body_size,
    );
    let mut decoder = BodyDecoder::new(head.body, limits.max_body_size);
    loop {
        let step = decoder
            .decode(&mut conn.buf)
            .map_err(|error| FetchError::Malformed(error.to_string()))?;
        match step {
            Decoded::Data(chunk) => body_out.receive(chunk)?,
            Decoded::Finished => break,
            Decoded::NeedMore => {
                if !conn.read_more().await? {
                    match decoder.decode_eof() {
                        Ok(Decoded::Data(chunk)) => body_out.receive(chunk)?,
                        Ok(_) => break,
                        Err(_) => return Err(FetchError::ConnectionClosed),
                    }
                }
            }
        }
    }
    let body = body_out.finish()?;
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
