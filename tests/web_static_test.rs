//! Counterparts of Tornado 5.0's static file tests in
//! `tornado/test/web_test.py` (`StaticFileTest`,
//! `StaticDefaultFilenameTest`, `StaticFileWithPathTest`,
//! `CustomStaticFileTest`), over real sockets on 127.0.0.1, and
//! supercell's own: root confinement against traversal (`..`,
//! percent-encoded dots and slashes, absolute paths, symbolic links),
//! several ranges, a large file streamed in chunks with flat memory, the
//! version cache following changes, and properties of the `Range` parser.
//!
//! The files served are under `tests/static/` (supercell's own, laid out
//! as Tornado's: `robots.txt` holds the usual two lines whose byte ranges
//! the tests name). Adaptations:
//!
//! - Tornado's handler subclasses with an `include_host` class attribute
//!   (`AbsoluteStaticUrlHandler`, `OverrideStaticUrlHandler`) keep it as a
//!   field and pass it to `Context::static_url`, whose `include_host` is
//!   an argument. `include_version=` is `Context::static_url_with`.
//!   `OverrideStaticUrlHandler` reads `include_host=0` as false (Python's
//!   `bool("0")` is true, so Tornado's test checked the `True` case
//!   twice).
//! - `CustomStaticFileTest`'s `StaticFileHandler` subclass is a
//!   `StaticFiles` implementation given as the `static_handler_class`
//!   setting, overriding the same methods; `get_content_size` and
//!   `get_modified_time` are `get_content_info`.
//! - `test_path_traversal_protection` asks for `/static/../web_static_test.rs`
//!   (this file, beside the static directory) where Tornado asks for its
//!   `static_foo.txt`, on a raw connection, as Tornado uses its simple
//!   client (which does not resolve `..` itself).

#[path = "support/raw_http.rs"]
mod raw_http;
#[path = "support/tempdir.rs"]
mod tempdir;

use std::io;
use std::net::SocketAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::future::BoxFuture;
use futures_util::stream;
use http::Method;
use proptest::prelude::*;
use raw_http::RawClient;
use supercell::httpclient::{HttpRequest, HttpResponse};
use supercell::httputil::{
    RangeResponse, RequestRange, content_range, format_timestamp, parse_request_range,
};
use supercell::testing::{ExpectLog, HttpTestServer};
use supercell::util::log_target::GEN_LOG;
use supercell::web::{
    Application, ContentInfo, ContentStream, Context, RequestHandler, Route, Settings,
    StaticFileHandler, StaticFiles, StaticHandlerArgs, StaticResource, WebResult,
    default_set_headers, url,
};
use tempdir::TempDir;

/// The MD5 of `tests/static/robots.txt`: its version and `ETag`.
const ROBOTS_TXT_HASH: &str = "f71d20196d4caf35b6a670db8c70b03d";

/// The `tests/static` directory.
fn static_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/static")
}

fn robots_txt() -> Vec<u8> {
    std::fs::read(static_dir().join("robots.txt")).unwrap()
}

fn header<'a>(response: &'a HttpResponse, name: &str) -> Option<&'a str> {
    response.headers.get(name)
}

/// Writes the static URL of the path argument (Tornado's
/// `StaticUrlHandler`, and with `include_host`, its
/// `AbsoluteStaticUrlHandler`).
struct StaticUrlHandler {
    include_host: bool,
}

impl RequestHandler for StaticUrlHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let path = cx.path_arg(0).unwrap_or("").to_owned();
        let with_v = cx.get_argument_or("include_version", "1")? != "0";
        let url = cx.static_url_with(&path, self.include_host, with_v)?;
        cx.write(url)
    }
}

/// Checks that an explicit `include_host` overrides the handler's own
/// (Tornado's `OverrideStaticUrlHandler`).
struct OverrideStaticUrlHandler {
    include_host: bool,
}

impl RequestHandler for OverrideStaticUrlHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let path = cx.path_arg(0).unwrap_or("").to_owned();
        let do_include = cx.get_argument("include_host")? != "0";
        self.include_host = !do_include;
        let regular_url = cx.static_url(&path, self.include_host)?;
        let override_url = cx.static_url(&path, do_include)?;
        if override_url == regular_url {
            return cx.write("False");
        }
        let protocol = format!("{}://", cx.request().protocol());
        let (regular, overridden) = (
            regular_url.starts_with(&protocol),
            override_url.starts_with(&protocol),
        );
        let result = if do_include {
            overridden && !regular
        } else {
            !overridden && regular
        };
        cx.write(if result { "True" } else { "False" })
    }
}

/// `StaticFileTest`'s server: the static files of `tests/static`, the
/// static URL handlers, and a handler rooted at `/`.
fn static_file_test_server() -> HttpTestServer {
    let root = StaticFileHandler::new("/");
    let routes = vec![
        url("/static_url/(.*)", || StaticUrlHandler {
            include_host: false,
        }),
        url("/abs_static_url/(.*)", || StaticUrlHandler {
            include_host: true,
        }),
        url("/override_static_url/(.*)", || OverrideStaticUrlHandler {
            include_host: false,
        }),
        url("/root_static/(.*)", move || root.clone()),
    ];
    let settings = Settings {
        static_path: Some(static_dir()),
        ..Settings::default()
    };
    HttpTestServer::new(Application::new(routes, settings).unwrap()).unwrap()
}

/// A request for `path` with `headers`.
fn request(path: &str, headers: &[(&str, &str)]) -> HttpRequest {
    headers
        .iter()
        .fold(HttpRequest::new(path), |request, (name, value)| {
            request.header(name, value)
        })
}

/// Fetches `path` with `HEAD` and `GET`, checks that their `Content-*`
/// headers agree, and returns the `GET` response (Tornado's
/// `get_and_head`).
async fn get_and_head(
    server: &HttpTestServer,
    path: &str,
    headers: &[(&str, &str)],
) -> HttpResponse {
    let head = server
        .fetch(
            request(path, headers)
                .method("HEAD")
                .follow_redirects(false),
        )
        .await;
    let get = server
        .fetch(request(path, headers).follow_redirects(false))
        .await;
    assert_eq!(head.code, get.code, "status of HEAD and GET {path}");
    let names = (&head.headers)
        .into_iter()
        .chain(&get.headers)
        .map(|(name, _)| name.as_str().to_owned())
        .filter(|name| name.starts_with("content-"));
    for name in names {
        assert_eq!(
            head.headers.get(&name),
            get.headers.get(&name),
            "{name} differs between GET and HEAD of {path}"
        );
    }
    assert!(head.body.is_empty(), "a body for HEAD {path}");
    get
}

