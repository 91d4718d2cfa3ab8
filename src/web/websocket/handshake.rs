//! The opening handshake (RFC 6455 §4): a client's upgrade request
//! checked by the server, the server's `101` answer, and that answer
//! checked by the client.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::Version;
use ring::digest;

use crate::httputil::HttpHeaders;

/// What RFC 6455 appends to a client's key before hashing it.
const ACCEPT_GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The protocol versions a server accepts (Tornado's): sent in
/// `Sec-WebSocket-Version` with a `426` to a client asking for another.
pub const SUPPORTED_VERSIONS: &str = "7, 8, 13";

/// The version a client asks for.
pub const CLIENT_VERSION: &str = "13";

/// Why an opening handshake failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HandshakeError {
    /// The request does not ask to upgrade to `websocket`.
    #[error("Can \"Upgrade\" only to \"WebSocket\".")]
    NotWebSocket,
    /// The request's `Connection` has no `Upgrade` token.
    #[error("\"Connection\" must be \"Upgrade\".")]
    ConnectionNotUpgrade,
    /// The request is not HTTP/1.1 (RFC 6455 §4.1).
    #[error("a WebSocket upgrade needs HTTP/1.1")]
    HttpVersion,
    /// A `Sec-WebSocket-Version` the server does not speak (or none).
    #[error("unsupported Sec-WebSocket-Version {0:?}")]
    UnsupportedVersion(Option<String>),
    /// `Sec-WebSocket-Key` is missing, or not 16 bytes in base64.
    #[error("Missing/Invalid WebSocket headers")]
    InvalidKey,
    /// The server answered with another status than `101`.
    #[error("the server answered {0} instead of 101 Switching Protocols")]
    NotSwitching(u16),
    /// The server's `Sec-WebSocket-Accept` does not match the key sent.
    #[error("the server's Sec-WebSocket-Accept does not match the key")]
    BadAccept,
    /// The server selected a subprotocol the client did not offer.
    #[error("the server selected subprotocol {0:?}, which was not offered")]
    UnofferedSubprotocol(String),
}

impl HandshakeError {
    /// The status a server answers a request failing with this error:
    /// `426 Upgrade Required` for a version, else `400 Bad Request`.
    pub fn status(&self) -> u16 {
        match self {
            HandshakeError::UnsupportedVersion(_) => 426,
            _ => 400,
        }
    }
}

/// `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`: the base64
/// SHA-1 of the key and RFC 6455's GUID.
pub fn accept_key(key: &str) -> String {
    let mut context = digest::Context::new(&digest::SHA1_FOR_LEGACY_USE_ONLY);
    context.update(key.as_bytes());
    context.update(ACCEPT_GUID);
    BASE64.encode(context.finish())
}

/// A new random `Sec-WebSocket-Key` for a client: 16 bytes in base64.
pub fn new_key() -> String {
    BASE64.encode(rand::random::<[u8; 16]>())
}

/// The comma-separated elements of every `name` field of `headers`,
/// trimmed, empty ones left out.
pub(crate) fn header_tokens<'h>(
    headers: &'h HttpHeaders,
    name: &'h str,
) -> impl Iterator<Item = &'h str> + 'h {
    headers
        .get_list(name)
        .into_iter()
        .flat_map(|value| value.split(','))
        .map(|element| element.trim_matches([' ', '\t']))
        .filter(|element| !element.is_empty())
}

/// Whether some `name` field of `headers` has `token` (any case).
fn has_token(headers: &HttpHeaders, name: &str, token: &str) -> bool {
    header_tokens(headers, name).any(|element| element.eq_ignore_ascii_case(token))
}

/// A client's valid upgrade request, as the server reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpgradeRequest {
    /// `Sec-WebSocket-Key`.
    pub key: String,
    /// The subprotocols offered (`Sec-WebSocket-Protocol`), in order.
    pub subprotocols: Vec<String>,
}

