//! Counterparts of Tornado's `tornado/test/template_test.py` (v5.0.2), with
//! Python expressions written as minijinja expressions, plus edge cases and
//! property tests.
//!
//! Tornado tests with no counterpart:
//! - `TemplateTest.test_try`: `{% try %}`/`{% except %}`/`{% finally %}`
//!   are Python statements, which are parse errors here
//!   (`python_statements_are_parse_errors` checks that).
//! - `TemplateTest.test_no_inherit_future`: checks that Python's
//!   `from __future__ import division` of the test module does not leak
//!   into generated Python code; there is no generated Python.

use std::sync::Arc;

use proptest::prelude::*;
use supercell::template::{
    BaseLoader, DictLoader, Loader, LoaderOptions, Namespace, ParseError, Template, TemplateError,
    Value, Whitespace, filter_whitespace,
};

fn ns() -> Namespace {
    Namespace::new()
}

fn with(name: &str, value: impl serde::Serialize) -> Namespace {
    let mut namespace = Namespace::new();
    namespace.insert(name, value);
    namespace
}

fn generate(source: &str, namespace: &Namespace) -> String {
    Template::new(source).unwrap().generate(namespace).unwrap()
}

fn dict_loader(templates: &[(&str, &str)]) -> DictLoader {
    DictLoader::new(templates.iter().copied())
}

fn dict_loader_with(templates: &[(&str, &str)], options: LoaderOptions) -> DictLoader {
    DictLoader::with_options(templates.iter().copied(), options)
}

fn load_generate(loader: &dyn BaseLoader, name: &str, namespace: &Namespace) -> String {
    loader.load(name).unwrap().generate(namespace).unwrap()
}

fn parse_error(result: Result<Template, TemplateError>) -> ParseError {
    match result {
        Err(TemplateError::Parse(err)) => err,
        other => panic!("expected a parse error, got {other:?}"),
    }
}

fn render_error(result: Result<String, TemplateError>) -> supercell::template::RenderError {
    match result {
        Err(TemplateError::Render(err)) => err,
        other => panic!("expected a render error, got {other:?}"),
    }
}

// TemplateTest

/// Tornado: TemplateTest.test_simple
#[test]
fn template_test_simple() {
    assert_eq!(
        generate("Hello {{ name }}!", &with("name", "Ben")),
        "Hello Ben!"
    );
}

/// Tornado: TemplateTest.test_bytes
#[test]
fn template_test_bytes() {
    let mut namespace = Namespace::new();
    namespace.insert_value("name", Value::from_bytes(b"Ben".to_vec()));
    assert_eq!(generate("Hello {{ name }}!", &namespace), "Hello Ben!");
}

/// Tornado: TemplateTest.test_expressions
#[test]
fn template_test_expressions() {
    assert_eq!(generate("2 + 2 = {{ 2 + 2 }}", &ns()), "2 + 2 = 4");
}

/// Tornado: TemplateTest.test_comment
#[test]
fn template_test_comment() {
    assert_eq!(
        generate("Hello{# TODO i18n #} {{ name }}!", &with("name", "Ben")),
        "Hello Ben!"
    );
}

/// Tornado: TemplateTest.test_include
#[test]
fn template_test_include() {
    let loader = dict_loader(&[
        ("index.html", "{% include \"header.html\" %}\nbody text"),
        ("header.html", "header text"),
    ]);
    assert_eq!(
        load_generate(&loader, "index.html", &ns()),
        "header text\nbody text"
    );
}

/// Tornado: TemplateTest.test_extends
#[test]
fn template_test_extends() {
    let loader = dict_loader(&[
        (
            "base.html",
            "<title>{% block title %}default title{% end %}</title>\n\
             <body>{% block body %}default body{% end %}</body>\n",
        ),
        (
            "page.html",
            "{% extends \"base.html\" %}\n\
             {% block title %}page title{% end %}\n\
             {% block body %}page body{% end %}\n",
        ),
    ]);
    assert_eq!(
        load_generate(&loader, "page.html", &ns()),
        "<title>page title</title>\n<body>page body</body>\n"
    );
}

