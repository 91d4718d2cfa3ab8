//! Arbitrary template sources through `supercell::template`: parsing,
//! translating and generating (with an empty namespace and a fuel bound,
//! since `{% while %}` may loop forever) must never panic; failures are
//! errors.
//!
//! Sources that use `namespace` are skipped: a namespace object stored in
//! itself (`{% set ns.me = ns %}`) is a reference cycle that minijinja's
//! reference counting never frees, which the leak checker reports; it is
//! documented in `supercell::template`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use supercell::template::{Namespace, Template};

fuzz_target!(|data: &[u8]| {
    let source = String::from_utf8_lossy(data);
    if source.contains("namespace") {
        return;
    }
    for name in ["fuzz.html", "fuzz.txt"] {
        if let Ok(template) = Template::builder(source.as_ref())
            .name(name)
            .fuel(50_000)
            .build()
        {
            let _ = template.generate(&Namespace::new());
        }
    }
});
