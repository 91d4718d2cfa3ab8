//! The message of a caught panic, for logs and errors.

use std::any::Any;

/// The message a panic carried: its `&str` or `String` payload (what
/// `panic!` with a message makes), or a placeholder for any other payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(message) = payload.downcast_ref::<&str>() {
        message
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message
    } else {
        "non-string panic payload"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_str_and_string_payloads() {
        assert_eq!(panic_message(&"boom"), "boom");
        assert_eq!(panic_message(&String::from("bang")), "bang");
        assert_eq!(panic_message(&7_u8), "non-string panic payload");
    }

    #[test]
    fn reads_the_payload_of_a_caught_panic() {
        let payload = std::panic::catch_unwind(|| panic!("oops {}", 42)).unwrap_err();
        assert_eq!(panic_message(payload.as_ref()), "oops 42");
    }
}
