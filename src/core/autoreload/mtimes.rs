//! The last modification time seen for each watched file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Modification times by path, compared at each check.
#[derive(Debug, Default)]
pub(super) struct ModifyTimes {
    seen: HashMap<PathBuf, SystemTime>,
}

impl ModifyTimes {
    /// Reads the modification time of every path in `paths` and returns the
    /// first one whose time differs from the last one seen. A path seen for
    /// the first time only records its time; a path that cannot be read
    /// (missing, for instance while it is being replaced) is skipped and
    /// keeps its last time, so a file that comes back counts as changed
    /// when its time differs from the one it had before it went.
    pub(super) fn first_change(&mut self, paths: &[PathBuf]) -> Option<PathBuf> {
        let mut changed = None;
        for path in paths {
            if self.changed(path) && changed.is_none() {
                changed = Some(path.clone());
            }
        }
        changed
    }

    fn changed(&mut self, path: &Path) -> bool {
        let Ok(modified) = std::fs::metadata(path).and_then(|meta| meta.modified()) else {
            return false;
        };
        self.seen
            .insert(path.to_owned(), modified)
            .is_some_and(|before| before != modified)
    }
}

#[cfg(test)]
mod tests {
    use std::fs::File;
    use std::time::Duration;

    use super::*;

    fn set_mtime(path: &Path, time: SystemTime) {
        File::open(path).unwrap().set_modified(time).unwrap();
    }

    #[test]
    fn reports_a_changed_time_and_not_a_first_sight_or_a_missing_file() {
        let dir = std::env::temp_dir().join(format!("supercell-mtimes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("watched");
        std::fs::write(&file, "a").unwrap();
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        set_mtime(&file, start);
        let paths = vec![dir.join("missing"), file.clone()];

        let mut times = ModifyTimes::default();
        assert_eq!(times.first_change(&paths), None, "first sight");
        assert_eq!(times.first_change(&paths), None, "unchanged");

        set_mtime(&file, start + Duration::from_secs(1));
        assert_eq!(times.first_change(&paths), Some(file.clone()));
        assert_eq!(
            times.first_change(&paths),
            None,
            "the new time is the baseline"
        );

        // Gone, then back with its old time: no change; with a new one: a change.
        std::fs::remove_file(&file).unwrap();
        assert_eq!(
            times.first_change(&paths),
            None,
            "a missing file is skipped"
        );
        std::fs::write(&file, "b").unwrap();
        set_mtime(&file, start + Duration::from_secs(1));
        assert_eq!(times.first_change(&paths), None);
        std::fs::remove_file(&file).unwrap();
        assert_eq!(times.first_change(&paths), None);
        std::fs::write(&file, "c").unwrap();
        set_mtime(&file, start + Duration::from_secs(2));
        assert_eq!(times.first_change(&paths), Some(file.clone()));

        std::fs::remove_dir_all(&dir).unwrap();
    }
}