/// Tornado: TemplateTest.test_relative_load
#[test]
fn template_test_relative_load() {
    let loader = dict_loader(&[
        ("a/1.html", "{% include '2.html' %}"),
        ("a/2.html", "{% include '../b/3.html' %}"),
        ("b/3.html", "ok"),
    ]);
    assert_eq!(load_generate(&loader, "a/1.html", &ns()), "ok");
}

/// Tornado: TemplateTest.test_escaping
#[test]
fn template_test_escaping() {
    parse_error(Template::new("{{"));
    parse_error(Template::new("{%"));
    assert_eq!(generate("{{!", &ns()), "{{");
    assert_eq!(generate("{%!", &ns()), "{%");
    assert_eq!(generate("{#!", &ns()), "{#");
    assert_eq!(
        generate("{{ 'expr' }} {{!jquery expr}}", &ns()),
        "expr {{jquery expr}}"
    );
}

/// Tornado: TemplateTest.test_unicode_template
#[test]
fn template_test_unicode_template() {
    assert_eq!(generate("\u{e9}", &ns()), "\u{e9}");
}

/// Tornado: TemplateTest.test_unicode_literal_expression
#[test]
fn template_test_unicode_literal_expression() {
    assert_eq!(generate("{{ \"\u{e9}\" }}", &ns()), "\u{e9}");
}

/// Tornado: TemplateTest.test_custom_namespace
#[test]
fn template_test_custom_namespace() {
    let mut namespace = Namespace::new();
    namespace.insert_function("inc", |x: i64| x + 1);
    let loader = dict_loader_with(
        &[("test.html", "{{ inc(5) }}")],
        LoaderOptions {
            namespace,
            ..LoaderOptions::default()
        },
    );
    assert_eq!(load_generate(&loader, "test.html", &ns()), "6");
}

/// Tornado: TemplateTest.test_apply
#[test]
fn template_test_apply() {
    let mut namespace = Namespace::new();
    namespace.insert_function("upper", |s: String| s.to_uppercase());
    assert_eq!(generate("{% apply upper %}foo{% end %}", &namespace), "FOO");
}

/// Tornado: TemplateTest.test_unicode_apply
#[test]
fn template_test_unicode_apply() {
    let mut namespace = Namespace::new();
    namespace.insert_function("upper", |s: String| s.to_uppercase());
    assert_eq!(
        generate("{% apply upper %}foo \u{e9}{% end %}", &namespace),
        "FOO \u{c9}"
    );
}

/// Tornado: TemplateTest.test_bytes_apply
#[test]
fn template_test_bytes_apply() {
    let mut namespace = Namespace::new();
    namespace.insert_function("upper", |s: String| {
        Value::from_bytes(s.to_uppercase().into_bytes())
    });
    assert_eq!(
        generate("{% apply upper %}foo \u{e9}{% end %}", &namespace),
        "FOO \u{c9}"
    );
}

/// Tornado: TemplateTest.test_if
#[test]
fn template_test_if() {
    let template = Template::new("{% if x > 4 %}yes{% else %}no{% end %}").unwrap();
    assert_eq!(template.generate(&with("x", 5)).unwrap(), "yes");
    assert_eq!(template.generate(&with("x", 3)).unwrap(), "no");
}

/// Tornado: TemplateTest.test_if_empty_body
#[test]
fn template_test_if_empty_body() {
    assert_eq!(generate("{% if True %}{% else %}{% end %}", &ns()), "");
}

/// Tornado: TemplateTest.test_comment_directive
#[test]
fn template_test_comment_directive() {
    assert_eq!(generate("{% comment blah blah %}foo", &ns()), "foo");
}

