//! Negotiating permessage-deflate (RFC 7692): reading the offers in a
//! client's `Sec-WebSocket-Extensions`, choosing the parameters the
//! server answers with, and checking that answer on the client.

use std::fmt;

/// The extension's name.
const PERMESSAGE_DEFLATE: &str = "permessage-deflate";

/// The window sizes RFC 7692 allows, as base-2 logarithms.
const WINDOW_BITS: std::ops::RangeInclusive<u8> = 8..=15;

/// What a side wants of permessage-deflate: the compression settings
/// (Tornado's `get_compression_options`) and the parameters it asks for.
/// Default: level 6, memory level 8, context takeover both ways, 15-bit
/// windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompressionOptions {
    /// The deflate level, 0 (none) to 9 (best). Default: 6.
    pub compression_level: u32,
    /// zlib's memory level, 1 to 9. Default: 8.
    pub mem_level: u8,
    /// The server starts each message it sends with an empty window
    /// (less memory kept per connection). Default: off.
    pub server_no_context_takeover: bool,
    /// The client is asked to start each message with an empty window.
    /// Default: off.
    pub client_no_context_takeover: bool,
    /// The largest window the server compresses with (8 to 15); `None`
    /// for 15. Default: `None`.
    pub server_max_window_bits: Option<u8>,
    /// The largest window the client is asked to compress with (8 to
    /// 15), when the client says it can be limited; `None` for no limit.
    /// Default: `None`.
    pub client_max_window_bits: Option<u8>,
}

impl Default for CompressionOptions {
    fn default() -> CompressionOptions {
        CompressionOptions {
            compression_level: 6,
            mem_level: 8,
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: None,
            client_max_window_bits: None,
        }
    }
}

/// The parameters of a permessage-deflate agreement, as one offer or
/// answer carries them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeflateParams {
    /// The server resets its compression context after each message.
    pub server_no_context_takeover: bool,
    /// The client resets its compression context after each message.
    pub client_no_context_takeover: bool,
    /// The largest window the server compresses with.
    pub server_max_window_bits: Option<u8>,
    /// In an offer: `Some(None)` when the client says it can limit its
    /// window without naming a size, `Some(Some(bits))` with one. In an
    /// answer: the window the client must keep to.
    pub client_max_window_bits: Option<Option<u8>>,
}

impl DeflateParams {
    /// The window the server compresses with (15 unless limited).
    pub fn server_window_bits(&self) -> u8 {
        self.server_max_window_bits.unwrap_or(15)
    }

    /// The window the client compresses with (15 unless limited).
    pub fn client_window_bits(&self) -> u8 {
        self.client_max_window_bits.flatten().unwrap_or(15)
    }

    /// Reads the parameters of one `permessage-deflate` element; `None`
    /// when one is unknown, repeated or has a bad value (the offer is
    /// then declined).
    fn parse(params: &[(String, Option<String>)]) -> Option<DeflateParams> {
        let mut read = DeflateParams::default();
        let mut seen = Vec::with_capacity(params.len());
        for (name, value) in params {
            let name = name.to_ascii_lowercase();
            if seen.contains(&name) {
                return None;
            }
            let value = value.as_deref();
            match (name.as_str(), value) {
                ("server_no_context_takeover", None) => read.server_no_context_takeover = true,
                ("client_no_context_takeover", None) => read.client_no_context_takeover = true,
                ("server_max_window_bits", Some(bits)) => {
                    read.server_max_window_bits = Some(window_bits(bits)?);
                }
                ("client_max_window_bits", None) => read.client_max_window_bits = Some(None),
                ("client_max_window_bits", Some(bits)) => {
                    read.client_max_window_bits = Some(Some(window_bits(bits)?));
                }
                _ => return None,
            }
            seen.push(name);
        }
        Some(read)
    }
}

