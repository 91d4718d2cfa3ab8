//! [`CloseCode`] and [`CloseFrame`]: the status codes of the closing
//! handshake (RFC 6455 §7.4) and the payload of a close frame.

use std::fmt;

use super::{EncodeError, ProtocolError};
use crate::util::prefix_within;

/// The most bytes a close reason may take: a control frame's 125 bytes of
/// payload less the two of the code.
pub const MAX_CLOSE_REASON_LEN: usize = 123;

/// A close status code. Any `u16` can be held; [`is_valid_on_wire`]
/// says which may appear in a close frame.
///
/// [`is_valid_on_wire`]: CloseCode::is_valid_on_wire
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CloseCode(pub u16);

impl CloseCode {
    /// 1000: the purpose of the connection is fulfilled.
    pub const NORMAL: CloseCode = CloseCode(1000);
    /// 1001: the endpoint is going away (server shutting down, page left).
    pub const GOING_AWAY: CloseCode = CloseCode(1001);
    /// 1002: the peer broke the protocol.
    pub const PROTOCOL_ERROR: CloseCode = CloseCode(1002);
    /// 1003: a kind of data the endpoint cannot accept.
    pub const UNSUPPORTED_DATA: CloseCode = CloseCode(1003);
    /// 1005: no code was in the close frame. Never sent; what a close
    /// without a code is reported as by APIs that always give a code.
    pub const NO_STATUS: CloseCode = CloseCode(1005);
    /// 1006: the connection dropped without a close frame. Never sent.
    pub const ABNORMAL: CloseCode = CloseCode(1006);
    /// 1007: a message's data does not match its type (text that is not
    /// UTF-8).
    pub const INVALID_PAYLOAD: CloseCode = CloseCode(1007);
    /// 1008: a message violates the endpoint's policy.
    pub const POLICY_VIOLATION: CloseCode = CloseCode(1008);
    /// 1009: a message is too big to process.
    pub const MESSAGE_TOO_BIG: CloseCode = CloseCode(1009);
    /// 1010: the client expected an extension the server did not
    /// negotiate.
    pub const MANDATORY_EXTENSION: CloseCode = CloseCode(1010);
    /// 1011: the server met an unexpected condition.
    pub const INTERNAL_ERROR: CloseCode = CloseCode(1011);
    /// 1012: the service is restarting.
    pub const SERVICE_RESTART: CloseCode = CloseCode(1012);
    /// 1013: try again later.
    pub const TRY_AGAIN_LATER: CloseCode = CloseCode(1013);
    /// 1014: a gateway got an invalid response upstream.
    pub const BAD_GATEWAY: CloseCode = CloseCode(1014);
    /// 1015: the TLS handshake failed. Never sent.
    pub const TLS_HANDSHAKE: CloseCode = CloseCode(1015);

    /// The code as a number.
    pub const fn as_u16(self) -> u16 {
        self.0
    }

    /// Whether this code may be sent in, and accepted from, a close
    /// frame: 1000–1003, 1007–1014 and the range 3000–4999 left to
    /// libraries and applications. Codes below 1000, 1004 (reserved),
    /// 1005, 1006 and 1015 (reserved for reporting, never sent),
    /// 1016–2999 (unassigned) and 5000 and above are not.
    pub const fn is_valid_on_wire(self) -> bool {
        matches!(self.0, 1000..=1003 | 1007..=1014 | 3000..=4999)
    }
}

impl From<u16> for CloseCode {
    fn from(code: u16) -> CloseCode {
        CloseCode(code)
    }
}

impl From<CloseCode> for u16 {
    fn from(code: CloseCode) -> u16 {
        code.0
    }
}

impl fmt::Display for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The payload of a close frame: an optional code, then a reason that is
/// empty unless a code is present.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CloseFrame {
    /// The status code, or `None` for an empty payload.
    pub code: Option<CloseCode>,
    /// The reason, UTF-8, at most [`MAX_CLOSE_REASON_LEN`] bytes.
    pub reason: String,
}

impl CloseFrame {
    /// Reads a close frame's (unmasked) payload.
    ///
    /// # Errors
    ///
    /// - [`ProtocolError::CloseFrameTooShort`] (1002) for a one-byte
    ///   payload;
    /// - [`ProtocolError::InvalidCloseCode`] (1002) for a code that may not
    ///   be on the wire;
    /// - [`ProtocolError::InvalidUtf8`] (1007) for a reason that is not
    ///   UTF-8.
    pub fn parse(payload: &[u8]) -> Result<CloseFrame, ProtocolError> {
        let (code, reason) = match payload {
            [] => return Ok(CloseFrame::default()),
            [_] => return Err(ProtocolError::CloseFrameTooShort),
            [high, low, reason @ ..] => (CloseCode(u16::from_be_bytes([*high, *low])), reason),
        };
        if !code.is_valid_on_wire() {
            return Err(ProtocolError::InvalidCloseCode(code.0));
        }
        let reason = simdutf8::basic::from_utf8(reason).map_err(|_| ProtocolError::InvalidUtf8)?;
        Ok(CloseFrame {
            code: Some(code),
            reason: reason.to_owned(),
        })
    }
}

