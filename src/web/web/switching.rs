//! Switching protocols from a handler: the request answered `101
//! Switching Protocols` and its connection handed over (what a
//! WebSocket handler does).

use super::error::usage;
use super::{Context, WebResult};
use crate::http1::Upgrade;
use crate::httputil::HttpHeaders;

impl Context {
    /// Answers the request `101 Switching Protocols` with the headers set
    /// so far and `headers`, and
    /// hands its connection over through the returned [`Upgrade`], once
    /// the handler's method has returned (await it in a task of its own;
    /// see [`ResponseWriter::upgrade`](crate::http1::ResponseWriter::upgrade)).
    /// The response then counts as finished, and is logged as a `101`.
    /// Fails once the response has started.
    pub fn upgrade(&mut self, headers: &HttpHeaders) -> WebResult<Upgrade> {
        if self.headers_written || self.finished {
            return Err(usage("Cannot upgrade after the response started"));
        }
        let Some(mut writer) = self.writer.take() else {
            return Err(usage("the response is finished"));
        };
        // The headers the handler set (in `prepare`, say) go out too.
        let mut sent = self.headers.clone();
        for (name, value) in headers.get_all() {
            sent.append(name.clone(), value.clone());
        }
        let upgrade = writer.upgrade(&sent);
        self.status = 101;
        self.headers_written = true;
        self.finished = true;
        self.log_unless_refused(&Ok(()));
        Ok(upgrade)
    }
}
