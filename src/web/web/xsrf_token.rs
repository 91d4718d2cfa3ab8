//! The XSRF token codec of Tornado's `RequestHandler.xsrf_token` and
//! `check_xsrf_cookie`.
//!
//! A raw token is random bytes ([`XSRF_TOKEN_LEN`] of them when made here).
//! Version 2, the form handed out, is `2|<mask>|<masked token>|<timestamp>`:
//! a fresh random 4-byte mask, the token XORed with the mask repeated, both
//! in lowercase hex, and the decimal timestamp at which the token was made.
//! A new mask for every page keeps the token from being a fixed string that
//! compression could leak (BREACH). Version 1, the legacy form, is the raw
//! token in hex.

use super::hex::{hex_decode, hex_encode};

/// Bytes in a newly made raw token (Tornado's 16).
pub const XSRF_TOKEN_LEN: usize = 16;

/// Bytes in a version 2 mask.
const MASK_LEN: usize = 4;

/// The form of an XSRF token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum XsrfTokenVersion {
    /// The raw token as hex, unmasked, without a timestamp (Tornado's
    /// `xsrf_cookie_version` 1).
    V1,
    /// `2|mask|masked token|timestamp`. The default.
    #[default]
    V2,
}

/// A token read by [`decode_xsrf_token`]: Tornado's
/// `(version, token, timestamp)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedXsrfToken {
    /// The form the token was in.
    pub version: XsrfTokenVersion,
    /// The raw token, never empty.
    pub token: Vec<u8>,
    /// When the token was made, in seconds since the epoch; `None` for
    /// version 1, which does not record it (Tornado uses the current time).
    pub timestamp: Option<i64>,
}

/// Why a token could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum XsrfTokenError {
    /// The token was empty.
    #[error("empty XSRF token")]
    Empty,
    /// The token starts with a version number (`N|`) other than 2.
    #[error("unsupported XSRF token version")]
    UnsupportedVersion,
    /// A version 2 token without exactly four `|`-separated fields.
    #[error("a version 2 XSRF token has four fields")]
    WrongFieldCount,
    /// The mask is not hex or is shorter than 4 bytes.
    #[error("bad XSRF token mask")]
    BadMask,
    /// The masked token is not hex.
    #[error("masked XSRF token is not hex")]
    BadHex,
    /// The timestamp is not a decimal number.
    #[error("bad XSRF token timestamp")]
    BadTimestamp,
    /// The token decodes to no bytes, which can never match (Tornado's
    /// `check_xsrf_cookie` rejects it as an invalid format).
    #[error("XSRF token decodes to nothing")]
    EmptyToken,
}

/// A new random raw token.
pub fn new_xsrf_token() -> [u8; XSRF_TOKEN_LEN] {
    rand::random()
}

/// Encodes a raw token in the given form; version 2 gets a fresh random
/// mask. `timestamp` is the time the raw token was made, in seconds since
/// the epoch (version 1 leaves it out).
pub fn encode_xsrf_token(token: &[u8], timestamp: i64, version: XsrfTokenVersion) -> String {
    match version {
        XsrfTokenVersion::V1 => hex_encode(token),
        XsrfTokenVersion::V2 => encode_xsrf_token_with_mask(token, timestamp, rand::random()),
    }
}

/// Encodes a raw token in version 2 with the given mask:
/// `2|hex(mask)|hex(token ^ mask)|timestamp`. The mask must be random for
/// the masking to protect anything; this form exists for tests and for
/// callers with their own random source.
pub fn encode_xsrf_token_with_mask(token: &[u8], timestamp: i64, mask: [u8; 4]) -> String {
    format!(
        "2|{}|{}|{timestamp}",
        hex_encode(&mask),
        hex_encode(&apply_mask(&mask, token))
    )
}

