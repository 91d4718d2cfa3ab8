//! A raw HTTP/1.1 client for server tests: sends exactly the bytes a test
//! gives and reads responses with the crate's own codec, so malformed
//! requests, pipelining and connection reuse can be checked on the wire.
#![allow(dead_code)]

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::Method;
use supercell::http1::codec::{BodyDecoder, Decoded, parse_response_head};
use supercell::httputil::HttpHeaders;
use supercell::iostream::IoStream;

/// One response as read from the wire.
#[derive(Debug)]
pub struct Response {
    pub code: u16,
    pub reason: String,
    pub version: http::Version,
    pub headers: HttpHeaders,
    pub body: Bytes,
    /// The codes of the interim (1xx) responses before it.
    pub interim: Vec<u16>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// Whether `Connection` lists `token`.
    pub fn connection_has(&self, token: &str) -> bool {
        self.headers
            .get_list("Connection")
            .iter()
            .flat_map(|value| value.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }
}

/// A client connection sending raw bytes.
pub struct RawClient {
    pub stream: IoStream,
    buf: BytesMut,
}

impl RawClient {
    pub async fn connect(addr: SocketAddr) -> RawClient {
        let stream = IoStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).unwrap();
        RawClient {
            stream,
            buf: BytesMut::new(),
        }
    }

    pub async fn send(&self, data: impl Into<Bytes>) {
        self.stream.write(data.into()).await.expect("send");
    }

    /// Sends without waiting or failing (the server may have closed).
    pub fn send_quietly(&self, data: impl Into<Bytes>) {
        drop(self.stream.write(data.into()));
    }

    /// Reads more into the buffer; `false` at the end of the stream.
    async fn fill(&mut self) -> bool {
        match self.stream.read_bytes(64 * 1024, true).await {
            Ok(data) => {
                self.buf.extend_from_slice(&data);
                true
            }
            Err(_) => false,
        }
    }

    /// Reads one response to a `method` request (interim ones gathered in
    /// it); `None` when the connection ends before a complete one.
    pub async fn try_read_response(&mut self, method: &Method) -> Option<Response> {
        let mut interim = Vec::new();
        loop {
            let (head, used) = loop {
                match parse_response_head(&self.buf, 1 << 20, method).expect("valid response head")
                {
                    Some(parsed) => break parsed,
                    None if self.fill().await => {}
                    None => return None,
                }
            };
            let _ = self.buf.split_to(used);
            let code = head.start_line.code;
            if (100..200).contains(&code) && code != 101 {
                interim.push(code);
                continue;
            }
            let mut decoder = BodyDecoder::new(head.body, u64::MAX);
            let mut body = BytesMut::new();
            loop {
                match decoder.decode(&mut self.buf).expect("valid response body") {
                    Decoded::Data(data) => body.extend_from_slice(&data),
                    Decoded::Finished => break,
                    Decoded::NeedMore => {
                        if !self.fill().await {
                            match decoder.decode_eof().ok()? {
                                Decoded::Finished => break,
                                _ => return None,
                            }
                        }
                    }
                }
            }
            return Some(Response {
                code,
                reason: head.start_line.reason.into_owned(),
                version: head.start_line.version,
                headers: head.headers,
                body: body.freeze(),
                interim,
            });
        }
    }

    pub async fn read_response(&mut self, method: &Method) -> Response {
        self.try_read_response(method)
            .await
            .expect("the connection ended before a complete response")
    }

    pub async fn get_response(&mut self) -> Response {
        self.read_response(&Method::GET).await
    }

    /// Reads until the server closes; returns what arrived meanwhile.
    pub async fn read_until_close(&mut self) -> Bytes {
        while self.fill().await {}
        self.buf.split().freeze()
    }

    /// Whether the server closes the connection within `limit` without
    /// sending anything more.
    pub async fn closed_within(&mut self, limit: Duration) -> bool {
        match tokio::time::timeout(limit, self.stream.read_bytes(1, true)).await {
            Ok(Ok(_)) => false,
            Ok(Err(_)) => true,
            Err(_) => false,
        }
    }

    /// Checks that the server closes the connection, sending nothing, at
    /// least `at_least` and less than `before` from now (tokio's clock).
    pub async fn assert_closed_after(&mut self, at_least: Duration, before: Duration) {
        let start = tokio::time::Instant::now();
        let received = self.read_until_close().await;
        assert!(received.is_empty(), "{received:?}");
        let waited = start.elapsed();
        assert!(waited >= at_least && waited < before, "{waited:?}");
    }

    /// Bytes buffered and not read as a response yet.
    pub fn buffered(&self) -> &[u8] {
        &self.buf
    }
}

/// `GET path HTTP/1.1` with `Host` and `extra` header lines.
pub fn get(path: &str, extra: &[&str]) -> Vec<u8> {
    request("GET", path, extra, b"")
}

/// A request with `Host`, `extra` header lines and `body` as given (no
/// framing header is added).
pub fn request(method: &str, path: &str, extra: &[&str], body: &[u8]) -> Vec<u8> {
    let mut data = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for line in extra {
        data.push_str(line);
        data.push_str("\r\n");
    }
    data.push_str("\r\n");
    let mut data = data.into_bytes();
    data.extend_from_slice(body);
    data
}

/// A `POST` with `Content-Length`.
pub fn post(path: &str, body: &[u8]) -> Vec<u8> {
    request(
        "POST",
        path,
        &[&format!("Content-Length: {}", body.len())],
        body,
    )
}

/// A chunked `POST /` of `pieces`, one chunk each, with `extra` header
/// lines.
pub fn chunked_post(pieces: &[&[u8]], extra: &[&str]) -> Vec<u8> {
    let mut body = Vec::new();
    for piece in pieces {
        body.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        body.extend_from_slice(piece);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let mut headers = vec!["Transfer-Encoding: chunked"];
    headers.extend_from_slice(extra);
    request("POST", "/", &headers, &body)
}

/// `data` gzip-compressed, for `Content-Encoding: gzip` bodies.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}
