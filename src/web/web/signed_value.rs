//! Signed, timestamped values: Tornado's secure-cookie format, versions 1
//! and 2, byte for byte.
//!
//! Version 2 (the default) is
//! `2|<len>:<key version>|<len>:<timestamp>|<len>:<name>|<len>:<base64 value>|<signature>`,
//! each length the decimal byte count of the field after it, and the
//! signature the lowercase hex HMAC-SHA256 of everything before it (the last
//! `|` included). Version 1 is `<base64 value>|<timestamp>|<signature>`, the
//! signature the lowercase hex HMAC-SHA1 of the name, the base64 value and
//! the timestamp run together.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ring::hmac;

use super::hex::{hex_decode_lower, hex_encode};

/// Seconds in a day, for `max_age_days`.
const SECONDS_PER_DAY: f64 = 86_400.0;

/// How far in the future a version 1 timestamp may be before the value is
/// taken for tampered: 31 days (fixed, whatever `max_age_days` is).
const V1_MAX_FUTURE_SECONDS: f64 = 31.0 * SECONDS_PER_DAY;

/// The format of a signed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum SignedValueVersion {
    /// `value|timestamp|signature` with HMAC-SHA1. Kept for reading old
    /// cookies: its signature does not separate the fields, so decoding
    /// has to guard against digits moved between the value and the
    /// timestamp.
    V1,
    /// Length-prefixed fields with the name and a key version, signed with
    /// HMAC-SHA256. The default.
    #[default]
    V2,
}

impl SignedValueVersion {
    /// The version's number, as written in the value (`1` or `2`).
    pub fn number(self) -> u32 {
        match self {
            SignedValueVersion::V1 => 1,
            SignedValueVersion::V2 => 2,
        }
    }
}

impl fmt::Display for SignedValueVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number())
    }
}

/// The newest signed value version this crate reads and writes (Tornado's
/// `MAX_SUPPORTED_SIGNED_VALUE_VERSION`).
pub const MAX_SUPPORTED_SIGNED_VALUE_VERSION: SignedValueVersion = SignedValueVersion::V2;

/// The version [`create_signed_value`] is normally asked for (Tornado's
/// `DEFAULT_SIGNED_VALUE_VERSION`). Default: version 2.
pub const DEFAULT_SIGNED_VALUE_VERSION: SignedValueVersion = SignedValueVersion::V2;

/// The oldest version [`decode_signed_value`] is normally asked to accept
/// (Tornado's `DEFAULT_SIGNED_VALUE_MIN_VERSION`). Default: version 1, so
/// both versions are read.
pub const DEFAULT_SIGNED_VALUE_MIN_VERSION: SignedValueVersion = SignedValueVersion::V1;

/// How old a signed value may be, in days, before decoding rejects it, as
/// Tornado's `get_secure_cookie`. Default: 31.
pub const DEFAULT_MAX_AGE_DAYS: f64 = 31.0;

/// The secret (or secrets) that sign values: Tornado's `cookie_secret`
/// setting, with its `key_version` setting for versioned secrets.
///
/// The secret bytes are never shown by `Debug`.
#[derive(Clone)]
pub enum CookieSecret {
    /// One secret signs and verifies everything. Version 2 values made with
    /// it carry key version 0; the key version of a value read is ignored.
    Single(Vec<u8>),
    /// Several secrets by key version, so that secrets can be rotated:
    /// values are signed with the secret of `key_version` and carry that
    /// number; a value is verified with the secret of the key version it
    /// carries. Only version 2 values can be made or read with these.
    Versioned {
        /// The secret of each key version.
        secrets: BTreeMap<u32, Vec<u8>>,
        /// The key version new values are signed with.
        key_version: u32,
    },
}

impl CookieSecret {
    /// A single secret.
    pub fn single(secret: impl Into<Vec<u8>>) -> Self {
        CookieSecret::Single(secret.into())
    }

