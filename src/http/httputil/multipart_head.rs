//! [`PartHead`]: the headers of one `multipart/form-data` part, read the
//! same way by the whole-body parser and the streaming one.

use super::{HeaderParams, HttpHeaders, MultipartError, ParseMultipartConfig, parse_header_value};

/// A part's header fields and the parameters of its
/// `Content-Disposition: form-data`.
pub(super) struct PartHead {
    pub(super) headers: HttpHeaders,
    params: HeaderParams,
}

impl PartHead {
    /// Reads `block`, the bytes of a part before the empty line that ends
    /// its headers: no longer than the configured limit, UTF-8, header
    /// fields, and a `Content-Disposition` of `form-data`.
    pub(super) fn parse(
        block: &[u8],
        config: &ParseMultipartConfig,
    ) -> Result<PartHead, MultipartError> {
        if block.len() > config.max_part_header_size {
            return Err(MultipartError::HeaderTooLarge(config.max_part_header_size));
        }
        let text = std::str::from_utf8(block).map_err(|_| MultipartError::HeadersNotUtf8)?;
        let headers = HttpHeaders::parse(text).map_err(|e| MultipartError::InvalidHeaders(e.0))?;
        let (disposition, params) =
            parse_header_value(headers.get("Content-Disposition").unwrap_or(""));
        if !disposition.eq_ignore_ascii_case("form-data") {
            return Err(MultipartError::NotFormData);
        }
        Ok(PartHead { headers, params })
    }

    /// The field's name, which must be present and not empty.
    pub(super) fn take_name(&mut self) -> Result<String, MultipartError> {
        self.params
            .remove("name")
            .flatten()
            .filter(|name| !name.is_empty())
            .ok_or(MultipartError::MissingName)
    }

    /// The file name, if the part is a file (an empty one makes it a plain
    /// field).
    pub(super) fn take_filename(&mut self) -> Option<String> {
        self.params
            .remove("filename")
            .flatten()
            .filter(|name| !name.is_empty())
    }

    /// The part's `Content-Type`, or `default` when it has none.
    pub(super) fn content_type(&self, default: &str) -> String {
        self.headers
            .get("Content-Type")
            .unwrap_or(default)
            .to_owned()
    }
}