/// Tornado: TemplateTest.test_break_continue
#[test]
fn template_test_break_continue() {
    let template = "\
{% for i in range(10) %}
    {% if i == 2 %}
        {% continue %}
    {% end %}
    {{ i }}
    {% if i == 6 %}
        {% break %}
    {% end %}
{% end %}";
    let result: String = generate(template, &ns()).split_whitespace().collect();
    assert_eq!(result, "013456");
}

/// Tornado: TemplateTest.test_break_outside_loop
#[test]
fn template_test_break_outside_loop() {
    parse_error(Template::new("{% break %}"));
}

/// Tornado: TemplateTest.test_break_in_apply
#[test]
fn template_test_break_in_apply() {
    // As in Tornado, an apply block's body is outside the loop around it.
    parse_error(Template::new(
        "{% for i in [] %}{% apply foo %}{% break %}{% end %}{% end %}",
    ));
}

/// Tornado: TemplateTest.test_non_ascii_name
#[test]
fn template_test_non_ascii_name() {
    let loader = dict_loader(&[("t\u{e9}st.html", "hello")]);
    assert_eq!(load_generate(&loader, "t\u{e9}st.html", &ns()), "hello");
}

// StackTraceTest: Tornado checks the `# name:line` comments of the
// generated Python in the traceback; here the error carries them.

/// Tornado: StackTraceTest.test_error_line_number_expression
#[test]
fn stack_trace_test_error_line_number_expression() {
    let loader = dict_loader(&[("test.html", "one\ntwo{{1//0}}\nthree\n        ")]);
    let err = render_error(loader.load("test.html").unwrap().generate(&ns()));
    assert_eq!(err.location.to_string(), "test.html:2");
    assert!(err.to_string().contains("test.html:2"), "{err}");
}

/// Tornado: StackTraceTest.test_error_line_number_directive
#[test]
fn stack_trace_test_error_line_number_directive() {
    let loader = dict_loader(&[("test.html", "one\ntwo{%if 1//0%}\nthree{%end%}\n        ")]);
    let err = render_error(loader.load("test.html").unwrap().generate(&ns()));
    assert_eq!(err.location.to_string(), "test.html:2");
}

/// Tornado: StackTraceTest.test_error_line_number_module
#[test]
fn stack_trace_test_error_line_number_module() {
    let loader = Arc::new(dict_loader(&[
        ("base.html", "{% module Template('sub.html') %}"),
        ("sub.html", "{{1//0}}"),
    ]));
    let modules_loader = Arc::clone(&loader);
    let render = move |path: String| -> Result<String, supercell::template::minijinja::Error> {
        Ok(modules_loader.load(&path)?.generate(&Namespace::new())?)
    };
    let mut namespace = Namespace::new();
    namespace.insert_value(
        "_tt_modules",
        Value::from_pairs([("Template", Value::from_function(render))]),
    );
    let err = render_error(loader.load("base.html").unwrap().generate(&namespace));
    let text = err.to_string();
    assert!(text.contains("base.html:1"), "{text}");
    assert!(text.contains("sub.html:1"), "{text}");
}

/// Tornado: StackTraceTest.test_error_line_number_include
#[test]
fn stack_trace_test_error_line_number_include() {
    let loader = dict_loader(&[
        ("base.html", "{% include 'sub.html' %}"),
        ("sub.html", "{{1//0}}"),
    ]);
    let err = render_error(loader.load("base.html").unwrap().generate(&ns()));
    assert!(
        err.to_string().contains("sub.html:1 (via base.html:1)"),
        "{err}"
    );
}

/// Tornado: StackTraceTest.test_error_line_number_extends_base_error
#[test]
fn stack_trace_test_error_line_number_extends_base_error() {
    let loader = dict_loader(&[
        ("base.html", "{{1//0}}"),
        ("sub.html", "{% extends 'base.html' %}"),
    ]);
    let err = render_error(loader.load("sub.html").unwrap().generate(&ns()));
    assert!(err.to_string().contains("base.html:1"), "{err}");
}