    /// Versioned secrets, signing with `key_version`, which must be one of
    /// them ([`SignedValueError::UnknownKeyVersion`] otherwise).
    pub fn versioned<I, S>(secrets: I, key_version: u32) -> Result<Self, SignedValueError>
    where
        I: IntoIterator<Item = (u32, S)>,
        S: Into<Vec<u8>>,
    {
        let secrets: BTreeMap<u32, Vec<u8>> =
            secrets.into_iter().map(|(v, s)| (v, s.into())).collect();
        if !secrets.contains_key(&key_version) {
            return Err(SignedValueError::UnknownKeyVersion(key_version));
        }
        Ok(CookieSecret::Versioned {
            secrets,
            key_version,
        })
    }

    /// The key version new values are signed with: `None` for a single
    /// secret (its values carry key version 0).
    pub fn key_version(&self) -> Option<u32> {
        match self {
            CookieSecret::Single(_) => None,
            CookieSecret::Versioned { key_version, .. } => Some(*key_version),
        }
    }

    /// The key version written into a version 2 value and its secret.
    fn signing_secret(&self) -> Result<(u32, &[u8]), SignedValueError> {
        match self {
            CookieSecret::Single(secret) => Ok((0, secret)),
            CookieSecret::Versioned {
                secrets,
                key_version,
            } => secrets
                .get(key_version)
                .map(|secret| (*key_version, secret.as_slice()))
                .ok_or(SignedValueError::UnknownKeyVersion(*key_version)),
        }
    }

    /// The secret that verifies a version 2 value carrying `key_version`.
    fn verifying_secret(&self, key_version: u32) -> Result<&[u8], SignedValueError> {
        match self {
            CookieSecret::Single(secret) => Ok(secret),
            CookieSecret::Versioned { secrets, .. } => secrets
                .get(&key_version)
                .map(Vec::as_slice)
                .ok_or(SignedValueError::UnknownKeyVersion(key_version)),
        }
    }

    /// The secret of version 1 values, which only a single secret has.
    fn v1_secret(&self) -> Result<&[u8], SignedValueError> {
        match self {
            CookieSecret::Single(secret) => Ok(secret),
            CookieSecret::Versioned { .. } => Err(SignedValueError::VersionedSecretWithV1),
        }
    }
}

impl fmt::Debug for CookieSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CookieSecret::Single(_) => f.write_str("Single(<redacted>)"),
            CookieSecret::Versioned {
                secrets,
                key_version,
            } => f
                .debug_struct("Versioned")
                .field("key_versions", &secrets.keys().collect::<Vec<_>>())
                .field("key_version", key_version)
                .finish_non_exhaustive(),
        }
    }
}

impl From<Vec<u8>> for CookieSecret {
    fn from(secret: Vec<u8>) -> Self {
        CookieSecret::Single(secret)
    }
}

impl From<&[u8]> for CookieSecret {
    fn from(secret: &[u8]) -> Self {
        CookieSecret::Single(secret.to_vec())
    }
}

impl From<String> for CookieSecret {
    fn from(secret: String) -> Self {
        CookieSecret::Single(secret.into_bytes())
    }
}

impl From<&str> for CookieSecret {
    fn from(secret: &str) -> Self {
        CookieSecret::Single(secret.as_bytes().to_vec())
    }
}

