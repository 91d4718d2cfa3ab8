//! Escaping and unescaping for HTML, URLs and JSON, and a few text helpers,
//! as Tornado's `tornado.escape`.
//!
//! - HTML: [`xhtml_escape`], [`xhtml_unescape`], [`linkify`].
//! - URLs: [`url_escape`], [`url_unescape`], [`url_unescape_bytes`],
//!   [`parse_qs_bytes`].
//! - JSON: [`json_encode`] (safe inside `<script>`), [`json_decode`].
//! - Text: [`squeeze`].
//!
//! Tornado's `utf8`, `to_unicode`, `to_basestring`, `native_str` and
//! `recursive_unicode` convert between Python's text and byte types; Rust's
//! `&str`/`&[u8]` (`str::as_bytes`, `String::from_utf8`) cover them.
//!
//! The functions that often have nothing to do return
//! [`Cow::Borrowed`](std::borrow::Cow::Borrowed) in that case.
//!
//! ```
//! use supercell::escape::{self, LinkifyOptions};
//!
//! let comment = "<b>Docs</b> at www.tornadoweb.org & friends";
//! let html = escape::linkify(comment, &LinkifyOptions::default());
//! assert_eq!(
//!     html,
//!     "&lt;b&gt;Docs&lt;/b&gt; at \
//!      <a href=\"http://www.tornadoweb.org\">www.tornadoweb.org</a> &amp; friends",
//! );
//! assert_eq!(escape::xhtml_unescape(&escape::xhtml_escape(comment)), comment);
//!
//! let query = format!("q={}&page=2", escape::url_escape("fish & chips", true));
//! assert_eq!(query, "q=fish+%26+chips&page=2");
//! let args = escape::parse_qs_bytes(&query, false);
//! assert_eq!(args["q"], [b"fish & chips".to_vec()]);
//!
//! let script = escape::json_encode(&["</script>"]).unwrap();
//! assert_eq!(script, r#"["<\/script>"]"#);
//! ```

mod entities;
mod json;
mod linkify;
mod query;
mod squeeze;
mod url;
mod xhtml;

pub use json::{json_decode, json_encode};
pub use linkify::{ExtraParams, LinkifyOptions, linkify};
pub use query::parse_qs_bytes;
pub use squeeze::squeeze;
pub use url::{url_escape, url_unescape, url_unescape_bytes};
pub use xhtml::{xhtml_escape, xhtml_unescape};