/// Tornado: StackTraceTest.test_error_line_number_extends_sub_error
#[test]
fn stack_trace_test_error_line_number_extends_sub_error() {
    let loader = dict_loader(&[
        ("base.html", "{% block 'block' %}{% end %}"),
        (
            "sub.html",
            "\n{% extends 'base.html' %}\n{% block 'block' %}\n{{1//0}}\n{% end %}\n            ",
        ),
    ]);
    let err = render_error(loader.load("sub.html").unwrap().generate(&ns()));
    assert!(
        err.to_string().contains("sub.html:4 (via base.html:1)"),
        "{err}"
    );
}

/// Tornado: StackTraceTest.test_multi_includes
#[test]
fn stack_trace_test_multi_includes() {
    let loader = dict_loader(&[
        ("a.html", "{% include 'b.html' %}"),
        ("b.html", "{% include 'c.html' %}"),
        ("c.html", "{{1//0}}"),
    ]);
    let err = render_error(loader.load("a.html").unwrap().generate(&ns()));
    assert!(
        err.to_string()
            .contains("c.html:1 (via b.html:1, a.html:1)"),
        "{err}"
    );
}

// ParseErrorDetailTest

/// Tornado: ParseErrorDetailTest.test_details
#[test]
fn parse_error_detail_test_details() {
    let loader = dict_loader(&[("foo.html", "\n\n{{")]);
    let err = parse_error(loader.load("foo.html").map(|t| Arc::try_unwrap(t).unwrap()));
    assert_eq!(err.to_string(), "Missing end expression }} at foo.html:3");
    assert_eq!(err.filename.as_deref(), Some("foo.html"));
    assert_eq!(err.lineno, 3);
}

/// Tornado: ParseErrorDetailTest.test_custom_parse_error
#[test]
fn parse_error_detail_test_custom_parse_error() {
    assert_eq!(
        ParseError::new("asdf", None, 0).to_string(),
        "asdf at None:0"
    );
}

// AutoEscapeTest

const AUTOESCAPE_TEMPLATES: &[(&str, &str)] = &[
    ("escaped.html", "{% autoescape xhtml_escape %}{{ name }}"),
    ("unescaped.html", "{% autoescape None %}{{ name }}"),
    ("default.html", "{{ name }}"),
    (
        "include.html",
        "escaped: {% include 'escaped.html' %}\n\
         unescaped: {% include 'unescaped.html' %}\n\
         default: {% include 'default.html' %}\n",
    ),
    (
        "escaped_block.html",
        "{% autoescape xhtml_escape %}{% block name %}base: {{ name }}{% end %}",
    ),
    (
        "unescaped_block.html",
        "{% autoescape None %}{% block name %}base: {{ name }}{% end %}",
    ),
    (
        "escaped_extends_unescaped.html",
        "{% autoescape xhtml_escape %}{% extends \"unescaped_block.html\" %}",
    ),
    (
        "escaped_overrides_unescaped.html",
        "{% autoescape xhtml_escape %}{% extends \"unescaped_block.html\" %}\
         {% block name %}extended: {{ name }}{% end %}",
    ),
    (
        "unescaped_extends_escaped.html",
        "{% autoescape None %}{% extends \"escaped_block.html\" %}",
    ),
    (
        "unescaped_overrides_escaped.html",
        "{% autoescape None %}{% extends \"escaped_block.html\" %}\
         {% block name %}extended: {{ name }}{% end %}",
    ),
    (
        "raw_expression.html",
        "{% autoescape xhtml_escape %}expr: {{ name }}\nraw: {% raw name %}",
    ),
];

/// Tornado: AutoEscapeTest.test_default_off
#[test]
fn auto_escape_test_default_off() {
    let loader = dict_loader_with(
        AUTOESCAPE_TEMPLATES,
        LoaderOptions {
            autoescape: None,
            ..LoaderOptions::default()
        },
    );
    let name = with("name", "Bobby <table>s");
    assert_eq!(
        load_generate(&loader, "escaped.html", &name),
        "Bobby &lt;table&gt;s"
    );
    assert_eq!(
        load_generate(&loader, "unescaped.html", &name),
        "Bobby <table>s"
    );
    assert_eq!(
        load_generate(&loader, "default.html", &name),
        "Bobby <table>s"
    );
    assert_eq!(
        load_generate(&loader, "include.html", &name),
        "escaped: Bobby &lt;table&gt;s\nunescaped: Bobby <table>s\ndefault: Bobby <table>s\n"
    );
}

