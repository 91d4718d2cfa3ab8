//! Arbitrary input through the unescaping and parsing functions of
//! `supercell::escape`: none may panic, and escaping must round-trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use supercell::escape::{
    ExtraParams, LinkifyOptions, linkify, parse_qs_bytes, squeeze, url_escape, url_unescape, url_unescape_bytes,
    xhtml_escape, xhtml_unescape,
};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    let unescaped = xhtml_unescape(&text);
    assert!(unescaped.len() <= text.len() * 2);
    assert_eq!(xhtml_unescape(&xhtml_escape(&text)), text);

    for plus in [true, false] {
        let bytes = url_unescape_bytes(data, plus);
        assert!(bytes.len() <= data.len());
        let _ = url_unescape(data, plus);
        assert_eq!(url_unescape_bytes(url_escape(data, plus).as_bytes(), plus), data);
    }

    for keep_blank_values in [true, false] {
        let args = parse_qs_bytes(data, keep_blank_values);
        let values: usize = args.values().map(Vec::len).sum();
        assert!(values <= data.len() + 1);
    }

    let _ = squeeze(&text);

    let plain = linkify(&text, &LinkifyOptions::default());
    assert!(plain.len() >= text.len());
    let options = LinkifyOptions {
        shorten: true,
        extra_params: ExtraParams::per_url(|href| format!("data-len=\"{}\"", href.len())),
        require_protocol: data.first().is_some_and(|b| b & 1 == 1),
        permitted_protocols: vec!["http".into(), "https".into(), "ftp".into(), "mailto".into()],
    };
    let _ = linkify(&text, &options);
});
