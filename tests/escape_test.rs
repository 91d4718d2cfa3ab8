//! Counterparts of Tornado's `tornado/test/escape_test.py` (v5.0.2), plus
//! property tests.
//!
//! `EscapeTestCase.test_linkify` runs a table of cases; each case is its own
//! test function here (`escape_test_case_linkify_NN_...`, in the table's
//! order).
//!
//! Tornado tests with no counterpart:
//! - `test_escape_return_types`: checks that Python 2 functions return the
//!   same string type they were given; Rust's signatures fix the types.
//! - `test_recursive_unicode`: converts Python byte strings to text inside
//!   nested dicts, lists and tuples; Rust has no dynamically typed
//!   containers to walk (`String::from_utf8` covers a single value).

use proptest::prelude::*;
use supercell::escape::{
    ExtraParams, LinkifyOptions, json_decode, json_encode, linkify, squeeze, url_escape,
    url_unescape, url_unescape_bytes, xhtml_escape, xhtml_unescape,
};

fn protocols(names: &[&str]) -> Vec<String> {
    names.iter().map(|p| (*p).to_owned()).collect()
}

fn permitted(names: &[&str]) -> LinkifyOptions {
    LinkifyOptions {
        permitted_protocols: protocols(names),
        ..LinkifyOptions::default()
    }
}

/// One test per row of Tornado's `linkify_tests`: `name: (text, options, expected)`.
macro_rules! linkify_cases {
    ($($name:ident: ($text:expr, $options:expr, $expected:expr),)*) => {$(
        #[test]
        fn $name() {
            let options: LinkifyOptions = $options;
            assert_eq!(linkify($text, &options), $expected);
        }
    )*};
}

