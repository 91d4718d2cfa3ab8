//! Opens COUNT keep-alive connections to 127.0.0.1:PORT, sends one
//! `GET PATH` on each and reads its whole response, then keeps them all open
//! and idle. Prints `ready N` once all are idle, and exits after HOLD_SECONDS
//! (default 120) or when killed.
//!
//! Usage: hold_conns PORT COUNT [PATH] [HOLD_SECONDS]

use std::io::{self, Write};
use std::time::Duration;

use futures_util::StreamExt;
use memchr::memmem;
use supercell_http_bench::args::invalid;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Connections being opened at the same time.
const IN_FLIGHT: usize = 200;

/// The value of `Content-Length` in a response head (`None` if absent).
fn content_length(head: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(head).ok()?;
    text.split("\r\n").find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())?
    })
}

async fn open(port: u16, request: &[u8]) -> io::Result<TcpStream> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
    stream.write_all(request).await?;
    let mut buf = Vec::with_capacity(512);
    loop {
        if let Some(end) = memmem::find(&buf, b"\r\n\r\n") {
            let length = content_length(&buf[..end])
                .ok_or_else(|| io::Error::other("response without Content-Length"))?;
            if buf.len() >= end + 4 + length {
                if !buf.starts_with(b"HTTP/1.1 200") {
                    return Err(io::Error::other("response status is not 200"));
                }
                return Ok(stream);
            }
        }
        if buf.len() > 64 * 1024 {
            return Err(io::Error::other("response too large"));
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::Error::other("server closed before answering"));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let usage = || invalid("usage: hold_conns PORT COUNT [PATH] [HOLD_SECONDS]");
    let port: u16 = args.get(1).and_then(|a| a.parse().ok()).ok_or_else(usage)?;
    let count: usize = args.get(2).and_then(|a| a.parse().ok()).ok_or_else(usage)?;
    let path = args.get(3).map_or("/plaintext", String::as_str);
    let hold: u64 = args
        .get(4)
        .map_or(Some(120), |a| a.parse().ok())
        .ok_or_else(usage)?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").into_bytes();

    let runtime = supercell_http_bench::runtime::one_thread()?;
    runtime.block_on(async move {
        let opened: Vec<io::Result<TcpStream>> = tokio::time::timeout(
            Duration::from_secs(60),
            futures_util::stream::iter(0..count)
                .map(|_| open(port, &request))
                .buffer_unordered(IN_FLIGHT)
                .collect(),
        )
        .await
        .map_err(|_| io::Error::other("opening the connections took over 60 s"))?;
        let streams = opened.into_iter().collect::<io::Result<Vec<_>>>()?;
        let mut stdout = io::stdout();
        writeln!(stdout, "ready {}", streams.len())?;
        stdout.flush()?;
        tokio::time::sleep(Duration::from_secs(hold)).await;
        drop(streams);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_content_length_in_any_case() {
        assert_eq!(
            content_length(b"HTTP/1.1 200 OK\r\ncontent-LENGTH: 13\r\nDate: x"),
            Some(13)
        );
        assert_eq!(content_length(b"HTTP/1.1 200 OK\r\nDate: x"), None);
    }
}