/// Tornado: AutoEscapeTest.test_default_on
#[test]
fn auto_escape_test_default_on() {
    let loader = dict_loader_with(
        AUTOESCAPE_TEMPLATES,
        LoaderOptions {
            autoescape: Some("xhtml_escape".to_owned()),
            ..LoaderOptions::default()
        },
    );
    let name = with("name", "Bobby <table>s");
    assert_eq!(
        load_generate(&loader, "escaped.html", &name),
        "Bobby &lt;table&gt;s"
    );
    assert_eq!(
        load_generate(&loader, "unescaped.html", &name),
        "Bobby <table>s"
    );
    assert_eq!(
        load_generate(&loader, "default.html", &name),
        "Bobby &lt;table&gt;s"
    );
    assert_eq!(
        load_generate(&loader, "include.html", &name),
        "escaped: Bobby &lt;table&gt;s\nunescaped: Bobby <table>s\ndefault: Bobby &lt;table&gt;s\n"
    );
}

/// Tornado: AutoEscapeTest.test_unextended_block
#[test]
fn auto_escape_test_unextended_block() {
    let loader = dict_loader(AUTOESCAPE_TEMPLATES);
    let name = with("name", "<script>");
    assert_eq!(
        load_generate(&loader, "escaped_block.html", &name),
        "base: &lt;script&gt;"
    );
    assert_eq!(
        load_generate(&loader, "unescaped_block.html", &name),
        "base: <script>"
    );
}

/// Tornado: AutoEscapeTest.test_extended_block
#[test]
fn auto_escape_test_extended_block() {
    let loader = dict_loader(AUTOESCAPE_TEMPLATES);
    let render = |name: &str| load_generate(&loader, name, &with("name", "<script>"));
    assert_eq!(render("escaped_extends_unescaped.html"), "base: <script>");
    assert_eq!(
        render("escaped_overrides_unescaped.html"),
        "extended: &lt;script&gt;"
    );
    assert_eq!(
        render("unescaped_extends_escaped.html"),
        "base: &lt;script&gt;"
    );
    assert_eq!(
        render("unescaped_overrides_escaped.html"),
        "extended: <script>"
    );
}

/// Tornado: AutoEscapeTest.test_raw_expression
#[test]
fn auto_escape_test_raw_expression() {
    let loader = dict_loader(AUTOESCAPE_TEMPLATES);
    assert_eq!(
        load_generate(&loader, "raw_expression.html", &with("name", "<>&\"")),
        "expr: &lt;&gt;&amp;&quot;\nraw: <>&\""
    );
}

/// Tornado: AutoEscapeTest.test_custom_escape
#[test]
fn auto_escape_test_custom_escape() {
    let loader = dict_loader(&[("foo.py", "{% autoescape py_escape %}s = {{ name }}\n")]);
    // A stand-in for Python's `repr` of a string: the function gets the
    // expression's value as text.
    let py_escape = |s: Value| -> String {
        let s = s
            .as_str()
            .expect("the autoescape function gets text")
            .to_owned();
        if s.contains('\'') {
            format!("\"{s}\"")
        } else {
            format!("'{s}'")
        }
    };
    let render = |name: Value| {
        let mut namespace = Namespace::new();
        namespace
            .insert_function("py_escape", py_escape)
            .insert_value("name", name);
        load_generate(&loader, "foo.py", &namespace)
    };
    assert_eq!(render(Value::from("<html>")), "s = '<html>'\n");
    assert_eq!(
        render(Value::from("';sys.exit()")),
        "s = \"';sys.exit()\"\n"
    );
    assert_eq!(
        render(Value::from(vec!["not a string"])),
        "s = \"['not a string']\"\n"
    );
}