/// Why a signed value could not be made or was rejected.
///
/// Tornado answers `None` for every rejection; the variants say which check
/// failed. A caller handing the value on to a user should treat them all
/// alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignedValueError {
    /// The value was empty.
    #[error("empty signed value")]
    Empty,
    /// The value does not have the shape of its version: the wrong number
    /// of fields, a bad length prefix, or a timestamp or key version that is
    /// not a decimal number.
    #[error("malformed signed value: {0}")]
    Malformed(&'static str),
    /// The value names a version (3 to 999) this crate does not read.
    #[error("unsupported signed value version {0}")]
    UnsupportedVersion(u32),
    /// The value's version is older than the `min_version` asked for.
    #[error("signed value version {version} is older than the minimum {min_version}")]
    BelowMinVersion {
        /// The version of the value.
        version: u32,
        /// The oldest version accepted.
        min_version: u32,
    },
    /// The signature does not match the secret and the signed fields.
    #[error("invalid signature")]
    BadSignature,
    /// The signature is good, but the value was signed for another name.
    #[error("signed value belongs to another name")]
    NameMismatch,
    /// The timestamp is older than `max_age_days` allows.
    #[error("signed value has expired")]
    Expired,
    /// A version 1 timestamp more than 31 days in the future: digits moved
    /// from the value into the timestamp, which version 1's signature does
    /// not notice.
    #[error("signed value timestamp is in the future")]
    FromFuture,
    /// A version 1 timestamp with a leading zero: a digit moved from the
    /// timestamp into the value, or a value signed at the epoch's first
    /// second, which Tornado rejects too.
    #[error("signed value timestamp has a leading zero")]
    Tampered,
    /// The value carries (or the secret signs with) a key version that has
    /// no secret.
    #[error("no secret for key version {0}")]
    UnknownKeyVersion(u32),
    /// The signed payload is not valid base64.
    #[error("signed value payload is not valid base64")]
    InvalidBase64,
    /// Versioned secrets cannot make or read version 1 values, which carry
    /// no key version.
    #[error("versioned secrets work only with version 2 signed values")]
    VersionedSecretWithV1,
}

/// Signs and timestamps `value` for `name` with the current time: Tornado's
/// `create_signed_value`. See [`create_signed_value_at`].
///
/// # Errors
///
/// As [`create_signed_value_at`].
pub fn create_signed_value(
    secret: &CookieSecret,
    name: &str,
    value: impl AsRef<[u8]>,
    version: SignedValueVersion,
) -> Result<String, SignedValueError> {
    create_signed_value_at(secret, name, value, version, SystemTime::now())
}

/// Signs `value` for `name` with the timestamp `now` (whole seconds since
/// the epoch, truncated toward zero).
///
/// The name is written as it is; in version 2 its length prefix counts
/// bytes (as Tornado does for a `bytes` name).
///
/// # Errors
///
/// [`SignedValueError::VersionedSecretWithV1`] for version 1 with versioned
/// secrets; [`SignedValueError::UnknownKeyVersion`] when versioned secrets
/// have no secret for their `key_version`.
pub fn create_signed_value_at(
    secret: &CookieSecret,
    name: &str,
    value: impl AsRef<[u8]>,
    version: SignedValueVersion,
    now: SystemTime,
) -> Result<String, SignedValueError> {
    let timestamp = unix_seconds_truncated(now).to_string();
    let value = BASE64.encode(value.as_ref());
    match version {
        SignedValueVersion::V1 => {
            let key = secret.v1_secret()?;
            let signature = sign_v1(key, name.as_bytes(), value.as_bytes(), timestamp.as_bytes());
            Ok(format!(
                "{value}|{timestamp}|{}",
                hex_encode(signature.as_ref())
            ))
        }
        SignedValueVersion::V2 => {
            let (key_version, key) = secret.signing_secret()?;
            let key_version = key_version.to_string();
            let mut signed = String::with_capacity(32 + name.len() + value.len() + 64);
            signed.push_str("2|");
            for field in [key_version.as_str(), &timestamp, name, &value] {
                signed.push_str(&field.len().to_string());
                signed.push(':');
                signed.push_str(field);
                signed.push('|');
            }
            let signature = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), signed.as_bytes());
            signed.push_str(&hex_encode(signature.as_ref()));
            Ok(signed)
        }
    }
}