/// Tornado: StaticFileTest.test_static_files
#[tokio::test]
async fn test_static_files() {
    let server = static_file_test_server();
    let response = server.fetch("/robots.txt").await;
    assert!(String::from_utf8_lossy(&response.body).contains("Disallow: /"));
    let response = server.fetch("/static/robots.txt").await;
    assert!(String::from_utf8_lossy(&response.body).contains("Disallow: /"));
    assert_eq!(header(&response, "Content-Type"), Some("text/plain"));
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_compressed_files
#[tokio::test]
async fn test_static_compressed_files() {
    let server = static_file_test_server();
    let response = server.fetch("/static/sample.xml.gz").await;
    assert_eq!(header(&response, "Content-Type"), Some("application/gzip"));
    let response = server.fetch("/static/sample.xml.bz2").await;
    assert_eq!(
        header(&response, "Content-Type"),
        Some("application/octet-stream")
    );
    // The uncompressed file keeps its own type.
    let response = server.fetch("/static/sample.xml").await;
    let content_type = header(&response, "Content-Type").unwrap();
    assert!(["text/xml", "application/xml"].contains(&content_type));
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_url
#[tokio::test]
async fn test_static_url() {
    let server = static_file_test_server();
    let response = server.fetch("/static_url/robots.txt").await;
    assert_eq!(
        response.body,
        format!("/static/robots.txt?v={ROBOTS_TXT_HASH}")
    );
    server.stop().await;
}

/// Tornado: StaticFileTest.test_absolute_static_url
#[tokio::test]
async fn test_absolute_static_url() {
    let server = static_file_test_server();
    let response = server.fetch("/abs_static_url/robots.txt").await;
    let expected = server.get_url(&format!("/static/robots.txt?v={ROBOTS_TXT_HASH}"));
    assert_eq!(response.body, expected);
    server.stop().await;
}

/// Tornado: StaticFileTest.test_relative_version_exclusion
#[tokio::test]
async fn test_relative_version_exclusion() {
    let server = static_file_test_server();
    let response = server
        .fetch("/static_url/robots.txt?include_version=0")
        .await;
    assert_eq!(response.body, "/static/robots.txt");
    server.stop().await;
}

/// Tornado: StaticFileTest.test_absolute_version_exclusion
#[tokio::test]
async fn test_absolute_version_exclusion() {
    let server = static_file_test_server();
    let response = server
        .fetch("/abs_static_url/robots.txt?include_version=0")
        .await;
    assert_eq!(response.body, server.get_url("/static/robots.txt"));
    server.stop().await;
}

/// Tornado: StaticFileTest.test_include_host_override
#[tokio::test]
async fn test_include_host_override() {
    let server = static_file_test_server();
    for include_host in [0, 1] {
        let path = format!("/override_static_url/robots.txt?include_host={include_host}");
        let response = server.fetch(path).await;
        assert_eq!(response.body, "True", "include_host={include_host}");
    }
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_304_if_modified_since
#[tokio::test]
async fn test_static_304_if_modified_since() {
    let server = static_file_test_server();
    let first = get_and_head(&server, "/static/robots.txt", &[]).await;
    let last_modified = header(&first, "Last-Modified").unwrap().to_owned();
    let second = get_and_head(
        &server,
        "/static/robots.txt",
        &[("If-Modified-Since", &last_modified)],
    )
    .await;
    assert_eq!(second.code, 304);
    assert!(header(&second, "Content-Length").is_none());
    assert!(header(&second, "Last-Modified").is_none());
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_304_if_none_match
#[tokio::test]
async fn test_static_304_if_none_match() {
    let server = static_file_test_server();
    let first = get_and_head(&server, "/static/robots.txt", &[]).await;
    let etag = header(&first, "Etag").unwrap().to_owned();
    let second = get_and_head(&server, "/static/robots.txt", &[("If-None-Match", &etag)]).await;
    assert_eq!(second.code, 304);
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_304_etag_modified_bug
#[tokio::test]
async fn test_static_304_etag_modified_bug() {
    let server = static_file_test_server();
    let first = get_and_head(&server, "/static/robots.txt", &[]).await;
    let last_modified = header(&first, "Last-Modified").unwrap().to_owned();
    let second = get_and_head(
        &server,
        "/static/robots.txt",
        &[
            ("If-None-Match", "\"MISMATCH\""),
            ("If-Modified-Since", &last_modified),
        ],
    )
    .await;
    assert_eq!(second.code, 200);
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_if_modified_since_pre_epoch
#[tokio::test]
async fn test_static_if_modified_since_pre_epoch() {
    let server = static_file_test_server();
    let response = get_and_head(
        &server,
        "/static/robots.txt",
        &[("If-Modified-Since", "Fri, 01 Jan 1960 00:00:00 GMT")],
    )
    .await;
    assert_eq!(response.code, 200);
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_if_modified_since_time_zone
#[tokio::test]
async fn test_static_if_modified_since_time_zone() {
    let server = static_file_test_server();
    let modified = std::fs::metadata(static_dir().join("robots.txt"))
        .unwrap()
        .modified()
        .unwrap();
    let before = format_timestamp(modified - Duration::from_secs(1));
    let response = get_and_head(
        &server,
        "/static/robots.txt",
        &[("If-Modified-Since", &before)],
    )
    .await;
    assert_eq!(response.code, 200);
    let after = format_timestamp(modified + Duration::from_secs(1));
    let response = get_and_head(
        &server,
        "/static/robots.txt",
        &[("If-Modified-Since", &after)],
    )
    .await;
    assert_eq!(response.code, 304);
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_etag
#[tokio::test]
async fn test_static_etag() {
    let server = static_file_test_server();
    let response = get_and_head(&server, "/static/robots.txt", &[]).await;
    let expected = format!("\"{ROBOTS_TXT_HASH}\"");
    assert_eq!(header(&response, "Etag"), Some(expected.as_str()));
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_with_range
#[tokio::test]
async fn test_static_with_range() {
    let server = static_file_test_server();
    let response = get_and_head(&server, "/static/robots.txt", &[("Range", "bytes=0-9")]).await;
    assert_eq!(response.code, 206);
    assert_eq!(response.body, "User-agent");
    let expected = format!("\"{ROBOTS_TXT_HASH}\"");
    assert_eq!(header(&response, "Etag"), Some(expected.as_str()));
    assert_eq!(header(&response, "Content-Length"), Some("10"));
    assert_eq!(header(&response, "Content-Range"), Some("bytes 0-9/26"));
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_with_range_full_file
#[tokio::test]
async fn test_static_with_range_full_file() {
    let server = static_file_test_server();
    let response = get_and_head(&server, "/static/robots.txt", &[("Range", "bytes=0-")]).await;
    // Chrome refuses to play audio answered 206 to `bytes=0-`.
    assert_eq!(response.code, 200);
    assert_eq!(response.body, robots_txt());
    assert_eq!(header(&response, "Content-Length"), Some("26"));
    assert_eq!(header(&response, "Content-Range"), None);
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_with_range_full_past_end
#[tokio::test]
async fn test_static_with_range_full_past_end() {
    let server = static_file_test_server();
    let response = get_and_head(
        &server,
        "/static/robots.txt",
        &[("Range", "bytes=0-10000000")],
    )
    .await;
    assert_eq!(response.code, 200);
    assert_eq!(response.body, robots_txt());
    assert_eq!(header(&response, "Content-Length"), Some("26"));
    assert_eq!(header(&response, "Content-Range"), None);
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_with_range_partial_past_end
#[tokio::test]
async fn test_static_with_range_partial_past_end() {
    let server = static_file_test_server();
    let response = get_and_head(
        &server,
        "/static/robots.txt",
        &[("Range", "bytes=1-10000000")],
    )
    .await;
    assert_eq!(response.code, 206);
    assert_eq!(response.body, robots_txt()[1..]);
    assert_eq!(header(&response, "Content-Length"), Some("25"));
    assert_eq!(header(&response, "Content-Range"), Some("bytes 1-25/26"));
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_with_range_end_edge
#[tokio::test]
async fn test_static_with_range_end_edge() {
    let server = static_file_test_server();
    let response = get_and_head(&server, "/static/robots.txt", &[("Range", "bytes=22-")]).await;
    assert_eq!(response.body, ": /\n");
    assert_eq!(header(&response, "Content-Length"), Some("4"));
    assert_eq!(header(&response, "Content-Range"), Some("bytes 22-25/26"));
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_with_range_neg_end
#[tokio::test]
async fn test_static_with_range_neg_end() {
    let server = static_file_test_server();
    let response = get_and_head(&server, "/static/robots.txt", &[("Range", "bytes=-4")]).await;
    assert_eq!(response.body, ": /\n");
    assert_eq!(header(&response, "Content-Length"), Some("4"));
    assert_eq!(header(&response, "Content-Range"), Some("bytes 22-25/26"));
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_invalid_range
#[tokio::test]
async fn test_static_invalid_range() {
    let server = static_file_test_server();
    let response = get_and_head(&server, "/static/robots.txt", &[("Range", "asdf")]).await;
    assert_eq!(response.code, 200);
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_unsatisfiable_range_zero_suffix
#[tokio::test]
async fn test_static_unsatisfiable_range_zero_suffix() {
    let server = static_file_test_server();
    let response = get_and_head(&server, "/static/robots.txt", &[("Range", "bytes=-0")]).await;
    assert_eq!(header(&response, "Content-Range"), Some("bytes */26"));
    assert_eq!(response.code, 416);
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_unsatisfiable_range_invalid_start
#[tokio::test]
async fn test_static_unsatisfiable_range_invalid_start() {
    let server = static_file_test_server();
    let response = get_and_head(&server, "/static/robots.txt", &[("Range", "bytes=26")]).await;
    assert_eq!(response.code, 416);
    assert_eq!(header(&response, "Content-Range"), Some("bytes */26"));
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_head
#[tokio::test]
async fn test_static_head() {
    let server = static_file_test_server();
    let response = server
        .fetch(HttpRequest::new("/static/robots.txt").method("HEAD"))
        .await;
    assert_eq!(response.code, 200);
    // No body, but the length of the one GET would have.
    assert!(response.body.is_empty());
    assert_eq!(header(&response, "Content-Length"), Some("26"));
    let expected = format!("\"{ROBOTS_TXT_HASH}\"");
    assert_eq!(header(&response, "Etag"), Some(expected.as_str()));
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_head_range
#[tokio::test]
async fn test_static_head_range() {
    let server = static_file_test_server();
    let response = server
        .fetch(request("/static/robots.txt", &[("Range", "bytes=1-4")]).method("HEAD"))
        .await;
    assert_eq!(response.code, 206);
    assert!(response.body.is_empty());
    assert_eq!(header(&response, "Content-Length"), Some("4"));
    let expected = format!("\"{ROBOTS_TXT_HASH}\"");
    assert_eq!(header(&response, "Etag"), Some(expected.as_str()));
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_range_if_none_match
#[tokio::test]
async fn test_static_range_if_none_match() {
    let server = static_file_test_server();
    let etag = format!("\"{ROBOTS_TXT_HASH}\"");
    let response = get_and_head(
        &server,
        "/static/robots.txt",
        &[("Range", "bytes=1-4"), ("If-None-Match", &etag)],
    )
    .await;
    assert_eq!(response.code, 304);
    assert!(response.body.is_empty());
    assert!(header(&response, "Content-Length").is_none());
    assert_eq!(header(&response, "Etag"), Some(etag.as_str()));
    server.stop().await;
}

/// Tornado: StaticFileTest.test_static_404
#[tokio::test]
async fn test_static_404() {
    let server = static_file_test_server();
    let response = get_and_head(&server, "/static/blarg", &[]).await;
    assert_eq!(response.code, 404);
    server.stop().await;
}

/// The address of a test server.
fn address(server: &HttpTestServer) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], server.http_port()))
}

/// Sends `method target` as it is, on a connection of its own, and reads
/// the response.
async fn raw_request(server: &HttpTestServer, method: &Method, target: &str) -> raw_http::Response {
    let mut client = RawClient::connect(address(server)).await;
    let request = format!(
        "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        server.http_port()
    );
    client.send(request.into_bytes()).await;
    client.read_response(method).await
}

/// Tornado: StaticFileTest.test_path_traversal_protection
#[tokio::test]
async fn test_path_traversal_protection() {
    let server = static_file_test_server();
    let expected = ExpectLog::new(GEN_LOG, ".*not in root static directory").unwrap();
    for method in [Method::HEAD, Method::GET] {
        let response = raw_request(&server, &method, "/static/../web_static_test.rs").await;
        // 403: the check held (not 200, the file served, nor 404, which
        // would say only that it was missing).
        assert_eq!(response.code, 403, "{method}");
    }
    expected.finish().unwrap();
    server.stop().await;
}

/// Tornado: StaticFileTest.test_root_static_path
#[cfg(unix)]
#[tokio::test]
async fn test_root_static_path() {
    let server = static_file_test_server();
    const PATH_SAFE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.');
    let path = static_dir().join("robots.txt");
    let quoted =
        percent_encoding::utf8_percent_encode(path.to_str().unwrap(), PATH_SAFE).to_string();
    let response = get_and_head(&server, &format!("/root_static{quoted}"), &[]).await;
    assert_eq!(response.code, 200);
    assert_eq!(response.body, robots_txt());
    server.stop().await;
}

/// `StaticDefaultFilenameTest`'s and `StaticFileWithPathTest`'s settings:
/// `tests/static` with `index.html` for directories.
fn default_filename_settings() -> Settings {
    Settings {
        static_path: Some(static_dir()),
        static_handler_args: StaticHandlerArgs {
            default_filename: Some("index.html".to_owned()),
        },
        ..Settings::default()
    }
}

/// Tornado: StaticDefaultFilenameTest.test_static_default_filename
#[tokio::test]
async fn test_static_default_filename() {
    let app = Application::new(vec![], default_filename_settings()).unwrap();
    let server = HttpTestServer::new(app).unwrap();
    let response = server
        .fetch(HttpRequest::new("/static/dir/").follow_redirects(false))
        .await;
    assert_eq!(response.code, 200);
    assert_eq!(response.body, "the index of dir\n");
    server.stop().await;
}

/// Tornado: StaticDefaultFilenameTest.test_static_default_redirect
#[tokio::test]
async fn test_static_default_redirect() {
    let app = Application::new(vec![], default_filename_settings()).unwrap();
    let server = HttpTestServer::new(app).unwrap();
    let response = server
        .fetch(HttpRequest::new("/static/dir").follow_redirects(false))
        .await;
    assert_eq!(response.code, 301);
    assert!(
        header(&response, "Location")
            .unwrap()
            .ends_with("/static/dir/")
    );
    server.stop().await;
}

/// Tornado: StaticFileWithPathTest.test_serve
#[tokio::test]
async fn test_serve() {
    let templates = StaticFileHandler::new(static_dir().join("templates"));
    let routes = vec![url("/foo/(.*)", move || templates.clone())];
    let app = Application::new(routes, default_filename_settings()).unwrap();
    let server = HttpTestServer::new(app).unwrap();
    let response = server.fetch("/foo/utf8.html").await;
    assert_eq!(response.body, "Gr\u{fc}\u{df}e\n");
    server.stop().await;
}

/// Tornado's `CustomStaticFileTest.MyStaticFileHandler`: versions in file
/// names (`foo.42.txt`), and content that is not in files.
struct MyStaticFiles;

impl StaticFiles for MyStaticFiles {
    fn make_static_url(&self, app: &Application, path: &str, _include_version: bool) -> String {
        let version_hash = self.get_version(app, path).unwrap_or_default();
        let (before_version, after_version) = path.rsplit_once('.').unwrap();
        format!("/static/{before_version}.{version_hash}.{after_version}")
    }

    fn parse_url_path(&self, url_path: &str) -> String {
        let (rest, extension) = url_path.rsplit_once('.').unwrap_or((url_path, ""));
        let (stem, _version) = rest.rsplit_once('.').unwrap_or((rest, ""));
        format!("{stem}.{extension}")
    }

    fn get_absolute_path(&self, _root: &Path, path: &str) -> PathBuf {
        PathBuf::from(format!("CustomStaticFileTest:{path}"))
    }

    fn validate_absolute_path<'a>(
        &'a self,
        _cx: &'a mut Context,
        _root: &'a Path,
        absolute_path: &'a Path,
        _path: &'a str,
        _default_filename: Option<&'a str>,
    ) -> BoxFuture<'a, WebResult<Option<PathBuf>>> {
        Box::pin(async move { Ok(Some(absolute_path.to_owned())) })
    }

    fn get_content<'a>(
        &'a self,
        absolute_path: &'a Path,
        range: Range<u64>,
    ) -> BoxFuture<'a, io::Result<ContentStream>> {
        Box::pin(async move {
            assert_eq!(range, 0..3);
            if absolute_path != Path::new("CustomStaticFileTest:foo.txt") {
                panic!("unexpected path {absolute_path:?}");
            }
            let chunk: io::Result<Bytes> = Ok(Bytes::from_static(b"bar"));
            Ok(Box::pin(stream::iter([chunk])) as ContentStream)
        })
    }

    fn get_content_info<'a>(
        &'a self,
        absolute_path: &'a Path,
    ) -> BoxFuture<'a, io::Result<ContentInfo>> {
        Box::pin(async move {
            if absolute_path != Path::new("CustomStaticFileTest:foo.txt") {
                panic!("unexpected path {absolute_path:?}");
            }
            Ok(ContentInfo {
                size: 3,
                modified: None,
            })
        })
    }

    fn get_content_version(&self, _absolute_path: &Path) -> io::Result<String> {
        Ok("bar-1".to_owned())
    }

    fn get_version(&self, _app: &Application, _path: &str) -> Option<String> {
        Some("42".to_owned())
    }
}

fn custom_static_file_test_server() -> HttpTestServer {
    let routes = vec![url("/static_url/(.*)", || StaticUrlHandler {
        include_host: false,
    })];
    let settings = Settings {
        static_path: Some(PathBuf::from("dummy")),
        static_handler_class: Some(Arc::new(MyStaticFiles)),
        ..Settings::default()
    };
    HttpTestServer::new(Application::new(routes, settings).unwrap()).unwrap()
}

/// `CustomStaticFileTest`'s tests, in a module of their own: their names
/// are also those of tests of other classes.
mod custom_static_file_test {
    use super::*;

    /// Tornado: CustomStaticFileTest.test_serve
    #[tokio::test]
    async fn test_serve() {
        let server = custom_static_file_test_server();
        let response = server.fetch("/static/foo.42.txt").await;
        assert_eq!(response.body, "bar");
        assert_eq!(header(&response, "Etag"), Some("\"bar-1\""));
        assert_eq!(header(&response, "Last-Modified"), None);
        server.stop().await;
    }

    /// Tornado: CustomStaticFileTest.test_static_url
    #[tokio::test]
    async fn test_static_url() {
        let server = custom_static_file_test_server();
        let response = server.fetch("/static_url/foo.txt").await;
        assert_eq!(response.body, "/static/foo.42.txt");
        server.stop().await;
    }
}

/// A server for the files of `root` under `/files/`.
fn files_server(root: &Path, settings: Settings) -> HttpTestServer {
    let handler = StaticFileHandler::new(root);
    let routes = vec![url("/files/(.*)", move || handler.clone())];
    HttpTestServer::new(Application::new(routes, settings).unwrap()).unwrap()
}

/// Traversal out of the static directory in every spelling: refused with
/// `403`, or `404` where the path names nothing inside, and the file
/// outside never served.
#[tokio::test]
async fn traversal_attempts_never_reach_files_outside_the_root() {
    let server = static_file_test_server();
    let cargo_toml =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let attempts = [
        ("/static/../../Cargo.toml", 403),
        ("/static/%2e%2e/%2e%2e/Cargo.toml", 403),
        ("/static/%2E%2E%2F%2E%2E%2FCargo.toml", 403),
        ("/static/dir/..%2f..%2f..%2fCargo.toml", 403),
        ("/static/%2f..%2fCargo.toml", 403),
        ("/static//etc/passwd", 403),
        ("/static/%2fetc%2fpasswd", 403),
        ("/static/dir/../../web_static_test.rs", 403),
        ("/static/dir%5c..%5c..%5cCargo.toml", 404),
        ("/static/robots.txt%00.png", 404),
    ];
    let log = ExpectLog::new(GEN_LOG, ".*not in root static directory").unwrap();
    for (target, code) in attempts {
        for method in [Method::GET, Method::HEAD] {
            let response = raw_request(&server, &method, target).await;
            assert_eq!(response.code, code, "{method} {target}");
            let body = String::from_utf8_lossy(&response.body);
            assert!(!body.contains("[package]"), "{target} served Cargo.toml");
            assert!(!body.contains(&cargo_toml[..40]));
        }
    }
    // Inside the root, `..` is fine.
    let response = raw_request(&server, &Method::GET, "/static/dir/../robots.txt").await;
    assert_eq!(response.code, 200);
    assert_eq!(response.body, robots_txt());
    log.finish().unwrap();
    server.stop().await;
}

/// A symbolic link inside the root to a file or directory outside it is
/// refused; one to a file inside is followed.
#[cfg(unix)]
#[tokio::test]
async fn symbolic_links_out_of_the_root_are_refused() {
    use std::os::unix::fs::symlink;
    let dir = TempDir::new("static-symlinks");
    let root = dir.path("root");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(dir.path("secret.txt"), "secret").unwrap();
    std::fs::write(root.join("public.txt"), "public").unwrap();
    symlink(dir.path("secret.txt"), root.join("leak.txt")).unwrap();
    symlink(dir.root(), root.join("up")).unwrap();
    symlink(root.join("public.txt"), root.join("alias.txt")).unwrap();
    symlink(dir.path("secret.txt"), root.join("sub/index.html")).unwrap();

    let handler = StaticFileHandler::new(&root).with_default_filename("index.html");
    let routes = vec![url("/files/(.*)", move || handler.clone())];
    let server =
        HttpTestServer::new(Application::new(routes, Settings::default()).unwrap()).unwrap();
    let log = ExpectLog::new(GEN_LOG, ".*not in root static directory").unwrap();
    for target in ["/files/leak.txt", "/files/up/secret.txt", "/files/sub/"] {
        let response = server.fetch(target).await;
        assert_eq!(response.code, 403, "{target}");
        assert!(!String::from_utf8_lossy(&response.body).contains("secret"));
    }
    log.finish().unwrap();
    let response = server.fetch("/files/alias.txt").await;
    assert_eq!((response.code, &response.body[..]), (200, &b"public"[..]));
    server.stop().await;
}

/// A directory without a default file name is refused; with one, a path
/// of two leading slashes is never redirected (to another host).
#[tokio::test]
async fn directories_without_default_filename_are_forbidden() {
    let server = static_file_test_server();
    let log = ExpectLog::new(GEN_LOG, ".*is not a file").unwrap();
    assert_eq!(server.fetch("/static/dir").await.code, 403);
    assert_eq!(server.fetch("/static/dir/").await.code, 403);
    log.finish().unwrap();
    server.stop().await;

    let root = StaticFileHandler::new(static_dir()).with_default_filename("index.html");
    // Slashes in front are not part of the file's path.
    let routes = vec![url("/+(.*)", move || root.clone())];
    let server =
        HttpTestServer::new(Application::new(routes, Settings::default()).unwrap()).unwrap();
    let log = ExpectLog::new(GEN_LOG, ".*starts with two slashes").unwrap();
    let response = raw_request(&server, &Method::GET, "//dir").await;
    assert_eq!(response.code, 403);
    assert!(response.header("Location").is_none());
    log.finish().unwrap();
    let response = raw_request(&server, &Method::GET, "/dir").await;
    assert_eq!(response.code, 301);
    assert_eq!(response.header("Location"), Some("/dir/"));
    server.stop().await;
}

/// Several ranges are not understood: the whole file is served, `200`.
#[tokio::test]
async fn multiple_ranges_get_the_whole_file() {
    let server = static_file_test_server();
    for range in ["bytes=0-1,5-6", "bytes=0-1, 3-", "bytes=5-2", "items=0-1"] {
        let response = get_and_head(&server, "/static/robots.txt", &[("Range", range)]).await;
        assert_eq!(response.code, 200, "{range}");
        assert_eq!(response.body, robots_txt());
        assert_eq!(header(&response, "Content-Range"), None);
        assert_eq!(header(&response, "Accept-Ranges"), Some("bytes"));
    }
    server.stop().await;
}

/// Versioned requests (a `v` argument) are cacheable for ten years;
/// others get no caching headers.
#[tokio::test]
async fn versioned_requests_are_cached_for_ten_years() {
    let server = static_file_test_server();
    let response = get_and_head(
        &server,
        &format!("/static/robots.txt?v={ROBOTS_TXT_HASH}"),
        &[],
    )
    .await;
    assert_eq!(
        header(&response, "Cache-Control"),
        Some(format!("max-age={}", StaticFileHandler::CACHE_MAX_AGE).as_str())
    );
    let expires = header(&response, "Expires").unwrap();
    let expires = supercell::httputil::parse_http_date(expires).unwrap();
    let now = supercell::httputil::Timestamp::from(SystemTime::now()).unix_seconds();
    let ahead = expires.unix_seconds() - now;
    assert!((ahead - 315_360_000).abs() < 60, "Expires {ahead} s ahead");
    let response = get_and_head(&server, "/static/robots.txt", &[]).await;
    assert_eq!(header(&response, "Cache-Control"), None);
    assert_eq!(header(&response, "Expires"), None);
    server.stop().await;
}

/// Methods other than `GET` and `HEAD` are not allowed.
#[tokio::test]
async fn other_methods_are_not_allowed() {
    let server = static_file_test_server();
    let response = server
        .fetch(
            HttpRequest::new("/static/robots.txt")
                .method("POST")
                .body(""),
        )
        .await;
    assert_eq!(response.code, 405);
    server.stop().await;
}

/// Bytes that tell their own position: byte `i` of the large file.
fn pattern_byte(i: usize) -> u8 {
    (i.wrapping_mul(2_654_435_761) >> 13) as u8
}

/// A 5 MiB file is served whole and in ranges across chunk boundaries,
/// byte for byte.
#[tokio::test]
async fn large_file_is_streamed_byte_for_byte() {
    let dir = TempDir::new("static-large");
    let size = 5 * 1024 * 1024 + 17;
    let content: Vec<u8> = (0..size).map(pattern_byte).collect();
    std::fs::write(dir.path("large.bin"), &content).unwrap();
    let server = files_server(dir.root(), Settings::default());

    let response = server.fetch("/files/large.bin").await;
    assert_eq!(response.code, 200);
    assert_eq!(
        header(&response, "Content-Length"),
        Some(size.to_string().as_str())
    );
    assert_eq!(
        header(&response, "Content-Type"),
        Some("application/octet-stream")
    );
    assert!(response.body == content, "the body differs from the file");

    let cases = [(65_530, 200_000), (1, 65_536), (size - 70_000, size - 1)];
    for (first, last) in cases {
        let range = format!("bytes={first}-{last}");
        let response = server
            .fetch(request("/files/large.bin", &[("Range", &range)]))
            .await;
        assert_eq!(response.code, 206, "{range}");
        assert!(response.body[..] == content[first..=last], "{range}");
        let expected = format!("bytes {first}-{last}/{size}");
        assert_eq!(header(&response, "Content-Range"), Some(expected.as_str()));
    }
    server.stop().await;
}

/// Content generated as it is read, counting what was read.
struct CountedContent {
    size: u64,
    pulled: Arc<AtomicU64>,
}

impl StaticFiles for CountedContent {
    fn validate_absolute_path<'a>(
        &'a self,
        _cx: &'a mut Context,
        _root: &'a Path,
        absolute_path: &'a Path,
        _path: &'a str,
        _default_filename: Option<&'a str>,
    ) -> BoxFuture<'a, WebResult<Option<PathBuf>>> {
        Box::pin(async move { Ok(Some(absolute_path.to_owned())) })
    }

    fn get_content_info<'a>(&'a self, _: &'a Path) -> BoxFuture<'a, io::Result<ContentInfo>> {
        let size = self.size;
        Box::pin(async move {
            Ok(ContentInfo {
                size,
                modified: None,
            })
        })
    }

    fn get_content<'a>(
        &'a self,
        _: &'a Path,
        range: Range<u64>,
    ) -> BoxFuture<'a, io::Result<ContentStream>> {
        const CHUNK: u64 = 64 * 1024;
        static ZEROS: [u8; CHUNK as usize] = [0; CHUNK as usize];
        let pulled = Arc::clone(&self.pulled);
        Box::pin(async move {
            let chunks = (range.start..range.end)
                .step_by(CHUNK as usize)
                .map(move |at| {
                    let len = CHUNK.min(range.end - at);
                    pulled.fetch_add(len, Ordering::SeqCst);
                    Ok(Bytes::from_static(&ZEROS[..len as usize]))
                });
            Ok(Box::pin(stream::iter(chunks)) as ContentStream)
        })
    }

    fn get_content_version(&self, _: &Path) -> io::Result<String> {
        Ok("generated".to_owned())
    }
}

/// A body is read only as fast as the client takes it: with a client that
/// does not read, the handler stops far short of a 64 MiB body.
#[tokio::test]
async fn large_bodies_are_read_as_the_client_takes_them() {
    let size = 64 * 1024 * 1024;
    let pulled = Arc::new(AtomicU64::new(0));
    let files = CountedContent {
        size,
        pulled: Arc::clone(&pulled),
    };
    let handler = StaticFileHandler::new("/generated").with_files(Arc::new(files));
    let routes = vec![url("/gen/(.*)", move || handler.clone())];
    let server =
        HttpTestServer::new(Application::new(routes, Settings::default()).unwrap()).unwrap();

    let client = RawClient::connect(address(&server)).await;
    client
        .send(&b"GET /gen/zeros HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"[..])
        .await;
    // Let the handler fill what the sockets hold.
    let mut last = 0;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let now = pulled.load(Ordering::SeqCst);
        if now > 0 && now == last {
            break;
        }
        last = now;
    }
    let held = pulled.load(Ordering::SeqCst);
    assert!(held > 0, "nothing was read");
    assert!(
        held < size / 4,
        "{held} bytes read for a client reading none"
    );
    drop(client);
    server.stop().await;
}

/// A file's version (its `ETag`, and its static URL's `v`) follows
/// changes to it, with the version cache on.
#[tokio::test]
async fn changed_files_get_new_versions() {
    let dir = TempDir::new("static-versions");
    let file = dir.path("app.css");
    std::fs::write(&file, "body { color: red }").unwrap();
    let settings = Settings {
        static_path: Some(dir.root().to_owned()),
        ..Settings::default()
    };
    assert!(settings.static_hash_cache());
    let app = Application::new(vec![], settings).unwrap();
    let server = HttpTestServer::new(app.clone()).unwrap();

    let first_url = app.static_url("app.css").unwrap();
    let first = server.fetch(first_url.clone()).await;
    let first_etag = header(&first, "Etag").unwrap().to_owned();
    assert_eq!(
        format!("/static/app.css?v={}", first_etag.trim_matches('"')),
        first_url
    );

    std::fs::write(&file, "body { color: blue }").unwrap();
    let later = SystemTime::now() + Duration::from_secs(10);
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let second_url = app.static_url("app.css").unwrap();
    assert_ne!(second_url, first_url);
    let second = server
        .fetch(request(
            "/static/app.css",
            &[("If-None-Match", &first_etag)],
        ))
        .await;
    assert_eq!(second.code, 200);
    assert_eq!(second.body, "body { color: blue }");
    let second_etag = header(&second, "Etag").unwrap();
    assert_eq!(
        format!("/static/app.css?v={}", second_etag.trim_matches('"')),
        second_url
    );
    server.stop().await;
}

/// Writes `content` to `file` and sets its modification time back to
/// `modified`.
fn rewrite_keeping_time(file: &Path, content: &str, modified: SystemTime) {
    std::fs::write(file, content).unwrap();
    std::fs::File::options()
        .write(true)
        .open(file)
        .unwrap()
        .set_modified(modified)
        .unwrap();
}

/// With `static_hash_cache` on, a version is kept while the file's
/// modification time stays; off (the default under `debug`), it is
/// computed for every use.
#[tokio::test]
async fn static_hash_cache_keeps_versions_per_modification_time() {
    for debug in [false, true] {
        let dir = TempDir::new("static-hash-cache");
        let file = dir.path("app.js");
        std::fs::write(&file, "let a = 1;").unwrap();
        let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
        let settings = Settings {
            debug,
            static_path: Some(dir.root().to_owned()),
            ..Settings::default()
        };
        assert_eq!(settings.static_hash_cache(), !debug);
        let app = Application::new(vec![], settings).unwrap();
        let before = app.static_url("app.js").unwrap();
        // New content of the same length, the modification time put back.
        rewrite_keeping_time(&file, "let b = 2;", modified);
        let after = app.static_url("app.js").unwrap();
        assert_eq!(before == after, !debug, "debug={debug}");
    }
}

/// Tornado: `StaticFileHandler.reset` — the versions kept are forgotten,
/// so content changed under an unchanged modification time gets its new
/// version (in the URL and in the `ETag` served).
#[tokio::test]
async fn reset_static_versions_forgets_the_versions_kept() {
    let dir = TempDir::new("static-reset");
    let file = dir.path("app.js");
    std::fs::write(&file, "let a = 1;").unwrap();
    let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
    let settings = Settings {
        static_path: Some(dir.root().to_owned()),
        ..Settings::default()
    };
    let app = Application::new(vec![], settings).unwrap();
    let server = HttpTestServer::new(app.clone()).unwrap();
    let before = app.static_url("app.js").unwrap();
    rewrite_keeping_time(&file, "let b = 2;", modified);
    assert_eq!(app.static_url("app.js").unwrap(), before);
    app.reset_static_versions();
    let after = app.static_url("app.js").unwrap();
    assert_ne!(after, before);
    let response = server.fetch(after.clone()).await;
    assert_eq!(response.body, "let b = 2;");
    let etag = header(&response, "Etag").unwrap();
    assert_eq!(
        format!("/static/app.js?v={}", etag.trim_matches('"')),
        after
    );
    server.stop().await;
}

/// A path leading out of the static directory gets no version: its file
/// is never read.
#[tokio::test]
async fn static_urls_out_of_the_root_have_no_version() {
    let settings = Settings {
        static_path: Some(static_dir()),
        ..Settings::default()
    };
    let app = Application::new(vec![], settings).unwrap();
    assert_eq!(
        app.static_url("../web_static_test.rs").unwrap(),
        "/static/../web_static_test.rs"
    );
    assert_eq!(
        app.static_url("robots.txt").unwrap(),
        format!("/static/robots.txt?v={ROBOTS_TXT_HASH}")
    );
}

/// Static URLs need the `static_path` setting.
#[tokio::test]
async fn static_url_needs_a_static_path() {
    let app = Application::new(vec![], Settings::default()).unwrap();
    assert!(app.static_url("a.css").is_err());
    let routes: Vec<Route> = vec![url("/u", || StaticUrlHandler {
        include_host: false,
    })];
    let app = Application::new(routes, Settings::default()).unwrap();
    let server = HttpTestServer::new(app).unwrap();
    let log = ExpectLog::new("", ".*static_path").unwrap();
    assert_eq!(server.fetch("/u").await.code, 500);
    log.finish().unwrap();
    server.stop().await;
}

/// A prefix of its own, and a missing static directory (everything 404).
#[tokio::test]
async fn custom_prefix_and_missing_directory() {
    let settings = Settings {
        static_path: Some(static_dir()),
        static_url_prefix: "/assets/v1.0/".to_owned(),
        ..Settings::default()
    };
    let app = Application::new(vec![], settings).unwrap();
    assert_eq!(
        app.static_url_with("robots.txt", false).unwrap(),
        "/assets/v1.0/robots.txt"
    );
    let server = HttpTestServer::new(app).unwrap();
    assert_eq!(server.fetch("/assets/v1.0/robots.txt").await.code, 200);
    // The prefix is literal: its dot matches only a dot.
    assert_eq!(server.fetch("/assets/v1x0/robots.txt").await.code, 404);
    server.stop().await;

    let dir = TempDir::new("static-missing");
    let server = files_server(&dir.path("absent"), Settings::default());
    assert_eq!(server.fetch("/files/robots.txt").await.code, 404);
    server.stop().await;
}

proptest! {
    /// Any header: no panic, and what is understood resolves to a
    /// range inside the resource, never empty.
    #[test]
    fn range_parser_never_panics_and_stays_in_bounds(header in ".{0,40}", size in 0u64..1000) {
        if let Some(range) = parse_request_range(&header) {
            match range.resolve(size) {
                RangeResponse::Full => prop_assert!(size > 0),
                RangeResponse::Partial(bytes) => {
                    prop_assert!(bytes.start < bytes.end && bytes.end <= size);
                    prop_assert!(bytes != (0..size));
                    let text = content_range(&bytes, size);
                    let expected = format!("bytes {}-{}/{}", bytes.start, bytes.end - 1, size);
                    prop_assert_eq!(text, expected);
                }
                RangeResponse::Unsatisfiable => {}
            }
        }
    }

    /// `bytes=first-last` reads back as written and resolves as Tornado
    /// resolves it.
    #[test]
    fn first_last_ranges_round_trip(first in 0u64..2000, length in 0u64..2000, size in 0u64..2000) {
        let last = first + length;
        let header = format!("bytes={first}-{last}");
        let range = parse_request_range(&header);
        prop_assert_eq!(range, Some(RequestRange::From { start: first, end: Some(last + 1) }));
        let expected = if first >= size {
            RangeResponse::Unsatisfiable
        } else if first == 0 && last + 1 >= size {
            RangeResponse::Full
        } else {
            RangeResponse::Partial(first..(last + 1).min(size))
        };
        prop_assert_eq!(range.unwrap().resolve(size), expected);
    }

    /// `bytes=-n` is the last `n` bytes.
    #[test]
    fn suffix_ranges_take_the_end(length in 0u64..2000, size in 0u64..2000) {
        let range = parse_request_range(&format!("bytes=-{length}")).unwrap();
        let expected = if length == 0 || size == 0 {
            RangeResponse::Unsatisfiable
        } else if length >= size {
            RangeResponse::Full
        } else {
            RangeResponse::Partial(size - length..size)
        };
        prop_assert_eq!(range.resolve(size), expected);
    }

    /// Several ranges, or a last position before the first, are not
    /// understood.
    #[test]
    fn multiple_and_backward_ranges_are_refused(a in 0u64..100, b in 0u64..100, c in 0u64..100) {
        let multiple = format!("bytes={a}-{}, {c}-", a + b);
        prop_assert_eq!(parse_request_range(&multiple), None);
        if b > 0 {
            let backward = format!("bytes={}-{a}", a + b);
            prop_assert_eq!(parse_request_range(&backward), None);
        }
    }
}

/// The static files served with `compress_response` on (Tornado's
/// `GzipTestCase` application).
fn gzip_static_server() -> HttpTestServer {
    let settings = Settings {
        static_path: Some(static_dir()),
        compress_response: true,
        ..Settings::default()
    };
    HttpTestServer::new(Application::new(Vec::new(), settings).unwrap()).unwrap()
}

/// Tornado: GzipTestCase.test_gzip_static
#[tokio::test]
async fn test_gzip_static() {
    let server = gzip_static_server();
    let response = server.fetch("/robots.txt").await;
    let encoding = header(&response, "Content-Encoding")
        .or_else(|| header(&response, "X-Consumed-Content-Encoding"));
    assert_eq!(encoding, Some("gzip"));
    assert_eq!(header(&response, "Vary"), Some("Accept-Encoding"));
    assert_eq!(response.body.to_vec(), robots_txt());
    server.stop().await;
}

#[tokio::test]
async fn a_range_of_a_static_file_is_never_compressed() {
    let server = gzip_static_server();
    let response = server
        .fetch(request("/robots.txt", &[("Range", "bytes=0-9")]))
        .await;
    assert_eq!(response.code, 206);
    assert!(header(&response, "Content-Encoding").is_none());
    assert!(header(&response, "X-Consumed-Content-Encoding").is_none());
    assert_eq!(response.body.to_vec(), robots_txt()[..10].to_vec());
    assert_eq!(header(&response, "Content-Length"), Some("10"));
    server.stop().await;
}

/// Static files with an `ETag` of their own (from the version's first
/// eight digits, or none), a `304` rule of their own (never, when
/// `never_304`), and headers added to and taken from the defaults.
struct OwnValidators {
    etag: bool,
    never_304: bool,
}

impl StaticFiles for OwnValidators {
    fn compute_etag(&self, resource: &StaticResource<'_>) -> Option<String> {
        let version = resource.version?;
        self.etag.then(|| format!("\"short-{}\"", &version[..8]))
    }

    fn should_return_304(&self, cx: &Context, resource: &StaticResource<'_>) -> bool {
        !self.never_304 && supercell::web::default_should_return_304(cx, resource)
    }

    fn set_headers(&self, cx: &mut Context, resource: &StaticResource<'_>) -> WebResult {
        default_set_headers(self, cx, resource)?;
        cx.clear_header("Accept-Ranges");
        cx.set_header(
            "X-Resource",
            format_args!("{} {}", resource.path, resource.info.size),
        )
    }
}

/// A server for `tests/static` under `/files/` through `files`.
fn own_validators_server(files: OwnValidators) -> HttpTestServer {
    let handler = StaticFileHandler::new(static_dir()).with_files(Arc::new(files));
    let routes = vec![url("/files/(.*)", move || handler.clone())];
    HttpTestServer::new(Application::new(routes, Settings::default()).unwrap()).unwrap()
}

/// A `StaticFiles` implementation's `compute_etag`, `should_return_304`
/// and `set_headers` are the ones used (Tornado's overridable
/// `StaticFileHandler` methods of those names).
#[tokio::test]
async fn a_static_files_own_etag_304_rule_and_headers_are_used() {
    let own_etag = format!("\"short-{}\"", &ROBOTS_TXT_HASH[..8]);
    let server = own_validators_server(OwnValidators {
        etag: true,
        never_304: false,
    });
    let first = get_and_head(&server, "/files/robots.txt", &[]).await;
    assert_eq!(first.code, 200);
    assert_eq!(header(&first, "Etag"), Some(own_etag.as_str()));
    assert_eq!(header(&first, "Accept-Ranges"), None);
    let size = robots_txt().len();
    assert_eq!(
        header(&first, "X-Resource"),
        Some(format!("robots.txt {size}").as_str())
    );
    assert!(header(&first, "Last-Modified").is_some());
    let matched = get_and_head(
        &server,
        "/files/robots.txt",
        &[("If-None-Match", &own_etag)],
    )
    .await;
    assert_eq!(matched.code, 304);
    let full_hash = format!("\"{ROBOTS_TXT_HASH}\"");
    let default_tag = get_and_head(
        &server,
        "/files/robots.txt",
        &[("If-None-Match", &full_hash)],
    )
    .await;
    assert_eq!(default_tag.code, 200);
    server.stop().await;

    let server = own_validators_server(OwnValidators {
        etag: true,
        never_304: true,
    });
    let unmatched = get_and_head(
        &server,
        "/files/robots.txt",
        &[("If-None-Match", &own_etag)],
    )
    .await;
    assert_eq!(unmatched.code, 200);
    assert_eq!(unmatched.body.as_ref(), robots_txt().as_slice());
    server.stop().await;
}

/// Without an `ETag`, an `If-None-Match` matches nothing: the file is
/// sent whole, even when `If-Modified-Since` alone would have said `304`
/// (Tornado's rule: `If-None-Match` decides when given).
#[tokio::test]
async fn a_static_file_without_an_etag_is_sent_for_any_if_none_match() {
    let server = own_validators_server(OwnValidators {
        etag: false,
        never_304: false,
    });
    let first = get_and_head(&server, "/files/robots.txt", &[]).await;
    assert_eq!(header(&first, "Etag"), None);
    let last_modified = header(&first, "Last-Modified").unwrap().to_owned();
    let star = get_and_head(
        &server,
        "/files/robots.txt",
        &[
            ("If-None-Match", "*"),
            ("If-Modified-Since", &last_modified),
        ],
    )
    .await;
    assert_eq!(star.code, 200);
    let since = get_and_head(
        &server,
        "/files/robots.txt",
        &[("If-Modified-Since", &last_modified)],
    )
    .await;
    assert_eq!(since.code, 304);
    server.stop().await;
}
