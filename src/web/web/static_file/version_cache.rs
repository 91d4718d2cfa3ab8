//! The versions of static files (their content hashes) an application
//! keeps (Tornado's `StaticFileHandler._static_hashes`), each with the
//! modification time it was computed for, so that a changed file gets a
//! new version and never an old `ETag`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use super::StaticFiles;
use crate::util::log_target::GEN_LOG;
use crate::web::Application;

/// One version kept.
struct Entry {
    /// The file's modification time when it was computed, if known.
    modified: Option<SystemTime>,
    /// `None` when the file could not be read.
    version: Option<String>,
}

/// The content versions an application keeps, by absolute path.
#[derive(Default)]
pub(in crate::web) struct VersionCache {
    entries: Mutex<HashMap<PathBuf, Entry>>,
}

impl VersionCache {
    /// The version kept for `path`, if one is kept for the modification
    /// time `modified` (for any, when it is unknown).
    fn lookup(&self, path: &Path, modified: Option<SystemTime>) -> Option<Option<String>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = entries.get(path)?;
        (modified.is_none() || entry.modified == modified).then(|| entry.version.clone())
    }

    fn store(&self, path: &Path, modified: Option<SystemTime>, version: Option<String>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.insert(path.to_owned(), Entry { modified, version });
    }

    /// Forgets every version kept.
    pub(in crate::web) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

impl std::fmt::Debug for VersionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("VersionCache")
            .field("entries", &entries.len())
            .finish()
    }
}

/// A version computed, or the failure logged (Tornado's "Could not open
/// static file").
fn logged(path: &Path, version: Result<String, String>) -> Option<String> {
    version
        .map_err(|error| {
            tracing::error!(target: GEN_LOG, "Could not open static file {path:?}: {error}");
        })
        .ok()
}

/// The version of the file at `path` modified at `modified`, as a
/// handler needs it: from the application's cache when it has one for
/// that time, else computed on tokio's blocking pool (and kept).
pub(super) async fn version_async(
    app: &Application,
    files: &Arc<dyn StaticFiles>,
    path: &Path,
    modified: Option<SystemTime>,
) -> Option<String> {
    let cache = app.static_versions();
    if let Some(version) = cache.and_then(|cache| cache.lookup(path, modified)) {
        return version;
    }
    let (files, owned) = (Arc::clone(files), path.to_owned());
    let computed = tokio::task::spawn_blocking(move || files.get_content_version(&owned)).await;
    let computed = match computed {
        Ok(version) => version.map_err(|error| error.to_string()),
        Err(error) => Err(error.to_string()),
    };
    let version = logged(path, computed);
    if let Some(cache) = cache {
        cache.store(path, modified, version.clone());
    }
    version
}

/// The version of the file at `path`, as static URLs need it: from the
/// application's cache when it has one for the file's current
/// modification time, else computed on the calling thread (and kept).
pub(super) fn version_blocking<F: StaticFiles + ?Sized>(
    files: &F,
    app: &Application,
    path: &Path,
) -> Option<String> {
    // Unknown for what is not a file (an implementation's own paths).
    let modified = std::fs::metadata(path)
        .and_then(|metadata| metadata.modified())
        .ok();
    let cache = app.static_versions();
    if let Some(version) = cache.and_then(|cache| cache.lookup(path, modified)) {
        return version;
    }
    let computed = files
        .get_content_version(path)
        .map_err(|error| error.to_string());
    let version = logged(path, computed);
    if let Some(cache) = cache {
        cache.store(path, modified, version.clone());
    }
    version
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn versions_are_kept_per_modification_time() {
        let cache = VersionCache::default();
        let path = Path::new("/srv/static/a.css");
        let then = SystemTime::UNIX_EPOCH + Duration::from_secs(100);
        let now = then + Duration::from_secs(1);
        assert_eq!(cache.lookup(path, Some(then)), None);
        cache.store(path, Some(then), Some("v1".into()));
        assert_eq!(cache.lookup(path, Some(then)), Some(Some("v1".into())));
        assert_eq!(cache.lookup(path, None), Some(Some("v1".into())));
        assert_eq!(cache.lookup(path, Some(now)), None);
        cache.store(path, None, None);
        assert_eq!(cache.lookup(path, Some(now)), None);
        assert_eq!(cache.lookup(path, None), Some(None));
    }
}
