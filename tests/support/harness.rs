//! A small test harness for test targets that cannot use the standard one
//! (`harness = false` in `Cargo.toml`): targets whose tests must run on the
//! process's main thread, or whose `main` first checks whether this copy of
//! the binary was started to play a scenario for a test.
//!
//! Tests run one after the other, on the main thread. Arguments: test names
//! to run (substrings, or whole names with `--exact`), as with the standard
//! harness; `--skip NAME` leaves tests out; `--ignored` runs none (no test
//! here is ignored); other options are accepted and have no effect.

use std::panic::{self, UnwindSafe};

/// A scenario test binary's `main`: when the environment variable
/// `scenario_var` names a scenario, plays it (in the directory
/// `dir_var` names) and never returns; else runs `tests`.
pub fn main_with_scenarios(
    tests: &[(&str, fn())],
    scenario_var: &str,
    dir_var: &str,
    play: fn(&str, &std::path::Path) -> !,
) {
    if let Ok(scenario) = std::env::var(scenario_var) {
        let dir = std::env::var_os(dir_var).expect("the scenario's directory");
        play(&scenario, std::path::Path::new(&dir));
    }
    run(tests);
}

/// Runs the tests the command line selects, prints a line per test and a
/// summary, and exits with status 101 when one failed.
pub fn run(tests: &[(&str, fn())]) {
    let selection = Selection::from_args(std::env::args().skip(1));
    let mut failed = Vec::new();
    let mut passed = 0;
    for &(name, test) in tests.iter().filter(|(name, _)| selection.runs(name)) {
        if passes(test) {
            println!("test {name} ... ok");
            passed += 1;
        } else {
            println!("test {name} ... FAILED");
            failed.push(name);
        }
    }
    let verdict = if failed.is_empty() { "ok" } else { "FAILED" };
    println!(
        "\ntest result: {verdict}. {passed} passed; {} failed",
        failed.len()
    );
    if !failed.is_empty() {
        println!("failures: {failed:?}");
        std::process::exit(101);
    }
}

/// Whether `test` returns without panicking (the panic message goes to
/// stderr as usual).
fn passes(test: impl FnOnce() + UnwindSafe) -> bool {
    panic::catch_unwind(test).is_ok()
}

/// Which tests the command line asks for.
struct Selection {
    filters: Vec<String>,
    skips: Vec<String>,
    exact: bool,
    ignored_only: bool,
}

impl Selection {
    fn from_args(args: impl Iterator<Item = String>) -> Selection {
        let mut selection = Selection {
            filters: Vec::new(),
            skips: Vec::new(),
            exact: false,
            ignored_only: false,
        };
        let mut args = args.peekable();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--exact" => selection.exact = true,
                "--ignored" => selection.ignored_only = true,
                "--skip" => selection.skips.extend(args.next()),
                // The harness options that take a separate value.
                "--test-threads" | "--color" | "--format" | "--logfile" | "-Z" => {
                    args.next();
                }
                option if option.starts_with('-') => {}
                filter => selection.filters.push(filter.to_owned()),
            }
        }
        selection
    }

    fn runs(&self, name: &str) -> bool {
        let matches = |pattern: &String| {
            if self.exact {
                name == pattern
            } else {
                name.contains(pattern.as_str())
            }
        };
        !self.ignored_only
            && (self.filters.is_empty() || self.filters.iter().any(matches))
            && !self.skips.iter().any(matches)
    }
}