/// Checks and unpacks a signed value with the current time: Tornado's
/// `decode_signed_value`. See [`decode_signed_value_at`].
///
/// # Errors
///
/// As [`decode_signed_value_at`].
pub fn decode_signed_value(
    secret: &CookieSecret,
    name: &str,
    value: impl AsRef<[u8]>,
    max_age_days: f64,
    min_version: SignedValueVersion,
) -> Result<Vec<u8>, SignedValueError> {
    decode_signed_value_at(
        secret,
        name,
        value,
        max_age_days,
        min_version,
        SystemTime::now(),
    )
}

/// Checks a signed value made for `name` at time `now` and returns the
/// bytes that were signed.
///
/// The value must be signed by `secret`, be at most `max_age_days` old
/// (exactly that old still passes), and be of version `min_version` or
/// newer; version 1 values also may not be more than 31 days in the
/// future. The version is read from the value as Tornado does: a leading
/// decimal number below 1000 followed by `|`, else version 1.
///
/// Signatures are compared in constant time.
///
/// # Errors
///
/// A [`SignedValueError`] saying which check failed.
pub fn decode_signed_value_at(
    secret: &CookieSecret,
    name: &str,
    value: impl AsRef<[u8]>,
    max_age_days: f64,
    min_version: SignedValueVersion,
    now: SystemTime,
) -> Result<Vec<u8>, SignedValueError> {
    let value = value.as_ref();
    if value.is_empty() {
        return Err(SignedValueError::Empty);
    }
    let version = value_version(value);
    if version < min_version.number() {
        return Err(SignedValueError::BelowMinVersion {
            version,
            min_version: min_version.number(),
        });
    }
    let now = unix_seconds_f64(now);
    match version {
        1 => decode_v1(secret, name, value, max_age_days, now),
        2 => decode_v2(secret, name, value, max_age_days, now),
        other => Err(SignedValueError::UnsupportedVersion(other)),
    }
}

/// The key version a version 2 (or newer) signed value carries, without
/// checking its signature: Tornado's `get_signature_key_version`. `None`
/// for version 1 values and for values whose fields cannot be read.
pub fn get_signature_key_version(value: impl AsRef<[u8]>) -> Option<u32> {
    let value = value.as_ref();
    if value_version(value) < 2 {
        return None;
    }
    V2Fields::parse(value).ok().map(|fields| fields.key_version)
}

/// The version a value claims: a decimal number without leading zeros and
/// below 1000, followed by `|`; anything else is version 1, whose base64
/// can look like a longer number.
fn value_version(value: &[u8]) -> u32 {
    let digits = value.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 3 || value[0] == b'0' || value.get(digits) != Some(&b'|') {
        return 1;
    }
    value[..digits]
        .iter()
        .fold(0, |n, d| n * 10 + u32::from(d - b'0'))
}

fn decode_v1(
    secret: &CookieSecret,
    name: &str,
    value: &[u8],
    max_age_days: f64,
    now: f64,
) -> Result<Vec<u8>, SignedValueError> {
    let mut parts = value.split(|&b| b == b'|');
    let (Some(payload), Some(timestamp), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(SignedValueError::Malformed("version 1 needs three fields"));
    };
    let key = secret.v1_secret()?;
    let tag = hex_decode_lower(signature).ok_or(SignedValueError::BadSignature)?;
    let mut signed = Vec::with_capacity(name.len() + payload.len() + timestamp.len());
    signed.extend_from_slice(name.as_bytes());
    signed.extend_from_slice(payload);
    signed.extend_from_slice(timestamp);
    hmac::verify(
        &hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, key),
        &signed,
        &tag,
    )
    .map_err(|_| SignedValueError::BadSignature)?;

    let seconds = parse_timestamp(timestamp)
        .ok_or(SignedValueError::Malformed("timestamp is not a number"))?;
    check_age(seconds, max_age_days, now)?;
    if seconds as f64 > now + V1_MAX_FUTURE_SECONDS {
        return Err(SignedValueError::FromFuture);
    }
    if timestamp.starts_with(b"0") {
        return Err(SignedValueError::Tampered);
    }
    BASE64
        .decode(payload)
        .map_err(|_| SignedValueError::InvalidBase64)
}

