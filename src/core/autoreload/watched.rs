//! The files the program asked to watch, beside its executable.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::util::lock;

static WATCHED: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

/// Adds `path` to the files whose changes restart the process (Tornado's
/// `watch`). The running executable is always watched; this adds the
/// others the program depends on: configuration, templates, data.
///
/// The path is kept as given (a relative path is read from the current
/// directory at each check). A path that does not exist yet is watched from
/// the moment it appears: its first modification time is its baseline, so
/// appearing is not a change. Watching a path twice watches it once.
/// Files added after [`start`](super::start) are picked up at the next
/// check.
pub fn watch(path: impl AsRef<Path>) {
    lock(&WATCHED).insert(path.as_ref().to_owned());
}

/// The watched paths, in order, after `first` (the executable, when known).
pub(super) fn watched_paths(first: Option<&Path>) -> Vec<PathBuf> {
    first
        .map(Path::to_owned)
        .into_iter()
        .chain(lock(&WATCHED).iter().cloned())
        .collect()
}
