//! Where the programs to watch and to run again are on disk.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::util::log_target::GEN_LOG;

static EXECUTABLE: OnceLock<Option<PathBuf>> = OnceLock::new();

/// The path of the running executable, read once, the first time it is
/// asked for. Reading it early matters: once a rebuild has replaced the
/// file, the system may only know the running program as a deleted file,
/// while the path read before still names the new one.
pub(super) fn executable() -> Option<&'static Path> {
    EXECUTABLE
        .get_or_init(|| match std::env::current_exe() {
            Ok(path) => Some(path),
            Err(error) => {
                tracing::warn!(target: GEN_LOG, "autoreload cannot find the running executable: {error}");
                None
            }
        })
        .as_deref()
}

/// The file a command named `program` runs: `program` itself when it has a
/// directory part, otherwise the first file of that name in the
/// directories of `PATH`, as the system looks it up.
pub(super) fn resolve(program: &OsStr) -> Option<PathBuf> {
    let path = Path::new(program);
    if path.components().count() > 1 {
        return Some(path.to_owned());
    }
    let search = std::env::var_os("PATH")?;
    std::env::split_paths(&search)
        .map(|dir| dir.join(path))
        .find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_a_path_as_given_and_a_name_on_path() {
        assert_eq!(
            resolve(OsStr::new("./bin/tool")),
            Some(PathBuf::from("./bin/tool"))
        );
        let sh = resolve(OsStr::new("sh")).expect("sh is on PATH");
        assert!(sh.is_absolute() || sh.components().count() > 1, "{sh:?}");
        assert!(sh.ends_with("sh") && sh.is_file(), "{sh:?}");
        assert_eq!(resolve(OsStr::new("no-such-program-anywhere")), None);
    }

    #[test]
    fn finds_the_running_executable() {
        let exe = executable().expect("the test binary has a path");
        assert!(exe.is_file(), "{exe:?}");
    }
}
