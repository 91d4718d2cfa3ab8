//! The load clients' side of a WebSocket connection, written by hand to
//! cost as little as possible per message: the opening handshake written
//! and read directly, a masked binary frame built once and sent again and
//! again, and echoes read by skipping over their payload in a fixed read
//! buffer.

use std::io;

use memchr::memmem;
use supercell::websocket::accept_key;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::args::invalid;

/// The mask key of every frame a load client sends. RFC 6455 wants a fresh
/// key per frame; the servers cannot tell, and a fixed key lets the frame
/// be built once, so the client spends nothing on masking per message.
pub const MASK_KEY: [u8; 4] = [0x5d, 0x21, 0xe7, 0x9a];

/// The `Sec-WebSocket-Key` of every handshake (any 16 bytes in base64).
const HANDSHAKE_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// Where to connect: `ws://HOST:PORT/PATH`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Host name or address.
    pub host: String,
    /// TCP port (80 when the URL has none).
    pub port: u16,
    /// Path and query, starting with `/`.
    pub path: String,
}

impl Target {
    /// Reads a `ws://` URL.
    pub fn parse(url: &str) -> io::Result<Target> {
        let rest = url
            .strip_prefix("ws://")
            .ok_or_else(|| invalid(&format!("not a ws:// URL: {url}")))?;
        let (authority, path) = match rest.find('/') {
            Some(slash) => (&rest[..slash], &rest[slash..]),
            None => (rest, "/"),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse()
                    .map_err(|_| invalid(&format!("bad port in {url}")))?,
            ),
            None => (authority, 80),
        };
        if host.is_empty() {
            return Err(invalid(&format!("no host in {url}")));
        }
        Ok(Target {
            host: host.to_owned(),
            port,
            path: path.to_owned(),
        })
    }

    /// The opening handshake's request.
    fn upgrade_request(&self) -> String {
        format!(
            "GET {} HTTP/1.1\r\nHost: {}:{}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: {HANDSHAKE_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n",
            self.path, self.host, self.port
        )
    }
}

/// Connects to `target` (with `TCP_NODELAY`) and runs the opening
/// handshake. Returns the stream and a reader holding whatever arrived
/// after the `101` response's head; the reader's buffer is `buffer` bytes.
pub async fn connect(target: &Target, buffer: usize) -> io::Result<(TcpStream, EchoReader)> {
    let mut stream = TcpStream::connect((target.host.as_str(), target.port)).await?;
    stream.set_nodelay(true)?;
    stream
        .write_all(target.upgrade_request().as_bytes())
        .await?;
    let (head, end) = read_head(&mut stream).await?;
    check_switching(&head[..end])?;
    let mut reader = EchoReader::new(buffer);
    reader.preload(&head[end..]);
    Ok((stream, reader))
}

/// Reads an HTTP head (of at most 16 KiB) from `stream`: what was read,
/// and where the head ends in it (what follows arrived with it).
pub async fn read_head(stream: &mut TcpStream) -> io::Result<(Vec<u8>, usize)> {
    let mut head = Vec::with_capacity(512);
    loop {
        if let Some(at) = memmem::find(&head, b"\r\n\r\n") {
            return Ok((head, at + 4));
        }
        if head.len() > 16 * 1024 {
            return Err(io::Error::other("handshake head over 16 KiB"));
        }
        let mut chunk = [0u8; 2048];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::Error::other("closed during the handshake"));
        }
        head.extend_from_slice(&chunk[..n]);
    }
}

/// Checks a handshake response head: `101`, with the right
/// `Sec-WebSocket-Accept`.
fn check_switching(head: &[u8]) -> io::Result<()> {
    let text =
        std::str::from_utf8(head).map_err(|_| io::Error::other("handshake head not UTF-8"))?;
    let status = text.split("\r\n").next().unwrap_or("");
    if !status.starts_with("HTTP/1.1 101") {
        return Err(io::Error::other(format!("handshake answered {status:?}")));
    }
    let expected = accept_key(HANDSHAKE_KEY);
    let accepted = text.split("\r\n").any(|line| {
        line.split_once(':').is_some_and(|(name, value)| {
            name.trim().eq_ignore_ascii_case("sec-websocket-accept") && value.trim() == expected
        })
    });
    if accepted {
        Ok(())
    } else {
        Err(io::Error::other(
            "handshake without the right Sec-WebSocket-Accept",
        ))
    }
}

/// A whole binary message in one frame, masked with [`MASK_KEY`], as a
/// client sends it.
pub fn masked_binary_frame(payload: &[u8]) -> Vec<u8> {
    let len = payload.len();
    let mut frame = Vec::with_capacity(len + 14);
    frame.push(0x82);
    if len < 126 {
        frame.push(0x80 | len as u8);
    } else if len <= usize::from(u16::MAX) {
        frame.push(0x80 | 126);
        frame.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        frame.push(0x80 | 127);
        frame.extend_from_slice(&(len as u64).to_be_bytes());
    }
    frame.extend_from_slice(&MASK_KEY);
    frame.extend(
        payload
            .iter()
            .enumerate()
            .map(|(i, byte)| byte ^ MASK_KEY[i % 4]),
    );
    frame
}

