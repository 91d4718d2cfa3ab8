//! [`WebSocketHandler`]: what an application writes to serve WebSockets
//! (Tornado's `WebSocketHandler`), and [`WebSocketUpgrade`], the request
//! handler that runs its opening handshake and then the connection.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures_util::FutureExt;

use super::run::{Dispatch, Reading, default_ping_timeout, run};
use super::socket::Opening;
use super::{
    CloseCode, CompressionOptions, DecoderConfig, DeflateParams, FrameDecoder, FrameEncoder,
    HandshakeError, Message, MessageDeflater, MessageInflater, Role, SUPPORTED_VERSIONS, WebSocket,
    check_upgrade_request, negotiate_deflate, parse_extensions, switching_headers,
};
use crate::http1::Upgrade;
use crate::util::log_target::APP_LOG;
use crate::util::panic_message;
use crate::web::{Context, CurrentUser, RequestHandler, Route, WebResult, url};

/// A WebSocket endpoint (Tornado's `WebSocketHandler`): one value per
/// connection, made by the route's factory. The opening handshake runs
/// as a request (with `prepare`, cookies and the current user as on any
/// handler); then [`open`](Self::open), each message through
/// [`on_message`](Self::on_message) (the next is read once it returns),
/// and [`on_close`](Self::on_close) when the connection is over.
///
/// ```no_run
/// use supercell::web::{Application, Settings};
/// use supercell::websocket::{Message, WebSocket, WebSocketHandler, websocket_url};
///
/// struct Echo;
///
/// impl WebSocketHandler for Echo {
///     async fn on_message(&mut self, ws: &WebSocket, message: Message) {
///         let _ = ws.write_message(message).await;
///     }
/// }
///
/// let app = Application::new(vec![websocket_url("/ws", || Echo)], Settings::default());
/// ```
pub trait WebSocketHandler: Send + Sized + 'static {
    /// Runs before the handshake, as a request handler's `prepare`
    /// (finish the response to refuse the connection). Default: nothing.
    fn prepare(&mut self, cx: &mut Context) -> impl Future<Output = WebResult> + Send {
        let _ = cx;
        async { Ok(()) }
    }

    /// The current user of the handshake's request (see
    /// [`RequestHandler::get_current_user`]). Default: none.
    fn get_current_user(cx: &Context) -> Option<CurrentUser> {
        let _ = cx;
        None
    }

    /// Whether to accept a connection from a page at `origin` (the
    /// `Origin` header); refused with `403`. Default: only the same
    /// origin, its host and port equal to the request's `Host`.
    fn check_origin(&self, cx: &Context, origin: &str) -> bool {
        same_origin(origin, cx.request().headers.get("Host").unwrap_or(""))
    }

    /// The subprotocol to speak, among those the client offered; `None`
    /// for none. Default: none.
    fn select_subprotocol(&mut self, cx: &Context, subprotocols: &[String]) -> Option<String> {
        let _ = (cx, subprotocols);
        None
    }

    /// permessage-deflate's settings, to accept compression when the
    /// client offers it; `None` to run uncompressed (Tornado's default).
    fn get_compression_options(&self, cx: &Context) -> Option<CompressionOptions> {
        let _ = cx;
        None
    }

    /// How often to ping the client to keep the connection alive
    /// (Tornado's `ping_interval`); `None` for never. Default: the
    /// application's `websocket_ping_interval`.
    fn ping_interval(&self, cx: &Context) -> Option<Duration> {
        cx.settings().websocket_ping_interval
    }

    /// How long to wait for a pong before closing (Tornado's
    /// `ping_timeout`). Default: the application's
    /// `websocket_ping_timeout`, else three ping intervals and at least
    /// 30 seconds.
    fn ping_timeout(&self, cx: &Context) -> Duration {
        cx.settings()
            .websocket_ping_timeout
            .unwrap_or_else(|| default_ping_timeout(self.ping_interval(cx)))
    }

    /// The largest message accepted, in bytes; a larger one closes the
    /// connection with 1009 (Tornado's `max_message_size`). Default: the
    /// application's `websocket_max_message_size` (10 MiB).
    fn max_message_size(&self, cx: &Context) -> usize {
        cx.settings().websocket_max_message_size
    }

    /// The connection is open (Tornado's `open`; the route's path
    /// arguments are [`WebSocket::path_args`] and
    /// [`WebSocket::path_kwargs`]). Default: nothing.
    fn open(&mut self, ws: &WebSocket) -> impl Future<Output = ()> + Send {
        let _ = ws;
        async {}
    }

    /// A message arrived.
    fn on_message(&mut self, ws: &WebSocket, message: Message) -> impl Future<Output = ()> + Send;

    /// A ping arrived (a pong has answered it already).
    fn on_ping(&mut self, ws: &WebSocket, data: &[u8]) {
        let _ = (ws, data);
    }

    /// A pong arrived.
    fn on_pong(&mut self, ws: &WebSocket, data: &[u8]) {
        let _ = (ws, data);
    }

    /// The connection is closed; the peer's close code and reason, if it
    /// sent them, are [`WebSocket::close_code`] and
    /// [`WebSocket::close_reason`].
    fn on_close(&mut self, ws: &WebSocket) {
        let _ = ws;
    }
}

