//! Running a handler through a request (Tornado's `_execute` and its
//! error handling): prepare, the verb method, finishing, errors.

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::Method;

use super::delegate::StreamingRequest;
use super::output::{Finishing, finish};
use super::{Context, Finish, HttpError, RequestHandler, WebError, WebResult};
use crate::httputil::HttpOutputError;
use crate::routing::PathArgs;
use crate::util::log_target::{APP_LOG, GEN_LOG};
use crate::util::out_of_line::OutOfLine;

/// The verb method `$verb` of `$running`'s handler, and finishing the
/// response it left unfinished: a [`WebResult`] expression, awaiting
/// inside the `async` code it is written in.
macro_rules! call_verb {
    ($running:expr, $verb:expr) => {{
        let (handler, cx) = (&mut $running.handler, &mut $running.cx);
        // `GET`'s code in the request's own state machine; the other
        // methods' polled through a call of their own, so that the usual
        // path's code stays together.
        let verb = match $verb {
            Verb::Get => handler.get(cx).await,
            Verb::Other(verb) => OutOfLine(other_verb(handler, cx, verb)).await,
        };
        match verb {
            Ok(()) if !cx.finished => finish!(cx),
            verb => verb,
        }
    }};
}

/// The verb method of `verb`, a method other than `GET`.
async fn other_verb<H: RequestHandler>(
    handler: &mut H,
    cx: &mut Context,
    verb: OtherVerb,
) -> WebResult {
    match verb {
        OtherVerb::Post => handler.post(cx).await,
        OtherVerb::Head => handler.head(cx).await,
        OtherVerb::Put => handler.put(cx).await,
        OtherVerb::Delete => handler.delete(cx).await,
        OtherVerb::Patch => handler.patch(cx).await,
        OtherVerb::Options => handler.options(cx).await,
        OtherVerb::Unknown => handler.other_method(cx).await,
    }
}

/// The verb method a request's method calls.
enum Verb {
    Get,
    Other(OtherVerb),
}

/// The verb method of a method other than `GET`.
enum OtherVerb {
    Post,
    Head,
    Put,
    Delete,
    Patch,
    Options,
    /// A method without a verb method of its own (`other_method`).
    Unknown,
}

impl Verb {
    /// The verb method of `method`, read without copying it: `GET`
    /// found where this is inlined, any other in a call.
    #[inline(always)]
    fn of(method: &Method) -> Verb {
        if *method == Method::GET {
            Verb::Get
        } else {
            Verb::Other(OtherVerb::of(method))
        }
    }
}

impl OtherVerb {
    /// The verb method of `method`, which is not `GET`.
    #[inline(never)]
    fn of(method: &Method) -> OtherVerb {
        match *method {
            Method::POST => OtherVerb::Post,
            Method::HEAD => OtherVerb::Head,
            Method::PUT => OtherVerb::Put,
            Method::DELETE => OtherVerb::Delete,
            Method::PATCH => OtherVerb::Patch,
            Method::OPTIONS => OtherVerb::Options,
            _ => OtherVerb::Unknown,
        }
    }
}

/// A handler and its request, under way. Dropped before it completes
/// (the connection closed while the handler waited), it tells the
/// handler through `on_connection_close`.
pub(super) struct Running<H: RequestHandler> {
    handler: H,
    cx: Context,
    /// The path arguments, until decoded into the context (`None` when
    /// the route captured none).
    args: Option<PathArgs>,
    /// The handler is done: nothing more to call.
    done: bool,
}

/// Runs `handler` through a request whose body, if any, is read: the
/// default headers, `prepare`, the verb method, an error answered if one
/// came, and `on_finish`. The handler and context are moved into place
/// before the future is made, so that the future does not hold them
/// twice.
#[inline(always)]
pub(super) fn execute<H: RequestHandler>(
    handler: H,
    cx: Context,
    args: Option<PathArgs>,
) -> impl Future<Output = ()> + Send {
    let mut running = Running::new(handler, cx, args);
    // The whole of the request, written here rather than awaited as a
    // method of its own: one state machine for it all, the usual path.
    async move {
        let running = &mut running;
        running.cx.make_transforms();
        running.handler.set_default_headers(&mut running.cx);
        let verb = Verb::of(&running.cx.request.method);
        // No result is held across an await: each step's error leaves
        // the block at once.
        let result = 'run: {
            if let Err(error) = running.admit(&verb) {
                break 'run Err(error);
            }
            if let Err(error) = running.handler.prepare(&mut running.cx).await {
                break 'run Err(error);
            }
            if running.cx.finished {
                break 'run Ok(());
            }
            call_verb!(running, verb)
        };
        if let Err(error) = result {
            crate::util::cold_path();
            boxed_handle_error(&mut running.handler, &mut running.cx, error).await;
        }
        running.complete();
    }
}