/// The payload every load client sends: bytes that differ from one
/// position to the next.
pub fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + 3) as u8).collect()
}

/// The head of a frame from the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Head {
    fin: bool,
    opcode: u8,
    /// Bytes of the head itself.
    head_len: usize,
    payload_len: u64,
}

/// Reads the frame head at the start of `buf`; `None` when `buf` does not
/// hold all of it yet.
fn parse_head(buf: &[u8]) -> io::Result<Option<Head>> {
    let [b0, b1, ..] = *buf else {
        return Ok(None);
    };
    if b1 & 0x80 != 0 {
        return Err(io::Error::other("the server sent a masked frame"));
    }
    let (head_len, payload_len) = match b1 & 0x7f {
        126 => match buf.get(2..4) {
            Some(len) => (4, u64::from(u16::from_be_bytes([len[0], len[1]]))),
            None => return Ok(None),
        },
        127 => match buf.get(2..10) {
            Some(len) => (10, u64::from_be_bytes(len.try_into().unwrap_or([0; 8]))),
            None => return Ok(None),
        },
        len => (2, u64::from(len)),
    };
    Ok(Some(Head {
        fin: b0 & 0x80 != 0,
        opcode: b0 & 0x0f,
        head_len,
        payload_len,
    }))
}

/// Reads the server's frames on one connection from a fixed buffer,
/// skipping payloads without copying them.
#[derive(Debug)]
pub struct EchoReader {
    buf: Box<[u8]>,
    start: usize,
    end: usize,
}

impl EchoReader {
    /// A reader with a buffer of `capacity` bytes (at least 64).
    pub fn new(capacity: usize) -> EchoReader {
        EchoReader {
            buf: vec![0; capacity.max(64)].into_boxed_slice(),
            start: 0,
            end: 0,
        }
    }

    /// Puts bytes already read from the stream in front of what comes.
    fn preload(&mut self, bytes: &[u8]) {
        if bytes.len() > self.buf.len() {
            let mut bigger = vec![0; bytes.len()].into_boxed_slice();
            bigger.copy_from_slice(bytes);
            self.buf = bigger;
        } else {
            self.buf[..bytes.len()].copy_from_slice(bytes);
        }
        self.start = 0;
        self.end = bytes.len();
    }

    /// Reads one more chunk from `stream`, making room first.
    async fn fill(&mut self, stream: &mut TcpStream) -> io::Result<()> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.buf.len() - self.end < 16 {
            // A frame head lies across the end of the buffer.
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        let n = stream.read(&mut self.buf[self.end..]).await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        self.end += n;
        Ok(())
    }

    /// Reads frames until a whole text or binary message has arrived and
    /// returns its payload's length. With `copy`, the payload is also
    /// appended to it. Control frames are skipped; a close frame is an
    /// error.
    pub async fn read_message(
        &mut self,
        stream: &mut TcpStream,
        mut copy: Option<&mut Vec<u8>>,
    ) -> io::Result<u64> {
        let mut total = 0;
        loop {
            let head = loop {
                if let Some(head) = parse_head(&self.buf[self.start..self.end])? {
                    break head;
                }
                self.fill(stream).await?;
            };
            self.start += head.head_len;
            if head.opcode == 0x8 {
                return Err(io::Error::other("the server sent a close frame"));
            }
            let data = head.opcode < 0x8;
            let mut remaining = head.payload_len;
            while remaining > 0 {
                if self.start == self.end {
                    self.fill(stream).await?;
                }
                let take =
                    (self.end - self.start).min(usize::try_from(remaining).unwrap_or(usize::MAX));
                if data && let Some(copy) = copy.as_deref_mut() {
                    copy.extend_from_slice(&self.buf[self.start..self.start + take]);
                }
                self.start += take;
                remaining -= take as u64;
            }
            if data {
                total += head.payload_len;
                if head.fin {
                    return Ok(total);
                }
            }
        }
    }
}

