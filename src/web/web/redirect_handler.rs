//! [`RedirectHandler`]: redirects every `GET` to a URL built from the
//! path arguments.

use super::{Context, RequestHandler, WebResult};

/// Redirects `GET` requests (Tornado's `RedirectHandler`): the target is
/// a template where `{0}`, `{1}`, ... stand for the path pattern's
/// groups (`{{` and `}}` for braces), and the request's query string is
/// kept, appended to the target's. Permanent (`301`) unless made with
/// [`temporary`](Self::temporary).
///
/// ```
/// use supercell::web::{RedirectHandler, url};
///
/// let route = url(r"/old/(\d+)", || RedirectHandler::new("/new/{0}"));
/// # let _ = route;
/// ```
#[derive(Clone, Debug)]
pub struct RedirectHandler {
    url: String,
    permanent: bool,
}

impl RedirectHandler {
    /// A permanent redirect to `url` (a template).
    pub fn new(url: impl Into<String>) -> RedirectHandler {
        RedirectHandler {
            url: url.into(),
            permanent: true,
        }
    }

    /// A temporary (`302`) redirect to `url` (a template).
    pub fn temporary(url: impl Into<String>) -> RedirectHandler {
        RedirectHandler {
            url: url.into(),
            permanent: false,
        }
    }
}

/// `template` with `{N}` replaced by path argument `N` (empty when it took
/// no part in the match or does not exist), and `{{`, `}}` by braces.
pub(super) fn fill_template(template: &str, args: &[Option<String>]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find(['{', '}']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if tail.starts_with('{')
            && let Some(close) = tail.find('}')
            && let Ok(index) = tail[1..close].parse::<usize>()
        {
            out.push_str(args.get(index).and_then(Option::as_deref).unwrap_or(""));
            rest = &tail[close + 1..];
            continue;
        }
        out.push_str(&tail[..1]);
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

impl RequestHandler for RedirectHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let mut target = fill_template(&self.url, cx.path_args());
        let query = cx.request().query();
        if !query.is_empty() {
            target.push(if target.contains('?') { '&' } else { '?' });
            target.push_str(query);
        }
        cx.redirect(&target, self.permanent, None).await
    }
}

#[cfg(test)]
mod tests {
    use super::fill_template;

    #[test]
    fn templates_take_path_arguments_by_position() {
        let args = [Some("a".to_owned()), None, Some("c".to_owned())];
        assert_eq!(fill_template("/x/{0}/{2}", &args), "/x/a/c");
        assert_eq!(fill_template("/{1}{{0}}{9}", &args), "/{0}");
        assert_eq!(fill_template("/{x}/}", &args), "/{x}/}");
    }

    proptest::proptest! {
        #[test]
        fn any_template_fills_without_panicking(template in "[{}0-9a/]{0,24}") {
            let args = [Some("A".to_owned()), None];
            let filled = fill_template(&template, &args);
            proptest::prop_assert!(filled.len() <= template.len() * 2);
        }
    }
}
