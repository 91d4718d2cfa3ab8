//! Not a full WebSocket server: the least work a server can do per echoed
//! message, as a reference for the others' cost. After the opening
//! handshake it reads into one fixed buffer and, for each whole frame,
//! unmasks the payload where it lies (supercell's `apply_mask`) and writes
//! a server frame head and the payload in one vectored write. No checks
//! beyond the length, no fragments, no control frames but close, no UTF-8
//! check, no copy: what remains is the system calls and the runtime, which
//! every server here pays the same way, and the unmasking.
//!
//! Usage: floor_echo --port PORT

use std::io::{self, IoSlice};

use supercell::websocket::{accept_key, apply_mask};
use supercell_websocket_bench::args::server_port;
use supercell_websocket_bench::client::read_head;
use supercell_websocket_bench::limits::raise_fd_limit;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The read buffer: room for the largest benchmark message with its head.
const BUFFER: usize = 256 * 1024;

/// Answers the opening handshake; returns what arrived after its head.
async fn handshake(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let (head, end) = read_head(stream).await?;
    let text = std::str::from_utf8(&head[..end]).map_err(io::Error::other)?;
    let key = text
        .split("\r\n")
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("sec-websocket-key")
                .then(|| value.trim())
        })
        .ok_or_else(|| io::Error::other("no Sec-WebSocket-Key"))?;
    let response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n\r\n",
        accept_key(key)
    );
    stream.write_all(response.as_bytes()).await?;
    Ok(head[end..].to_vec())
}

/// The head's length (with its masking key) and the payload's, when `buf`
/// holds a whole client frame head.
fn frame_lengths(buf: &[u8]) -> Option<(usize, usize)> {
    let [_, b1, ..] = *buf else { return None };
    let (len_bytes, len) = match b1 & 0x7f {
        126 => (
            2,
            u64::from(u16::from_be_bytes(buf.get(2..4)?.try_into().ok()?)),
        ),
        127 => (8, u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?)),
        len => (0, u64::from(len)),
    };
    Some((2 + len_bytes + 4, usize::try_from(len).ok()?))
}

/// An unmasked server frame head for a final frame of `opcode_byte`'s
/// opcode with `len` payload bytes; returns the head and its length.
fn server_head(opcode_byte: u8, len: usize) -> ([u8; 10], usize) {
    let mut head = [0u8; 10];
    head[0] = 0x80 | (opcode_byte & 0x0f);
    let used = if len < 126 {
        head[1] = len as u8;
        2
    } else if let Ok(short) = u16::try_from(len) {
        head[1] = 126;
        head[2..4].copy_from_slice(&short.to_be_bytes());
        4
    } else {
        head[1] = 127;
        head[2..10].copy_from_slice(&(len as u64).to_be_bytes());
        10
    };
    (head, used)
}

/// Writes `head` and `payload` with as few vectored writes as it takes.
async fn write_both(stream: &mut TcpStream, head: &[u8], payload: &[u8]) -> io::Result<()> {
    let mut written = 0;
    let total = head.len() + payload.len();
    while written < total {
        let n = if written < head.len() {
            let parts = [IoSlice::new(&head[written..]), IoSlice::new(payload)];
            stream.write_vectored(&parts).await?
        } else {
            stream.write(&payload[written - head.len()..]).await?
        };
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        written += n;
    }
    Ok(())
}

/// Echoes frames on one connection until the peer closes or sends a
/// close frame.
async fn echo(mut stream: TcpStream) -> io::Result<()> {
    let early = handshake(&mut stream).await?;
    if early.len() > BUFFER {
        return Err(io::Error::other(
            "more than a buffer sent with the handshake",
        ));
    }
    let mut buf = vec![0u8; BUFFER];
    buf[..early.len()].copy_from_slice(&early);
    let (mut start, mut end) = (0, early.len());
    loop {
        while let Some((head_len, payload_len)) = frame_lengths(&buf[start..end]) {
            let frame_len = head_len
                .checked_add(payload_len)
                .filter(|&len| len <= BUFFER)
                .ok_or_else(|| io::Error::other("a frame larger than the buffer"))?;
            if end - start < frame_len {
                break;
            }
            let opcode_byte = buf[start];
            if opcode_byte & 0x0f == 0x8 {
                return Ok(());
            }
            if buf[start + 1] & 0x80 == 0 {
                return Err(io::Error::other("an unmasked client frame"));
            }
            let (head, used) = server_head(opcode_byte, payload_len);
            let key: [u8; 4] = buf[start + head_len - 4..start + head_len]
                .try_into()
                .map_err(io::Error::other)?;
            let payload = &mut buf[start + head_len..start + frame_len];
            apply_mask(payload, key, 0);
            write_both(&mut stream, &head[..used], payload).await?;
            start += frame_len;
        }
        if start == end {
            (start, end) = (0, 0);
        } else if buf.len() - start < BUFFER / 2 || end == buf.len() {
            // Room for the rest of the frame under way, at the front.
            buf.copy_within(start..end, 0);
            (start, end) = (0, end - start);
        }
        let n = stream.read(&mut buf[end..]).await?;
        if n == 0 {
            return Ok(());
        }
        end += n;
    }
}

fn main() -> io::Result<()> {
    let port = server_port()?;
    raise_fd_limit()?;
    supercell_websocket_bench::runtime::serve_each(port, |stream| async move {
        let _ = echo(stream).await;
    })
}