/// Sends `frame` and reads the echo; with `expected`, checks that the echo
/// is exactly that payload, otherwise only its length (`expected_len`).
pub async fn round_trip(
    stream: &mut TcpStream,
    reader: &mut EchoReader,
    frame: &[u8],
    expected_len: usize,
    expected: Option<&[u8]>,
) -> io::Result<()> {
    stream.write_all(frame).await?;
    let mut copy = expected.map(|payload| Vec::with_capacity(payload.len()));
    let len = reader.read_message(stream, copy.as_mut()).await?;
    if len != expected_len as u64 {
        return Err(io::Error::other(format!(
            "echo of {len} bytes for a message of {expected_len}"
        )));
    }
    if let (Some(copy), Some(expected)) = (copy, expected)
        && copy != expected
    {
        return Err(io::Error::other("the echo differs from the message"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BytesMut;
    use supercell::websocket::{FrameDecoder, FrameEncoder, Incoming, Role};

    #[test]
    fn reads_ws_urls() {
        assert_eq!(
            Target::parse("ws://127.0.0.1:9000/").unwrap(),
            Target {
                host: "127.0.0.1".into(),
                port: 9000,
                path: "/".into()
            }
        );
        let t = Target::parse("ws://localhost").unwrap();
        assert_eq!((t.port, t.path.as_str()), (80, "/"));
        assert!(Target::parse("http://x/").is_err());
        assert!(Target::parse("ws://:80/").is_err());
        assert!(Target::parse("ws://x:y/").is_err());
    }

    #[test]
    fn frames_decode_as_supercell_reads_them() {
        for len in [0, 16, 125, 126, 1024, 65535, 65536, 70000] {
            let payload = payload(len);
            let mut wire = BytesMut::from(&masked_binary_frame(&payload)[..]);
            let mut server = FrameDecoder::new(Role::Server);
            assert_eq!(
                server.decode(&mut wire).unwrap(),
                Some(Incoming::Binary(payload.into())),
                "length {len}"
            );
            assert!(wire.is_empty());
        }
    }

    #[test]
    fn heads_of_server_frames() {
        for len in [0, 16, 125, 126, 1024, 65535, 65536, 70000] {
            let mut wire = BytesMut::new();
            FrameEncoder::new(Role::Server).binary(&payload(len), &mut wire);
            let head = parse_head(&wire).unwrap().unwrap();
            assert_eq!(head.payload_len, len as u64);
            assert_eq!(head.head_len, wire.len() - len);
            assert!(head.fin);
            assert_eq!(head.opcode, 2);
            for cut in 0..head.head_len {
                assert_eq!(parse_head(&wire[..cut]).unwrap(), None);
            }
        }
        assert!(parse_head(&[0x82, 0x81, 0, 0, 0, 0, 0]).is_err());
    }

    /// A server that answers the handshake with its first frame in the
    /// same write, then sends a message in fragments with a ping between
    /// them, a byte per write.
    #[tokio::test]
    async fn reads_fragments_control_frames_and_bytes_after_the_head() {
        use tokio::net::TcpListener;

        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            while memmem::find(&request, b"\r\n\r\n").is_none() {
                let mut chunk = [0u8; 512];
                let n = stream.read(&mut chunk).await.unwrap();
                request.extend_from_slice(&chunk[..n]);
            }
            let encoder = FrameEncoder::new(Role::Server);
            let mut first = BytesMut::from(
                format!(
                    "HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: {}\r\n\r\n",
                    accept_key(HANDSHAKE_KEY)
                )
                .as_bytes(),
            );
            encoder.binary(&payload(300), &mut first);
            stream.write_all(&first).await.unwrap();
            let whole = payload(70000);
            let mut wire = BytesMut::new();
            encoder
                .frame(
                    supercell::websocket::OpCode::Binary,
                    false,
                    false,
                    &whole[..5],
                    &mut wire,
                )
                .unwrap();
            encoder.ping(b"hi", &mut wire).unwrap();
            encoder
                .frame(
                    supercell::websocket::OpCode::Continuation,
                    true,
                    false,
                    &whole[5..],
                    &mut wire,
                )
                .unwrap();
            for byte in &wire[..200] {
                stream.write_all(&[*byte]).await.unwrap();
            }
            stream.write_all(&wire[200..]).await.unwrap();
            wire.clear();
            encoder.close(None, "", &mut wire).unwrap();
            stream.write_all(&wire).await.unwrap();
        });
        let target = Target::parse(&format!("ws://127.0.0.1:{port}/")).unwrap();
        let (mut stream, mut reader) = connect(&target, 4096).await.unwrap();
        let mut copy = Vec::new();
        assert_eq!(
            reader
                .read_message(&mut stream, Some(&mut copy))
                .await
                .unwrap(),
            300
        );
        assert_eq!(copy, payload(300));
        copy.clear();
        assert_eq!(
            reader
                .read_message(&mut stream, Some(&mut copy))
                .await
                .unwrap(),
            70000
        );
        assert_eq!(copy, payload(70000));
        assert!(reader.read_message(&mut stream, None).await.is_err());
        server.await.unwrap();
    }

    #[test]
    fn checks_the_switching_response() {
        let good = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
             sec-websocket-accept: {}\r\n\r\n",
            accept_key(HANDSHAKE_KEY)
        );
        assert!(check_switching(good.as_bytes()).is_ok());
        assert!(check_switching(b"HTTP/1.1 400 Bad Request\r\n\r\n").is_err());
        assert!(check_switching(b"HTTP/1.1 101 OK\r\nSec-WebSocket-Accept: x\r\n\r\n").is_err());
    }
}
