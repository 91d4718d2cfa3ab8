//! The two answers every server gives.

use serde::Serialize;

/// Body of `GET /plaintext`.
pub const PLAINTEXT: &[u8] = b"Hello, World!";
/// Content type of `GET /plaintext`.
pub const PLAINTEXT_TYPE: &str = "text/plain";
/// Content type of `GET /json`.
pub const JSON_TYPE: &str = "application/json";

/// Body of `GET /json`, serialized on every request.
#[derive(Serialize)]
pub struct Message {
    /// Always `Hello, World!`.
    pub message: &'static str,
}

/// The JSON body, serialized anew (every server but the ceiling pays for this).
pub fn json_body() -> Vec<u8> {
    serde_json::to_vec(&Message {
        message: "Hello, World!",
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_body_is_the_message() {
        assert_eq!(json_body(), br#"{"message":"Hello, World!"}"#);
    }
}
