//! Tornado's method decorators as [`Context`] calls that end the method
//! early: [`removeslash`](Context::removeslash),
//! [`addslash`](Context::addslash) and
//! [`authenticated`](Context::authenticated). Each returns `Ok` when the
//! method should go on, and otherwise answers the request and returns
//! [`Finish`] (or an [`HttpError`]) for `?` to pass up.

use http::Method;

use super::{Context, Finish, HttpError, WebResult};
use crate::escape::url_escape;

/// A path starting with `//` would redirect to another host
/// (`//evil.example/`): one slash is kept.
fn same_host(path: &str) -> &str {
    if path.starts_with("//") {
        &path[path.len() - path.trim_start_matches('/').len() - 1..]
    } else {
        path
    }
}

impl Context {
    /// Whether the request is a `GET` or `HEAD`.
    fn is_read(&self) -> bool {
        matches!(self.request.method, Method::GET | Method::HEAD)
    }

    /// Redirects permanently to `path` with the request's query.
    async fn redirect_keeping_query(&mut self, path: &str) -> WebResult {
        let mut target = same_host(path).to_owned();
        let query = self.request.query();
        if !query.is_empty() {
            target.push('?');
            target.push_str(query);
        }
        self.redirect(&target, true, None).await?;
        Err(Finish::new().into())
    }

    /// Tornado's `@removeslash`: a `GET` or `HEAD` for a path ending in
    /// `/` (other than `/`) is redirected permanently to the path without
    /// its trailing slashes; any other method gets `404`. Route such
    /// handlers with a pattern like `r"/foo/*"`.
    ///
    /// ```
    /// use supercell::web::{Context, RequestHandler, WebResult};
    ///
    /// struct Page;
    ///
    /// impl RequestHandler for Page {
    ///     async fn get(&mut self, cx: &mut Context) -> WebResult {
    ///         cx.removeslash().await?;
    ///         cx.write("page")?;
    ///         Ok(())
    ///     }
    /// }
    /// ```
    pub async fn removeslash(&mut self) -> WebResult {
        let path = self.request.path();
        if !path.ends_with('/') {
            return Ok(());
        }
        if !self.is_read() {
            return Err(HttpError::new(404).into());
        }
        let trimmed = path.trim_end_matches('/').to_owned();
        if trimmed.is_empty() {
            return Ok(());
        }
        self.redirect_keeping_query(&trimmed).await
    }

    /// Tornado's `@addslash`: a `GET` or `HEAD` for a path not ending in
    /// `/` is redirected permanently to the path with one; any other
    /// method gets `404`. Route such handlers with a pattern like
    /// `r"/foo/?"`.
    pub async fn addslash(&mut self) -> WebResult {
        let path = self.request.path();
        if path.ends_with('/') {
            return Ok(());
        }
        if !self.is_read() {
            return Err(HttpError::new(404).into());
        }
        let with_slash = format!("{path}/");
        self.redirect_keeping_query(&with_slash).await
    }

    /// Tornado's `@authenticated`: without a
    /// [`current_user`](Self::current_user), a `GET` or `HEAD` is
    /// redirected to the login URL (with `next` set to this request's URL
    /// unless the login URL has a query already; absolute when the login
    /// URL is), any other method gets `403`.
    pub async fn authenticated(&mut self) -> WebResult {
        if self.current_user().is_some() {
            return Ok(());
        }
        if !self.is_read() {
            return Err(HttpError::new(403).into());
        }
        let mut url = self.get_login_url()?;
        if !url.contains('?') {
            let absolute = url.split_once("://").is_some_and(|(scheme, _)| {
                !scheme.is_empty()
                    && scheme
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
            });
            let next = if absolute {
                self.request.full_url()
            } else {
                self.request.uri.to_string()
            };
            url = format!("{url}?next={}", url_escape(&next, true));
        }
        self.redirect(&url, false, None).await?;
        Err(Finish::new().into())
    }
}

#[cfg(test)]
mod tests {
    use super::same_host;

    #[test]
    fn redirects_stay_on_this_host() {
        assert_eq!(same_host("//evil.example/x"), "/evil.example/x");
        assert_eq!(same_host("///x"), "/x");
        assert_eq!(same_host("/a//b"), "/a//b");
    }
}
