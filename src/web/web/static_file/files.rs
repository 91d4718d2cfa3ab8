//! [`StaticFiles`]: what a [`StaticFileHandler`](super::StaticFileHandler)
//! lets an application change (the methods a Tornado `StaticFileHandler`
//! subclass overrides), each with Tornado's behaviour as its default.

use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::SystemTime;

use bytes::Bytes;
use futures_core::Stream;
use futures_util::future::BoxFuture;

use super::{content, content_type, path, version_cache};
use crate::httputil::{Timestamp, format_timestamp, parse_http_date};
use crate::web::{Application, Context, WebResult};

/// The body of a static resource, in chunks (Tornado's `get_content`
/// iterator).
pub type ContentStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// The size and modification time of a static resource (Tornado's
/// `get_content_size` and `get_modified_time`, from one look at it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContentInfo {
    /// Its size in bytes.
    pub size: u64,
    /// When it last changed, if known: the response's `Last-Modified`,
    /// and what `If-Modified-Since` is compared with.
    pub modified: Option<SystemTime>,
}

/// A static resource being answered, as the handler knows it when it
/// sets the response's headers (what Tornado's handler holds as `path`,
/// `absolute_path`, `modified` and the cached version).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StaticResource<'a> {
    /// Its path relative to the handler's root (from
    /// [`StaticFiles::parse_url_path`]).
    pub path: &'a str,
    /// Where it is (from [`StaticFiles::validate_absolute_path`]).
    pub absolute_path: &'a Path,
    /// Its size and modification time.
    pub info: ContentInfo,
    /// Its version ([`StaticFiles::get_content_version`], kept in the
    /// application's cache), if it has one.
    pub version: Option<&'a str>,
}