/// Starts `handler` on a request whose body streams to it.
pub(super) fn start_streaming<H: RequestHandler>(
    handler: H,
    cx: Context,
    args: PathArgs,
) -> Box<dyn StreamingRequest> {
    Box::new(Running::new(
        handler,
        cx,
        (!args.is_empty()).then_some(args),
    ))
}

impl<H: RequestHandler> Running<H> {
    /// Whether `GET`, the usual method, is supported: known when the
    /// program is compiled.
    const SUPPORTS_GET: bool = names_get(H::SUPPORTED_METHODS);

    #[inline(always)]
    fn new(handler: H, cx: Context, args: Option<PathArgs>) -> Running<H> {
        Running {
            handler,
            cx,
            args,
            done: false,
        }
    }

    /// Everything before the verb method: the output transforms, the
    /// default headers, the method check, the path arguments, `prepare`.
    /// Whether to go on.
    async fn prelude(&mut self) -> bool {
        self.cx.make_transforms();
        self.handler.set_default_headers(&mut self.cx);
        let result = self.prepare().await;
        self.settle(result).await
    }

    async fn prepare(&mut self) -> WebResult {
        self.admit(&Verb::of(&self.cx.request.method))?;
        self.handler.prepare(&mut self.cx).await
    }

    /// What comes before `prepare`, `verb` being the request method's:
    /// the method check, the path arguments, the XSRF check.
    #[inline(always)]
    fn admit(&mut self, verb: &Verb) -> WebResult {
        let (supported, safe) = match verb {
            Verb::Get => (Self::SUPPORTS_GET, true),
            Verb::Other(verb) => (
                supports(H::SUPPORTED_METHODS, &self.cx.request.method),
                matches!(verb, OtherVerb::Head | OtherVerb::Options),
            ),
        };
        if !supported {
            return Err(method_not_allowed());
        }
        if let Some(args) = self.args.take() {
            self.decode_path_args(args)?;
        }
        if !safe && self.cx.settings().xsrf_cookies {
            self.handler.check_xsrf_cookie(&mut self.cx)?;
        }
        Ok(())
    }

    /// Decodes the path arguments into the context with the handler's
    /// `decode_argument`.
    #[inline(never)]
    fn decode_path_args(&mut self, args: PathArgs) -> WebResult {
        let decode = self.cx.hooks.decode_argument;
        let cx = &self.cx;
        let decoded = |value: Option<Vec<u8>>, name: &str| {
            value.map(|value| decode(cx, &value, name)).transpose()
        };
        let path_args = args
            .args
            .into_iter()
            .map(|value| decoded(value, "path argument"))
            .collect::<WebResult<Vec<_>>>()?;
        let path_kwargs = args
            .kwargs
            .into_iter()
            .map(|(name, value)| Ok((name.clone(), decoded(value, &name)?)))
            .collect::<WebResult<Vec<_>>>()?;
        self.cx.path_args = path_args;
        if !path_kwargs.is_empty() {
            self.cx.extras_mut().path_kwargs = path_kwargs;
        }
        Ok(())
    }

    /// The verb method, and finishing the response it left unfinished.
    async fn verb(&mut self) {
        let result = self.call_verb().await;
        self.settle(result).await;
    }

    async fn call_verb(&mut self) -> WebResult {
        let verb = Verb::of(&self.cx.request.method);
        call_verb!(self, verb)
    }

    /// Answers an error, if there was one; whether to go on.
    async fn settle(&mut self, result: WebResult) -> bool {
        match result {
            Ok(()) => !self.cx.finished,
            Err(error) => {
                boxed_handle_error(&mut self.handler, &mut self.cx, error).await;
                false
            }
        }
    }

    /// The handler is done: `on_finish` if the response is finished.
    fn complete(&mut self) {
        self.done = true;
        if self.cx.finished {
            self.handler.on_finish(&mut self.cx);
        }
    }
}

impl<H: RequestHandler> Drop for Running<H> {
    fn drop(&mut self) {
        if !self.done && !self.cx.finished && !std::thread::panicking() {
            self.done = true;
            self.handler.on_connection_close(&mut self.cx);
        }
    }
}

impl<H: RequestHandler> StreamingRequest for Running<H> {
    fn begin(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            if !self.prelude().await {
                self.complete();
            }
        })
    }

    fn data_received(&mut self, chunk: Bytes) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            if self.done {
                return;
            }
            let result = self.handler.data_received(&mut self.cx, chunk).await;
            if !self.settle(result).await {
                self.complete();
            }
        })
    }

    fn finish(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            if self.done {
                return;
            }
            self.verb().await;
            self.complete();
        })
    }

    fn connection_closed(&mut self) {
        if !self.done && !self.cx.finished {
            self.done = true;
            self.handler.on_connection_close(&mut self.cx);
        }
    }
}