impl fmt::Display for DeflateParams {
    /// The `Sec-WebSocket-Extensions` element for these parameters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PERMESSAGE_DEFLATE)?;
        if self.server_no_context_takeover {
            f.write_str("; server_no_context_takeover")?;
        }
        if self.client_no_context_takeover {
            f.write_str("; client_no_context_takeover")?;
        }
        if let Some(bits) = self.server_max_window_bits {
            write!(f, "; server_max_window_bits={bits}")?;
        }
        match self.client_max_window_bits {
            Some(Some(bits)) => write!(f, "; client_max_window_bits={bits}"),
            Some(None) => f.write_str("; client_max_window_bits"),
            None => Ok(()),
        }
    }
}

/// A window size parameter's value: a number from 8 to 15, written
/// without leading zeros (quoted or not).
fn window_bits(value: &str) -> Option<u8> {
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    if value.starts_with('0') || value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok().filter(|bits| WINDOW_BITS.contains(bits))
}

/// One element of a `Sec-WebSocket-Extensions` list: a name and its
/// parameters, each with an optional value (quotes removed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtensionOffer {
    /// The extension's name.
    pub name: String,
    /// Its parameters, in order.
    pub params: Vec<(String, Option<String>)>,
}

/// The elements of `Sec-WebSocket-Extensions` values, in order; an element
/// that does not parse is left out.
pub fn parse_extensions<'v>(values: impl IntoIterator<Item = &'v str>) -> Vec<ExtensionOffer> {
    let mut offers = Vec::new();
    for value in values {
        for element in split_outside_quotes(value, ',') {
            if let Some(offer) = parse_element(element) {
                offers.push(offer);
            }
        }
    }
    offers
}