/// How a [`StaticFileHandler`](super::StaticFileHandler) finds, reads,
/// describes and addresses its files: the methods a Tornado
/// `StaticFileHandler` subclass overrides. Every method has Tornado's
/// behaviour as its default, so an implementation overrides only what it
/// changes:
///
/// - URLs (as another server or a CDN writes them):
///   [`make_static_url`](Self::make_static_url),
///   [`parse_url_path`](Self::parse_url_path),
///   [`get_version`](Self::get_version),
///   [`get_cache_time`](Self::get_cache_time).
/// - Where content comes from (a database instead of the file system):
///   [`get_absolute_path`](Self::get_absolute_path),
///   [`validate_absolute_path`](Self::validate_absolute_path),
///   [`get_content_info`](Self::get_content_info),
///   [`get_content`](Self::get_content),
///   [`get_content_version`](Self::get_content_version).
/// - Headers and validation: [`set_headers`](Self::set_headers),
///   [`compute_etag`](Self::compute_etag),
///   [`get_content_type`](Self::get_content_type),
///   [`set_extra_headers`](Self::set_extra_headers),
///   [`should_return_304`](Self::should_return_304).
///
/// An application's own implementation serves its static routes and
/// makes its static URLs when given as the `static_handler_class`
/// setting; [`StaticFileHandler::with_files`](super::StaticFileHandler::with_files)
/// gives it to a handler of any route. [`DefaultStaticFiles`] is the
/// implementation overriding nothing.
///
/// Tornado's class methods take the application's settings; here they
/// take the [`Application`], whose settings and version cache they use.
/// Its instance methods read the handler's `path`, `absolute_path` and
/// `modified`; here these come as arguments.
///
/// ```
/// use supercell::web::{Application, StaticFiles};
///
/// /// Static URLs with the version in the file name: `/static/app.1f2e.js`.
/// struct VersionInName;
///
/// impl StaticFiles for VersionInName {
///     fn make_static_url(&self, app: &Application, path: &str, include_version: bool) -> String {
///         let prefix = &app.settings().static_url_prefix;
///         match (self.get_version(app, path), path.rsplit_once('.')) {
///             (Some(version), Some((stem, ext))) if include_version => {
///                 format!("{prefix}{stem}.{version}.{ext}")
///             }
///             _ => format!("{prefix}{path}"),
///         }
///     }
///
///     fn parse_url_path(&self, url_path: &str) -> String {
///         let Some((rest, ext)) = url_path.rsplit_once('.') else { return url_path.to_owned() };
///         match rest.rsplit_once('.') {
///             Some((stem, _version)) => format!("{stem}.{ext}"),
///             None => url_path.to_owned(),
///         }
///     }
/// }
/// ```
pub trait StaticFiles: Send + Sync + 'static {
    /// The URL of the static resource `path` (relative to the
    /// `static_path` setting), relative to the host: by default the
    /// `static_url_prefix` setting followed by `path`, then, when
    /// `include_version` and [`get_version`](Self::get_version) gives
    /// one, `?v=` and the version. The inverse of
    /// [`parse_url_path`](Self::parse_url_path).
    fn make_static_url(&self, app: &Application, path: &str, include_version: bool) -> String {
        let url = format!("{}{path}", app.settings().static_url_prefix);
        if !include_version {
            return url;
        }
        match self.get_version(app, path) {
            Some(version) => format!("{url}?v={version}"),
            None => url,
        }
    }

    /// The version of the static resource `path` (relative to the
    /// `static_path` setting) that static URLs carry, or `None`. By
    /// default the [`get_content_version`](Self::get_content_version) of
    /// its [`get_absolute_path`](Self::get_absolute_path), kept in the
    /// application's cache (when the `static_hash_cache` setting is on)
    /// while the file's modification time stays the same; `None` for a
    /// `path` leading out of `static_path` (`../secret`), and for a file
    /// that cannot be read (then logged).
    ///
    /// It blocks the calling thread while the content is read, as in
    /// Tornado: once per file with the cache on.
    fn get_version(&self, app: &Application, path: &str) -> Option<String> {
        let root = app.settings().static_path.as_deref()?;
        // `path` itself must not lead out of the root (`../secret`),
        // whatever `get_absolute_path` makes of it.
        if !path::within_root(root, &path::absolute_path(root, path)) {
            return None;
        }
        let absolute = self.get_absolute_path(root, path);
        version_cache::version_blocking(self, app, &absolute)
    }

    /// The path of a static resource relative to the handler's root, from
    /// the path a URL carries (the route's first group, percent-decoded).
    /// Default: the URL path as it is (with `/` turned into the platform's
    /// separator).
    fn parse_url_path(&self, url_path: &str) -> String {
        if std::path::MAIN_SEPARATOR == '/' {
            url_path.to_owned()
        } else {
            url_path.replace('/', std::path::MAIN_SEPARATOR_STR)
        }
    }

    /// Where the static resource `path` is, for a handler whose root is
    /// `root`. Default: `path` joined to `root`, made absolute and with
    /// its `.` and `..` components resolved without looking at the file
    /// system (an absolute `path` stays as it is, and
    /// [`validate_absolute_path`](Self::validate_absolute_path) refuses
    /// it unless it is inside `root`).
    fn get_absolute_path(&self, root: &Path, path: &str) -> PathBuf {
        path::absolute_path(root, path)
    }

    /// Checks `absolute_path` (from
    /// [`get_absolute_path`](Self::get_absolute_path) for the resource
    /// `path`) and gives the path to serve, or `None` after answering the
    /// request itself. The place for `404` on missing files.
    ///
    /// Default: `403 Forbidden` for a path outside `root` (`..`
    /// components, absolute paths), and for one whose real location (its
    /// symbolic links followed) is outside `root`'s; a directory, with a
    /// `default_filename`, is redirected (`301`) to the same path with a
    /// `/` at the end, and with it, its default file is served; `404 Not
    /// Found` for a missing file; `403` for anything else that is not a
    /// regular file (a directory without `default_filename`).
    fn validate_absolute_path<'a>(
        &'a self,
        cx: &'a mut Context,
        root: &'a Path,
        absolute_path: &'a Path,
        path: &'a str,
        default_filename: Option<&'a str>,
    ) -> BoxFuture<'a, WebResult<Option<PathBuf>>> {
        Box::pin(path::validate(
            cx,
            root,
            absolute_path,
            path,
            default_filename,
        ))
    }

    /// The size and modification time of the resource at
    /// `absolute_path`. Default: the file's metadata.
    fn get_content_info<'a>(
        &'a self,
        absolute_path: &'a Path,
    ) -> BoxFuture<'a, io::Result<ContentInfo>> {
        Box::pin(content::file_info(absolute_path))
    }

    /// The bytes `range` of the resource at `absolute_path` (all of it,
    /// `0..size`, unless a `Range` request asked for less), in chunks.
    /// Default: the file read in chunks of 64 KiB, each read when the
    /// previous one has been sent, so that memory use stays flat whatever
    /// the file's size.
    fn get_content<'a>(
        &'a self,
        absolute_path: &'a Path,
        range: Range<u64>,
    ) -> BoxFuture<'a, io::Result<ContentStream>> {
        Box::pin(content::read_file(absolute_path, range))
    }

    /// A version string of the resource at `absolute_path`: its `ETag`
    /// (quoted) and the version [`get_version`](Self::get_version) gives
    /// static URLs. Default: the MD5 of the file's content, in hex (as in
    /// Tornado, so the versions and `ETag`s match a Tornado server's for
    /// the same files). An implementation whose
    /// [`get_content`](Self::get_content) reads something other than files
    /// overrides this too.
    ///
    /// It may block: the handler calls it on tokio's blocking pool;
    /// [`get_version`](Self::get_version) on the calling thread.
    fn get_content_version(&self, absolute_path: &Path) -> io::Result<String> {
        content::md5_hex_of_file(absolute_path)
    }

    /// The `Content-Type` of the resource at `absolute_path`. Default:
    /// guessed from its extension; a file compressed with gzip is
    /// `application/gzip` (RFC 6713), one compressed otherwise
    /// (`.bz2`, `.xz`, `.Z`, `.br`) and one of unknown type is
    /// `application/octet-stream`.
    fn get_content_type(&self, absolute_path: &Path) -> String {
        content_type::guess(absolute_path).to_owned()
    }

    /// For how many seconds clients may cache the resource `path`, sent as
    /// `Cache-Control: max-age` with the matching `Expires`; 0 leaves it
    /// to them (no header). Default:
    /// [`CACHE_MAX_AGE`](super::StaticFileHandler::CACHE_MAX_AGE) (ten
    /// years) when the request has a `v` argument (a versioned static
    /// URL), else 0.
    fn get_cache_time(
        &self,
        cx: &Context,
        path: &str,
        modified: Option<SystemTime>,
        content_type: &str,
    ) -> u64 {
        let _ = (path, modified, content_type);
        if cx.request().arguments().contains_key("v") {
            super::StaticFileHandler::CACHE_MAX_AGE
        } else {
            0
        }
    }

    /// Sets headers of its own on the response for the resource `path`,
    /// after the standard ones. Default: none.
    fn set_extra_headers(&self, cx: &mut Context, path: &str) -> WebResult {
        let _ = (cx, path);
        Ok(())
    }

    /// Sets the headers of a response serving `resource`, before the
    /// handler decides between `304`, a range and the whole content.
    /// Default: [`default_set_headers`], which an override may call and
    /// then change what it set.
    fn set_headers(&self, cx: &mut Context, resource: &StaticResource<'_>) -> WebResult {
        default_set_headers(self, cx, resource)
    }

    /// The `ETag` of `resource`, quoted, or `None` for none. Default: its
    /// version in double quotes.
    fn compute_etag(&self, resource: &StaticResource<'_>) -> Option<String> {
        resource.version.map(|version| format!("\"{version}\""))
    }

    /// Whether the client's copy of `resource` is current, so that `304
    /// Not Modified` answers (called after
    /// [`set_headers`](Self::set_headers)). Default:
    /// [`default_should_return_304`].
    fn should_return_304(&self, cx: &Context, resource: &StaticResource<'_>) -> bool {
        default_should_return_304(cx, resource)
    }
}

