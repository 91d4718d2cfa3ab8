//! Signed values and XSRF tokens, as Tornado's `tornado.web` makes and
//! checks them: secure cookies (`create_signed_value`,
//! `decode_signed_value`, versions 1 and 2, byte-compatible with Tornado)
//! and the masked XSRF token codec.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use supercell::web::{
//!     CookieSecret, DEFAULT_MAX_AGE_DAYS, DEFAULT_SIGNED_VALUE_MIN_VERSION, SignedValueError,
//!     SignedValueVersion, create_signed_value_at, decode_signed_value_at,
//! };
//!
//! let secret = CookieSecret::from("a long, random sequence of bytes");
//! let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
//! let signed =
//!     create_signed_value_at(&secret, "user", b"alice", SignedValueVersion::V2, now).unwrap();
//! assert!(signed.starts_with("2|1:0|10:1700000000|4:user|8:YWxpY2U=|"));
//!
//! let min = DEFAULT_SIGNED_VALUE_MIN_VERSION;
//! let read = |name: &str, age: Duration| {
//!     decode_signed_value_at(&secret, name, &signed, DEFAULT_MAX_AGE_DAYS, min, now + age)
//! };
//! assert_eq!(read("user", Duration::from_secs(60)).unwrap(), b"alice");
//! assert_eq!(read("admin", Duration::from_secs(60)), Err(SignedValueError::NameMismatch));
//! assert_eq!(read("user", Duration::from_secs(32 * 86_400)), Err(SignedValueError::Expired));
//! ```
//!
//! XSRF tokens are masked anew each time they are handed out, and compare
//! equal once decoded:
//!
//! ```
//! use supercell::web::{
//!     XsrfTokenVersion, decode_xsrf_token, encode_xsrf_token, new_xsrf_token, xsrf_tokens_equal,
//! };
//!
//! let raw = new_xsrf_token();
//! let first = encode_xsrf_token(&raw, 1_700_000_000, XsrfTokenVersion::V2);
//! let second = encode_xsrf_token(&raw, 1_700_000_000, XsrfTokenVersion::V2);
//! let a = decode_xsrf_token(&first).unwrap();
//! let b = decode_xsrf_token(&second).unwrap();
//! assert!(xsrf_tokens_equal(&a.token, &b.token));
//! assert_eq!(a.timestamp, Some(1_700_000_000));
//! ```

mod signed_value;
mod xsrf_token;

pub use signed_value::{
    CookieSecret, DEFAULT_MAX_AGE_DAYS, DEFAULT_SIGNED_VALUE_MIN_VERSION,
    DEFAULT_SIGNED_VALUE_VERSION, MAX_SUPPORTED_SIGNED_VALUE_VERSION, SignedValueError,
    SignedValueVersion, create_signed_value, create_signed_value_at, decode_signed_value,
    decode_signed_value_at, get_signature_key_version,
};
pub use xsrf_token::{
    DecodedXsrfToken, XSRF_TOKEN_LEN, XsrfTokenError, XsrfTokenVersion, decode_xsrf_token,
    encode_xsrf_token, encode_xsrf_token_with_mask, new_xsrf_token, xsrf_tokens_equal,
};