fn decode_v2(
    secret: &CookieSecret,
    name: &str,
    value: &[u8],
    max_age_days: f64,
    now: f64,
) -> Result<Vec<u8>, SignedValueError> {
    let fields = V2Fields::parse(value)?;
    let key = secret.verifying_secret(fields.key_version)?;
    let tag = hex_decode_lower(fields.signature).ok_or(SignedValueError::BadSignature)?;
    let signed = &value[..value.len() - fields.signature.len()];
    hmac::verify(&hmac::Key::new(hmac::HMAC_SHA256, key), signed, &tag)
        .map_err(|_| SignedValueError::BadSignature)?;
    if fields.name != name.as_bytes() {
        return Err(SignedValueError::NameMismatch);
    }
    let seconds = parse_timestamp(fields.timestamp)
        .ok_or(SignedValueError::Malformed("timestamp is not a number"))?;
    check_age(seconds, max_age_days, now)?;
    BASE64
        .decode(fields.payload)
        .map_err(|_| SignedValueError::InvalidBase64)
}

/// Rejects a timestamp more than `max_age_days` before `now`.
fn check_age(seconds: i64, max_age_days: f64, now: f64) -> Result<(), SignedValueError> {
    if (seconds as f64) < now - max_age_days * SECONDS_PER_DAY {
        Err(SignedValueError::Expired)
    } else {
        Ok(())
    }
}

/// The fields of a version 2 value, unchecked.
struct V2Fields<'a> {
    key_version: u32,
    timestamp: &'a [u8],
    name: &'a [u8],
    payload: &'a [u8],
    /// Everything after the last field's `|`.
    signature: &'a [u8],
}

impl<'a> V2Fields<'a> {
    /// Splits a value of the form `N|` + four length-prefixed fields +
    /// signature; the first two bytes (the version) are skipped unread.
    fn parse(value: &'a [u8]) -> Result<Self, SignedValueError> {
        let rest = value.get(2..).unwrap_or_default();
        let (key_version, rest) = take_field(rest)?;
        let (timestamp, rest) = take_field(rest)?;
        let (name, rest) = take_field(rest)?;
        let (payload, signature) = take_field(rest)?;
        let key_version = parse_digits(key_version)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or(SignedValueError::Malformed("key version is not a number"))?;
        Ok(V2Fields {
            key_version,
            timestamp,
            name,
            payload,
            signature,
        })
    }
}

/// Splits `<len>:<len bytes>|rest` into the field and the rest.
fn take_field(input: &[u8]) -> Result<(&[u8], &[u8]), SignedValueError> {
    const BAD: SignedValueError = SignedValueError::Malformed("bad length-prefixed field");
    let colon = input.iter().position(|&b| b == b':').ok_or(BAD)?;
    let len = parse_digits(&input[..colon])
        .and_then(|n| usize::try_from(n).ok())
        .ok_or(BAD)?;
    let body = &input[colon + 1..];
    match (body.get(..len), body.get(len)) {
        (Some(field), Some(b'|')) => Ok((field, &body[len + 1..])),
        _ => Err(BAD),
    }
}

/// A non-empty run of ASCII digits as a number; `None` for anything else
/// or on overflow.
fn parse_digits(text: &[u8]) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.iter().try_fold(0u64, |n, &b| {
        if b.is_ascii_digit() {
            n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

/// A timestamp: optional `-`, then ASCII digits. Too large a magnitude
/// saturates, which keeps every comparison with the clock as it would be
/// with the exact number.
fn parse_timestamp(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', digits)) => (true, digits),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let magnitude = digits.iter().fold(0u64, |n, &d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    Some(if negative {
        0i64.saturating_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).unwrap_or(i64::MAX)
    })
}

