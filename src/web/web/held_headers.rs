//! The `Server` and `Content-Type` headers of a response, held out of the
//! header list until something needs them there. Every response starts
//! with `Server` and `Content-Type: text/html; charset=UTF-8`, and most
//! handlers set only `Content-Type`: a response sent whole gets them as
//! lines of its head, with no header entries made, matched or dropped.

use http::header::{CONTENT_TYPE, SERVER};
use http::{HeaderName, HeaderValue};

use crate::http1::codec::{ExtraFields, FixedFields};
use crate::httputil::HttpHeaders;

/// The `Server` value.
const SERVER_VALUE: &str = concat!("supercell/", env!("CARGO_PKG_VERSION"));

/// The `Server` line of a head.
const SERVER_LINE: &str = concat!("Server: supercell/", env!("CARGO_PKG_VERSION"), "\r\n");

/// The content types most responses have, each known with its lines in a
/// head, with and without `Server` before it, when the program is
/// compiled.
macro_rules! known_types {
    ($($(#[$doc:meta])* $name:ident => $text:literal,)*) => {
        /// A common `Content-Type` value.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(super) enum KnownType {
            $($(#[$doc])* $name,)*
        }

        impl KnownType {
            /// The known type whose value is `text`, exactly.
            pub(super) fn of(text: &str) -> Option<KnownType> {
                match text {
                    $($text => Some(KnownType::$name),)*
                    _ => None,
                }
            }

            /// The value.
            fn text(self) -> &'static str {
                match self {
                    $(KnownType::$name => $text,)*
                }
            }

            /// Its line in a head, after the `Server` line when `server`.
            fn lines(self, server: bool) -> FixedFields {
                match (self, server) {
                    $(
                        (KnownType::$name, true) => const {
                            FixedFields::new(concat!(
                                "Server: supercell/",
                                env!("CARGO_PKG_VERSION"),
                                "\r\nContent-Type: ",
                                $text,
                                "\r\n"
                            ))
                        },
                        (KnownType::$name, false) => const {
                            FixedFields::new(concat!("Content-Type: ", $text, "\r\n"))
                        },
                    )*
                }
            }
        }

        #[cfg(test)]
        const ALL_KNOWN: &[KnownType] = &[$(KnownType::$name,)*];
    };
}

known_types! {
    /// The default.
    Html => "text/html; charset=UTF-8",
    HtmlBare => "text/html",
    Plain => "text/plain",
    PlainUtf8 => "text/plain; charset=UTF-8",
    Json => "application/json",
    JsonUtf8 => "application/json; charset=UTF-8",
    OctetStream => "application/octet-stream",
    Css => "text/css",
    Javascript => "application/javascript",
}

/// The `Content-Type` held out of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
enum HeldType {
    /// A common one: the default, or one the handler set.
    Known(KnownType),
    /// Another one the handler set.
    Set(HeaderValue),
}

/// The `Server` and `Content-Type` headers a response has and has not put
/// into its header list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct HeldHeaders {
    server: bool,
    content_type: Option<HeldType>,
}

impl HeldHeaders {
    /// The defaults, as a response starts.
    pub(super) const DEFAULTS: HeldHeaders = HeldHeaders {
        server: true,
        content_type: Some(HeldType::Known(KnownType::Html)),
    };

    /// None held.
    const NONE: HeldHeaders = HeldHeaders {
        server: false,
        content_type: None,
    };

    /// The headers held, as fields of the head beside the header list,
    /// with an `ETag` of hash `etag`.
    pub(super) fn extra(&self, etag: Option<u64>) -> ExtraFields<'_> {
        const SERVER_ONLY: FixedFields = FixedFields::new(SERVER_LINE);
        let server = if self.server {
            SERVER_ONLY
        } else {
            FixedFields::NONE
        };
        let (fixed, content_type) = match &self.content_type {
            Some(HeldType::Known(known)) => (known.lines(self.server), None),
            Some(HeldType::Set(value)) => (server, Some(value)),
            None => (server, None),
        };
        ExtraFields {
            fixed,
            content_type,
            etag,
        }
    }

    /// Holds the common `known` as the `Content-Type` (set by the
    /// handler): the list must then have none.
    pub(super) fn set_known_type(&mut self, known: KnownType) {
        self.content_type = Some(HeldType::Known(known));
    }

    /// Holds `value` as the `Content-Type` (set by the handler): the list
    /// must then have none.
    pub(super) fn set_content_type(&mut self, value: HeaderValue) {
        self.content_type = Some(HeldType::Set(value));
    }

    /// The header `name` held is no more (it was set in the list, or
    /// cleared).
    pub(super) fn forget(&mut self, name: &HeaderName) {
        if *name == SERVER {
            self.server = false;
        } else if *name == CONTENT_TYPE {
            self.content_type = None;
        }
    }

    /// [`forget`](Self::forget) by a name as given.
    pub(super) fn forget_named(&mut self, name: &str) {
        if name.eq_ignore_ascii_case(SERVER.as_str()) {
            self.server = false;
        } else if name.eq_ignore_ascii_case(CONTENT_TYPE.as_str()) {
            self.content_type = None;
        }
    }

    /// Puts the header `name`, if held, into `headers`, before a value is
    /// added to it.
    pub(super) fn put_one(&mut self, name: &HeaderName, headers: &mut HttpHeaders) {
        let mut one = HeldHeaders::NONE;
        if *name == SERVER {
            one.server = std::mem::take(&mut self.server);
        } else if *name == CONTENT_TYPE {
            one.content_type = self.content_type.take();
        }
        one.put_into(headers);
    }

    /// Puts the headers held into `headers`, first, as entries.
    pub(super) fn put_into(&mut self, headers: &mut HttpHeaders) {
        let held = std::mem::replace(self, HeldHeaders::NONE);
        if held == HeldHeaders::NONE {
            return;
        }
        let mut all = HttpHeaders::with_capacity(2 + headers.len());
        if held.server {
            all.append(SERVER, HeaderValue::from_static(SERVER_VALUE));
        }
        match held.content_type {
            Some(HeldType::Known(known)) => {
                all.append(CONTENT_TYPE, HeaderValue::from_static(known.text()));
            }
            Some(HeldType::Set(value)) => all.append(CONTENT_TYPE, value),
            None => {}
        }
        for (name, value) in headers.get_all() {
            all.append(name.clone(), value.clone());
        }
        *headers = all;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every way the headers can be held.
    fn all_held() -> Vec<HeldHeaders> {
        let types: Vec<_> = ALL_KNOWN
            .iter()
            .map(|&known| Some(HeldType::Known(known)))
            .chain([None, Some(HeldType::Set(HeaderValue::from_static("a/b")))])
            .collect();
        [true, false]
            .into_iter()
            .flat_map(|server| {
                types
                    .clone()
                    .into_iter()
                    .map(move |content_type| HeldHeaders {
                        server,
                        content_type,
                    })
            })
            .collect()
    }

    #[test]
    fn the_head_fields_are_the_entries_they_stand_for() {
        for held in all_held() {
            let extra = held.extra(None);
            let mut lines = String::from_utf8(extra.fixed.as_bytes().to_vec()).unwrap();
            if let Some(value) = &extra.content_type {
                lines += &format!("Content-Type: {}\r\n", value.to_str().unwrap());
            }
            let mut put = held.clone();
            let mut headers = HttpHeaders::new();
            put.put_into(&mut headers);
            let entries: String = headers
                .get_all()
                .map(|(name, value)| {
                    let name = match name.as_str() {
                        "server" => "Server",
                        _ => "Content-Type",
                    };
                    format!("{name}: {}\r\n", value.to_str().unwrap())
                })
                .collect();
            assert_eq!(lines, entries, "{held:?}");
            assert_eq!(put.extra(None), ExtraFields::default());
        }
    }

    #[test]
    fn the_held_headers_go_before_the_headers_set() {
        let mut held = HeldHeaders::DEFAULTS;
        held.set_content_type(HeaderValue::from_static("text/plain"));
        let mut headers = HttpHeaders::new();
        headers.add("X-A", "b").unwrap();
        held.put_one(&SERVER, &mut headers);
        let names: Vec<&str> = headers.get_all().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["server", "x-a"]);
        held.put_into(&mut headers);
        let fields: Vec<(&str, &str)> = headers
            .get_all()
            .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
            .collect();
        assert_eq!(
            fields,
            [
                ("content-type", "text/plain"),
                ("server", SERVER_VALUE),
                ("x-a", "b")
            ]
        );
    }

    #[test]
    fn known_types_are_found_by_their_exact_text() {
        for &known in ALL_KNOWN {
            assert_eq!(KnownType::of(known.text()), Some(known));
            let upper = known.text().to_ascii_uppercase();
            assert_eq!(KnownType::of(&upper), None);
            assert_eq!(KnownType::of(&format!("{} ", known.text())), None);
        }
        assert_eq!(KnownType::of("text/plain; charset=utf-8"), None);
    }

    #[test]
    fn a_header_set_or_cleared_is_no_longer_held() {
        let mut held = HeldHeaders::DEFAULTS;
        held.forget(&CONTENT_TYPE);
        held.forget_named("SERVER");
        assert_eq!(held, HeldHeaders::NONE);
    }
}
