//! [`HttpServerRequest`]: one request as a server received it, and
//! [`HttpFile`], an uploaded file.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, DefaultHasher, RandomState};
use std::sync::Arc;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Version};

use super::host::split_host_and_port_borrowed;
use super::{
    HttpHeaders, RequestContext, RequestStartLine, RequestTarget, parse_body_arguments,
    parse_cookie, split_host_and_port,
};
use crate::escape::parse_qs_bytes;
use crate::util::log_target::GEN_LOG;

/// Arguments by name, each with every value it was given, in order
/// (values are bytes: they need not be UTF-8). Make one with
/// `Arguments::default()`.
pub type Arguments = HashMap<String, Vec<Bytes>, NameHasher>;

/// A file uploaded in a `multipart/form-data` body (Tornado's `HTTPFile`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpFile {
    /// The file name the client gave.
    pub filename: String,
    /// The file's content.
    pub body: Bytes,
    /// The part's `Content-Type` (`application/unknown` when absent).
    pub content_type: String,
}

/// Files by form field name. Make one with `Files::default()`.
pub type Files = HashMap<String, Vec<HttpFile>, NameHasher>;

/// How [`Arguments`] and [`Files`] hash the names a client chose: the
/// standard library's keyed SipHash, with keys drawn at random once per
/// process, so a client cannot pick names that collide. Unlike
/// `RandomState`, it takes no space and costs nothing to make, so an
/// empty map costs nothing either.
#[derive(Clone, Copy, Debug, Default)]
pub struct NameHasher;

impl BuildHasher for NameHasher {
    type Hasher = DefaultHasher;

    fn build_hasher(&self) -> DefaultHasher {
        static KEYS: LazyLock<RandomState> = LazyLock::new(RandomState::new);
        KEYS.build_hasher()
    }
}

/// One HTTP request as received by a server (Tornado's
/// `HTTPServerRequest`). Its `Display` shows the method, URI, version and
/// remote IP, never the headers (they may carry credentials).
///
/// What Tornado derives from the request line and the headers at once
/// (`path`, `query`, `host`, `host_name`) and what comes from the
/// connection (`remote_ip`, `protocol`) are methods here, read from
/// [`uri`](Self::uri), [`headers`](Self::headers) and
/// [`context`](Self::context) when asked: building a request copies no
/// string. The arguments and files are methods too: a request without
/// any (most of them) holds no maps.
#[derive(Clone)]
pub struct HttpServerRequest {
    /// The request method.
    pub method: Method,
    /// The request-target as sent.
    pub uri: RequestTarget,
    /// The protocol version.
    pub version: Version,
    /// The request headers.
    pub headers: HttpHeaders,
    /// The request body (empty when none was sent, or when the body was
    /// streamed to a delegate instead).
    pub body: Bytes,
    /// The arguments and files, once there is any.
    form: Option<Box<Form>>,
    /// Peer, remote IP and protocol of the connection it came on (shared
    /// by the requests of one connection).
    pub context: Arc<RequestContext>,
    start_time: Instant,
    finish_time: Option<Instant>,
}

impl HttpServerRequest {
    /// A request from its start line, headers and body; the query
    /// arguments are parsed here, the body arguments by
    /// [`parse_body`](Self::parse_body).
    ///
    /// `query_arguments` is the query read by
    /// [`parse_qs_bytes`] with blank values kept (`?a=&b` gives `a` and `b`
    /// one empty value each), and `arguments` starts as a copy of it.
    pub fn new(
        start_line: RequestStartLine,
        headers: HttpHeaders,
        body: Bytes,
        context: impl Into<Arc<RequestContext>>,
    ) -> HttpServerRequest {
        HttpServerRequest::received_at(start_line, headers, body, context, Instant::now())
    }

    /// [`new`](Self::new) for a request whose input arrived at
    /// `received`, from when [`request_time`](Self::request_time) counts.
    pub fn received_at(
        start_line: RequestStartLine,
        headers: HttpHeaders,
        body: Bytes,
        context: impl Into<Arc<RequestContext>>,
        received: Instant,
    ) -> HttpServerRequest {
        let RequestStartLine {
            method,
            path: uri,
            version,
        } = start_line;
        // Most targets have no query: then no map is made at all.
        let query = uri.split_query().1;
        let form = Some(query)
            .filter(|query| !query.is_empty())
            .map(query_arguments)
            .filter(|arguments| !arguments.is_empty())
            .map(|query_arguments| {
                Box::new(Form {
                    arguments: query_arguments.clone(),
                    query_arguments,
                    ..Form::default()
                })
            });
        HttpServerRequest {
            method,
            uri,
            version,
            headers,
            body,
            form,
            context: context.into(),
            start_time: received,
            finish_time: None,
        }
    }

    /// Query and body arguments together (Tornado's `arguments`).
    pub fn arguments(&self) -> &Arguments {
        self.form
            .as_ref()
            .map_or(&NO_ARGUMENTS, |form| &form.arguments)
    }

    /// The arguments of the query string.
    pub fn query_arguments(&self) -> &Arguments {
        self.form
            .as_ref()
            .map_or(&NO_ARGUMENTS, |form| &form.query_arguments)
    }

    /// The arguments of a form body (see [`parse_body`](Self::parse_body)).
    pub fn body_arguments(&self) -> &Arguments {
        self.form
            .as_ref()
            .map_or(&NO_ARGUMENTS, |form| &form.body_arguments)
    }

    /// The files uploaded in a `multipart/form-data` body.
    pub fn files(&self) -> &Files {
        self.form.as_ref().map_or(&NO_FILES, |form| &form.files)
    }

