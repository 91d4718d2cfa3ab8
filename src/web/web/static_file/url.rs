//! Static URLs (Tornado's `RequestHandler.static_url`) and the static
//! routes an application with the `static_path` setting serves.

use super::{DefaultStaticFiles, StaticFileHandler, StaticFiles};
use crate::web::{Application, Context, Route, Settings, UsageError, WebResult, url};

/// The [`StaticFiles`] of applications without a `static_handler_class`.
static DEFAULT_FILES: DefaultStaticFiles = DefaultStaticFiles;

impl Application {
    /// What makes this application's static URLs: the
    /// `static_handler_class` setting, or [`DefaultStaticFiles`].
    fn static_files(&self) -> &dyn StaticFiles {
        match &self.settings().static_handler_class {
            Some(files) => &**files,
            None => &DEFAULT_FILES,
        }
    }

    /// The versioned URL of the static file `path` (relative to the
    /// `static_path` setting), relative to the host: by default
    /// `/static/path?v=<hash of its content>`. See
    /// [`Context::static_url`] for the details; fails without a
    /// `static_path` setting.
    ///
    /// ```
    /// use supercell::web::{Application, Settings};
    ///
    /// let settings = Settings {
    ///     static_path: Some(std::env::temp_dir()),
    ///     ..Settings::default()
    /// };
    /// let app = Application::new(vec![], settings).unwrap();
    /// // No such file: no version.
    /// assert_eq!(app.static_url("no-such-file.css").unwrap(), "/static/no-such-file.css");
    /// ```
    pub fn static_url(&self, path: &str) -> Result<String, UsageError> {
        self.static_url_with(path, true)
    }

    /// [`static_url`](Self::static_url), with the version only when
    /// `include_version`.
    pub fn static_url_with(&self, path: &str, include_version: bool) -> Result<String, UsageError> {
        if self.settings().static_path.is_none() {
            return Err(UsageError(
                "You must define the 'static_path' setting in your application to use static_url"
                    .to_owned(),
            ));
        }
        Ok(self
            .static_files()
            .make_static_url(self, path, include_version))
    }
}

impl Context {
    /// The versioned URL of the static file `path` (relative to the
    /// `static_path` setting; Tornado's `static_url`): relative to the
    /// host, or absolute (`protocol://host/...`) when `include_host`.
    ///
    /// By default the URL is `static_url_prefix` followed by `path` and
    /// `?v=` with the hash of the file's content (nothing when it cannot
    /// be read, which is logged), so that clients may cache it for ever:
    /// [`StaticFileHandler`] lets them, for requests with a `v` argument.
    /// The `static_handler_class` setting's
    /// [`make_static_url`](StaticFiles::make_static_url) makes it
    /// otherwise.
    ///
    /// The hash is computed on the calling thread, reading the file
    /// (blocking, as in Tornado); with the `static_hash_cache` setting
    /// (on unless `debug`) it is kept, and computed again only when the
    /// file's modification time changes. Fails without a `static_path`
    /// setting.
    pub fn static_url(&self, path: &str, include_host: bool) -> WebResult<String> {
        self.static_url_with(path, include_host, true)
    }

    /// [`static_url`](Self::static_url), with the version only when
    /// `include_version`.
    pub fn static_url_with(
        &self,
        path: &str,
        include_host: bool,
        include_version: bool,
    ) -> WebResult<String> {
        let url = self.app.static_url_with(path, include_version)?;
        if !include_host {
            return Ok(url);
        }
        let request = self.request();
        Ok(format!("{}://{}{url}", request.protocol(), request.host()))
    }
}

/// The routes an application with `settings` serves its static files by
/// (Tornado's, put before the application's own): `/robots.txt`,
/// `/favicon.ico` and everything under `static_url_prefix`. None without
/// a `static_path`.
pub(in crate::web) fn static_routes(settings: &Settings) -> Vec<Route> {
    let Some(root) = &settings.static_path else {
        return Vec::new();
    };
    let mut handler = StaticFileHandler::with_args(root.clone(), &settings.static_handler_args);
    if let Some(files) = &settings.static_handler_class {
        handler = handler.with_files(files.clone());
    }
    let prefix = format!("{}(.*)", regex::escape(&settings.static_url_prefix));
    [r"/(robots\.txt)", r"/(favicon\.ico)", &prefix]
        .into_iter()
        .map(|pattern| {
            let handler = handler.clone();
            url(pattern, move || handler.clone())
        })
        .collect()
}
