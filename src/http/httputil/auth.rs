//! [`encode_username_password`]: credentials for HTTP authentication.

/// `username:password` as bytes, the form HTTP Basic authentication
/// base64-encodes (Tornado's `encode_username_password`). Text is taken
/// as UTF-8; bytes as they are.
///
/// ```
/// use supercell::httputil::encode_username_password;
///
/// assert_eq!(encode_username_password("user", "pässword"), "user:pässword".as_bytes());
/// assert_eq!(encode_username_password(b"\xff", b""), b"\xff:");
/// ```
pub fn encode_username_password(username: impl AsRef<[u8]>, password: impl AsRef<[u8]>) -> Vec<u8> {
    let (username, password) = (username.as_ref(), password.as_ref());
    let mut out = Vec::with_capacity(username.len() + 1 + password.len());
    out.extend_from_slice(username);
    out.push(b':');
    out.extend_from_slice(password);
    out
}