/// [`handle_error`] boxed, in a call of its own: the error path's futures
/// (an error page written and finished) would double the size of every
/// request's, and its code would sit amid the usual path's.
#[inline(never)]
fn boxed_handle_error<'a, H: RequestHandler>(
    handler: &'a mut H,
    cx: &'a mut Context,
    error: WebError,
) -> BoxFuture<'a, ()> {
    Box::pin(handle_error(handler, cx, error))
}

/// Answers `error` from a handler method (Tornado's
/// `_handle_request_exception`): [`Finish`] finishes the response as it
/// stands; a closed connection tells the handler; anything else is
/// logged and, unless the response is finished, answered with an error
/// page through [`send_error`].
pub(super) async fn handle_error<H: RequestHandler>(
    handler: &mut H,
    cx: &mut Context,
    error: WebError,
) {
    if let Some(finish) = error.downcast_ref::<Finish>() {
        if !cx.finished {
            let body = finish.body.clone().unwrap_or_default();
            if let Err(error) = cx.finish_with(body).await {
                log_exception(cx, &error);
            }
        }
        return;
    }
    if matches!(
        error.downcast_ref::<HttpOutputError>(),
        Some(HttpOutputError::Closed)
    ) {
        if !cx.finished {
            handler.on_connection_close(cx);
        }
        cx.finished = true;
        return;
    }
    handler.log_exception(cx, &error);
    if !cx.finished {
        send_error(handler, cx, error.status(), Some(&error)).await;
    }
}

/// Logs an error from a handler the way Tornado's `log_exception` does
/// by default: an [`HttpError`] with a log message as a warning on the
/// general log (`"404 GET /x (127.0.0.1): message"`), another
/// [`HttpError`] not at all, any other error on the application log
/// (`"Uncaught exception GET /x (127.0.0.1): error"`).
pub fn log_exception(cx: &Context, error: &WebError) {
    let request = cx.request();
    let summary = format_args!(
        "{} {} ({})",
        request.method,
        request.uri,
        request.remote_ip()
    );
    match error.http_error() {
        Some(HttpError {
            status,
            log_message: Some(message),
            ..
        }) => tracing::warn!(target: GEN_LOG, "{status} {summary}: {message}"),
        Some(_) => {}
        None => tracing::error!(target: APP_LOG, "Uncaught exception {summary}: {error}"),
    }
}

/// Answers the request with an error page for `status` (Tornado's
/// `send_error`): what was written and not flushed is dropped, the status
/// and headers reset, and the handler's
/// [`write_error`](RequestHandler::write_error) writes the page. After a
/// flush the status cannot change any more: the response is only
/// finished.
pub async fn send_error<H: RequestHandler>(
    handler: &mut H,
    cx: &mut Context,
    status: u16,
    error: Option<&WebError>,
) {
    if cx.finished {
        return;
    }
    if cx.headers_written {
        tracing::error!(target: GEN_LOG, "Cannot send error response after headers written");
        if let Err(error) = cx.finish().await {
            tracing::error!(target: GEN_LOG, "Failed to finish the request: {error}");
        }
        return;
    }
    cx.clear();
    handler.set_default_headers(cx);
    let reason = error.and_then(WebError::http_error).and_then(|e| e.reason);
    let set = match reason {
        Some(reason) => cx.set_status_reason(status, reason),
        None => cx.set_status(status),
    };
    if set.is_err() {
        let _ = cx.set_status(500);
    }
    let status = cx.get_status();
    if let Err(error) = handler.write_error(cx, status, error).await {
        tracing::error!(target: APP_LOG, "Uncaught exception in write_error: {error}");
    }
    if !cx.finished
        && let Err(error) = cx.finish().await
    {
        tracing::error!(target: GEN_LOG, "Failed to send the error page: {error}");
    }
}

/// Whether `methods` names `method`.
#[inline(never)]
fn supports(methods: &[&str], method: &Method) -> bool {
    methods.contains(&method.as_str())
}

/// The error for a method the handler does not support.
#[cold]
#[inline(never)]
fn method_not_allowed() -> WebError {
    HttpError::new(405).into()
}

/// Whether `methods` has `GET`.
const fn names_get(methods: &[&str]) -> bool {
    let mut at = 0;
    while at < methods.len() {
        if matches!(methods[at].as_bytes(), b"GET") {
            return true;
        }
        at += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_get_finds_get_as_written_only() {
        assert!(names_get(&["POST", "GET"]));
        assert!(!names_get(&["POST", "get", "GETS", ""]));
        assert!(!names_get(&[]));
    }
}