/// Tornado: AutoEscapeTest.test_manual_minimize_whitespace
#[test]
fn auto_escape_test_manual_minimize_whitespace() {
    let loader = dict_loader(&[(
        "foo.txt",
        "{% for i in items\n  %}{% if i > 0 %}, {% end %}{#\n  #}{{i\n  }}{% end\n%}",
    )]);
    assert_eq!(
        load_generate(&loader, "foo.txt", &with("items", [0, 1, 2, 3, 4])),
        "0, 1, 2, 3, 4"
    );
}

/// Tornado: AutoEscapeTest.test_whitespace_by_filename
#[test]
fn auto_escape_test_whitespace_by_filename() {
    let loader = dict_loader(&[
        ("foo.html", "   \n\t\n asdf\t   "),
        ("bar.js", " \n\n\n\t qwer     "),
        ("baz.txt", "\t    zxcv\n\n"),
        ("include.html", "  {% include baz.txt %} \n "),
        ("include.txt", "\t\t{% include foo.html %}    "),
    ]);
    // HTML and JS files have whitespace compressed by default.
    assert_eq!(load_generate(&loader, "foo.html", &ns()), "\nasdf ");
    assert_eq!(load_generate(&loader, "bar.js", &ns()), "\nqwer ");
    // TXT files do not.
    assert_eq!(load_generate(&loader, "baz.txt", &ns()), "\t    zxcv\n\n");
    // Each file keeps its own mode when included in a file of the other.
    assert_eq!(
        load_generate(&loader, "include.html", &ns()),
        " \t    zxcv\n\n\n"
    );
    assert_eq!(
        load_generate(&loader, "include.txt", &ns()),
        "\t\t\nasdf     "
    );
}

/// Tornado: AutoEscapeTest.test_whitespace_by_loader
#[test]
fn auto_escape_test_whitespace_by_loader() {
    let templates = [("foo.html", "\t\tfoo\n\n"), ("bar.txt", "\t\tbar\n\n")];
    let loader_with = |mode| {
        dict_loader_with(
            &templates,
            LoaderOptions {
                whitespace: Some(mode),
                ..LoaderOptions::default()
            },
        )
    };
    let loader = loader_with(Whitespace::All);
    assert_eq!(load_generate(&loader, "foo.html", &ns()), "\t\tfoo\n\n");
    assert_eq!(load_generate(&loader, "bar.txt", &ns()), "\t\tbar\n\n");
    let loader = loader_with(Whitespace::Single);
    assert_eq!(load_generate(&loader, "foo.html", &ns()), " foo\n");
    assert_eq!(load_generate(&loader, "bar.txt", &ns()), " bar\n");
    let loader = loader_with(Whitespace::Oneline);
    assert_eq!(load_generate(&loader, "foo.html", &ns()), " foo ");
    assert_eq!(load_generate(&loader, "bar.txt", &ns()), " bar ");
}

/// Tornado: AutoEscapeTest.test_whitespace_directive
#[test]
fn auto_escape_test_whitespace_directive() {
    let loader = dict_loader(&[(
        "foo.html",
        "{% whitespace oneline %}\n    {% for i in range(3) %}\n        {{ i }}\n    {% end %}\n\
         {% whitespace all %}\n    pre\tformatted\n",
    )]);
    assert_eq!(
        load_generate(&loader, "foo.html", &ns()),
        "  0  1  2  \n    pre\tformatted\n"
    );
}

// TemplateLoaderTest

fn templates_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/templates")
}

/// Tornado: TemplateLoaderTest.test_utf8_in_file
#[test]
fn template_loader_test_utf8_in_file() {
    let loader = Loader::new(templates_dir());
    let result = load_generate(&loader, "utf8.html", &ns());
    assert_eq!(result.trim(), "H\u{e9}llo");
}