/// What [`StaticFiles::set_headers`] sets by default (Tornado's
/// `StaticFileHandler.set_headers`): `Accept-Ranges: bytes`, the `ETag`
/// of [`compute_etag`](StaticFiles::compute_etag) when there is one,
/// `Last-Modified` when the time is known, the
/// [`get_content_type`](StaticFiles::get_content_type) unless empty,
/// `Expires` and `Cache-Control: max-age` for a
/// [`get_cache_time`](StaticFiles::get_cache_time) above 0, then the
/// [`set_extra_headers`](StaticFiles::set_extra_headers).
pub fn default_set_headers<F: StaticFiles + ?Sized>(
    files: &F,
    cx: &mut Context,
    resource: &StaticResource<'_>,
) -> WebResult {
    cx.set_header("Accept-Ranges", "bytes")?;
    if let Some(etag) = files.compute_etag(resource) {
        cx.set_header("Etag", etag)?;
    }
    let modified = resource.info.modified;
    if let Some(modified) = modified {
        cx.set_header("Last-Modified", format_timestamp(modified))?;
    }
    let content_type = files.get_content_type(resource.absolute_path);
    if !content_type.is_empty() {
        cx.set_header("Content-Type", &content_type)?;
    }
    let cache_time = files.get_cache_time(cx, resource.path, modified, &content_type);
    if cache_time > 0 {
        let now = Timestamp::from(SystemTime::now()).unix_seconds();
        let expires = now.saturating_add(i64::try_from(cache_time).unwrap_or(i64::MAX));
        cx.set_header("Expires", format_timestamp(expires))?;
        cx.set_header("Cache-Control", format_args!("max-age={cache_time}"))?;
    }
    files.set_extra_headers(cx, resource.path)
}

/// What [`StaticFiles::should_return_304`] answers by default (Tornado's
/// `should_return_304`): with an `If-None-Match`, whether it matches the
/// response's `ETag`; otherwise whether `If-Modified-Since` is at or
/// after the resource's modification time (to the second). A date that
/// cannot be read is ignored.
pub fn default_should_return_304(cx: &Context, resource: &StaticResource<'_>) -> bool {
    let headers = &cx.request().headers;
    if headers.get("If-None-Match").is_some_and(|v| !v.is_empty()) {
        return cx.check_etag_header();
    }
    let since = headers.get("If-Modified-Since").and_then(parse_http_date);
    match (since, resource.info.modified) {
        (Some(since), Some(modified)) => {
            since.unix_seconds() >= Timestamp::from(modified).unix_seconds()
        }
        _ => false,
    }
}

/// The [`StaticFiles`] overriding nothing: Tornado's `StaticFileHandler`
/// itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultStaticFiles;

impl StaticFiles for DefaultStaticFiles {}