    /// The part of [`uri`](Self::uri) before `?`. For a target in
    /// absolute form (`http://host/path`, as sent to proxies and which
    /// servers must accept), the path after the authority (`/` when
    /// there is none).
    pub fn path(&self) -> &str {
        self.uri.path()
    }

    /// The part of [`uri`](Self::uri) after `?` (empty without one).
    pub fn query(&self) -> &str {
        self.uri.split_query().1
    }

    /// The `Host` header, or `127.0.0.1` without one.
    pub fn host(&self) -> &str {
        self.headers
            .get("Host")
            .filter(|host| !host.is_empty())
            .unwrap_or("127.0.0.1")
    }

    /// [`host`](Self::host) lowercased, without its port.
    pub fn host_name(&self) -> Cow<'_, str> {
        let host = self.host();
        if host.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(split_host_and_port(&host.to_ascii_lowercase()).0)
        } else {
            Cow::Borrowed(split_host_and_port_borrowed(host).0)
        }
    }

    /// The client's IP (with `xheaders`, as the proxy reports it).
    pub fn remote_ip(&self) -> &str {
        &self.context.remote_ip
    }

    /// `http` or `https`.
    pub fn protocol(&self) -> &str {
        &self.context.protocol
    }

    /// `protocol://host/uri` (Tornado's `full_url`).
    pub fn full_url(&self) -> String {
        format!("{}://{}{}", self.protocol(), self.host(), self.uri)
    }

    /// How long the request has taken: until it was marked finished, or
    /// until now.
    pub fn request_time(&self) -> Duration {
        self.finish_time
            .unwrap_or_else(Instant::now)
            .saturating_duration_since(self.start_time)
    }

    /// Marks the request finished, fixing [`request_time`](Self::request_time).
    pub fn mark_finished(&mut self) {
        self.finish_time.get_or_insert_with(Instant::now);
    }

    /// Parses a form body (urlencoded or multipart, by `Content-Type`) into
    /// `body_arguments` and `files`, and adds the body arguments to
    /// `arguments` (Tornado's `_parse_body`). Call it once, after the whole
    /// body arrived. A malformed body is not fatal: it is logged as a
    /// warning on [`GEN_LOG`] and leaves the arguments and files as they
    /// were. See [`parse_body_arguments`].
    pub fn parse_body(&mut self) {
        if self.body.is_empty() {
            return;
        }
        let content_type = self.headers.get("Content-Type").unwrap_or("");
        let mut body_arguments = Arguments::default();
        let mut files = Files::default();
        if let Err(error) = parse_body_arguments(
            content_type,
            &self.body,
            &mut body_arguments,
            &mut files,
            Some(&self.headers),
        ) {
            tracing::warn!(target: GEN_LOG, "{}", error.0);
        }
        if body_arguments.is_empty() && files.is_empty() {
            return;
        }
        let form = self.form.get_or_insert_default();
        for (name, uploads) in files {
            form.files.entry(name).or_default().extend(uploads);
        }
        // The maps hash alike: room first, so that inserting in the
        // order of one map never makes the other grow table by table.
        form.arguments.reserve(body_arguments.len());
        form.body_arguments.reserve(body_arguments.len());
        for (name, values) in body_arguments {
            form.arguments
                .entry(name.clone())
                .or_default()
                .extend(values.iter().cloned());
            form.body_arguments.entry(name).or_default().extend(values);
        }
    }

    /// The request's cookies by name, from its `Cookie` headers (Tornado's
    /// `cookies`).
    ///
    /// Each `Cookie` header is read with [`parse_cookie`], the browsers'
    /// lenient way; as in Tornado, names a cookie may not have are dropped:
    /// empty names, names with characters outside letters, digits and
    /// ``!#$%&'*+-.^_`|~:``, and attribute names (`expires`, `path`,
    /// `comment`, `domain`, `max-age`, `secure`, `httponly`, `version`,
    /// `samesite`, any case). A later cookie of the same name wins.
    pub fn cookies(&self) -> HashMap<String, String> {
        self.headers
            .get_list("Cookie")
            .into_iter()
            .flat_map(parse_cookie)
            .filter(|(name, _)| is_legal_cookie_name(name))
            .collect()
    }
}

/// The arguments and files of a request that has any.
#[derive(Clone, Default)]
struct Form {
    arguments: Arguments,
    query_arguments: Arguments,
    body_arguments: Arguments,
    files: Files,
}

/// What a request without arguments lends.
static NO_ARGUMENTS: Arguments = HashMap::with_hasher(NameHasher);

/// What a request without files lends.
static NO_FILES: Files = HashMap::with_hasher(NameHasher);

/// The arguments of `query` (blank values kept).
fn query_arguments(query: &str) -> Arguments {
    parse_qs_bytes(query, true)
        .into_iter()
        .map(|(name, values)| (name, values.into_iter().map(Bytes::from).collect()))
        .collect()
}

/// Whether `name` can be a cookie's name (Python's `SimpleCookie` rule).
fn is_legal_cookie_name(name: &str) -> bool {
    const RESERVED: [&str; 9] = [
        "expires", "path", "comment", "domain", "max-age", "secure", "httponly", "version",
        "samesite",
    ];
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:".contains(&b))
        && !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name))
}

impl fmt::Display for HttpServerRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "HttpServerRequest(protocol={:?}, host={:?}, method={:?}, uri={:?}, version={:?}, remote_ip={:?})",
            self.protocol(),
            self.host(),
            self.method.as_str(),
            self.uri,
            self.version,
            self.remote_ip()
        )
    }
}

impl fmt::Debug for HttpServerRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
