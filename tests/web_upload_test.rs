//! A `multipart/form-data` upload of 1 GiB streamed through a handler
//! that takes its body piece by piece and parses it with
//! `MultipartParser`: the file's bytes are counted as they pass, nothing
//! is kept, and the process's memory stays flat. Its own test binary, so
//! that the memory measured is this test's alone.

use std::time::Duration;

use bytes::Bytes;
use supercell::httputil::{
    MultipartEvent, MultipartParser, ParseMultipartConfig, parse_header_value,
};
use supercell::iostream::IoStream;
use supercell::testing::HttpTestServer;
use supercell::web::{Application, Context, HttpError, RequestHandler, Settings, WebResult, url};

const BOUNDARY: &str = "supercell-upload-boundary";
const UPLOAD: u64 = 1 << 30;
const PIECE: usize = 64 * 1024;

/// Counts the bytes of each uploaded file, keeping none.
#[derive(Default)]
struct Upload {
    parser: Option<MultipartParser>,
    file_bytes: u64,
    files: u32,
    most_buffered: usize,
}

impl Upload {
    fn drain(&mut self) -> WebResult {
        let Some(parser) = self.parser.as_mut() else {
            return Err(HttpError::new(400).into());
        };
        while let Some(event) = parser.next_event()? {
            match event {
                MultipartEvent::PartStart { filename, .. } => {
                    self.files += u32::from(filename.is_some())
                }
                MultipartEvent::PartData(data) => self.file_bytes += data.len() as u64,
                MultipartEvent::PartEnd | MultipartEvent::End => {}
            }
        }
        self.most_buffered = self.most_buffered.max(parser.buffered_len());
        Ok(())
    }
}

impl RequestHandler for Upload {
    const STREAM_REQUEST_BODY: bool = true;

    async fn prepare(&mut self, cx: &mut Context) -> WebResult {
        cx.set_max_body_size(2 * UPLOAD);
        let content_type = cx.request().headers.get("Content-Type").unwrap_or("");
        let (_, params) = parse_header_value(content_type);
        let boundary = params
            .get("boundary")
            .and_then(Option::as_deref)
            .ok_or_else(|| HttpError::new(400))?;
        let parser = MultipartParser::new(boundary.as_bytes(), ParseMultipartConfig::default())?;
        self.parser = Some(parser);
        Ok(())
    }

    async fn data_received(&mut self, _: &mut Context, chunk: Bytes) -> WebResult {
        if let Some(parser) = self.parser.as_mut() {
            parser.feed(chunk);
        }
        self.drain()
    }

    async fn post(&mut self, cx: &mut Context) -> WebResult {
        self.drain()?;
        if let Some(parser) = &self.parser {
            parser.finish()?;
        }
        cx.write(format!(
            "{} {} {}",
            self.files, self.file_bytes, self.most_buffered
        ))
    }
}

/// The process's resident memory, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_1_gib_upload_streams_through_with_flat_memory() {
    let app = Application::new(vec![url("/upload", Upload::default)], Settings::default()).unwrap();
    let server = HttpTestServer::new(app).unwrap();
    let head_of_part = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    );
    let tail = format!("\r\n--{BOUNDARY}--\r\n");
    let length = head_of_part.len() as u64 + UPLOAD + tail.len() as u64;
    let stream = IoStream::connect(format!("127.0.0.1:{}", server.http_port()).parse().unwrap())
        .await
        .unwrap();
    stream
        .write(format!(
            "POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {length}\r\n\
             Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\r\n{head_of_part}"
        ))
        .await
        .unwrap();
    let piece = Bytes::from(
        (0..PIECE)
            .map(|i| b'a' + (i % 26) as u8)
            .collect::<Vec<u8>>(),
    );
    let before = rss_kib();
    let mut peak = before;
    for sent in 0..UPLOAD / PIECE as u64 {
        stream.write(piece.clone()).await.unwrap();
        if sent % 1024 == 0 {
            peak = peak.max(rss_kib());
        }
    }
    stream.write(tail).await.unwrap();
    let response = tokio::time::timeout(Duration::from_secs(120), stream.read_until_close())
        .await
        .unwrap_or(Ok(Bytes::new()));
    let response = String::from_utf8_lossy(&response.unwrap_or_default()).into_owned();
    peak = peak.max(rss_kib());
    let body = response.rsplit("\r\n\r\n").next().unwrap_or("");
    let mut numbers = body.split(' ').map(|n| n.parse::<u64>().unwrap_or(0));
    let (files, bytes, most_buffered) = (
        numbers.next().unwrap_or(0),
        numbers.next().unwrap_or(0),
        numbers.next().unwrap_or(u64::MAX),
    );
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert_eq!((files, bytes), (1, UPLOAD));
    assert!(
        most_buffered < 16 * 1024,
        "the parser held {most_buffered} bytes"
    );
    let grown = peak.saturating_sub(before);
    assert!(
        grown < 64 * 1024,
        "memory grew by {grown} KiB while 1 GiB streamed"
    );
    server.stop().await;
}
