//! Where a static resource is, and keeping requests inside the root
//! (Tornado's `get_absolute_path` and `validate_absolute_path`, with
//! symbolic links followed before the check).

use std::io;
use std::path::{Component, Path, PathBuf};

use crate::web::{Context, HttpError, WebResult};

/// `path` made absolute (against the current directory) with its `.` and
/// `..` components resolved lexically, as Python's `os.path.abspath`:
/// `..` at the top stays at the top.
pub(super) fn lexical_absolute(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut normal = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                // `pop` keeps the root (and a Windows prefix).
                if normal.file_name().is_some() {
                    normal.pop();
                }
            }
            other => normal.push(other),
        }
    }
    normal
}

/// `path` joined to `root`, absolute and resolved lexically (an absolute
/// `path` replaces `root`).
pub(super) fn absolute_path(root: &Path, path: &str) -> PathBuf {
    lexical_absolute(&root.join(path))
}

/// Whether `absolute` (resolved lexically) is `root` or inside it.
/// Components are compared whole: `/static_foo` is not inside `/static`.
pub(super) fn within_root(root: &Path, absolute: &Path) -> bool {
    absolute.starts_with(lexical_absolute(root))
}

/// The answer to a file that cannot be looked at: `403` when access is
/// denied, otherwise `404` (missing, a file where a directory should be,
/// a name no file can have).
fn unreachable(path: &str, error: &io::Error) -> HttpError {
    match error.kind() {
        io::ErrorKind::PermissionDenied => {
            HttpError::new(403).log_message(format!("{path} cannot be read: {error}"))
        }
        _ => HttpError::new(404),
    }
}

/// The 403 of a path outside the root.
fn outside(path: &str) -> HttpError {
    HttpError::new(403).log_message(format!("{path} is not in root static directory"))
}

/// The default `validate_absolute_path` (see
/// [`StaticFiles::validate_absolute_path`](super::StaticFiles::validate_absolute_path)).
pub(super) async fn validate(
    cx: &mut Context,
    root: &Path,
    absolute_path: &Path,
    path: &str,
    default_filename: Option<&str>,
) -> WebResult<Option<PathBuf>> {
    // Lexically first: a path that names something outside the root is
    // refused before the file system is asked anything about it.
    if !within_root(root, absolute_path) {
        return Err(outside(path).into());
    }
    let mut absolute = absolute_path.to_owned();
    if let Some(default_filename) = default_filename
        && tokio::fs::metadata(&absolute)
            .await
            .is_ok_and(|metadata| metadata.is_dir())
    {
        let request_path = cx.request().path();
        if request_path.starts_with("//") {
            // Redirecting it would send the client to another host.
            return Err(HttpError::new(403)
                .log_message(format!("{request_path} starts with two slashes"))
                .into());
        }
        if !request_path.ends_with('/') {
            let target = format!("{request_path}/");
            cx.redirect(&target, true, None).await?;
            return Ok(None);
        }
        absolute.push(default_filename);
        if !within_root(root, &absolute) {
            return Err(outside(path).into());
        }
    }
    // Then where it really is, symbolic links followed.
    let real = tokio::fs::canonicalize(&absolute)
        .await
        .map_err(|error| unreachable(path, &error))?;
    let real_root = tokio::fs::canonicalize(root)
        .await
        .map_err(|error| unreachable(path, &error))?;
    if !real.starts_with(&real_root) {
        return Err(outside(path).into());
    }
    let metadata = tokio::fs::metadata(&real)
        .await
        .map_err(|error| unreachable(path, &error))?;
    if !metadata.is_file() {
        return Err(HttpError::new(403)
            .log_message(format!("{path} is not a file"))
            .into());
    }
    Ok(Some(absolute))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_resolution_stays_at_the_top() {
        let root = Path::new("/srv/static");
        assert_eq!(absolute_path(root, "a/./b"), Path::new("/srv/static/a/b"));
        assert_eq!(absolute_path(root, "../x"), Path::new("/srv/x"));
        assert_eq!(absolute_path(root, "../../../../x"), Path::new("/x"));
        assert_eq!(absolute_path(root, "/etc/passwd"), Path::new("/etc/passwd"));
        assert_eq!(absolute_path(root, ""), Path::new("/srv/static"));
        assert_eq!(absolute_path(root, "a//b/"), Path::new("/srv/static/a/b"));
    }

    #[test]
    fn root_confinement_compares_whole_components() {
        let root = Path::new("/srv/static");
        assert!(within_root(root, Path::new("/srv/static")));
        assert!(within_root(root, Path::new("/srv/static/a")));
        assert!(!within_root(root, Path::new("/srv/static_foo.txt")));
        assert!(!within_root(root, Path::new("/srv")));
        assert!(within_root(Path::new("/"), Path::new("/etc/passwd")));
        assert!(within_root(
            Path::new("/srv/static/"),
            Path::new("/srv/static/a")
        ));
        assert!(within_root(
            Path::new("/srv/x/../static"),
            Path::new("/srv/static/a")
        ));
    }

    #[test]
    fn relative_roots_are_taken_from_the_current_directory() {
        let here = std::env::current_dir().unwrap();
        assert_eq!(
            absolute_path(Path::new("static"), "a"),
            here.join("static/a")
        );
    }
}
