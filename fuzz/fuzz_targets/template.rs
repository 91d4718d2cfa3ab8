//! Arbitrary template sources through `supercell::template`: parsing,
//! translating and generating (with an empty namespace and a fuel bound,
//! since `{% while %}` may loop forever) must never panic; failures are
//! errors.
#![no_main]

use libfuzzer_sys::fuzz_target;
use supercell::template::{Namespace, Template};

fuzz_target!(|data: &[u8]| {
    let source = String::from_utf8_lossy(data);
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
