//! [`parse_multipart_form_data`]: the parts of a `multipart/form-data`
//! body (RFC 7578), read from untrusted input with bounded work.

use bytes::Bytes;
use memchr::memmem;

use super::multipart_head::PartHead;
use super::{Arguments, Files, HttpFile, HttpInputError, MultipartError};

/// Limits on a `multipart/form-data` body (Tornado's
/// `ParseMultipartConfig`, without its `enabled` switch: not calling the
/// parser disables it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseMultipartConfig {
    /// The most parts a body may have (default 100, as Tornado). Each
    /// field of a form is at least one part.
    pub max_parts: usize,
    /// The most bytes of headers a part may have (default 10 KiB).
    pub max_part_header_size: usize,
}

impl Default for ParseMultipartConfig {
    fn default() -> ParseMultipartConfig {
        ParseMultipartConfig {
            max_parts: 100,
            max_part_header_size: 10 * 1024,
        }
    }
}

/// What one part of the body holds.
enum Field {
    Argument(Bytes),
    File(HttpFile),
}

/// Parses a `multipart/form-data` body, adding its fields to `arguments`
/// and its files to `files` (Tornado's `parse_multipart_form_data`), with
/// the default [`ParseMultipartConfig`].
///
/// `boundary` is the `boundary` parameter of the `Content-Type`; surrounding
/// double quotes are removed. The body ends at the last `--boundary--`;
/// anything after it is ignored. Each part needs headers ended by an empty
/// line, a `Content-Disposition: form-data` with a non-empty `name` (and
/// `filename` for a file, non-ASCII names and RFC 2231 `filename*` included;
/// see [`parse_header_value`](super::parse_header_value)), and a CRLF
/// before the next boundary. A file without `Content-Type` gets
/// `application/unknown`. Values and file bodies share `data`'s memory.
///
/// Stricter than Tornado 5.0, as Tornado 6.5: the first malformed part is
/// an error, not a warning and a skipped part, and on any error
/// `arguments` and `files` are left unchanged. The error's message is that
/// of a [`MultipartError`]. The work is linear in the size of `data`, and
/// no input makes it panic. [`MultipartParser`](super::MultipartParser)
/// reads the same bodies as they arrive.
///
/// ```
/// use bytes::Bytes;
/// use supercell::httputil::{Arguments, Files, parse_multipart_form_data};
///
/// let body = Bytes::from_static(
///     b"--XyZ\r\n\
///       Content-Disposition: form-data; name=\"title\"\r\n\r\n\
///       Hello\r\n\
///       --XyZ\r\n\
///       Content-Disposition: form-data; name=\"upload\"; filename=\"h\xc3\xa9.txt\"\r\n\
///       Content-Type: text/plain\r\n\r\n\
///       file body\r\n\
///       --XyZ--\r\n",
/// );
/// let (mut arguments, mut files) = (Arguments::default(), Files::default());
/// parse_multipart_form_data(b"XyZ", &body, &mut arguments, &mut files).unwrap();
/// assert_eq!(arguments["title"], ["Hello"]);
/// let file = &files["upload"][0];
/// assert_eq!((file.filename.as_str(), file.content_type.as_str()), ("hé.txt", "text/plain"));
/// assert_eq!(file.body, "file body");
/// ```
pub fn parse_multipart_form_data(
    boundary: &[u8],
    data: &Bytes,
    arguments: &mut Arguments,
    files: &mut Files,
) -> Result<(), HttpInputError> {
    parse_multipart_form_data_with(
        boundary,
        data,
        arguments,
        files,
        &ParseMultipartConfig::default(),
    )
}

/// [`parse_multipart_form_data`] with the given limits.
pub fn parse_multipart_form_data_with(
    boundary: &[u8],
    data: &Bytes,
    arguments: &mut Arguments,
    files: &mut Files,
    config: &ParseMultipartConfig,
) -> Result<(), HttpInputError> {
    let mut delimiter = dash_boundary(boundary)?;
    delimiter.extend_from_slice(b"--");
    let end = memmem::rfind(data, &delimiter).ok_or(MultipartError::NoFinalBoundary)?;
    // Parts are separated by `--boundary\r\n`.
    delimiter.truncate(delimiter.len() - 2);
    delimiter.extend_from_slice(b"\r\n");

    let mut fields: Vec<(String, Field)> = Vec::new();
    let mut start = 0;
    let separators = memmem::find_iter(&data[..end], &delimiter).chain(std::iter::once(end));
    for at in separators {
        // Separators found by find_iter do not overlap, and `end` lies
        // after all of them, so `start <= at`.
        let (part_start, part_end) = (start, at);
        start = at + delimiter.len();
        if part_start >= part_end {
            continue;
        }
        if fields.len() == config.max_parts {
            return Err(MultipartError::TooManyParts(config.max_parts).into());
        }
        fields.push(parse_part(data, part_start, part_end, config)?);
    }
    for (name, field) in fields {
        match field {
            Field::Argument(value) => arguments.entry(name).or_default().push(value),
            Field::File(file) => files.entry(name).or_default().push(file),
        }
    }
    Ok(())
}