/// HMAC-SHA1 of the fields of a version 1 value, run together.
fn sign_v1(secret: &[u8], name: &[u8], payload: &[u8], timestamp: &[u8]) -> hmac::Tag {
    let mut context =
        hmac::Context::with_key(&hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret));
    context.update(name);
    context.update(payload);
    context.update(timestamp);
    context.sign()
}

/// Seconds since the epoch, truncated toward zero (Python's `int(time)`).
fn unix_seconds_truncated(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// Seconds since the epoch as a float, negative before it.
fn unix_seconds_f64(time: SystemTime) -> f64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_secs_f64(),
        Err(before) => -before.duration().as_secs_f64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn version_detection_follows_tornado() {
        assert_eq!(value_version(b"2|1:0|"), 2);
        assert_eq!(value_version(b"999|x"), 999);
        assert_eq!(value_version(b"1000|x"), 1);
        assert_eq!(value_version(b"02|x"), 1);
        assert_eq!(value_version(b"2"), 1);
        assert_eq!(value_version(b"abc|1|2"), 1);
        assert_eq!(value_version(b""), 1);
    }

    #[test]
    fn fields_need_exact_lengths_and_pipes() {
        assert_eq!(
            take_field(b"3:abc|rest").unwrap(),
            (&b"abc"[..], &b"rest"[..])
        );
        assert_eq!(take_field(b"0:|").unwrap(), (&b""[..], &b""[..]));
        for bad in [
            &b"3:abcd|"[..],
            b"3:ab|",
            b"3:abc",
            b":abc|",
            b"+3:abc|",
            b"x:abc|",
            b"3abc|",
            b"",
        ] {
            assert!(
                take_field(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(take_field(b"99999999999999999999999:a|").is_err());
    }

    #[test]
    fn timestamps_are_strict_decimal() {
        assert_eq!(parse_timestamp(b"1700000000"), Some(1_700_000_000));
        assert_eq!(parse_timestamp(b"-1"), Some(-1));
        assert_eq!(parse_timestamp(b"99999999999999999999999"), Some(i64::MAX));
        assert_eq!(parse_timestamp(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_timestamp(b"-99999999999999999999999"), Some(i64::MIN));
        for bad in [&b""[..], b"-", b"+1", b" 1", b"1 ", b"1_0", b"0x10"] {
            assert_eq!(parse_timestamp(bad), None);
        }
    }

    #[test]
    fn times_before_the_epoch_truncate_toward_zero() {
        assert_eq!(
            unix_seconds_truncated(UNIX_EPOCH - Duration::from_millis(1500)),
            -1
        );
        assert_eq!(
            unix_seconds_truncated(UNIX_EPOCH + Duration::from_millis(1500)),
            1
        );
        assert_eq!(
            unix_seconds_f64(UNIX_EPOCH - Duration::from_millis(1500)),
            -1.5
        );
    }

    #[test]
    fn round_trip_both_versions() {
        let secret = CookieSecret::from("secret");
        for version in [SignedValueVersion::V1, SignedValueVersion::V2] {
            let signed =
                create_signed_value_at(&secret, "n", b"v", version, at(1_000_000)).unwrap();
            let value = decode_signed_value_at(
                &secret,
                "n",
                &signed,
                31.0,
                SignedValueVersion::V1,
                at(1_000_000),
            );
            assert_eq!(value.unwrap(), b"v");
        }
    }

    #[test]
    fn debug_hides_secrets() {
        let single = CookieSecret::from("hunter2");
        assert!(!format!("{single:?}").contains("hunter2"));
        let versioned = CookieSecret::versioned([(1, "hunter2")], 1).unwrap();
        assert!(!format!("{versioned:?}").contains("hunter2"));
        assert!(format!("{versioned:?}").contains("key_version: 1"));
    }
}