/// Writes the payload of a close frame with `code` and `reason` to `out`.
/// A reason without a code is sent with [`CloseCode::NORMAL`]; a reason
/// longer than [`MAX_CLOSE_REASON_LEN`] bytes is cut at the last character
/// boundary that fits.
pub(super) fn close_payload(code: Option<CloseCode>, reason: &str) -> Result<Vec<u8>, EncodeError> {
    let code = match code {
        Some(code) => code,
        None if reason.is_empty() => return Ok(Vec::new()),
        None => CloseCode::NORMAL,
    };
    if !code.is_valid_on_wire() {
        return Err(EncodeError::InvalidCloseCode(code.0));
    }
    let reason = prefix_within(reason, MAX_CLOSE_REASON_LEN);
    let mut payload = Vec::with_capacity(2 + reason.len());
    payload.extend_from_slice(&code.0.to_be_bytes());
    payload.extend_from_slice(reason.as_bytes());
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_on_the_wire() {
        for code in 0..=u16::MAX {
            let valid = CloseCode(code).is_valid_on_wire();
            let expected = matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999);
            assert_eq!(valid, expected, "{code}");
        }
        for code in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, u16::MAX] {
            assert!(!CloseCode(code).is_valid_on_wire(), "{code}");
        }
        for code in [1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4999] {
            assert!(CloseCode(code).is_valid_on_wire(), "{code}");
        }
    }

    #[test]
    fn parse_close_payloads() {
        assert_eq!(CloseFrame::parse(b""), Ok(CloseFrame::default()));
        assert_eq!(
            CloseFrame::parse(b"\x03"),
            Err(ProtocolError::CloseFrameTooShort)
        );
        assert_eq!(
            CloseFrame::parse(b"\x03\xe8"),
            Ok(CloseFrame {
                code: Some(CloseCode::NORMAL),
                reason: String::new()
            })
        );
        assert_eq!(
            CloseFrame::parse(b"\x0f\xa0bye \xc3\xa9"),
            Ok(CloseFrame {
                code: Some(CloseCode(4000)),
                reason: "bye é".into()
            })
        );
        assert_eq!(
            CloseFrame::parse(b"\x03\xed"),
            Err(ProtocolError::InvalidCloseCode(1005))
        );
        assert_eq!(
            CloseFrame::parse(b"\x00\x00"),
            Err(ProtocolError::InvalidCloseCode(0))
        );
        assert_eq!(
            CloseFrame::parse(b"\x03\xe8\xc3"),
            Err(ProtocolError::InvalidUtf8)
        );
        assert_eq!(
            CloseFrame::parse(b"\x03\xe8\xff"),
            Err(ProtocolError::InvalidUtf8)
        );
        assert_eq!(
            CloseFrame::parse(b"\x03\xe8\xff").unwrap_err().close_code(),
            CloseCode(1007)
        );
    }

    #[test]
    fn close_payloads_written() {
        assert_eq!(close_payload(None, ""), Ok(vec![]));
        assert_eq!(close_payload(None, "x"), Ok(b"\x03\xe8x".to_vec()));
        assert_eq!(
            close_payload(Some(CloseCode(4001)), ""),
            Ok(b"\x0f\xa1".to_vec())
        );
        assert_eq!(
            close_payload(Some(CloseCode(1006)), ""),
            Err(EncodeError::InvalidCloseCode(1006))
        );
        let long = "é".repeat(100);
        let payload = close_payload(Some(CloseCode::GOING_AWAY), &long).unwrap();
        assert_eq!(payload.len(), 2 + 122);
        assert_eq!(CloseFrame::parse(&payload).unwrap().reason, "é".repeat(61));
        let exact = "a".repeat(MAX_CLOSE_REASON_LEN);
        assert_eq!(
            close_payload(Some(CloseCode::NORMAL), &exact)
                .unwrap()
                .len(),
            125
        );
        let over = "a".repeat(MAX_CLOSE_REASON_LEN + 1);
        assert_eq!(
            close_payload(Some(CloseCode::NORMAL), &over).unwrap().len(),
            125
        );
    }

    #[test]
    fn truncation_never_splits_a_character() {
        let text = "a€b𝄞c";
        for max in 0..=text.len() + 1 {
            let cut = prefix_within(text, max);
            assert!(cut.len() <= max && text.starts_with(cut));
            assert!(cut.len() + 4 > max.min(text.len()));
        }
    }
}