/// Whether `origin` (a serialized origin, `scheme://host[:port]`) names
/// `host` (a `Host` header), ignoring case: Tornado's default
/// `check_origin`.
fn same_origin(origin: &str, host: &str) -> bool {
    let rest = origin.split_once("://").map_or("", |(_, rest)| rest);
    let netloc = rest.split(['/', '?', '#']).next().unwrap_or("");
    !netloc.is_empty() && netloc.eq_ignore_ascii_case(host)
}

/// A route to a WebSocket endpoint: the handler `make` gives, for each
/// connection, at `pattern` (see [`url`]).
pub fn websocket_url<W, F>(pattern: &str, make: F) -> Route
where
    W: WebSocketHandler,
    F: Fn() -> W + Send + Sync + 'static,
{
    url(pattern, move || WebSocketUpgrade::new(make()))
}

/// The request handler of a WebSocket route: runs the opening handshake
/// for its [`WebSocketHandler`], then the connection, in a task of its
/// own. Answers only `GET`; a bad upgrade request gets `400` (`426` with
/// `Sec-WebSocket-Version` for an unknown version), a refused origin
/// `403`.
pub struct WebSocketUpgrade<W> {
    handler: Option<W>,
}

impl<W: WebSocketHandler> WebSocketUpgrade<W> {
    /// The request handler running `handler`'s connection.
    pub fn new(handler: W) -> WebSocketUpgrade<W> {
        WebSocketUpgrade {
            handler: Some(handler),
        }
    }
}

impl<W: WebSocketHandler> RequestHandler for WebSocketUpgrade<W> {
    const SUPPORTED_METHODS: &'static [&'static str] = &["GET"];

    fn prepare(&mut self, cx: &mut Context) -> impl Future<Output = WebResult> + Send {
        let handler = self.handler.as_mut();
        async move {
            match handler {
                Some(handler) => handler.prepare(cx).await,
                None => Ok(()),
            }
        }
    }

    fn get_current_user(cx: &Context) -> Option<CurrentUser> {
        W::get_current_user(cx)
    }

    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let Some(mut handler) = self.handler.take() else {
            return Ok(());
        };
        let request = cx.request();
        let asked = match check_upgrade_request(request.version, &request.headers) {
            Ok(asked) => asked,
            Err(error) => return refuse(cx, &error).await,
        };
        let origin = request
            .headers
            .get("Origin")
            .or_else(|| request.headers.get("Sec-WebSocket-Origin"))
            .map(str::to_owned);
        if let Some(origin) = origin
            && !handler.check_origin(cx, &origin)
        {
            cx.set_status(403)?;
            return cx.finish_with("Cross origin websockets not allowed").await;
        }
        let subprotocol = handler
            .select_subprotocol(cx, &asked.subprotocols)
            .filter(|chosen| asked.subprotocols.contains(chosen));
        let options = handler.get_compression_options(cx);
        let deflate = options.and_then(|options| {
            let offers = parse_extensions(request.headers.get_list("Sec-WebSocket-Extensions"));
            negotiate_deflate(&offers, &options).map(|params| (options, params))
        });
        let answer = deflate.map(|(_, params)| params.to_string());
        let headers = switching_headers(&asked.key, subprotocol.as_deref(), answer.as_deref())?;
        let config = Connection {
            max_message_size: handler.max_message_size(cx),
            ping_interval: handler.ping_interval(cx),
            ping_timeout: handler.ping_timeout(cx),
            deflate,
            subprotocol,
            opening: Opening {
                request: cx.request().clone(),
                path_args: cx.path_args().to_vec(),
                path_kwargs: cx.path_kwargs().to_vec(),
            },
        };
        let upgrade = cx.upgrade(&headers)?;
        tokio::spawn(serve(upgrade, handler, config));
        Ok(())
    }
}