/// `text` split at each `separator` outside a quoted string.
fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut pieces = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (at, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            _ if c == separator && !quoted => {
                pieces.push(&text[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    pieces.push(&text[start..]);
    pieces
}

/// Whether `text` is an RFC 9110 token.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// One list element: `name *( ";" param [ "=" ( token / quoted ) ] )`.
fn parse_element(element: &str) -> Option<ExtensionOffer> {
    let mut parts = split_outside_quotes(element, ';')
        .into_iter()
        .map(str::trim);
    let name = parts.next().filter(|name| is_token(name))?;
    let mut params = Vec::new();
    for part in parts {
        let (key, value) = match part.split_once('=') {
            Some((key, value)) => (key.trim(), Some(unquote(value.trim())?)),
            None => (part, None),
        };
        if !is_token(key) {
            return None;
        }
        params.push((key.to_owned(), value));
    }
    Some(ExtensionOffer {
        name: name.to_owned(),
        params,
    })
}

/// A parameter value: a token, or a quoted string holding one.
fn unquote(value: &str) -> Option<String> {
    let inner = match value.strip_prefix('"') {
        Some(rest) => rest.strip_suffix('"')?.replace('\\', ""),
        None => value.to_owned(),
    };
    is_token(&inner).then_some(inner)
}

/// The server's choice among a client's offers (in the client's order of
/// preference): the first valid permessage-deflate offer it can accept
/// with `options`, and the parameters it answers with; `None` to run
/// without compression.
pub fn negotiate_deflate(
    offers: &[ExtensionOffer],
    options: &CompressionOptions,
) -> Option<DeflateParams> {
    offers
        .iter()
        .filter(|offer| offer.name.eq_ignore_ascii_case(PERMESSAGE_DEFLATE))
        .filter_map(|offer| DeflateParams::parse(&offer.params))
        .find_map(|offer| accept_offer(&offer, options))
}

/// The answer to one valid offer (RFC 7692 §7.1): every limit either
/// side asks for, the smaller where both do.
fn accept_offer(offer: &DeflateParams, options: &CompressionOptions) -> Option<DeflateParams> {
    let server_max_window_bits =
        match (offer.server_max_window_bits, options.server_max_window_bits) {
            (Some(asked), Some(own)) => Some(asked.min(own)),
            (asked, own) => asked.or(own),
        };
    let client_max_window_bits =
        match (offer.client_max_window_bits, options.client_max_window_bits) {
            // The client did not say it can limit its window: it cannot be
            // asked to.
            (None, _) => None,
            (Some(Some(offered)), Some(own)) => Some(Some(offered.min(own))),
            (Some(offered), own) => offered.or(own).map(Some),
        };
    Some(DeflateParams {
        server_no_context_takeover: offer.server_no_context_takeover
            || options.server_no_context_takeover,
        client_no_context_takeover: offer.client_no_context_takeover
            || options.client_no_context_takeover,
        server_max_window_bits,
        client_max_window_bits,
    })
}

/// The offer a client with `options` sends: each limit it asks of the
/// server, and `client_max_window_bits` (with its own limit, if any) so
/// that the server may limit the client's window.
pub fn deflate_offer(options: &CompressionOptions) -> DeflateParams {
    DeflateParams {
        server_no_context_takeover: options.server_no_context_takeover,
        client_no_context_takeover: options.client_no_context_takeover,
        server_max_window_bits: options.server_max_window_bits,
        client_max_window_bits: Some(options.client_max_window_bits),
    }
}

/// Why a server's permessage-deflate answer is refused by the client.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExtensionError {
    /// An extension the client did not offer, or more than one.
    #[error("the server answered with extensions that were not offered: {0}")]
    NotOffered(String),
    /// Parameters that do not parse, or do not answer the offer.
    #[error("the server's permessage-deflate parameters do not answer the offer: {0}")]
    BadParams(String),
}

/// Checks a server's `Sec-WebSocket-Extensions` answer against `offer`:
/// the parameters to run with (`None` when the server declined), as RFC
/// 7692 §7.1 lets a client accept them.
pub fn check_deflate_answer<'v>(
    values: impl IntoIterator<Item = &'v str>,
    offer: &DeflateParams,
) -> Result<Option<DeflateParams>, ExtensionError> {
    let values: Vec<&str> = values.into_iter().collect();
    let answers = parse_extensions(values.iter().copied());
    let text = values.join(", ");
    match answers.as_slice() {
        [] if values.iter().all(|value| value.trim().is_empty()) => Ok(None),
        [answer] if answer.name.eq_ignore_ascii_case(PERMESSAGE_DEFLATE) => {
            let params = DeflateParams::parse(&answer.params)
                .ok_or_else(|| ExtensionError::BadParams(text.clone()))?;
            let answers_offer =
                match (params.server_max_window_bits, offer.server_max_window_bits) {
                    (Some(answered), Some(asked)) => answered <= asked,
                    (None, Some(_)) => false,
                    _ => true,
                } && match (params.client_max_window_bits, offer.client_max_window_bits) {
                    (Some(None), _) => false,
                    (Some(Some(_)), None) => false,
                    (Some(Some(answered)), Some(Some(own))) => answered <= own,
                    _ => true,
                } && (params.server_no_context_takeover || !offer.server_no_context_takeover);
            if answers_offer {
                Ok(Some(params))
            } else {
                Err(ExtensionError::BadParams(text))
            }
        }
        _ => Err(ExtensionError::NotOffered(text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offers(value: &str) -> Vec<ExtensionOffer> {
        parse_extensions([value])
    }

    fn answer(value: &str, options: &CompressionOptions) -> Option<String> {
        negotiate_deflate(&offers(value), options).map(|params| params.to_string())
    }

    #[test]
    fn extension_lists_are_read_with_quoted_values() {
        let read = offers(
            r#"permessage-deflate; client_max_window_bits; server_max_window_bits="10", x-foo;a=b"#,
        );
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].name, "permessage-deflate");
        assert_eq!(
            read[0].params,
            [
                ("client_max_window_bits".to_owned(), None),
                ("server_max_window_bits".to_owned(), Some("10".to_owned())),
            ]
        );
        assert_eq!(read[1].params, [("a".to_owned(), Some("b".to_owned()))]);
        // Elements that do not parse are left out.
        assert_eq!(offers("bad name; x, ok; =1, fine").len(), 1);
    }

    #[test]
    fn a_plain_offer_is_accepted_plainly() {
        let options = CompressionOptions::default();
        assert_eq!(
            answer("permessage-deflate", &options).unwrap(),
            "permessage-deflate"
        );
        assert_eq!(
            answer("permessage-deflate; client_max_window_bits", &options).unwrap(),
            "permessage-deflate"
        );
        assert_eq!(answer("x-webkit-deflate-frame", &options), None);
    }

    #[test]
    fn limits_asked_by_either_side_are_answered_with_the_smaller() {
        let own = CompressionOptions {
            server_max_window_bits: Some(12),
            client_max_window_bits: Some(11),
            ..CompressionOptions::default()
        };
        assert_eq!(
            answer(
                "permessage-deflate; server_max_window_bits=10; client_max_window_bits=13",
                &own
            )
            .unwrap(),
            "permessage-deflate; server_max_window_bits=10; client_max_window_bits=11"
        );
        assert_eq!(
            answer("permessage-deflate; client_max_window_bits", &own).unwrap(),
            "permessage-deflate; server_max_window_bits=12; client_max_window_bits=11"
        );
        // Without the client's `client_max_window_bits`, its window is not
        // limited.
        assert_eq!(
            answer("permessage-deflate", &own).unwrap(),
            "permessage-deflate; server_max_window_bits=12"
        );
        let takeover = CompressionOptions {
            server_no_context_takeover: true,
            client_no_context_takeover: true,
            ..CompressionOptions::default()
        };
        assert_eq!(
            answer("permessage-deflate", &takeover).unwrap(),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
        );
    }

    #[test]
    fn invalid_offers_are_declined_and_the_next_one_taken() {
        let options = CompressionOptions::default();
        for bad in [
            "permessage-deflate; server_max_window_bits=7",
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; server_max_window_bits=010",
            "permessage-deflate; server_max_window_bits",
            "permessage-deflate; client_max_window_bits=abc",
            "permessage-deflate; server_no_context_takeover=1",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; unknown_param",
        ] {
            assert_eq!(answer(bad, &options), None, "{bad}");
            assert_eq!(
                answer(
                    &format!("{bad}, permessage-deflate; client_no_context_takeover"),
                    &options
                )
                .unwrap(),
                "permessage-deflate; client_no_context_takeover",
                "{bad}"
            );
        }
    }

    #[test]
    fn a_client_checks_the_answer_against_its_offer() {
        let offer = deflate_offer(&CompressionOptions {
            server_max_window_bits: Some(10),
            ..CompressionOptions::default()
        });
        assert_eq!(
            offer.to_string(),
            "permessage-deflate; server_max_window_bits=10; client_max_window_bits"
        );
        let accepted = check_deflate_answer(
            ["permessage-deflate; server_max_window_bits=9; client_max_window_bits=12"],
            &offer,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (accepted.server_window_bits(), accepted.client_window_bits()),
            (9, 12)
        );
        assert_eq!(check_deflate_answer([], &offer), Ok(None));
        for bad in [
            "permessage-deflate",
            "permessage-deflate; server_max_window_bits=11",
            "permessage-deflate; server_max_window_bits=10; client_max_window_bits",
            "permessage-deflate; server_max_window_bits=10; bogus",
            "x-other",
            "permessage-deflate; server_max_window_bits=10, permessage-deflate",
        ] {
            assert!(check_deflate_answer([bad], &offer).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_header_value_reads_without_panicking(value in "[ -~]{0,64}") {
            let read = parse_extensions([value.as_str()]);
            let _ = negotiate_deflate(&read, &CompressionOptions::default());
            for offer in read {
                proptest::prop_assert!(is_token(&offer.name));
            }
        }

        #[test]
        fn an_answer_reads_back_as_itself(
            server_no in proptest::bool::ANY,
            client_no in proptest::bool::ANY,
            server_bits in proptest::option::of(8u8..=15),
            client_bits in proptest::option::of(proptest::option::of(8u8..=15)),
        ) {
            let params = DeflateParams {
                server_no_context_takeover: server_no,
                client_no_context_takeover: client_no,
                server_max_window_bits: server_bits,
                client_max_window_bits: client_bits,
            };
            let read = parse_extensions([params.to_string().as_str()]);
            proptest::prop_assert_eq!(read.len(), 1);
            proptest::prop_assert_eq!(DeflateParams::parse(&read[0].params), Some(params));
        }
    }
}
