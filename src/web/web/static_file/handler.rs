//! [`StaticFileHandler`]: serves the files under a directory (Tornado's
//! `StaticFileHandler.get`).

use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::StreamExt;

use super::{DefaultStaticFiles, StaticFiles, StaticResource, version_cache};
use crate::httputil::{RangeResponse, content_range, parse_request_range};
use crate::web::{Context, HttpError, RequestHandler, WebResult};

/// The arguments a [`StaticFileHandler`] is made with besides its root
/// (Tornado's `static_handler_args`, less `path`), for the static routes
/// an [`Application`](crate::web::Application) adds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StaticHandlerArgs {
    /// The file served for a request naming a directory, such as
    /// `index.html`; a directory asked for without a trailing `/` is
    /// first redirected to the path with one. Default: none (directories
    /// are refused with `403`).
    pub default_filename: Option<String>,
}

/// Serves the files under a directory (Tornado's `StaticFileHandler`):
/// the route's first group is the file's path below the root.
///
/// An application with the `static_path` setting serves that directory
/// under `static_url_prefix` (`/static/`), and `/favicon.ico` and
/// `/robots.txt` from it, with this handler; others are mounted as any
/// handler:
///
/// ```
/// use supercell::web::{Application, Settings, StaticFileHandler, url};
///
/// let content = StaticFileHandler::new("/var/www").with_default_filename("index.html");
/// let app = Application::new(
///     vec![url(r"/content/(.*)", move || content.clone())],
///     Settings::default(),
/// )
/// .unwrap();
/// # let _ = app;
/// ```
///
/// What it answers:
///
/// - Only files inside the root: a path leaving it (`..`, an absolute
///   path, a symbolic link to elsewhere) is refused with `403 Forbidden`,
///   a missing file is `404 Not Found`.
/// - `Content-Type` from the file's extension, `Content-Length`,
///   `Last-Modified`, `Accept-Ranges: bytes`, and an `ETag` that is the
///   content's hash (the same for every range of the file). Requests with
///   a `v` argument (versioned URLs, see
///   [`Context::static_url`](crate::web::Context::static_url)) are
///   cacheable for [`CACHE_MAX_AGE`](Self::CACHE_MAX_AGE)
///   (`Cache-Control` and `Expires`).
/// - `304 Not Modified` when `If-None-Match` matches the `ETag`, or,
///   without `If-None-Match`, when the file has not changed since
///   `If-Modified-Since`.
/// - A single byte range of a `Range` request as `206 Partial Content`
///   with `Content-Range`, or `416 Range Not Satisfiable` with
///   `Content-Range: bytes */size`; a `Range` header it does not
///   understand (several ranges, another unit) gets the whole file.
/// - `HEAD` as `GET`, without the body.
///
/// The body is read and sent in chunks of 64 KiB, each once the previous
/// one was taken by the connection: memory stays flat however large the
/// file. What it serves, and how, can be changed through
/// [`StaticFiles`] ([`with_files`](Self::with_files)).
#[derive(Clone)]
pub struct StaticFileHandler {
    config: Arc<Config>,
}

#[derive(Clone)]
struct Config {
    root: PathBuf,
    default_filename: Option<String>,
    files: Arc<dyn StaticFiles>,
}

impl StaticFileHandler {
    /// How long clients may cache a file asked for with a version (a `v`
    /// argument): ten years, in seconds.
    pub const CACHE_MAX_AGE: u64 = 86_400 * 365 * 10;

    /// A handler serving the files under `root`, with
    /// [`DefaultStaticFiles`] and no default file name.
    pub fn new(root: impl Into<PathBuf>) -> StaticFileHandler {
        StaticFileHandler {
            config: Arc::new(Config {
                root: root.into(),
                default_filename: None,
                files: Arc::new(DefaultStaticFiles),
            }),
        }
    }

    /// A handler serving the files under `root` made with `args`.
    pub fn with_args(root: impl Into<PathBuf>, args: &StaticHandlerArgs) -> StaticFileHandler {
        let handler = StaticFileHandler::new(root);
        match &args.default_filename {
            Some(name) => handler.with_default_filename(name.clone()),
            None => handler,
        }
    }