/// Checks a request to upgrade to a WebSocket, in Tornado's order:
/// `Upgrade: websocket`, `Connection: Upgrade`, then (the origin is the
/// handler's to check) the version and the key. Stricter than Tornado,
/// the request must be HTTP/1.1 and its key 16 bytes in base64.
pub fn check_upgrade_request(
    version: Version,
    headers: &HttpHeaders,
) -> Result<UpgradeRequest, HandshakeError> {
    if !has_token(headers, "Upgrade", "websocket") {
        return Err(HandshakeError::NotWebSocket);
    }
    if !has_token(headers, "Connection", "upgrade") {
        return Err(HandshakeError::ConnectionNotUpgrade);
    }
    if version != Version::HTTP_11 {
        return Err(HandshakeError::HttpVersion);
    }
    let asked = headers.get("Sec-WebSocket-Version").map(str::trim);
    if !asked.is_some_and(|asked| SUPPORTED_VERSIONS.split(", ").any(|known| known == asked)) {
        return Err(HandshakeError::UnsupportedVersion(asked.map(str::to_owned)));
    }
    let key = headers
        .get("Sec-WebSocket-Key")
        .map(str::trim)
        .filter(|key| BASE64.decode(key).is_ok_and(|bytes| bytes.len() == 16))
        .ok_or(HandshakeError::InvalidKey)?;
    Ok(UpgradeRequest {
        key: key.to_owned(),
        subprotocols: header_tokens(headers, "Sec-WebSocket-Protocol")
            .map(str::to_owned)
            .collect(),
    })
}

/// The headers of a server's `101` to a request with `key`: `Upgrade`,
/// `Connection`, `Sec-WebSocket-Accept`, and the selected subprotocol and
/// the accepted extensions, if any.
pub fn switching_headers(
    key: &str,
    subprotocol: Option<&str>,
    extensions: Option<&str>,
) -> Result<HttpHeaders, crate::httputil::HeaderError> {
    let mut headers = HttpHeaders::with_capacity(5);
    headers.add("Upgrade", "websocket")?;
    headers.add("Connection", "Upgrade")?;
    headers.add("Sec-WebSocket-Accept", &accept_key(key))?;
    if let Some(subprotocol) = subprotocol {
        headers.add("Sec-WebSocket-Protocol", subprotocol)?;
    }
    if let Some(extensions) = extensions {
        headers.add("Sec-WebSocket-Extensions", extensions)?;
    }
    Ok(headers)
}

/// The headers a client adds to its upgrade request (besides `Host`):
/// `Upgrade`, `Connection`, the version, `key`, and the subprotocols and
/// extensions offered, if any.
pub fn upgrade_request_headers(
    key: &str,
    subprotocols: &[String],
    extensions: Option<&str>,
) -> Result<HttpHeaders, crate::httputil::HeaderError> {
    let mut headers = HttpHeaders::with_capacity(6);
    headers.add("Upgrade", "websocket")?;
    headers.add("Connection", "Upgrade")?;
    headers.add("Sec-WebSocket-Version", CLIENT_VERSION)?;
    headers.add("Sec-WebSocket-Key", key)?;
    if !subprotocols.is_empty() {
        headers.add("Sec-WebSocket-Protocol", &subprotocols.join(", "))?;
    }
    if let Some(extensions) = extensions {
        headers.add("Sec-WebSocket-Extensions", extensions)?;
    }
    Ok(headers)
}

