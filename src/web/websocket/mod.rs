//! The WebSocket protocol (RFC 6455), sans-IO: frames read and written on
//! byte buffers, with no sockets and no runtime, for the server and the
//! client role alike. The connection driving it (Tornado's
//! `WebSocketHandler` and `websocket_connect`) feeds it what it reads and
//! writes out what it produces.
//!
//! - Reading: a [`FrameDecoder`] turns bytes into [`Incoming`] messages
//!   and control frames: payloads unmasked in place with
//!   [`apply_mask`] (its portable loop alone is [`apply_mask_scalar`]),
//!   fragments joined, text checked as UTF-8 (also piece by piece with a
//!   [`Utf8Validator`]), the message size limit
//!   ([`DecoderConfig::max_message_size`], 10 MiB by default) applied to
//!   the lengths in frame heads. Every violation is a [`ProtocolError`]
//!   naming the [`CloseCode`] to answer with.
//! - Writing: a [`FrameEncoder`] writes messages, fragments, pings,
//!   pongs and close frames into a [`BytesMut`](bytes::BytesMut),
//!   masking a client's frames with a random key.
//! - The vocabulary: [`Role`], [`OpCode`], [`FrameHead`], [`CloseCode`],
//!   [`CloseFrame`], [`MessageKind`].
//! - The opening handshake: [`check_upgrade_request`] and
//!   [`switching_headers`] for a server, [`upgrade_request_headers`] and
//!   [`check_switching_response`] for a client, [`accept_key`].
//! - permessage-deflate (RFC 7692): [`negotiate_deflate`] and
//!   [`check_deflate_answer`] agree on [`DeflateParams`] from
//!   [`CompressionOptions`]; a [`MessageDeflater`] and a
//!   [`MessageInflater`] compress and inflate (within a size limit).
//!
//! ```
//! use bytes::{Bytes, BytesMut};
//! use supercell::websocket::{CloseCode, CloseFrame, FrameDecoder, FrameEncoder, Incoming, ProtocolError, Role};
//!
//! // A client writes a text message, a ping and a close frame...
//! let client = FrameEncoder::new(Role::Client);
//! let mut wire = BytesMut::new();
//! client.text("hello", &mut wire);
//! client.ping(b"are you there?", &mut wire)?;
//! client.close(Some(CloseCode::NORMAL), "done", &mut wire)?;
//!
//! // ...and the server reads them back, unmasked.
//! let mut server = FrameDecoder::new(Role::Server);
//! assert_eq!(server.decode(&mut wire)?, Some(Incoming::Text(Bytes::from("hello"))));
//! assert_eq!(server.decode(&mut wire)?, Some(Incoming::Ping(Bytes::from("are you there?"))));
//! assert_eq!(
//!     server.decode(&mut wire)?,
//!     Some(Incoming::Close(CloseFrame { code: Some(CloseCode::NORMAL), reason: "done".into() }))
//! );
//!
//! // A server's frames are unmasked, which a server refuses to read.
//! let mut wire = BytesMut::new();
//! FrameEncoder::new(Role::Server).binary(b"\x00\x01", &mut wire);
//! let error = FrameDecoder::new(Role::Server).decode(&mut wire).unwrap_err();
//! assert_eq!(error, ProtocolError::UnmaskedFrame);
//! assert_eq!(error.close_code(), CloseCode::PROTOCOL_ERROR);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod client;
mod close;
mod decode;
mod deflate;
mod encode;
mod error;
mod extensions;
mod frame;
mod handler;
mod handshake;
mod incoming;
mod mask;
mod message;
mod opcode;
mod role;
mod run;
mod socket;
mod utf8;

pub use client::{
    OnControl, OnMessage, WebSocketClientConnection, WebSocketConnectOptions, WebSocketError,
    websocket_connect,
};
pub use close::{CloseCode, CloseFrame, MAX_CLOSE_REASON_LEN};
pub use decode::{DEFAULT_MAX_MESSAGE_SIZE, DecoderConfig, FrameDecoder, MAX_CONTROL_PAYLOAD};
pub use deflate::{InflateError, MessageDeflater, MessageInflater};
pub use encode::FrameEncoder;
pub use error::{EncodeError, ProtocolError};
pub use extensions::{
    CompressionOptions, DeflateParams, ExtensionError, ExtensionOffer, check_deflate_answer,
    deflate_offer, negotiate_deflate, parse_extensions,
};
pub use frame::{FrameHead, MAX_HEAD_LEN};
pub use handler::{WebSocketHandler, WebSocketUpgrade, websocket_url};
pub use handshake::{
    CLIENT_VERSION, HandshakeError, SUPPORTED_VERSIONS, UpgradeRequest, accept_key,
    check_switching_response, check_upgrade_request, new_key, switching_headers,
    upgrade_request_headers,
};
pub use incoming::{Incoming, MessageKind};
pub use mask::{apply_mask, apply_mask_scalar};
pub use message::{Message, Text};
pub use opcode::OpCode;
pub use role::Role;
pub use socket::{WebSocket, WebSocketClosedError, Written};
pub use utf8::Utf8Validator;
