//! The ceiling: a minimal tokio server. It reads, counts the complete
//! requests (`\r\n\r\n`) in what it has read, and answers each with a fixed,
//! pre-formatted response, all of one read's answers in one write. No parsing,
//! no routing beyond the first letter of the path: the upper bound any HTTP
//! server on tokio could reach on this machine.

use std::cell::RefCell;
use std::io;

use memchr::memmem;
use supercell_http_bench::args::port_from_args;
use supercell_http_bench::date::{current_second, with_http_date};
use supercell_http_bench::message::{JSON_TYPE, PLAINTEXT, PLAINTEXT_TYPE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const JSON: &[u8] = br#"{"message":"Hello, World!"}"#;
const READ_BUFFER: usize = 4 * 1024;

/// The two responses, rebuilt when the second (and so the `Date`) changes.
struct Responses {
    second: u64,
    plaintext: Vec<u8>,
    json: Vec<u8>,
}

thread_local! {
    static RESPONSES: RefCell<Responses> = const {
        RefCell::new(Responses { second: u64::MAX, plaintext: Vec::new(), json: Vec::new() })
    };
}

fn response(content_type: &str, body: &[u8], date: &str) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nDate: {date}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// Appends one response per complete request at the front of `input` to
/// `out`; returns how many bytes of `input` those requests took.
fn answer(input: &[u8], out: &mut Vec<u8>) -> usize {
    RESPONSES.with(|responses| {
        let mut responses = responses.borrow_mut();
        let second = current_second();
        if responses.second != second {
            with_http_date(|date| {
                responses.plaintext = response(PLAINTEXT_TYPE, PLAINTEXT, date);
                responses.json = response(JSON_TYPE, JSON, date);
            });
            responses.second = second;
        }
        let mut consumed = 0;
        for end in memmem::find_iter(input, b"\r\n\r\n") {
            // "GET /j..." or "GET /p...": the sixth byte picks the answer.
            let json = input.get(consumed + 5) == Some(&b'j');
            out.extend_from_slice(if json {
                &responses.json
            } else {
                &responses.plaintext
            });
            consumed = end + 4;
        }
        consumed
    })
}

async fn serve(mut stream: TcpStream) -> io::Result<()> {
    let mut input = vec![0u8; READ_BUFFER];
    let mut filled = 0;
    let mut out = Vec::new();
    loop {
        let n = stream.read(&mut input[filled..]).await?;
        if n == 0 {
            return Ok(());
        }
        filled += n;
        out.clear();
        let consumed = answer(&input[..filled], &mut out);
        input.copy_within(consumed..filled, 0);
        filled -= consumed;
        if filled == input.len() {
            return Err(io::Error::other("request head larger than the read buffer"));
        }
        if !out.is_empty() {
            stream.write_all(&out).await?;
        }
    }
}

fn main() -> io::Result<()> {
    let port = port_from_args()?;
    let runtime = supercell_http_bench::runtime::one_thread()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        loop {
            let (stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            tokio::spawn(serve(stream));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_each_complete_request_and_keeps_the_rest() {
        let input = b"GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\nGET /json HTTP/1.1\r\nHost: a\r\n\r\nGET /pl";
        let mut out = Vec::new();
        let consumed = answer(input, &mut out);
        assert_eq!(&input[consumed..], b"GET /pl");
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 2);
        assert!(text.find("Hello, World!").unwrap() < text.find("{\"message\"").unwrap());
    }
}
