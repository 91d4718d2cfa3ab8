//! Route lookup as the route table grows: `RuleRouter` (rules indexed by
//! the literal text their patterns start with) beside trying each route's
//! regular expression in turn, as Tornado's `RuleRouter` does, with 10,
//! 100 and 1,000 routes of the shape `/resource<N>/([0-9]+)`.
//!
//! Run with `cargo bench -p supercell-bench --bench routing`.
//!
//! Each lookup finds the route of a path: the first route, the last, and
//! none (a path no route matches). The request is made once; the lookup
//! includes matching the winning pattern and percent-decoding its group.

use std::hint::black_box;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use regex::Regex;
use supercell::httputil::{
    HttpHeaders, HttpServerRequest, RequestContext, parse_request_start_line,
};
use supercell::netutil::PeerAddress;
use supercell::routing::{PathMatches, Rule, RuleRouter};

fn pattern(n: usize) -> String {
    format!("/resource{n}/([0-9]+)")
}

fn request(path: &str) -> HttpServerRequest {
    let start_line = parse_request_start_line(&format!("GET {path} HTTP/1.1")).unwrap();
    let context = RequestContext {
        peer: PeerAddress::Unix,
        remote_ip: String::new(),
        protocol: "http".into(),
    };
    HttpServerRequest::new(start_line, HttpHeaders::new(), Bytes::new(), context)
}

fn bench_lookup(c: &mut Criterion) {
    let mut group = c.benchmark_group("route_lookup");
    for routes in [10, 100, 1000] {
        let router = RuleRouter::new(
            (0..routes)
                .map(|n| Rule::new(PathMatches::new(&pattern(n)).unwrap(), n))
                .collect(),
        );
        let linear: Vec<Regex> = (0..routes)
            .map(|n| Regex::new(&format!("^(?:{}$)", pattern(n))).unwrap())
            .collect();
        let cases = [
            ("first", request("/resource0/42")),
            ("last", request(&format!("/resource{}/42", routes - 1))),
            ("missing", request("/elsewhere/42")),
        ];
        for (case, request) in &cases {
            group.bench_with_input(
                BenchmarkId::new(format!("rule_router/{case}"), routes),
                request,
                |b, request| {
                    b.iter(|| {
                        router.find_map(black_box(request), |rule, args| {
                            Some((rule.target, args.args.len()))
                        })
                    })
                },
            );
            group.bench_with_input(
                BenchmarkId::new(format!("each_regex_in_turn/{case}"), routes),
                request,
                |b, request| {
                    b.iter(|| {
                        let path = black_box(request).path();
                        linear
                            .iter()
                            .position(|regex| regex.captures(path).is_some())
                    })
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, bench_lookup);
criterion_main!(benches);
