//! Arbitrary `Range` headers through `supercell::httputil`'s range
//! parser, resolved against arbitrary sizes: nothing may panic, and what
//! is understood resolves to bytes inside the resource.
#![no_main]

use libfuzzer_sys::fuzz_target;
use supercell::httputil::{RangeResponse, RequestRange, content_range, parse_request_range};

fuzz_target!(|data: &[u8]| {
    let (size, header) = match data.split_first_chunk::<8>() {
        Some((size, header)) => (u64::from_le_bytes(*size), header),
        None => (26, data),
    };
    let header = String::from_utf8_lossy(header);
    let Some(range) = parse_request_range(&header) else {
        return;
    };
    if let RequestRange::From { start, end: Some(end) } = range {
        assert!(end > start);
    }
    for size in [0, 1, size, u64::MAX] {
        match range.resolve(size) {
            RangeResponse::Full => assert!(size > 0),
            RangeResponse::Partial(bytes) => {
                assert!(bytes.start < bytes.end && bytes.end <= size);
                assert!(bytes != (0..size));
                let text = content_range(&bytes, size);
                assert!(text.starts_with("bytes ") && text.ends_with(&format!("/{size}")));
            }
            RangeResponse::Unsatisfiable => {}
        }
    }
});
