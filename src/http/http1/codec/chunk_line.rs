//! The lines of a chunked body (RFC 9112 §7.1): chunk-size lines with
//! their extensions, and trailer fields.

use super::ParseError;
use super::framing::is_token_byte;
use super::head::is_control;

/// The longest chunk-size line (size and extensions) accepted.
pub(super) const MAX_CHUNK_LINE: usize = 4096;

/// Parses a chunk-size line without its CRLF: `1*HEXDIG` (upper or lower
/// case, leading zeros allowed, no sign, `0x` or `_`, at most 64 bits),
/// then optionally `BWS ";"` and extensions, which are ignored but may not
/// hold control bytes.
pub(super) fn parse_chunk_size(line: &[u8]) -> Result<u64, ParseError> {
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 {
        return Err(ParseError::BadChunkSize);
    }
    let size = line[..digits].iter().try_fold(0u64, |size, &b| {
        let digit = char::from(b)
            .to_digit(16)
            .map(u64::from)
            .unwrap_or_default();
        size.checked_mul(16)
            .and_then(|size| size.checked_add(digit))
            .ok_or(ParseError::BadChunkSize)
    })?;
    let rest = &line[digits..];
    if rest.is_empty() {
        return Ok(size);
    }
    let ext = rest.trim_ascii_start();
    let whitespace_only = rest[..rest.len() - ext.len()]
        .iter()
        .all(|&b| b == b' ' || b == b'\t');
    match ext.split_first() {
        Some((b';', ext)) if whitespace_only && !ext.iter().any(|&b| is_control(b)) => Ok(size),
        _ => Err(ParseError::BadChunkSize),
    }
}

/// Checks one trailer field line (without its CRLF): a token name, a
/// colon, a value without control bytes. Trailers are then dropped.
pub(super) fn check_trailer_line(line: &[u8]) -> Result<(), ParseError> {
    let colon = memchr::memchr(b':', line).ok_or(ParseError::BadTrailer)?;
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    if name.is_empty() || !name.iter().all(|&b| is_token_byte(b)) {
        return Err(ParseError::BadTrailer);
    }
    if value.iter().any(|&b| is_control(b)) {
        return Err(ParseError::BadTrailer);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_strict_hex() {
        assert_eq!(parse_chunk_size(b"5"), Ok(5));
        assert_eq!(parse_chunk_size(b"1aF"), Ok(0x1af));
        assert_eq!(parse_chunk_size(b"0000000000000000000010"), Ok(16));
        assert_eq!(parse_chunk_size(b"FFFFFFFFFFFFFFFF"), Ok(u64::MAX));
        for bad in [
            &b""[..],
            b"5x",
            b"0x5",
            b"1_0",
            b"-5",
            b"+5",
            b" 5",
            b"5 ",
            b"FFFFFFFFFFFFFFFFFFFFF1",
            b"10000000000000000",
            b"5\r",
            b"5\0",
        ] {
            assert_eq!(
                parse_chunk_size(bad),
                Err(ParseError::BadChunkSize),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn extensions_are_ignored() {
        assert_eq!(parse_chunk_size(b"5;name=value"), Ok(5));
        assert_eq!(parse_chunk_size(b"5 ; name=\"quoted\""), Ok(5));
        assert_eq!(parse_chunk_size(b"5\t;a;b=c"), Ok(5));
        assert_eq!(parse_chunk_size(b"5;a=\x01"), Err(ParseError::BadChunkSize));
        assert_eq!(parse_chunk_size(b"5 x;a"), Err(ParseError::BadChunkSize));
    }

    #[test]
    fn trailer_lines() {
        assert_eq!(check_trailer_line(b"Expires: never"), Ok(()));
        assert_eq!(check_trailer_line(b"X-Empty:"), Ok(()));
        assert_eq!(check_trailer_line(b"no colon"), Err(ParseError::BadTrailer));
        assert_eq!(check_trailer_line(b": v"), Err(ParseError::BadTrailer));
        assert_eq!(check_trailer_line(b"A B: v"), Err(ParseError::BadTrailer));
        assert_eq!(
            check_trailer_line(b" folded: v"),
            Err(ParseError::BadTrailer)
        );
        assert_eq!(check_trailer_line(b"A: v\0"), Err(ParseError::BadTrailer));
    }
}
