//! Generating a page of 100 table rows with escaped values: a supercell
//! `Template` (Tornado syntax, translated to minijinja once) beside the same
//! page written for minijinja directly with its HTML autoescaping.
//!
//! Run with `cargo bench -p supercell-bench --bench template`.
//!
//! supercell passes each `{{ }}` value through `_tt_string` and the
//! autoescape function (`xhtml_escape`), as Tornado calls `str()` and the
//! escape function; minijinja escapes while formatting.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use supercell::template::{Namespace, Template};

const TORNADO_PAGE: &str = "<table>{% for row in rows %}\
    <tr class=\"{% if loop.index is even %}even{% else %}odd{% end %}\">\
    <td>{{ row.id }}</td><td>{{ row.name }}</td><td>{{ row.note }}</td></tr>\
    {% end %}</table>";

const JINJA_PAGE: &str = "<table>{% for row in rows %}\
    <tr class=\"{% if loop.index is even %}even{% else %}odd{% endif %}\">\
    <td>{{ row.id }}</td><td>{{ row.name }}</td><td>{{ row.note }}</td></tr>\
    {% endfor %}</table>";

fn rows() -> Vec<minijinja::Value> {
    (0..100)
        .map(|i| {
            minijinja::context! {
                id => i,
                name => format!("user{i}"),
                note => if i % 10 == 0 { "Tom & <Jerry>" } else { "plain note" },
            }
        })
        .collect()
}

fn bench_template(c: &mut Criterion) {
    let mut group = c.benchmark_group("template_100_rows");

    let template = Template::builder(TORNADO_PAGE)
        .name("page.txt")
        .build()
        .unwrap();
    let mut namespace = Namespace::new();
    namespace.insert_value("rows", minijinja::Value::from(rows()));
    group.bench_function("supercell", |b| {
        b.iter(|| template.generate(black_box(&namespace)).unwrap().len())
    });

    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template("page.html", JINJA_PAGE).unwrap();
    let page = env.get_template("page.html").unwrap();
    let context = minijinja::context! { rows => rows() };
    group.bench_function("minijinja", |b| {
        b.iter(|| page.render(black_box(&context)).unwrap().len())
    });

    group.finish();
}

criterion_group!(benches, bench_template);
criterion_main!(benches);