    /// This handler, serving `name` for a request naming a directory
    /// (Tornado's `default_filename`); see
    /// [`StaticHandlerArgs::default_filename`].
    pub fn with_default_filename(mut self, name: impl Into<String>) -> StaticFileHandler {
        Arc::make_mut(&mut self.config).default_filename = Some(name.into());
        self
    }

    /// This handler, finding, reading and describing files with `files`
    /// (Tornado's subclass of `StaticFileHandler`).
    pub fn with_files(mut self, files: Arc<dyn StaticFiles>) -> StaticFileHandler {
        Arc::make_mut(&mut self.config).files = files;
        self
    }

    /// The directory served.
    pub fn root(&self) -> &Path {
        &self.config.root
    }

    /// The file served for a directory, if any.
    pub fn default_filename(&self) -> Option<&str> {
        self.config.default_filename.as_deref()
    }

    /// How files are found, read and described.
    pub fn files(&self) -> &Arc<dyn StaticFiles> {
        &self.config.files
    }

    /// Answers `GET` (with `include_body`) or `HEAD`.
    async fn serve(&self, cx: &mut Context, include_body: bool) -> WebResult {
        let files = &self.config.files;
        let path = files.parse_url_path(cx.path_arg(0).unwrap_or(""));
        let root = &self.config.root;
        let absolute = files.get_absolute_path(root, &path);
        let default_filename = self.config.default_filename.as_deref();
        let validated = files
            .validate_absolute_path(cx, root, &absolute, &path, default_filename)
            .await?;
        let Some(absolute) = validated else {
            return Ok(());
        };
        let info = files
            .get_content_info(&absolute)
            .await
            .map_err(|error| unreadable(&path, error))?;
        let version =
            version_cache::version_async(cx.application(), files, &absolute, info.modified).await;
        let resource = StaticResource {
            path: &path,
            absolute_path: &absolute,
            info,
            version: version.as_deref(),
        };
        files.set_headers(cx, &resource)?;
        if files.should_return_304(cx, &resource) {
            return cx.set_status(304);
        }
        let Some(range) = requested_range(cx, info.size)? else {
            return Ok(());
        };
        cx.set_header("Content-Length", range.end - range.start)?;
        if include_body {
            let mut content = files
                .get_content(&absolute, range)
                .await
                .map_err(|error| unreadable(&path, error))?;
            while let Some(chunk) = content.next().await {
                cx.write(chunk?)?;
                cx.flush().await?;
            }
        }
        Ok(())
    }
}

/// The bytes to send of a resource of `size` bytes, with the status and
/// `Content-Range` set for a partial response; `None` after answering
/// `416` for a range outside it.
fn requested_range(cx: &mut Context, size: u64) -> WebResult<Option<Range<u64>>> {
    let requested = cx
        .request()
        .headers
        .get("Range")
        .and_then(parse_request_range);
    match requested.map(|range| range.resolve(size)) {
        None | Some(RangeResponse::Full) => Ok(Some(0..size)),
        Some(RangeResponse::Partial(range)) => {
            cx.set_status(206)?;
            cx.set_header("Content-Range", content_range(&range, size))?;
            Ok(Some(range))
        }
        Some(RangeResponse::Unsatisfiable) => {
            cx.set_status(416)?;
            cx.set_header("Content-Type", "text/plain")?;
            cx.set_header("Content-Range", format_args!("bytes */{size}"))?;
            Ok(None)
        }
    }
}

/// The answer to a resource that validated but cannot be read.
fn unreadable(path: &str, error: io::Error) -> crate::web::WebError {
    match error.kind() {
        io::ErrorKind::NotFound => HttpError::new(404).into(),
        io::ErrorKind::PermissionDenied => HttpError::new(403)
            .log_message(format!("{path} cannot be read: {error}"))
            .into(),
        _ => error.into(),
    }
}

impl RequestHandler for StaticFileHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        self.serve(cx, true).await
    }

    async fn head(&mut self, cx: &mut Context) -> WebResult {
        self.serve(cx, false).await
    }

    /// None computed from the body: the `ETag` is the content's version,
    /// set before the body is sent.
    fn compute_etag(_cx: &Context) -> Option<crate::web::ETag> {
        None
    }
}

impl std::fmt::Debug for StaticFileHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticFileHandler")
            .field("root", &self.config.root)
            .field("default_filename", &self.config.default_filename)
            .finish_non_exhaustive()
    }
}
