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
    let loader = dict_loader(&[("test.html", "one\ntwo{{1/0}}\nthree\n        ")]);
    let err = render_error(loader.load("test.html").unwrap().generate(&ns()));
    assert_eq!(err.location.to_string(), "test.html:2");
    assert!(err.to_string().contains("test.html:2"), "{err}");
}

/// Tornado: StackTraceTest.test_error_line_number_directive
#[test]
fn stack_trace_test_error_line_number_directive() {
    let loader = dict_loader(&[("test.html", "one\ntwo{%if 1/0%}\nthree{%end%}\n        ")]);
    let err = render_error(loader.load("test.html").unwrap().generate(&ns()));
    assert_eq!(err.location.to_string(), "test.html:2");
}

/// Tornado: StackTraceTest.test_error_line_number_module
#[test]
fn stack_trace_test_error_line_number_module() {
    let loader = Arc::new(dict_loader(&[
        ("base.html", "{% module Template('sub.html') %}"),
        ("sub.html", "{{1/0}}"),
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
        ("sub.html", "{{1/0}}"),
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
        ("base.html", "{{1/0}}"),
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
            "\n{% extends 'base.html' %}\n{% block 'block' %}\n{{1/0}}\n{% end %}\n            ",
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
        ("c.html", "{{1/0}}"),
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

// Edge cases of this implementation.

#[test]
fn python_statements_are_parse_errors() {
    for statement in [
        "{% try %}x{% end %}",
        "{% except %}",
        "{% finally %}",
        "{% import os %}",
        "{% from os import path %}",
    ] {
        let err = parse_error(Template::new(statement));
        assert!(
            err.message.contains("is a Python statement; not supported"),
            "{err}"
        );
        assert_eq!(err.to_string().rsplit_once(" at ").unwrap().1, "<string>:1");
    }
}

#[test]
fn structure_errors_name_template_and_line() {
    let cases = [
        (
            "a\n{% frobnicate %}",
            "unknown operator: 'frobnicate' at t.txt:2",
        ),
        ("a\n\n{% end %}", "Extra {% end %} block at t.txt:3"),
        ("{% if x %}\nb", "Missing {% end %} block for if at t.txt:1"),
        ("\n{% else %}", "else outside if/for/while block at t.txt:2"),
        (
            "{% for x in y %}{% elif z %}{% end %}",
            "elif block cannot be attached to for block at t.txt:1",
        ),
        (
            "{% block b %}{% else %}{% end %}",
            "else block cannot be attached to block block at t.txt:1",
        ),
        ("{{ }}", "Empty expression at t.txt:1"),
        ("{% %}", "Empty block tag ({% %}) at t.txt:1"),
        ("{# x", "Missing end comment #} at t.txt:1"),
        ("{% if x", "Missing end block %} at t.txt:1"),
        (
            "{% whitespace wide %}",
            "invalid whitespace mode wide at t.txt:1",
        ),
        (
            "{% continue %}",
            "continue outside for/while block at t.txt:1",
        ),
        ("{% set %}", "set missing statement at t.txt:1"),
        ("{% include %}", "include missing file path at t.txt:1"),
    ];
    for (source, message) in cases {
        let err = parse_error(Template::builder(source).name("t.txt").build());
        assert_eq!(err.to_string(), message, "{source:?}");
    }
}

#[test]
fn else_after_else_is_a_parse_error() {
    parse_error(Template::new("{% if x %}{% else %}{% else %}{% end %}"));
    parse_error(Template::new("{% if x %}{% else %}{% elif y %}{% end %}"));
}

#[test]
fn bad_expression_syntax_is_a_parse_error_at_its_line() {
    let err = parse_error(
        Template::builder("one\ntwo {{ 1 + }}")
            .name("t.txt")
            .build(),
    );
    assert_eq!(err.filename.as_deref(), Some("t.txt"));
    assert_eq!(err.lineno, 2);
}

#[test]
fn runtime_errors_carry_template_and_line() {
    let template = Template::builder("a\nb\n{{ missing }}")
        .name("t.txt")
        .build()
        .unwrap();
    let err = render_error(template.generate(&ns()));
    assert_eq!(err.location.to_string(), "t.txt:3");
    assert!(err.message.contains("undefined"), "{err}");
    assert!(
        err.to_string().contains("in {{ missing }} at t.txt:3"),
        "{err}"
    );

    let template = Template::new("{% for x in 5 %}{% end %}").unwrap();
    let err = render_error(template.generate(&ns()));
    assert_eq!(err.location.line, 1);

    let template = Template::new("\n{{ nope(1) }}").unwrap();
    let err = render_error(template.generate(&ns()));
    assert_eq!(err.directive.as_deref(), Some("{{ nope(1) }}"));
    assert_eq!(
        err.to_string(),
        format!("{} in {{{{ nope(1) }}}} at <string>:2", err.message)
    );
}

#[test]
fn while_loops() {
    let source = "{% set n = namespace(i=0) %}\
                  {% while n.i < 5 %}{% set n.i = n.i + 1 %}\
                  {% if n.i == 2 %}{% continue %}{% end %}{{ n.i }}\
                  {% if n.i == 4 %}{% break %}{% end %}{% end %}";
    assert_eq!(generate(source, &ns()), "134");
}

#[test]
fn loop_else_runs_when_no_break_ended_the_loop() {
    let source = "{% for x in items %}{{ x }}{% if x == stop %}{% break %}{% end %}\
                  {% else %}-done{% end %}";
    let namespace = |stop: i64, items: &[i64]| {
        let mut namespace = with("stop", stop);
        namespace.insert("items", items);
        namespace
    };
    assert_eq!(generate(source, &namespace(2, &[1, 2, 3])), "12");
    assert_eq!(generate(source, &namespace(9, &[1, 2, 3])), "123-done");
    assert_eq!(generate(source, &namespace(9, &[])), "-done");

    let source = "{% set n = namespace(i=0) %}{% while n.i < limit %}{% set n.i = n.i + 1 %}\
                  {% if n.i == 3 %}{% break %}{% end %}{% else %}done{% end %}{{ n.i }}";
    assert_eq!(generate(source, &with("limit", 2)), "done2");
    assert_eq!(generate(source, &with("limit", 5)), "3");
}

#[test]
fn nested_loops_break_their_own_loop() {
    let source = "{% for a in [1, 2] %}{% for b in [1, 2, 3] %}{% if b == 2 %}{% break %}{% end %}\
                  {{ a }}{{ b }} {% else %}inner-else{% end %}{% else %}outer-else{% end %}";
    assert_eq!(generate(source, &ns()), "11 21 outer-else");
}

#[test]
fn set_assigns_or_evaluates() {
    assert_eq!(generate("{% set x = 2 * 3 %}{{ x }}", &ns()), "6");
    assert_eq!(generate("{% set a, b = 1, 2 %}{{ a + b }}", &ns()), "3");
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let mut namespace = Namespace::new();
    namespace.insert_function("bump", move || {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    });
    assert_eq!(
        generate("{% set bump() %}{% set bump() %}x", &namespace),
        "x"
    );
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[test]
fn module_outputs_tt_modules_call_unescaped() {
    let mut namespace = Namespace::new();
    namespace.insert_value(
        "_tt_modules",
        Value::from_pairs([(
            "Link",
            Value::from_function(|href: String| format!("<a href=\"{href}\">x</a>")),
        )]),
    );
    assert_eq!(
        generate("{% module Link('/a') %}", &namespace),
        "<a href=\"/a\">x</a>"
    );
}

#[test]
fn include_and_extends_need_a_loader() {
    let err = parse_error(Template::new("{% include 'x.html' %}"));
    assert!(err.message.contains("no template loader"), "{err}");
    let err = parse_error(Template::new("\n{% extends 'x.html' %}"));
    assert_eq!(err.lineno, 2);
}

#[test]
fn include_and_extends_cycles_are_errors() {
    let loader = dict_loader(&[
        ("self.html", "{% include 'self.html' %}"),
        ("a.html", "x{% include 'b.html' %}"),
        ("b.html", "y{% if false %}{% include 'a.html' %}{% end %}"),
        ("ext.html", "{% extends 'ext2.html' %}"),
        ("ext2.html", "{% extends 'ext.html' %}"),
    ]);
    for name in ["self.html", "a.html", "b.html", "ext.html"] {
        let err = loader.load(name).unwrap_err();
        assert!(
            err.to_string().contains("extends or includes itself"),
            "{name}: {err}"
        );
    }
}

#[test]
fn long_include_chains_are_bounded() {
    let names: Vec<(String, String)> = (0..100)
        .map(|i| {
            (
                format!("{i}.html"),
                format!("{{% include '{}.html' %}}", i + 1),
            )
        })
        .chain([("100.html".to_owned(), "end".to_owned())])
        .collect();
    let loader = DictLoader::new(names);
    assert!(loader.load("0.html").is_err());
    assert_eq!(load_generate(&loader, "90.html", &ns()), "end");
}

#[test]
fn nested_blocks_are_overridden_one_by_one() {
    let loader = dict_loader(&[
        (
            "base.html",
            "[{% block outer %}<{% block inner %}base-inner{% end %}>{% end %}]",
        ),
        (
            "inner.html",
            "{% extends 'base.html' %}{% block inner %}child{% end %}",
        ),
        (
            "outer.html",
            "{% extends 'base.html' %}{% block outer %}all{% end %}",
        ),
        ("mid.html", "{% extends 'inner.html' %}"),
    ]);
    assert_eq!(load_generate(&loader, "base.html", &ns()), "[<base-inner>]");
    assert_eq!(load_generate(&loader, "inner.html", &ns()), "[<child>]");
    assert_eq!(load_generate(&loader, "outer.html", &ns()), "[all]");
    assert_eq!(load_generate(&loader, "mid.html", &ns()), "[<child>]");
}

#[test]
fn blocks_of_included_templates_can_be_overridden() {
    let loader = dict_loader(&[
        (
            "base.html",
            "{% include 'nav.html' %}|{% block body %}{% end %}",
        ),
        ("nav.html", "{% block nav %}nav{% end %}"),
        (
            "page.html",
            "{% extends 'base.html' %}{% block nav %}my-nav{% end %}{% block body %}b{% end %}",
        ),
    ]);
    assert_eq!(load_generate(&loader, "page.html", &ns()), "my-nav|b");
}

#[test]
fn includes_see_the_callers_variables() {
    let loader = dict_loader(&[
        (
            "list.html",
            "{% set sep = ',' %}{% for item in items %}{% include 'item.html' %}{% end %}",
        ),
        ("item.html", "{{ item }}{{ sep }}"),
    ]);
    assert_eq!(
        load_generate(&loader, "list.html", &with("items", [1, 2])),
        "1,2,"
    );
}

#[test]
fn apply_blocks() {
    let mut namespace = Namespace::new();
    namespace
        .insert_function("upper", |s: String| s.to_uppercase())
        .insert_function("wrap", |s: String| format!("[{s}]"))
        .insert("name", "<b>");
    assert_eq!(
        generate(
            "{% apply wrap %}a{% apply upper %}b{{ name }}{% end %}c{% end %}",
            &namespace
        ),
        "[aB&LT;B&GT;c]"
    );
    assert_eq!(
        generate("{% apply linkify %}see http://x.org{% end %}", &ns()),
        "see <a href=\"http://x.org\">http://x.org</a>"
    );
}

#[test]
fn autoescape_settings() {
    let namespace = with("x", "<&>");
    let off = Template::builder("{{ x }}")
        .autoescape(None)
        .build()
        .unwrap();
    assert_eq!(off.generate(&namespace).unwrap(), "<&>");
    assert_eq!(off.autoescape(), None);
    let on = Template::new("{{ x }}").unwrap();
    assert_eq!(on.generate(&namespace).unwrap(), "&lt;&amp;&gt;");
    assert_eq!(on.autoescape(), Some("xhtml_escape"));
    let custom = Template::builder("{{ x }}")
        .autoescape(Some("url_escape"))
        .build()
        .unwrap();
    assert_eq!(custom.generate(&namespace).unwrap(), "%3C%26%3E");
    // The directive applies to the whole file, as in Tornado.
    let late = Template::new("{{ x }}{% autoescape None %}").unwrap();
    assert_eq!(late.generate(&namespace).unwrap(), "<&>");
    // A missing autoescape function is an error when generating.
    let missing = Template::builder("{{ x }}")
        .autoescape(Some("nope"))
        .build()
        .unwrap();
    render_error(missing.generate(&namespace));
}

#[test]
fn values_are_stringified_before_escaping() {
    let mut namespace = Namespace::new();
    namespace
        .insert("n", 5)
        .insert("f", 0.5)
        .insert("flag", true)
        .insert("list", vec!["<a>", "b"])
        .insert("nothing", ());
    assert_eq!(
        generate(
            "{{ n }} {{ f }} {{ flag }} {{ list }} {{ nothing }} {% raw 1 + 1 %}",
            &namespace
        ),
        "5 0.5 True [&#39;&lt;a&gt;&#39;, &#39;b&#39;] None 2"
    );
}

#[test]
fn default_namespace_functions() {
    let mut namespace = Namespace::new();
    namespace.insert("data", serde_json::json!({"a": "</script>"}));
    let source = "{% autoescape None %}{{ escape('<') }}|{{ xhtml_escape('\"') }}|\
                  {{ url_escape('a b&') }}|{{ url_escape('a b', plus=false) }}|\
                  {{ url_escape('a b', false) }}|{{ json_encode(data) }}|\
                  {{ squeeze('  a \n b ') }}|\
                  {{ linkify('www.x.org', require_protocol=true) }}|\
                  {{ linkify('http://x.org', extra_params='rel=\"nofollow\"') }}";
    assert_eq!(
        generate(source, &namespace),
        "&lt;|&quot;|a+b%26|a%20b|a%20b|{\"a\":\"<\\/script>\"}|a b|www.x.org|\
         <a href=\"http://x.org\" rel=\"nofollow\">http://x.org</a>"
    );
    // The caller's namespace hides the defaults.
    let mut namespace = Namespace::new();
    namespace.insert_function("escape", |_: String| "hidden");
    assert_eq!(generate("{{ escape('x') }}", &namespace), "hidden");
}

#[test]
fn text_that_looks_like_jinja_is_kept() {
    let source = "a { b } c }} %} #} {%- x -%} \"quoted\" \\ back";
    // `{%-` opens a Tornado block; the rest must pass through.
    let err = parse_error(Template::new(source));
    assert!(err.message.contains("unknown operator"), "{err}");
    let source = "a { b } c }} %} #} \"quoted\" \\ back {{! raw }} {{ '}' }}";
    assert_eq!(
        generate(source, &ns()),
        "a { b } c }} %} #} \"quoted\" \\ back {{ raw }} }"
    );
}

#[test]
fn innermost_braces_open_an_expression() {
    assert_eq!(
        generate("\\frac{{{ a }}}{2}", &with("a", 1)),
        "\\frac{1}{2}"
    );
}

#[test]
fn pre_text_keeps_whitespace() {
    // As in Tornado, a text chunk holding `<pre>` is kept whole.
    let template = Template::builder("<pre>\n\n  a</pre>\n\n  b{{ 1 }}\n\n  c")
        .name("p.html")
        .build()
        .unwrap();
    assert_eq!(
        template.generate(&ns()).unwrap(),
        "<pre>\n\n  a</pre>\n\n  b1\nc"
    );
}

#[test]
fn deep_nesting_is_a_parse_error() {
    let source = "{% if true %}".repeat(10_000);
    parse_error(Template::new(source));
    let source = format!("{}x{}", "{% if true %}".repeat(50), "{% end %}".repeat(50));
    assert_eq!(generate(&source, &ns()), "x");
}

#[test]
fn fuel_bounds_endless_loops() {
    let template = Template::builder("{% while true %}x{% end %}")
        .fuel(10_000)
        .build()
        .unwrap();
    render_error(template.generate(&ns()));
    let loader = dict_loader_with(
        &[("loop.txt", "{% while true %}{% end %}")],
        LoaderOptions {
            fuel: Some(10_000),
            ..LoaderOptions::default()
        },
    );
    assert!(loader.load("loop.txt").unwrap().generate(&ns()).is_err());
}

#[test]
fn templates_and_loaders_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Template>();
    assert_send_sync::<Loader>();
    assert_send_sync::<DictLoader>();
    assert_send_sync::<Namespace>();
    assert_send_sync::<TemplateError>();

    let loader = Arc::new(dict_loader(&[("t.html", "{{ n * 2 }}")]));
    let threads: Vec<_> = (0..4)
        .map(|n| {
            let loader = Arc::clone(&loader);
            std::thread::spawn(move || load_generate(&*loader, "t.html", &with("n", n)))
        })
        .collect();
    let results: Vec<String> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(results, ["0", "2", "4", "6"]);
}

#[test]
fn loader_caches_until_reset() {
    let dir = std::env::temp_dir().join(format!("supercell-template-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("t.txt"), "one").unwrap();
    let loader = Loader::new(&dir);
    let first = loader.load("t.txt").unwrap();
    assert!(Arc::ptr_eq(&first, &loader.load("t.txt").unwrap()));
    std::fs::write(dir.join("t.txt"), "two").unwrap();
    assert_eq!(load_generate(&loader, "t.txt", &ns()), "one");
    loader.reset();
    assert_eq!(load_generate(&loader, "t.txt", &ns()), "two");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn loader_resolves_names_inside_its_root() {
    let loader = Loader::new(templates_dir());
    assert_eq!(
        load_generate(&loader, "sub/page.html", &ns()).trim(),
        "part|H\u{e9}llo"
    );
    assert_eq!(
        loader.resolve_path("part.html", Some("sub/page.html")),
        "sub/part.html"
    );
    assert_eq!(
        loader.resolve_path("/utf8.html", Some("sub/page.html")),
        "/utf8.html"
    );
    assert!(matches!(
        loader.load("sub/escape.html"),
        Err(TemplateError::OutsideRoot { .. })
    ));
    assert!(matches!(
        loader.load("../Cargo.toml"),
        Err(TemplateError::OutsideRoot { .. })
    ));
    assert!(matches!(
        loader.load("missing.html"),
        Err(TemplateError::NotFound { .. })
    ));
}

#[test]
fn dict_loader_misses_are_not_found() {
    let loader = dict_loader(&[("a.html", "{% include 'b.html' %}")]);
    assert!(matches!(
        loader.load("b.html"),
        Err(TemplateError::NotFound { .. })
    ));
    assert!(matches!(
        loader.load("a.html"),
        Err(TemplateError::NotFound { .. })
    ));
}

#[test]
fn generating_twice_reuses_the_compiled_template() {
    let template = Template::new("{{ x }}").unwrap();
    assert!(template.code().contains("_tt_string(x)"));
    assert_eq!(template.generate(&with("x", 1)).unwrap(), "1");
    assert_eq!(template.generate(&with("x", 2)).unwrap(), "2");
}

#[test]
fn whitespace_modes_parse_and_filter() {
    assert_eq!("single".parse::<Whitespace>(), Ok(Whitespace::Single));
    assert!("wide".parse::<Whitespace>().is_err());
    assert_eq!(Whitespace::for_name("a.js"), Whitespace::Single);
    assert_eq!(Whitespace::for_name("a.txt"), Whitespace::All);
    assert_eq!(filter_whitespace(Whitespace::Single, "a \r\t b"), "a \r b");
    assert_eq!(filter_whitespace(Whitespace::Single, " \r\n\t"), "\n");
}

proptest! {
    #[test]
    fn text_without_braces_round_trips(text in "[^{]*") {
        prop_assert_eq!(generate(&text, &ns()), text);
    }

    #[test]
    fn generate_never_panics(source in "(\\{\\{|\\{%|\\{#|%\\}|\\}\\}|#\\}|!| |x|if|for|while|end|else|set|=|1|\\(|\\)|\\[|\\]|'|\"|\n|in|block|apply|raw|break|\\.)*") {
        if let Ok(template) = Template::builder(source).fuel(10_000).build() {
            let _ = template.generate(&ns());
        }
    }

    #[test]
    fn arbitrary_text_never_panics(source in ".*") {
        if let Ok(template) = Template::builder(source).fuel(10_000).build() {
            let _ = template.generate(&ns());
        }
    }

    #[test]
    fn oneline_leaves_single_spaces(text in "[ \t\na-c\r]*") {
        let filtered = filter_whitespace(Whitespace::Oneline, &text);
        prop_assert!(!filtered.contains("  "));
        prop_assert!(!filtered.contains(['\n', '\t', '\r']));
        let single = filter_whitespace(Whitespace::Single, &text);
        prop_assert_eq!(filter_whitespace(Whitespace::Single, &single), single.clone());
    }
}
