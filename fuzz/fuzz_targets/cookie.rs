//! Arbitrary `Cookie` headers through `supercell::httputil::parse_cookie`
//! (as browsers send them, and as Tornado's `parse_cookie` reads them):
//! nothing may panic, and every name read is non-empty text from the
//! header.
#![no_main]

use libfuzzer_sys::fuzz_target;
use supercell::httputil::parse_cookie;

fuzz_target!(|data: &[u8]| {
    let header = String::from_utf8_lossy(data);
    for (name, value) in parse_cookie(&header) {
        assert!(header.contains(name.as_str()));
        assert!(value.len() <= header.len());
    }
});
