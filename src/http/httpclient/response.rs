//! [`HttpResponse`] (Tornado's `HTTPResponse`).

use std::fmt;
use std::time::Duration;

use bytes::Bytes;

use super::error::{FetchError, HttpClientError};
use super::request::HttpRequest;
use super::time_info::TimeInfo;
use crate::httputil::HttpHeaders;
use crate::httputil::reason_or_unknown;

/// The outcome of a fetch (Tornado's `HTTPResponse`).
///
/// A response is also what a failed fetch produces: code 599 and an
/// [`error`](Self::error) saying why (returned as such with
/// `raise_error = false`, else carried by the [`HttpClientError`]).
#[derive(Clone)]
pub struct HttpResponse {
    /// The request as it was given to `fetch` (before redirects, without
    /// the headers the client added).
    pub request: HttpRequest,
    /// The status code, or 599 when no response was received.
    pub code: u16,
    /// The reason phrase sent by the server (or the standard one).
    pub reason: String,
    /// The response headers. With `decompress_response`, a gzip body's
    /// `Content-Encoding` is moved to `X-Consumed-Content-Encoding`.
    pub headers: HttpHeaders,
    /// The body (empty with a `streaming_callback`).
    pub body: Bytes,
    /// The URL finally fetched, after redirects.
    pub effective_url: String,
    /// The error, if the fetch failed or the code is not 2xx.
    pub error: Option<HttpClientError>,
    /// From the call of `fetch` to the end of the response, queue and
    /// redirects included.
    pub request_time: Duration,
    /// Where the time went, under curl's names.
    pub time_info: TimeInfo,
}

impl HttpResponse {
    /// A response with `code`: its `error` is set when the code is not 2xx,
    /// its reason is the standard phrase, its `effective_url` the request's.
    pub fn new(request: HttpRequest, code: u16) -> HttpResponse {
        let error = (!(200..300).contains(&code)).then(|| HttpClientError::new(code));
        HttpResponse {
            effective_url: request.url.clone(),
            request,
            code,
            reason: reason_or_unknown(code).to_owned(),
            headers: HttpHeaders::new(),
            body: Bytes::new(),
            error,
            request_time: Duration::ZERO,
            time_info: TimeInfo::default(),
        }
    }

    /// The 599 response of a fetch of `request` that failed for `cause`.
    pub fn failed(request: HttpRequest, cause: FetchError) -> HttpResponse {
        let mut response = HttpResponse::new(request, super::error::NETWORK_ERROR_CODE);
        response.error = Some(HttpClientError::from_cause(cause));
        response
    }

    /// `Err` with the error (carrying this response) if there is one
    /// (Tornado's `rethrow`).
    pub fn rethrow(&self) -> Result<(), HttpClientError> {
        match &self.error {
            None => Ok(()),
            Some(error) => {
                let mut error = error.clone();
                error.response = Some(Box::new(self.clone()));
                Err(error)
            }
        }
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("code", &self.code)
            .field("reason", &self.reason)
            .field("headers", &self.headers)
            .field("body", &self.body)
            .field("effective_url", &self.effective_url)
            .field("error", &self.error)
            .field("request_time", &self.request_time)
            .field("time_info", &self.time_info)
            .field("request", &self.request)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_has_no_error_and_rethrow_is_ok() {
        let response = HttpResponse::new(HttpRequest::new("http://example.com/"), 204);
        assert!(response.error.is_none());
        assert!(response.rethrow().is_ok());
        assert_eq!(response.reason, "No Content");
    }

    #[test]
    fn rethrow_carries_the_response() {
        let response = HttpResponse::new(HttpRequest::new("http://example.com/"), 404);
        let error = response.rethrow().unwrap_err();
        assert_eq!(error.code, 404);
        assert_eq!(error.response.unwrap().effective_url, "http://example.com/");
    }
}
