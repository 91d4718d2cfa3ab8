//! WebSocket (RFC 6455): the opening handshake, and negotiating
//! permessage-deflate (RFC 7692).
//!
//! ```
//! use supercell::websocket::accept_key;
//!
//! // RFC 6455's sample key and the answer it asks for.
//! assert_eq!(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
//! ```

mod deflate;
mod extensions;
mod handshake;

pub use deflate::{InflateError, MessageDeflater, MessageInflater};
pub use extensions::{
    CompressionOptions, DeflateParams, ExtensionError, ExtensionOffer, check_deflate_answer,
    deflate_offer, negotiate_deflate, parse_extensions,
};
pub use handshake::{
    CLIENT_VERSION, HandshakeError, SUPPORTED_VERSIONS, UpgradeRequest, accept_key,
    check_switching_response, check_upgrade_request, new_key, switching_headers,
    upgrade_request_headers,
};
