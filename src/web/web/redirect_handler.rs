//! [`RedirectHandler`]: redirects every `GET` to a URL built from the
//! path arguments.

use super::{Context, RequestHandler, WebResult};

/// Redirects `GET` requests (Tornado's `RedirectHandler`): the target is
/// a template where `{0}`, `{1}`, ... stand for the path pattern's
/// groups, `{}` for the group after the one the last `{}` took (the
/// first, at the start), and `{{` and `}}` for braces. The request's
/// query arguments are kept: its query string is appended to the
/// target's, before the target's `#fragment`. Permanent (`301`) unless
/// made with [`temporary`](Self::temporary).
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
/// no part in the match or does not exist), each `{}` by the argument
/// after the last `{}`'s, and `{{`, `}}` by braces.
pub(super) fn fill_template(template: &str, args: &[Option<String>]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut next = 0;
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
            && let Some(index) = match &tail[1..close] {
                "" => Some(next),
                digits => digits.parse::<usize>().ok(),
            }
        {
            if close == 1 {
                next += 1;
            }
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
        if !cx.request().query_arguments().is_empty() {
            target = with_query(&target, cx.request().query());
        }
        cx.redirect(&target, self.permanent, None).await
    }
}

/// `target` with `query` added to its query string, before its fragment.
fn with_query(target: &str, query: &str) -> String {
    let (before, fragment) = target.split_at(target.find('#').unwrap_or(target.len()));
    let separator = match before.find('?') {
        None => "?",
        Some(_) if before.ends_with(['?', '&']) => "",
        Some(_) => "&",
    };
    format!("{before}{separator}{query}{fragment}")
}

#[cfg(test)]
mod tests {
    use super::{fill_template, with_query};

    #[test]
    fn templates_take_path_arguments_by_position() {
        let args = [Some("a".to_owned()), None, Some("c".to_owned())];
        assert_eq!(fill_template("/x/{0}/{2}", &args), "/x/a/c");
        assert_eq!(fill_template("/{1}{{0}}{9}", &args), "/{0}");
        assert_eq!(fill_template("/{x}/}", &args), "/{x}/}");
    }

    #[test]
    fn empty_braces_take_the_arguments_in_turn() {
        let args = [
            Some("a".to_owned()),
            Some("b".to_owned()),
            Some("c".to_owned()),
        ];
        assert_eq!(fill_template("/{}/{}/{2}/{}", &args), "/a/b/c/c");
        assert_eq!(fill_template("/{}{}{}{}", &args), "/abc");
    }

    #[test]
    fn the_query_goes_before_the_fragment() {
        assert_eq!(with_query("/a", "x=1"), "/a?x=1");
        assert_eq!(with_query("/a?b=2", "x=1"), "/a?b=2&x=1");
        assert_eq!(with_query("/a?", "x=1"), "/a?x=1");
        assert_eq!(with_query("/a?b=2&", "x=1"), "/a?b=2&x=1");
        assert_eq!(with_query("/a#top", "x=1"), "/a?x=1#top");
        assert_eq!(with_query("/a?b#c?d", "x=1"), "/a?b&x=1#c?d");
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
