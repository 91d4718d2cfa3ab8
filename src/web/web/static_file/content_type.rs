//! The `Content-Type` of a static file, guessed from its name as
//! Python's `mimetypes` and Tornado's `StaticFileHandler` guess it.

use std::path::Path;

/// The type of a file whose type is unknown.
const OCTET_STREAM: &str = "application/octet-stream";

/// The `Content-Type` of the file at `path`: that of its extension, but
/// `application/gzip` for a file compressed with gzip (`.gz`, and the
/// short forms of `.tar.gz` and `.svg.gz`), `application/octet-stream`
/// for one compressed otherwise and for an unknown extension.
/// Compression suffixes are matched with their case, as `mimetypes`
/// matches them; types are not.
pub(super) fn guess(path: &Path) -> &'static str {
    let Some(extension) = path.extension().and_then(|ext| ext.to_str()) else {
        return OCTET_STREAM;
    };
    match extension {
        "gz" | "tgz" | "taz" | "tz" | "svgz" => "application/gzip",
        "Z" | "bz2" | "xz" | "br" | "tbz2" | "txz" => OCTET_STREAM,
        _ => mime_guess::from_ext(extension)
            .first_raw()
            .unwrap_or(OCTET_STREAM),
    }
}

#[cfg(test)]
mod tests {
    use super::guess;
    use std::path::Path;

    #[test]
    fn types_by_extension_and_compression() {
        let cases = [
            ("robots.txt", "text/plain"),
            ("sample.xml.gz", "application/gzip"),
            ("sample.xml.bz2", "application/octet-stream"),
            ("backup.tgz", "application/gzip"),
            ("logo.svgz", "application/gzip"),
            ("style.CSS", "text/css"),
            ("no_extension", "application/octet-stream"),
            (".gz", "application/octet-stream"),
            ("data.unknownext", "application/octet-stream"),
        ];
        for (name, expected) in cases {
            assert_eq!(guess(Path::new(name)), expected, "{name}");
        }
        assert!(["text/xml", "application/xml"].contains(&guess(Path::new("sample.xml"))));
    }
}
