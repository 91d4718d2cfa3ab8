//! [`ErrorHandler`]: answers every request with one error status.

use super::{Context, HttpError, RequestHandler, WebResult};

/// Answers every request with an error page for one status (Tornado's
/// `ErrorHandler`); the application's default for requests no route
/// matches is `ErrorHandler::new(404)`.
#[derive(Clone, Copy, Debug)]
pub struct ErrorHandler {
    status: u16,
}

impl ErrorHandler {
    /// A handler answering `status`.
    pub fn new(status: u16) -> ErrorHandler {
        ErrorHandler { status }
    }
}

impl RequestHandler for ErrorHandler {
    async fn prepare(&mut self, _: &mut Context) -> WebResult {
        Err(HttpError::new(self.status).into())
    }

    /// The error page comes first: no XSRF check (as Tornado's).
    fn check_xsrf_cookie(&mut self, _: &mut Context) -> WebResult {
        Ok(())
    }
}
