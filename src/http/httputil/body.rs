//! [`parse_body_arguments`]: form arguments and files from a request body.

use bytes::Bytes;

use super::multipart::parse_multipart_form_data;
use super::{Arguments, Files, HttpHeaders, HttpInputError, parse_header_value};
use crate::escape::parse_qs_bytes;

/// Parses a form body by its `content_type`, adding its arguments to
/// `arguments` and its uploads to `files` (Tornado's
/// `parse_body_arguments`).
///
/// - `application/x-www-form-urlencoded`: `name=value` fields as
///   [`parse_qs_bytes`] reads them, blank values kept.
/// - `multipart/form-data; boundary=...`: see
///   [`parse_multipart_form_data`].
/// - Any other type: nothing is parsed.
///
/// The media type is compared case-insensitively. A form body whose
/// `headers` carry a `Content-Encoding` is refused (it would have to be
/// decoded first; the server does that with `decompress_request`). Errors
/// leave `arguments` and `files` unchanged. Unlike Tornado this function
/// does not log: [`HttpServerRequest::parse_body`](super::HttpServerRequest::parse_body)
/// logs the error as a warning.
///
/// ```
/// use bytes::Bytes;
/// use supercell::httputil::{Arguments, Files, parse_body_arguments};
///
/// let (mut arguments, mut files) = (Arguments::default(), Files::default());
/// let body = Bytes::from_static(b"a=1&b=&a=%C3%A9");
/// parse_body_arguments("application/x-www-form-urlencoded; charset=utf-8", &body,
///     &mut arguments, &mut files, None).unwrap();
/// assert_eq!(arguments["a"], ["1", "é"]);
/// assert_eq!(arguments["b"], [""]);
/// ```
pub fn parse_body_arguments(
    content_type: &str,
    body: &Bytes,
    arguments: &mut Arguments,
    files: &mut Files,
    headers: Option<&HttpHeaders>,
) -> Result<(), HttpInputError> {
    let (media_type, params) = parse_header_value(content_type);
    let urlencoded = media_type.eq_ignore_ascii_case("application/x-www-form-urlencoded");
    let multipart = media_type.eq_ignore_ascii_case("multipart/form-data");
    if !urlencoded && !multipart {
        return Ok(());
    }
    if let Some(encoding) = headers.and_then(|h| h.get_bytes("Content-Encoding")) {
        return Err(HttpInputError::new(format!(
            "Unsupported Content-Encoding: {}",
            String::from_utf8_lossy(encoding)
        )));
    }
    if urlencoded {
        for (name, values) in parse_qs_bytes(body, true) {
            arguments
                .entry(name)
                .or_default()
                .extend(values.into_iter().map(Bytes::from));
        }
        return Ok(());
    }
    let boundary = params
        .get("boundary")
        .and_then(|b| b.as_deref())
        .filter(|b| !b.is_empty())
        .ok_or_else(|| HttpInputError::new("Invalid multipart/form-data: boundary not found"))?;
    parse_multipart_form_data(boundary.as_bytes(), body, arguments, files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(
        content_type: &str,
        body: &'static [u8],
    ) -> Result<(Arguments, Files), HttpInputError> {
        let (mut arguments, mut files) = (Arguments::default(), Files::default());
        parse_body_arguments(
            content_type,
            &Bytes::from_static(body),
            &mut arguments,
            &mut files,
            None,
        )?;
        Ok((arguments, files))
    }

    #[test]
    fn other_types_are_ignored() {
        assert!(parse("application/json", b"a=1").unwrap().0.is_empty());
        assert!(
            parse("application/x-www-form-urlencodedxyz", b"a=1")
                .unwrap()
                .0
                .is_empty()
        );
        assert!(parse("", b"a=1").unwrap().0.is_empty());
    }

    #[test]
    fn media_type_case_insensitive() {
        assert_eq!(
            parse("Application/X-WWW-Form-URLEncoded", b"a=1")
                .unwrap()
                .0["a"],
            ["1"]
        );
    }

    #[test]
    fn multipart_boundary_quoted_or_missing() {
        let body = b"--a;b\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--a;b--";
        assert_eq!(
            parse("multipart/form-data; boundary=\"a;b\"", body)
                .unwrap()
                .0["x"],
            ["1"]
        );
        let error = parse("multipart/form-data", body).unwrap_err();
        assert!(error.0.contains("boundary not found"), "{error}");
        assert!(parse("multipart/form-data; boundary=", body).is_err());
    }

    #[test]
    fn content_encoding_refused_for_forms_only() {
        let mut headers = HttpHeaders::new();
        headers.add("Content-Encoding", "gzip").unwrap();
        let body = Bytes::from_static(b"a=1");
        let (mut arguments, mut files) = (Arguments::default(), Files::default());
        let error = parse_body_arguments(
            "application/x-www-form-urlencoded",
            &body,
            &mut arguments,
            &mut files,
            Some(&headers),
        )
        .unwrap_err();
        assert_eq!(error.0, "Unsupported Content-Encoding: gzip");
        assert!(arguments.is_empty());
        parse_body_arguments(
            "text/plain",
            &body,
            &mut arguments,
            &mut files,
            Some(&headers),
        )
        .unwrap();
    }
}