/// Reads an XSRF cookie or a submitted token (form field `_xsrf`, header
/// `X-XSRFToken` or `X-CSRFToken`) as Tornado 5.0 does.
///
/// A value starting with a decimal version number and `|` must be version
/// 2: four fields, the mask and masked token in hex of either case, the
/// mask at least 4 bytes (only the first 4 are used). Anything else is
/// version 1: hex is decoded, and a value that is not hex is itself the
/// raw token.
///
/// # Errors
///
/// An [`XsrfTokenError`] for an empty value, an unsupported version, a
/// version 2 token that does not parse, or a token that decodes to nothing.
pub fn decode_xsrf_token(value: impl AsRef<[u8]>) -> Result<DecodedXsrfToken, XsrfTokenError> {
    let value = value.as_ref();
    if value.is_empty() {
        return Err(XsrfTokenError::Empty);
    }
    let digits = value.iter().take_while(|b| b.is_ascii_digit()).count();
    let versioned = digits > 0 && value[0] != b'0' && value.get(digits) == Some(&b'|');
    let decoded = if versioned {
        if &value[..digits] != b"2" {
            return Err(XsrfTokenError::UnsupportedVersion);
        }
        decode_v2(value)?
    } else {
        DecodedXsrfToken {
            version: XsrfTokenVersion::V1,
            token: hex_decode(value).unwrap_or_else(|| value.to_vec()),
            timestamp: None,
        }
    };
    if decoded.token.is_empty() {
        return Err(XsrfTokenError::EmptyToken);
    }
    Ok(decoded)
}

/// Compares two raw tokens in time that depends on their lengths only, not
/// on where they differ.
pub fn xsrf_tokens_equal(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a
        .iter()
        .zip(b)
        .fold(0u8, |acc, (x, y)| std::hint::black_box(acc | (x ^ y)));
    difference == 0
}

fn decode_v2(value: &[u8]) -> Result<DecodedXsrfToken, XsrfTokenError> {
    let mut fields = value.split(|&b| b == b'|');
    let (Some(_version), Some(mask), Some(masked), Some(timestamp), None) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return Err(XsrfTokenError::WrongFieldCount);
    };
    let mask = hex_decode(mask).ok_or(XsrfTokenError::BadMask)?;
    let mask: [u8; MASK_LEN] = mask
        .get(..MASK_LEN)
        .and_then(|m| m.try_into().ok())
        .ok_or(XsrfTokenError::BadMask)?;
    let masked = hex_decode(masked).ok_or(XsrfTokenError::BadHex)?;
    let timestamp = parse_timestamp(timestamp).ok_or(XsrfTokenError::BadTimestamp)?;
    Ok(DecodedXsrfToken {
        version: XsrfTokenVersion::V2,
        token: apply_mask(&mask, &masked),
        timestamp: Some(timestamp),
    })
}

/// XORs `data` with `mask` repeated (masking and unmasking alike).
fn apply_mask(mask: &[u8; MASK_LEN], data: &[u8]) -> Vec<u8> {
    data.iter()
        .zip(mask.iter().cycle())
        .map(|(b, m)| b ^ m)
        .collect()
}

/// Optional `-`, then ASCII digits, within `i64`.
fn parse_timestamp(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', digits)) => (true, digits),
        _ => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let magnitude = digits.iter().try_fold(0i64, |n, &d| {
        if d.is_ascii_digit() {
            n.checked_mul(10)?.checked_add(i64::from(d - b'0'))
        } else {
            None
        }
    })?;
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_is_its_own_inverse() {
        let mask = [1, 2, 3, 4];
        let data: Vec<u8> = (0..11).collect();
        assert_eq!(apply_mask(&mask, &apply_mask(&mask, &data)), data);
        assert_eq!(apply_mask(&mask, &[0; 6]), [1, 2, 3, 4, 1, 2]);
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp(b"123"), Some(123));
        assert_eq!(parse_timestamp(b"-5"), Some(-5));
        assert_eq!(parse_timestamp(b"99999999999999999999"), None);
        for bad in [&b""[..], b"-", b"+1", b" 1", b"1a"] {
            assert_eq!(parse_timestamp(bad), None);
        }
    }

    #[test]
    fn equality_needs_equal_lengths_and_bytes() {
        assert!(xsrf_tokens_equal(b"abc", b"abc"));
        assert!(xsrf_tokens_equal(b"", b""));
        assert!(!xsrf_tokens_equal(b"abc", b"abd"));
        assert!(!xsrf_tokens_equal(b"abc", b"ab"));
    }

    #[test]
    fn round_trip() {
        let token = new_xsrf_token();
        for version in [XsrfTokenVersion::V1, XsrfTokenVersion::V2] {
            let decoded = decode_xsrf_token(encode_xsrf_token(&token, 42, version)).unwrap();
            assert_eq!(decoded.token, token);
            assert_eq!(decoded.version, version);
        }
    }
}
