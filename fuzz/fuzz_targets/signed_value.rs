//! Arbitrary bytes through `supercell::web`'s signed value and XSRF token
//! decoders: none may panic, a decoded XSRF token is never empty, and a
//! value signed from the input reads back.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use supercell::web::{
    CookieSecret, SignedValueVersion, create_signed_value_at, decode_signed_value_at,
    decode_xsrf_token, encode_xsrf_token_with_mask, get_signature_key_version,
};

fuzz_target!(|data: &[u8]| {
    let single = CookieSecret::from("fuzz secret");
    let keys =
        CookieSecret::versioned([(0, "key zero"), (7, "key seven")], 7).expect("key 7 is present");
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let max_age_days = data.first().map_or(31.0, |&b| f64::from(b) - 8.0);

    for secret in [&single, &keys] {
        for min_version in [SignedValueVersion::V1, SignedValueVersion::V2] {
            let _ = decode_signed_value_at(secret, "session", data, max_age_days, min_version, now);
        }
    }
    let _ = get_signature_key_version(data);

    if let Ok(token) = decode_xsrf_token(data) {
        assert!(!token.token.is_empty());
    }

    let signers = [
        (&single, SignedValueVersion::V1),
        (&single, SignedValueVersion::V2),
        (&keys, SignedValueVersion::V2),
    ];
    for (secret, version) in signers {
        let signed =
            create_signed_value_at(secret, "session", data, version, now).expect("a valid secret");
        let read = decode_signed_value_at(
            secret,
            "session",
            &signed,
            31.0,
            SignedValueVersion::V1,
            now,
        );
        assert_eq!(read.as_deref(), Ok(data));
    }

    if !data.is_empty() {
        let token = encode_xsrf_token_with_mask(data, 1_700_000_000, [0x5a, 0xa5, 0x0f, 0xf0]);
        let decoded = decode_xsrf_token(&token).expect("a token made here reads back");
        assert_eq!(decoded.token, data);
    }
});