linkify_cases! {
    escape_test_case_linkify_01_trailing_bang: (
        "hello http://world.com/!",
        LinkifyOptions::default(),
        r#"hello <a href="http://world.com/">http://world.com/</a>!"#
    ),
    escape_test_case_linkify_02_query_ampersand: (
        "hello http://world.com/with?param=true&stuff=yes",
        LinkifyOptions::default(),
        r#"hello <a href="http://world.com/with?param=true&amp;stuff=yes">http://world.com/with?param=true&amp;stuff=yes</a>"#
    ),
    escape_test_case_linkify_03_unclosed_paren: (
        "http://url.com/w(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        LinkifyOptions::default(),
        r#"<a href="http://url.com/w">http://url.com/w</a>(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"#
    ),
    escape_test_case_linkify_04_many_trailing_dots: (
        "http://url.com/withmany.......................................",
        LinkifyOptions::default(),
        r#"<a href="http://url.com/withmany">http://url.com/withmany</a>......................................."#
    ),
    escape_test_case_linkify_05_many_open_parens: (
        "http://url.com/withmany((((((((((((((((((((((((((((((((((a)",
        LinkifyOptions::default(),
        r#"<a href="http://url.com/withmany">http://url.com/withmany</a>((((((((((((((((((((((((((((((((((a)"#
    ),
    escape_test_case_linkify_06_underscores: (
        "http://foo.com/blah_blah",
        LinkifyOptions::default(),
        r#"<a href="http://foo.com/blah_blah">http://foo.com/blah_blah</a>"#
    ),
    escape_test_case_linkify_07_trailing_slash: (
        "http://foo.com/blah_blah/",
        LinkifyOptions::default(),
        r#"<a href="http://foo.com/blah_blah/">http://foo.com/blah_blah/</a>"#
    ),
    escape_test_case_linkify_08_inside_parens: (
        "(Something like http://foo.com/blah_blah)",
        LinkifyOptions::default(),
        r#"(Something like <a href="http://foo.com/blah_blah">http://foo.com/blah_blah</a>)"#
    ),
    escape_test_case_linkify_09_balanced_parens: (
        "http://foo.com/blah_blah_(wikipedia)",
        LinkifyOptions::default(),
        r#"<a href="http://foo.com/blah_blah_(wikipedia)">http://foo.com/blah_blah_(wikipedia)</a>"#
    ),
    escape_test_case_linkify_10_two_paren_groups: (
        "http://foo.com/blah_(blah)_(wikipedia)_blah",
        LinkifyOptions::default(),
        r#"<a href="http://foo.com/blah_(blah)_(wikipedia)_blah">http://foo.com/blah_(blah)_(wikipedia)_blah</a>"#
    ),
    escape_test_case_linkify_11_parens_inside_parens: (
        "(Something like http://foo.com/blah_blah_(wikipedia))",
        LinkifyOptions::default(),
        r#"(Something like <a href="http://foo.com/blah_blah_(wikipedia)">http://foo.com/blah_blah_(wikipedia)</a>)"#
    ),
    escape_test_case_linkify_12_trailing_dot: (
        "http://foo.com/blah_blah.",
        LinkifyOptions::default(),
        r#"<a href="http://foo.com/blah_blah">http://foo.com/blah_blah</a>."#
    ),
    escape_test_case_linkify_13_trailing_slash_dot: (
        "http://foo.com/blah_blah/.",
        LinkifyOptions::default(),
        r#"<a href="http://foo.com/blah_blah/">http://foo.com/blah_blah/</a>."#
    ),
    escape_test_case_linkify_14_angle_brackets: (
        "<http://foo.com/blah_blah>",
        LinkifyOptions::default(),
        r#"&lt;<a href="http://foo.com/blah_blah">http://foo.com/blah_blah</a>&gt;"#
    ),
    escape_test_case_linkify_15_angle_brackets_slash: (
        "<http://foo.com/blah_blah/>",
        LinkifyOptions::default(),
        r#"&lt;<a href="http://foo.com/blah_blah/">http://foo.com/blah_blah/</a>&gt;"#
    ),
    escape_test_case_linkify_16_trailing_comma: (
        "http://foo.com/blah_blah,",
        LinkifyOptions::default(),
        r#"<a href="http://foo.com/blah_blah">http://foo.com/blah_blah</a>,"#
    ),
    escape_test_case_linkify_17_query_then_dot: (
        "http://www.example.com/wpstyle/?p=364.",
        LinkifyOptions::default(),
        r#"<a href="http://www.example.com/wpstyle/?p=364">http://www.example.com/wpstyle/?p=364</a>."#
    ),
    escape_test_case_linkify_18_permitted_rdar: (
        "rdar://1234",
        permitted(&["http", "rdar"]),
        r#"<a href="rdar://1234">rdar://1234</a>"#
    ),
    escape_test_case_linkify_19_single_slash_protocol: (
        "rdar:/1234",
        permitted(&["rdar"]),
        r#"<a href="rdar:/1234">rdar:/1234</a>"#
    ),
    escape_test_case_linkify_20_user_password_port: (
        "http://userid:password@example.com:8080",
        LinkifyOptions::default(),
        r#"<a href="http://userid:password@example.com:8080">http://userid:password@example.com:8080</a>"#
    ),
    escape_test_case_linkify_21_user: (
        "http://userid@example.com",
        LinkifyOptions::default(),
        r#"<a href="http://userid@example.com">http://userid@example.com</a>"#
    ),
    escape_test_case_linkify_22_user_port: (
        "http://userid@example.com:8080",
        LinkifyOptions::default(),
        r#"<a href="http://userid@example.com:8080">http://userid@example.com:8080</a>"#
    ),
    escape_test_case_linkify_23_user_password: (
        "http://userid:password@example.com",
        LinkifyOptions::default(),
        r#"<a href="http://userid:password@example.com">http://userid:password@example.com</a>"#
    ),
    escape_test_case_linkify_24_message_protocol: (
        "message://%3c330e7f8409726r6a4ba78dkf1fd71420c1bf6ff@mail.gmail.com%3e",
        permitted(&["http", "message"]),
        concat!(
            r#"<a href="message://%3c330e7f8409726r6a4ba78dkf1fd71420c1bf6ff@mail.gmail.com%3e">"#,
            "message://%3c330e7f8409726r6a4ba78dkf1fd71420c1bf6ff@mail.gmail.com%3e</a>"
        )
    ),
    escape_test_case_linkify_25_non_ascii: (
        "http://\u{27a1}.ws/\u{4a39}",
        LinkifyOptions::default(),
        "<a href=\"http://\u{27a1}.ws/\u{4a39}\">http://\u{27a1}.ws/\u{4a39}</a>"
    ),
    escape_test_case_linkify_26_inside_tags: (
        "<tag>http://example.com</tag>",
        LinkifyOptions::default(),
        r#"&lt;tag&gt;<a href="http://example.com">http://example.com</a>&lt;/tag&gt;"#
    ),
    escape_test_case_linkify_27_www_without_protocol: (
        "Just a www.example.com link.",
        LinkifyOptions::default(),
        r#"Just a <a href="http://www.example.com">www.example.com</a> link."#
    ),
    escape_test_case_linkify_28_require_protocol: (
        "Just a www.example.com link.",
        LinkifyOptions { require_protocol: true, ..LinkifyOptions::default() },
        "Just a www.example.com link."
    ),
    escape_test_case_linkify_29_shorten_path: (
        "A http://reallylong.com/link/that/exceedsthelenglimit.html",
        LinkifyOptions { require_protocol: true, shorten: true, ..LinkifyOptions::default() },
        concat!(
            r#"A <a href="http://reallylong.com/link/that/exceedsthelenglimit.html""#,
            r#" title="http://reallylong.com/link/that/exceedsthelenglimit.html">http://reallylong.com/link...</a>"#
        )
    ),
    escape_test_case_linkify_30_shorten_long_host: (
        "A http://reallylongdomainnamethatwillbetoolong.com/hi!",
        LinkifyOptions { shorten: true, ..LinkifyOptions::default() },
        concat!(
            r#"A <a href="http://reallylongdomainnamethatwillbetoolong.com/hi""#,
            r#" title="http://reallylongdomainnamethatwillbetoolong.com/hi">http://reallylongdomainnametha...</a>!"#
        )
    ),
    escape_test_case_linkify_31_file_not_permitted: (
        "A file:///passwords.txt and http://web.com link",
        LinkifyOptions::default(),
        r#"A file:///passwords.txt and <a href="http://web.com">http://web.com</a> link"#
    ),
    escape_test_case_linkify_32_only_file_permitted: (
        "A file:///passwords.txt and http://web.com link",
        permitted(&["file"]),
        r#"A <a href="file:///passwords.txt">file:///passwords.txt</a> and http://web.com link"#
    ),
    escape_test_case_linkify_33_fixed_extra_params: (
        "www.external-link.com",
        LinkifyOptions { extra_params: r#"rel="nofollow" class="external""#.into(), ..LinkifyOptions::default() },
        r#"<a href="http://www.external-link.com" rel="nofollow" class="external">www.external-link.com</a>"#
    ),
    escape_test_case_linkify_34_extra_params_per_url: (
        "www.external-link.com and www.internal-link.com/blogs extra",
        LinkifyOptions {
            extra_params: ExtraParams::per_url(|href| {
                if href.starts_with("http://www.internal-link.com") {
                    r#"class="internal""#.to_owned()
                } else {
                    r#"rel="nofollow" class="external""#.to_owned()
                }
            }),
            ..LinkifyOptions::default()
        },
        concat!(
            r#"<a href="http://www.external-link.com" rel="nofollow" class="external">www.external-link.com</a>"#,
            r#" and <a href="http://www.internal-link.com/blogs" class="internal">www.internal-link.com/blogs</a> extra"#
        )
    ),
    escape_test_case_linkify_35_extra_params_per_url_trimmed: (
        "www.external-link.com",
        LinkifyOptions {
            extra_params: ExtraParams::per_url(|_| r#"    rel="nofollow" class="external"  "#.to_owned()),
            ..LinkifyOptions::default()
        },
        r#"<a href="http://www.external-link.com" rel="nofollow" class="external">www.external-link.com</a>"#
    ),
}

#[test]
fn escape_test_case_xhtml_escape() {
    let cases = [
        ("<foo>", "&lt;foo&gt;"),
        ("<>&\"'", "&lt;&gt;&amp;&quot;&#39;"),
        ("&amp;", "&amp;amp;"),
        ("<\u{e9}>", "&lt;\u{e9}&gt;"),
        // Tornado's byte-string rows: UTF-8 bytes escape the same way.
        (
            std::str::from_utf8(b"<\xc3\xa9>").unwrap(),
            "&lt;\u{e9}&gt;",
        ),
    ];
    for (unescaped, escaped) in cases {
        assert_eq!(xhtml_escape(unescaped), escaped);
        assert_eq!(xhtml_unescape(escaped), unescaped);
    }
}

#[test]
fn escape_test_case_xhtml_unescape_numeric() {
    let cases = [
        ("foo&#32;bar", "foo bar"),
        ("foo&#x20;bar", "foo bar"),
        ("foo&#X20;bar", "foo bar"),
        ("foo&#xabc;bar", "foo\u{abc}bar"),
        ("foo&#xyz;bar", "foo&#xyz;bar"),
        ("foo&#;bar", "foo&#;bar"),
        ("foo&#x;bar", "foo&#x;bar"),
    ];
    for (escaped, unescaped) in cases {
        assert_eq!(xhtml_unescape(escaped), unescaped, "{escaped}");
    }
}

#[test]
fn escape_test_case_url_escape_unicode() {
    // Byte strings are encoded as they are; text becomes UTF-8.
    assert_eq!(url_escape("\u{e9}".as_bytes(), true), "%C3%A9");
    assert_eq!(url_escape(b"\xe9", true), "%E9");
    assert_eq!(url_escape("\u{e9}", true), "%C3%A9");
}

#[test]
fn escape_test_case_url_unescape_unicode() {
    for escaped in ["%C3%A9".as_bytes(), b"%C3%A9".as_slice()] {
        // encoding="utf8"
        assert_eq!(url_unescape(escaped, true), "\u{e9}");
        // encoding="latin1": the bytes, each read as one character.
        let latin1: String = url_unescape_bytes(escaped, true)
            .into_iter()
            .map(char::from)
            .collect();
        assert_eq!(latin1, "\u{c3}\u{a9}");
        // encoding=None
        assert_eq!(url_unescape_bytes(escaped, true), "\u{e9}".as_bytes());
    }
}

#[test]
fn escape_test_case_url_escape_quote_plus() {
    let unescaped = "+ #%";
    let plus_escaped = "%2B+%23%25";
    let escaped = "%2B%20%23%25";
    assert_eq!(url_escape(unescaped, true), plus_escaped);
    assert_eq!(url_escape(unescaped, false), escaped);
    assert_eq!(url_unescape(plus_escaped, true), unescaped);
    assert_eq!(url_unescape(escaped, false), unescaped);
    assert_eq!(url_unescape_bytes(plus_escaped, true), unescaped.as_bytes());
    assert_eq!(url_unescape_bytes(escaped, false), unescaped.as_bytes());
}

#[test]
fn escape_test_case_json_decode() {
    assert_eq!(json_decode::<String>(b"\"foo\"").unwrap(), "foo");
    assert_eq!(json_decode::<String>("\"foo\"").unwrap(), "foo");
    // Non-ASCII bytes are read as UTF-8.
    assert_eq!(
        json_decode::<String>("\"\u{e9}\"".as_bytes()).unwrap(),
        "\u{e9}"
    );
}

#[test]
fn escape_test_case_json_encode() {
    let encoded = json_encode("\u{e9}").unwrap();
    assert_eq!(json_decode::<String>(&encoded).unwrap(), "\u{e9}");
}

#[test]
fn escape_test_case_squeeze() {
    assert_eq!(
        squeeze("sequences     of    whitespace   chars"),
        "sequences of whitespace chars"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn prop_xhtml_unescape_inverts_escape(s in any::<String>()) {
        let escaped = xhtml_escape(&s);
        prop_assert_eq!(xhtml_unescape(&escaped), s.as_str());
    }

    #[test]
    fn prop_xhtml_unescape_inverts_escape_of_markup(s in r#"[<>&"';#a-z0-9x ]{0,40}"#) {
        let escaped = xhtml_escape(&s);
        prop_assert!(!escaped.contains(['<', '>', '"', '\'']));
        prop_assert_eq!(xhtml_unescape(&escaped), s.as_str());
    }

    #[test]
    fn prop_url_unescape_inverts_escape(s in any::<String>(), plus in any::<bool>()) {
        let escaped = url_escape(&s, plus);
        prop_assert!(escaped.is_ascii());
        prop_assert_eq!(url_unescape(&*escaped, plus), s.as_str());
    }

    #[test]
    fn prop_url_unescape_bytes_inverts_escape(b in proptest::collection::vec(any::<u8>(), 0..64), plus in any::<bool>()) {
        prop_assert_eq!(url_unescape_bytes(url_escape(&b, plus).as_bytes(), plus), b);
    }

    #[test]
    fn prop_json_decode_inverts_encode(s in any::<String>()) {
        let encoded = json_encode(&s).unwrap();
        prop_assert!(!encoded.contains("</"));
        prop_assert_eq!(json_decode::<String>(&encoded).unwrap(), s);
    }

    #[test]
    fn prop_json_encode_never_closes_a_script(s in "[</a-z>]{0,30}") {
        let encoded = json_encode(&s).unwrap();
        prop_assert!(!encoded.contains("</"));
        prop_assert_eq!(json_decode::<String>(&encoded).unwrap(), s);
    }

    #[test]
    fn prop_linkify_output_has_no_raw_markup_outside_tags(s in r#"[a-z:/. <>&"'()w]{0,60}"#) {
        // Linkify escapes first, so removing its own tags leaves no raw `<`.
        let html = linkify(&s, &LinkifyOptions::default());
        let without_tags = strip_anchor_tags(&html);
        prop_assert!(!without_tags.contains(['<', '>']), "{}", html);
    }
}

/// `html` with the `<a ...>` and `</a>` tags linkify writes removed.
fn strip_anchor_tags(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    let next_tag = |text: &str| {
        [text.find("<a href=\""), text.find("</a>")]
            .into_iter()
            .flatten()
            .min()
    };
    while let Some(start) = next_tag(rest) {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('>')
            .map_or(rest.len(), |i| start + i + 1);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}
