//! The headers every response starts with (`Server`, and
//! `Content-Type: text/html; charset=UTF-8`), kept out of the header list
//! until something needs them there: a response sent whole gets them as
//! fixed lines of its head, with no header entries made, matched or
//! dropped.

use http::HeaderName;
use http::header::{CONTENT_TYPE, SERVER};

use crate::http1::codec::FixedFields;
use crate::httputil::HttpHeaders;

/// The `Server` value.
const SERVER_VALUE: &str = concat!("supercell/", env!("CARGO_PKG_VERSION"));

/// The default `Content-Type` value.
const HTML: &str = "text/html; charset=UTF-8";

/// Which default headers a response still has and has not put into its
/// header list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct DefaultHeaders {
    server: bool,
    content_type: bool,
}

impl DefaultHeaders {
    /// Both, as a response starts.
    pub(super) const ALL: DefaultHeaders = DefaultHeaders {
        server: true,
        content_type: true,
    };

    /// The lines of the defaults left, for the head.
    pub(super) fn fixed(self) -> FixedFields {
        const BOTH: FixedFields = FixedFields::new(concat!(
            "Server: supercell/",
            env!("CARGO_PKG_VERSION"),
            "\r\nContent-Type: text/html; charset=UTF-8\r\n"
        ));
        const SERVER_ONLY: FixedFields = FixedFields::new(concat!(
            "Server: supercell/",
            env!("CARGO_PKG_VERSION"),
            "\r\n"
        ));
        const CONTENT_TYPE_ONLY: FixedFields =
            FixedFields::new("Content-Type: text/html; charset=UTF-8\r\n");
        match (self.server, self.content_type) {
            (true, true) => BOTH,
            (true, false) => SERVER_ONLY,
            (false, true) => CONTENT_TYPE_ONLY,
            (false, false) => FixedFields::NONE,
        }
    }

    /// The default of `name` is no more (the header was set or cleared).
    pub(super) fn forget(&mut self, name: &HeaderName) {
        if *name == SERVER {
            self.server = false;
        } else if *name == CONTENT_TYPE {
            self.content_type = false;
        }
    }

    /// [`forget`](Self::forget) by a name as given.
    pub(super) fn forget_named(&mut self, name: &str) {
        if name.eq_ignore_ascii_case(SERVER.as_str()) {
            self.server = false;
        } else if name.eq_ignore_ascii_case(CONTENT_TYPE.as_str()) {
            self.content_type = false;
        }
    }

    /// Puts the default of `name`, if left, into `headers`, before a
    /// value is added to it.
    pub(super) fn put_one(&mut self, name: &HeaderName, headers: &mut HttpHeaders) {
        let pending = if *name == SERVER {
            self.server
        } else {
            *name == CONTENT_TYPE && self.content_type
        };
        if pending {
            let mut one = DefaultHeaders {
                server: *name == SERVER,
                content_type: *name == CONTENT_TYPE,
            };
            one.put_into(headers);
            self.forget(name);
        }
    }

    /// Puts the defaults left into `headers`, first, as entries.
    pub(super) fn put_into(&mut self, headers: &mut HttpHeaders) {
        let mut defaults = HttpHeaders::with_capacity(2 + headers.len());
        if self.server {
            defaults.append(SERVER, http::HeaderValue::from_static(SERVER_VALUE));
        }
        if self.content_type {
            defaults.append(CONTENT_TYPE, http::HeaderValue::from_static(HTML));
        }
        if !defaults.is_empty() {
            for (name, value) in headers.get_all() {
                defaults.append(name.clone(), value.clone());
            }
            *headers = defaults;
        }
        *self = DefaultHeaders {
            server: false,
            content_type: false,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_lines_are_the_entries_they_stand_for() {
        for (server, content_type) in [(true, true), (true, false), (false, true), (false, false)] {
            let mut defaults = DefaultHeaders {
                server,
                content_type,
            };
            let lines = String::from_utf8(defaults.fixed().as_bytes().to_vec()).unwrap();
            let mut headers = HttpHeaders::new();
            defaults.put_into(&mut headers);
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
            assert_eq!(lines, entries);
            assert_eq!(defaults.fixed(), FixedFields::NONE);
        }
    }

    #[test]
    fn the_defaults_go_before_the_headers_set() {
        let mut defaults = DefaultHeaders::ALL;
        let mut headers = HttpHeaders::new();
        headers.add("X-A", "b").unwrap();
        defaults.put_one(&SERVER, &mut headers);
        let names: Vec<&str> = headers.get_all().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["server", "x-a"]);
        defaults.put_into(&mut headers);
        let names: Vec<&str> = headers.get_all().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["content-type", "server", "x-a"]);
    }
}