/// `--boundary`, the start of every delimiter line: `boundary` without
/// surrounding double quotes, after two dashes. An empty boundary is an
/// error.
pub(super) fn dash_boundary(boundary: &[u8]) -> Result<Vec<u8>, MultipartError> {
    let boundary = match boundary {
        [b'"', inner @ .., b'"'] => inner,
        _ => boundary,
    };
    if boundary.is_empty() {
        return Err(MultipartError::EmptyBoundary);
    }
    let mut delimiter = Vec::with_capacity(boundary.len() + 4);
    delimiter.extend_from_slice(b"--");
    delimiter.extend_from_slice(boundary);
    Ok(delimiter)
}

/// Reads the part `data[start..end]`: its headers, its name and its value.
fn parse_part(
    data: &Bytes,
    start: usize,
    end: usize,
    config: &ParseMultipartConfig,
) -> Result<(String, Field), MultipartError> {
    let part = &data[start..end];
    let eoh = memmem::find(part, b"\r\n\r\n").ok_or(MultipartError::MissingHeaders)?;
    let mut head = PartHead::parse(&part[..eoh], config)?;
    // The value lies between the empty line and the CRLF that comes
    // before the next boundary.
    let value_start = eoh + 4;
    if part.len() < value_start + 2 || !part.ends_with(b"\r\n") {
        return Err(MultipartError::MissingCrlf);
    }
    let value = data.slice(start + value_start..end - 2);
    let name = head.take_name()?;
    let field = match head.take_filename() {
        Some(filename) => Field::File(HttpFile {
            filename,
            body: value,
            content_type: head.content_type("application/unknown"),
        }),
        None => Field::Argument(value),
    };
    Ok((name, field))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(boundary: &[u8], body: &'static [u8]) -> Result<(Arguments, Files), HttpInputError> {
        let (mut arguments, mut files) = (Arguments::default(), Files::default());
        parse_multipart_form_data(
            boundary,
            &Bytes::from_static(body),
            &mut arguments,
            &mut files,
        )?;
        Ok((arguments, files))
    }

    #[test]
    fn empty_value_needs_its_crlf() {
        let (arguments, _) = parse(
            b"b",
            b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n--b--",
        )
        .unwrap();
        assert_eq!(arguments["a"], [Bytes::new()]);
        assert!(
            parse(
                b"b",
                b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\n--b--"
            )
            .is_err()
        );
    }

    #[test]
    fn empty_boundary_and_lone_quote() {
        assert!(parse(b"", b"----").is_err());
        assert!(parse(b"\"\"", b"----").is_err());
        assert!(parse(b"\"", b"--\"--").unwrap().0.is_empty());
    }

    #[test]
    fn error_leaves_maps_unchanged() {
        let body = Bytes::from_static(
            b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--b\r\nbad\r\n--b--",
        );
        let (mut arguments, mut files) = (Arguments::default(), Files::default());
        let error = parse_multipart_form_data(b"b", &body, &mut arguments, &mut files).unwrap_err();
        assert!(error.0.contains("missing headers"), "{error}");
        assert!(arguments.is_empty() && files.is_empty());
    }

    #[test]
    fn limits() {
        let config = ParseMultipartConfig {
            max_parts: 1,
            max_part_header_size: 40,
        };
        let body = Bytes::from_static(
            b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--b\r\n\
              Content-Disposition: form-data; name=b\r\n\r\n2\r\n--b--",
        );
        let (mut arguments, mut files) = (Arguments::default(), Files::default());
        let error =
            parse_multipart_form_data_with(b"b", &body, &mut arguments, &mut files, &config)
                .unwrap_err();
        assert!(error.0.contains("too many parts"), "{error}");
        let config = ParseMultipartConfig {
            max_parts: 2,
            max_part_header_size: 30,
        };
        let error =
            parse_multipart_form_data_with(b"b", &body, &mut arguments, &mut files, &config)
                .unwrap_err();
        assert!(error.0.contains("header too large"), "{error}");
    }

    #[test]
    fn empty_parts_are_skipped_and_not_counted() {
        let (arguments, _) = parse(
            b"b",
            b"--b\r\n--b\r\n--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b--",
        )
        .unwrap();
        assert_eq!(arguments["a"], ["x"]);
    }
}