/// Answers a bad upgrade request with its status and the reason.
async fn refuse(cx: &mut Context, error: &HandshakeError) -> WebResult {
    cx.set_status(error.status())?;
    if let HandshakeError::UnsupportedVersion(_) = error {
        cx.set_header("Sec-WebSocket-Version", SUPPORTED_VERSIONS)?;
    }
    cx.finish_with(error.to_string()).await
}

/// What a server connection runs with, as its handshake settled it.
struct Connection {
    max_message_size: usize,
    ping_interval: Option<Duration>,
    ping_timeout: Duration,
    deflate: Option<(CompressionOptions, DeflateParams)>,
    subprotocol: Option<String>,
    opening: Opening,
}

/// Runs `handler`'s connection once `upgrade` hands it over.
async fn serve<W: WebSocketHandler>(upgrade: Upgrade, mut handler: W, connection: Connection) {
    let Ok(upgraded) = upgrade.await else {
        // The connection closed before it was handed over.
        return;
    };
    let deflater = connection.deflate.as_ref().and_then(|(options, params)| {
        MessageDeflater::new(
            options,
            params.server_window_bits(),
            params.server_no_context_takeover,
        )
    });
    let inflater = connection.deflate.as_ref().map(|(_, params)| {
        MessageInflater::new(
            params.client_window_bits(),
            params.client_no_context_takeover,
        )
    });
    let decoder = FrameDecoder::with_config(
        Role::Server,
        DecoderConfig {
            max_message_size: connection.max_message_size,
            compression: connection.deflate.is_some(),
        },
    );
    let ws = WebSocket::new(
        upgraded.stream,
        FrameEncoder::new(Role::Server),
        deflater,
        connection.subprotocol,
        Some(connection.opening),
    );
    let opened = AssertUnwindSafe(handler.open(&ws)).catch_unwind().await;
    if let Err(panic) = opened {
        log_panic("open", panic.as_ref());
        ws.close(Some(CloseCode::INTERNAL_ERROR.0), "");
    }
    let reading = Reading {
        decoder,
        inflater,
        max_message_size: connection.max_message_size,
        ping_interval: connection.ping_interval,
        ping_timeout: connection.ping_timeout,
    };
    run(
        &ws,
        upgraded.read_ahead,
        reading,
        &mut HandlerDispatch(&mut handler),
    )
    .await;
    ws.mark_closing();
    handler.on_close(&ws);
}

/// A server handler as the reading loop's receiver.
struct HandlerDispatch<'h, W>(&'h mut W);

impl<W: WebSocketHandler> Dispatch for HandlerDispatch<'_, W> {
    async fn message(&mut self, ws: &WebSocket, message: Message) {
        let handled = AssertUnwindSafe(self.0.on_message(ws, message))
            .catch_unwind()
            .await;
        if let Err(panic) = handled {
            log_panic("on_message", panic.as_ref());
            ws.close(Some(CloseCode::INTERNAL_ERROR.0), "");
        }
    }

    fn ping(&mut self, ws: &WebSocket, data: &[u8]) {
        self.0.on_ping(ws, data);
    }

    fn pong(&mut self, ws: &WebSocket, data: &[u8]) {
        self.0.on_pong(ws, data);
    }
}

/// Logs a panic in a handler's `method`: as an uncaught exception in
/// Tornado, the connection then closes (with 1011, "internal error").
fn log_panic(method: &str, panic: &(dyn std::any::Any + Send)) {
    tracing::error!(
        target: APP_LOG,
        "Uncaught panic in a WebSocket handler's {method}: {}",
        panic_message(panic)
    );
}