/// Checks a server's answer to an upgrade request sent with `key` and
/// `subprotocols`: a `101` with `Upgrade: websocket`, `Connection:
/// Upgrade` and the matching accept key. Returns the subprotocol the
/// server selected, if any.
pub fn check_switching_response(
    status: u16,
    headers: &HttpHeaders,
    key: &str,
    subprotocols: &[String],
) -> Result<Option<String>, HandshakeError> {
    if status != 101 {
        return Err(HandshakeError::NotSwitching(status));
    }
    if !has_token(headers, "Upgrade", "websocket") {
        return Err(HandshakeError::NotWebSocket);
    }
    if !has_token(headers, "Connection", "upgrade") {
        return Err(HandshakeError::ConnectionNotUpgrade);
    }
    if headers.get("Sec-WebSocket-Accept").map(str::trim) != Some(accept_key(key).as_str()) {
        return Err(HandshakeError::BadAccept);
    }
    match headers.get("Sec-WebSocket-Protocol").map(str::trim) {
        None => Ok(None),
        Some(selected) if subprotocols.iter().any(|offered| offered == selected) => {
            Ok(Some(selected.to_owned()))
        }
        Some(selected) => Err(HandshakeError::UnofferedSubprotocol(selected.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(fields: &[(&str, &str)]) -> HttpHeaders {
        let mut headers = HttpHeaders::new();
        for (name, value) in fields {
            headers.add(name, value).unwrap();
        }
        headers
    }

    const SAMPLE_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

    fn valid() -> Vec<(&'static str, &'static str)> {
        vec![
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Version", "13"),
            ("Sec-WebSocket-Key", SAMPLE_KEY),
        ]
    }

    #[test]
    fn the_accept_key_is_rfc_6455s_sample() {
        assert_eq!(accept_key(SAMPLE_KEY), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    #[test]
    fn new_keys_are_16_random_bytes() {
        let (a, b) = (new_key(), new_key());
        assert_ne!(a, b);
        assert_eq!(BASE64.decode(&a).unwrap().len(), 16);
    }

    #[test]
    fn a_valid_request_is_read_with_its_subprotocols() {
        let mut fields = valid();
        fields.push(("Sec-WebSocket-Protocol", "chat, superchat"));
        fields.push(("Sec-WebSocket-Protocol", "third"));
        let request = check_upgrade_request(Version::HTTP_11, &headers(&fields)).unwrap();
        assert_eq!(request.key, SAMPLE_KEY);
        assert_eq!(request.subprotocols, ["chat", "superchat", "third"]);
    }

    #[test]
    fn tokens_match_in_any_case_and_in_lists() {
        let mut fields = valid();
        fields[0] = ("Upgrade", "WebSocket");
        fields[1] = ("Connection", "keep-alive, Upgrade");
        assert!(check_upgrade_request(Version::HTTP_11, &headers(&fields)).is_ok());
    }

    #[test]
    fn each_bad_request_gets_its_error_and_status() {
        // The field at an index of `valid()`, replaced (or removed), and
        // the error and status that follow.
        type Case = (
            usize,
            Option<(&'static str, &'static str)>,
            HandshakeError,
            u16,
        );
        let cases: [Case; 6] = [
            (0, None, HandshakeError::NotWebSocket, 400),
            (
                0,
                Some(("Upgrade", "h2c")),
                HandshakeError::NotWebSocket,
                400,
            ),
            (
                1,
                Some(("Connection", "keep-alive")),
                HandshakeError::ConnectionNotUpgrade,
                400,
            ),
            (
                2,
                Some(("Sec-WebSocket-Version", "12")),
                HandshakeError::UnsupportedVersion(Some("12".into())),
                426,
            ),
            (2, None, HandshakeError::UnsupportedVersion(None), 426),
            (
                3,
                Some(("Sec-WebSocket-Key", "abc")),
                HandshakeError::InvalidKey,
                400,
            ),
        ];
        for (at, replacement, error, status) in cases {
            let mut fields = valid();
            match replacement {
                Some(field) => fields[at] = field,
                None => {
                    fields.remove(at);
                }
            }
            let got = check_upgrade_request(Version::HTTP_11, &headers(&fields)).unwrap_err();
            assert_eq!((&got, got.status()), (&error, status));
        }
        let mut fields = valid();
        fields.remove(3);
        assert_eq!(
            check_upgrade_request(Version::HTTP_11, &headers(&fields)),
            Err(HandshakeError::InvalidKey)
        );
        assert_eq!(
            check_upgrade_request(Version::HTTP_10, &headers(&valid())),
            Err(HandshakeError::HttpVersion)
        );
    }

    #[test]
    fn versions_7_and_8_are_accepted_as_by_tornado() {
        for version in ["7", "8", "13"] {
            let mut fields = valid();
            fields[2] = ("Sec-WebSocket-Version", version);
            assert!(check_upgrade_request(Version::HTTP_11, &headers(&fields)).is_ok());
        }
    }

    #[test]
    fn a_switching_answer_is_checked_by_the_client() {
        let offered = vec!["chat".to_owned()];
        let answer = switching_headers(SAMPLE_KEY, Some("chat"), None).unwrap();
        assert_eq!(
            check_switching_response(101, &answer, SAMPLE_KEY, &offered),
            Ok(Some("chat".into()))
        );
        assert_eq!(
            check_switching_response(101, &answer, SAMPLE_KEY, &[]),
            Err(HandshakeError::UnofferedSubprotocol("chat".into()))
        );
        assert_eq!(
            check_switching_response(101, &answer, "b3RoZXIga2V5IDE2Ynl0ZQ==", &offered),
            Err(HandshakeError::BadAccept)
        );
        assert_eq!(
            check_switching_response(200, &answer, SAMPLE_KEY, &offered),
            Err(HandshakeError::NotSwitching(200))
        );
        let plain = switching_headers(SAMPLE_KEY, None, Some("permessage-deflate")).unwrap();
        assert_eq!(
            plain.get("Sec-WebSocket-Extensions"),
            Some("permessage-deflate")
        );
        assert_eq!(
            check_switching_response(101, &plain, SAMPLE_KEY, &offered),
            Ok(None)
        );
    }

    #[test]
    fn a_client_request_passes_the_server_check() {
        let key = new_key();
        let offered = vec!["a".to_owned(), "b".to_owned()];
        let sent = upgrade_request_headers(&key, &offered, None).unwrap();
        let request = check_upgrade_request(Version::HTTP_11, &sent).unwrap();
        assert_eq!((request.key, request.subprotocols), (key, offered));
    }
}
