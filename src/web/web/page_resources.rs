//! The resources of the UI modules a page used (scripts, style sheets,
//! head and body additions), put into the page's HTML as Tornado's
//! `render` does, through the handler's `render_linked_js` and kin.

use super::error::usage;
use super::page_modules::PageModule;
use super::{Context, WebResult};
use crate::escape::xhtml_escape;

/// Every resource of the modules a page used, in the order of the
/// modules' first use.
#[derive(Default)]
pub(super) struct Resources {
    js_embed: Vec<String>,
    js_files: Vec<String>,
    css_embed: Vec<String>,
    css_files: Vec<String>,
    heads: Vec<String>,
    bodies: Vec<String>,
}

impl Resources {
    /// Adds the resources of `module`.
    pub(super) fn gather(&mut self, module: &dyn PageModule) {
        let found = module.resources();
        self.js_embed
            .extend(found.embedded_javascript.filter(|s| !s.is_empty()));
        self.js_files.extend(found.javascript_files);
        self.css_embed
            .extend(found.embedded_css.filter(|s| !s.is_empty()));
        self.css_files.extend(found.css_files);
        self.heads.extend(found.html_head.filter(|s| !s.is_empty()));
        self.bodies
            .extend(found.html_body.filter(|s| !s.is_empty()));
    }

    /// `html` with the resources added, each as the handler of `cx`
    /// renders it: script links and scripts before the last `</body>`,
    /// style sheet links, styles and head additions before `</head>`,
    /// body additions before the first `</body>`, each followed by a
    /// newline.
    pub(super) fn insert_into(self, mut html: String, cx: &Context) -> WebResult<String> {
        let hooks = cx.hooks;
        if !self.js_files.is_empty() {
            let links = (hooks.render_linked_js)(cx, &self.js_files)?;
            insert(&mut html, Before::LastBody, &links)?;
        }
        if !self.js_embed.is_empty() {
            let script = (hooks.render_embed_js)(cx, &self.js_embed)?;
            insert(&mut html, Before::LastBody, &script)?;
        }
        if !self.css_files.is_empty() {
            let links = (hooks.render_linked_css)(cx, &self.css_files)?;
            insert(&mut html, Before::Head, &links)?;
        }
        if !self.css_embed.is_empty() {
            let style = (hooks.render_embed_css)(cx, &self.css_embed)?;
            insert(&mut html, Before::Head, &style)?;
        }
        if !self.heads.is_empty() {
            insert(&mut html, Before::Head, &self.heads.concat())?;
        }
        if !self.bodies.is_empty() {
            insert(&mut html, Before::FirstBody, &self.bodies.concat())?;
        }
        Ok(html)
    }
}

/// The URLs of `paths`, each once, in the order first named: relative
/// paths through the application's `static_url`.
fn unique_urls(cx: &Context, paths: &[String]) -> WebResult<Vec<String>> {
    let mut unique: Vec<String> = Vec::new();
    for path in paths {
        let url = if is_absolute(path) {
            path.clone()
        } else {
            cx.application().static_url(path)?
        };
        if !unique.contains(&url) {
            unique.push(url);
        }
    }
    Ok(unique)
}

/// One `tag` per file of `paths`, given the file's URL escaped, each URL
/// once, in the order first named (relative paths through `static_url`).
fn link_tags(cx: &Context, paths: &[String], tag: fn(&str) -> String) -> WebResult<String> {
    Ok(unique_urls(cx, paths)?
        .iter()
        .map(|url| tag(&xhtml_escape(url)))
        .collect())
}

/// What [`RequestHandler::render_linked_js`](super::RequestHandler::render_linked_js)
/// gives by default: a `<script src>` tag for each file's URL, each URL
/// once, in the order first named (relative paths through `static_url`).
pub fn default_render_linked_js(cx: &Context, js_files: &[String]) -> WebResult<String> {
    link_tags(cx, js_files, |url| {
        format!("<script src=\"{url}\" type=\"text/javascript\"></script>")
    })
}

/// What [`RequestHandler::render_embed_js`](super::RequestHandler::render_embed_js)
/// gives by default: one `<script>` element holding the scripts, a line
/// each, in a CDATA section.
pub fn default_render_embed_js(js_embed: &[String]) -> String {
    format!(
        "<script type=\"text/javascript\">\n//<![CDATA[\n{}\n//]]>\n</script>",
        js_embed.join("\n")
    )
}

/// What [`RequestHandler::render_linked_css`](super::RequestHandler::render_linked_css)
/// gives by default: a style sheet `<link>` for each file's URL, each URL
/// once, in the order first named (relative paths through `static_url`).
pub fn default_render_linked_css(cx: &Context, css_files: &[String]) -> WebResult<String> {
    link_tags(cx, css_files, |url| {
        format!("<link href=\"{url}\" type=\"text/css\" rel=\"stylesheet\"/>")
    })
}

/// What [`RequestHandler::render_embed_css`](super::RequestHandler::render_embed_css)
/// gives by default: one `<style>` element holding the styles, a line
/// each.
pub fn default_render_embed_css(css_embed: &[String]) -> String {
    format!(
        "<style type=\"text/css\">\n{}\n</style>",
        css_embed.join("\n")
    )
}

/// The closing tag resources go before.
enum Before {
    Head,
    FirstBody,
    LastBody,
}

/// Puts `text` and a newline before `tag` in `html`.
fn insert(html: &mut String, tag: Before, text: &str) -> WebResult {
    let at = match tag {
        Before::Head => html.find("</head>"),
        Before::FirstBody => html.find("</body>"),
        Before::LastBody => html.rfind("</body>"),
    };
    let Some(at) = at else {
        let name = match tag {
            Before::Head => "</head>",
            Before::FirstBody | Before::LastBody => "</body>",
        };
        return Err(usage(format!(
            "the page has no {name} to put its UI modules' resources before"
        )));
    };
    html.insert_str(at, &format!("{text}\n"));
    Ok(())
}

/// Whether `path` names a resource on its own (an absolute path or an
/// `http:`/`https:` URL) rather than a file under the static path
/// (Tornado's `is_absolute`): UI modules' files that are not go through
/// `static_url`.
///
/// ```
/// use supercell::web::is_absolute;
///
/// assert!(is_absolute("/js/app.js"));
/// assert!(is_absolute("https://cdn.example.com/lib.js"));
/// assert!(!is_absolute("js/app.js"));
/// ```
pub fn is_absolute(path: &str) -> bool {
    ["/", "http:", "https:"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
}
