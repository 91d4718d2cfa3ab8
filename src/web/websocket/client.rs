//! The client side (Tornado's `websocket_connect` and
//! `WebSocketClientConnection`): connecting over `ws://` or `wss://`,
//! the opening handshake, and the messages read through a queue or a
//! callback.

use std::time::Duration;

use bytes::BytesMut;
use http::Method;
use tokio::sync::mpsc;

use super::run::{Dispatch, Reading, default_ping_timeout, run};
use super::{
    CompressionOptions, DEFAULT_MAX_MESSAGE_SIZE, DecoderConfig, ExtensionError, FrameDecoder,
    FrameEncoder, HandshakeError, Message, MessageDeflater, MessageInflater, Role, WebSocket,
    Written, check_deflate_answer, check_switching_response, deflate_offer, new_key,
    upgrade_request_headers,
};
use crate::http1::codec::parse_response_head;
use crate::httpclient::HttpRequest;
use crate::httpclient::tls::TlsConfigs;
use crate::httpclient::url::Url;
use crate::httputil::HttpHeaders;
use crate::iostream::StreamError;
use crate::tcpclient::{ConnectError, ConnectOptions, TcpClient};
use crate::util::Deadline;

/// The largest response head a client reads.
const MAX_HEAD: usize = 64 * 1024;

/// Messages read ahead of [`WebSocketClientConnection::read_message`]
/// before reading stops until one is taken.
const QUEUED_MESSAGES: usize = 16;

/// A callback receiving each message, then `None` once the connection is
/// closed (Tornado's `on_message_callback`).
pub type OnMessage = Box<dyn FnMut(Option<Message>) + Send>;

/// A callback receiving the data of each ping or pong from the server
/// (Tornado's client `on_ping` and `on_pong`); a ping is answered
/// whether or not there is one.
pub type OnControl = Box<dyn FnMut(&[u8]) + Send>;

/// The options of [`websocket_connect`] besides the request (Tornado's
/// keyword arguments). Default: no compression, no keepalive pings,
/// messages up to 10 MiB, no subprotocols, messages queued for
/// `read_message`.
#[derive(Default)]
pub struct WebSocketConnectOptions {
    /// permessage-deflate to offer; `None` for none.
    pub compression_options: Option<CompressionOptions>,
    /// Send a ping this often.
    pub ping_interval: Option<Duration>,
    /// Close when no pong came for this long. Default: three ping
    /// intervals, at least 30 seconds. Pongs are read with the messages:
    /// while [`read_message`](WebSocketClientConnection::read_message)'s
    /// queue is full, none is read, so a connection whose messages are
    /// not taken for this long closes.
    pub ping_timeout: Option<Duration>,
    /// The largest message accepted. Default: 10 MiB.
    pub max_message_size: Option<usize>,
    /// The subprotocols offered, in order of preference.
    pub subprotocols: Vec<String>,
    /// Where messages go instead of the queue `read_message` reads.
    pub on_message_callback: Option<OnMessage>,
    /// Called with each ping's data.
    pub on_ping_callback: Option<OnControl>,
    /// Called with each pong's data.
    pub on_pong_callback: Option<OnControl>,
}

impl std::fmt::Debug for WebSocketConnectOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocketConnectOptions")
            .field("compression_options", &self.compression_options)
            .field("ping_interval", &self.ping_interval)
            .field("ping_timeout", &self.ping_timeout)
            .field("max_message_size", &self.max_message_size)
            .field("subprotocols", &self.subprotocols)
            .field("on_message_callback", &self.on_message_callback.is_some())
            .field("on_ping_callback", &self.on_ping_callback.is_some())
            .field("on_pong_callback", &self.on_pong_callback.is_some())
            .finish()
    }
}

/// Why [`websocket_connect`] failed.
#[derive(Debug, thiserror::Error)]
pub enum WebSocketError {
    /// The URL is not a `ws`, `wss`, `http` or `https` URL.
    #[error("{0}")]
    InvalidUrl(String),
    /// Resolving, connecting or the TLS handshake failed (or took longer
    /// than `connect_timeout`).
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// The TLS settings of the request could not be made.
    #[error("TLS settings: {0}")]
    Tls(String),
    /// The connection failed during the opening handshake.
    #[error(transparent)]
    Stream(#[from] StreamError),
    /// The opening handshake took longer than `request_timeout`.
    #[error("the WebSocket handshake timed out")]
    Timeout,
    /// The server's answer is not a valid HTTP response head.
    #[error("malformed handshake response: {0}")]
    MalformedResponse(String),
    /// The server did not switch protocols (a status other than `101`,
    /// Tornado's `HTTPError`), or answered wrongly.
    #[error(transparent)]
    Handshake(#[from] HandshakeError),
    /// The server answered the permessage-deflate offer wrongly.
    #[error(transparent)]
    Extension(#[from] ExtensionError),
}

/// An open client connection (Tornado's `WebSocketClientConnection`).
///
/// When messages are read with [`read_message`](Self::read_message),
/// dropping it starts the closing handshake (as [`close`](Self::close)
/// with no code): nobody can read the messages any more, and a clone of
/// its [`websocket`](Self::websocket) handle cannot write after that.
/// With an `on_message_callback` the connection stays open until either
/// side closes it.
#[derive(Debug)]
pub struct WebSocketClientConnection {
    ws: WebSocket,
    messages: Option<mpsc::Receiver<Message>>,
    headers: HttpHeaders,
}

impl WebSocketClientConnection {
    /// The next message, or `None` once the connection is closed (or
    /// when messages go to an `on_message_callback`).
    pub async fn read_message(&mut self) -> Option<Message> {
        self.messages.as_mut()?.recv().await
    }

    /// Sends `message` (see [`WebSocket::write_message`]).
    pub fn write_message(&self, message: impl Into<Message>) -> Written {
        self.ws.write_message(message)
    }

    /// Sends a ping (see [`WebSocket::ping`]).
    pub fn ping(&self, data: &[u8]) -> Written {
        self.ws.ping(data)
    }

    /// Starts the closing handshake (see [`WebSocket::close`]).
    pub fn close(&self, code: Option<u16>, reason: &str) {
        self.ws.close(code, reason);
    }

    /// The header fields of the server's `101 Switching Protocols`
    /// answer (Tornado's `headers`).
    pub fn headers(&self) -> &HttpHeaders {
        &self.headers
    }

    /// The subprotocol the server selected, if any.
    pub fn selected_subprotocol(&self) -> Option<&str> {
        self.ws.selected_subprotocol()
    }

    /// The code of the server's close frame, once received.
    pub fn close_code(&self) -> Option<u16> {
        self.ws.close_code()
    }

    /// The reason of the server's close frame, once received.
    pub fn close_reason(&self) -> Option<String> {
        self.ws.close_reason()
    }

    /// The connection's handle, to write from other tasks.
    pub fn websocket(&self) -> &WebSocket {
        &self.ws
    }
}

impl Drop for WebSocketClientConnection {
    fn drop(&mut self) {
        if self.messages.is_some() {
            self.ws.close(None, "");
        }
    }
}

/// Opens a WebSocket connection to `request`'s URL (`ws://`, `wss://`, or
/// `http(s)://`), with its headers, `connect_timeout`, `request_timeout`
/// (for the whole handshake) and TLS settings (Tornado's
/// `websocket_connect`). Messages are read in a task of the connection's
/// own.
pub async fn websocket_connect(
    request: impl Into<HttpRequest>,
    options: WebSocketConnectOptions,
) -> Result<WebSocketClientConnection, WebSocketError> {
    let request = request.into();
    let handshake = handshake(&request, &options);
    let (ws, read_ahead) = match request.request_timeout {
        Some(limit) => tokio::time::timeout(limit, handshake)
            .await
            .map_err(|_| WebSocketError::Timeout)??,
        None => handshake.await?,
    };
    let max_message_size = options.max_message_size.unwrap_or(DEFAULT_MAX_MESSAGE_SIZE);
    let reading = Reading {
        decoder: FrameDecoder::with_config(
            Role::Client,
            DecoderConfig {
                max_message_size,
                compression: ws.inflater.is_some(),
            },
        ),
        inflater: ws.inflater,
        max_message_size,
        ping_interval: options.ping_interval,
        ping_timeout: options
            .ping_timeout
            .unwrap_or_else(|| default_ping_timeout(options.ping_interval)),
    };
    let (ws, headers) = (ws.socket, ws.headers);
    let (messages_to, messages) = match options.on_message_callback {
        Some(callback) => (MessagesTo::Callback(callback), None),
        None => {
            let (sender, receiver) = mpsc::channel(QUEUED_MESSAGES);
            (MessagesTo::Queue(sender), Some(receiver))
        }
    };
    let dispatch = ClientDispatch {
        messages: messages_to,
        on_ping: options.on_ping_callback,
        on_pong: options.on_pong_callback,
    };
    let reader = ws.clone();
    tokio::spawn(async move {
        let mut dispatch = dispatch;
        run(&reader, read_ahead, reading, &mut dispatch).await;
        reader.mark_closing();
        if let MessagesTo::Callback(callback) = &mut dispatch.messages {
            callback(None);
        }
    });
    Ok(WebSocketClientConnection {
        ws,
        messages,
        headers,
    })
}

/// A connection whose handshake is done.
struct Opened {
    socket: WebSocket,
    inflater: Option<MessageInflater>,
    /// The `101` answer's header fields.
    headers: HttpHeaders,
}

/// Connects and runs the opening handshake.
async fn handshake(
    request: &HttpRequest,
    options: &WebSocketConnectOptions,
) -> Result<(Opened, BytesMut), WebSocketError> {
    let url = websocket_url_of(&request.url)?;
    let tls = if url.tls {
        Some(
            TlsConfigs::default()
                .config_for(request)
                .map_err(|error| WebSocketError::Tls(error.to_string()))?,
        )
    } else {
        None
    };
    let connect = ConnectOptions {
        tls,
        timeout: request.connect_timeout.map(Deadline::After),
        source_ip: request.network_interface,
        ..ConnectOptions::default()
    };
    let stream = TcpClient::new(None)
        .connect(&url.host, url.port, connect)
        .await?;
    let _ = stream.set_nodelay(true);
    let key = new_key();
    let offer = options.compression_options.as_ref().map(deflate_offer);
    let offer_text = offer.map(|offer| offer.to_string());
    let upgrade = upgrade_request_headers(&key, &options.subprotocols, offer_text.as_deref())
        .map_err(|error| WebSocketError::InvalidUrl(error.to_string()))?;
    // The upgrade's own fields replace any of the same name the request
    // has (Tornado's `headers.update`); a `Host` the request sets is kept.
    let mut headers = request.headers.clone();
    for (name, value) in upgrade.get_all() {
        headers.insert(name.clone(), value.clone());
    }
    let mut head = format!("GET {} HTTP/1.1\r\n", url.target).into_bytes();
    if !headers.contains("Host") {
        head.extend_from_slice(format!("Host: {}\r\n", url.host_header).as_bytes());
    }
    for (name, value) in headers.get_all() {
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    stream.write(head).await?;
    let answer = stream.read_until(b"\r\n\r\n", Some(MAX_HEAD)).await?;
    let (response, _) = parse_response_head(&answer, MAX_HEAD, &Method::GET)
        .map_err(|error| WebSocketError::MalformedResponse(error.to_string()))?
        .ok_or_else(|| WebSocketError::MalformedResponse("incomplete head".into()))?;
    let status = response.start_line.code;
    let subprotocol =
        check_switching_response(status, &response.headers, &key, &options.subprotocols)?;
    let params = match &offer {
        Some(offer) => {
            check_deflate_answer(response.headers.get_list("Sec-WebSocket-Extensions"), offer)?
        }
        None if response.headers.contains("Sec-WebSocket-Extensions") => {
            return Err(ExtensionError::NotOffered(
                response
                    .headers
                    .get_list("Sec-WebSocket-Extensions")
                    .join(", "),
            )
            .into());
        }
        None => None,
    };
    let compression = options.compression_options.unwrap_or_default();
    let deflater = params.and_then(|params| {
        MessageDeflater::new(
            &compression,
            params.client_window_bits(),
            params.client_no_context_takeover,
        )
    });
    let inflater = params.map(|params| {
        MessageInflater::new(
            params.server_window_bits(),
            params.server_no_context_takeover,
        )
    });
    let socket = WebSocket::new(
        stream,
        FrameEncoder::new(Role::Client),
        deflater,
        subprotocol,
        None,
    );
    // What followed the head stays in the stream's buffer, read first.
    let opened = Opened {
        socket,
        inflater,
        headers: response.headers,
    };
    Ok((opened, BytesMut::new()))
}

/// `url` read as a WebSocket URL: `ws` as `http`, `wss` as `https`.
fn websocket_url_of(url: &str) -> Result<Url, WebSocketError> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| WebSocketError::InvalidUrl(format!("Unsupported url scheme: {url}")))?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "ws" | "http" => "http",
        "wss" | "https" => "https",
        _ => {
            return Err(WebSocketError::InvalidUrl(format!(
                "Unsupported url scheme: {url}"
            )));
        }
    };
    Url::parse(&format!("{scheme}://{rest}")).map_err(WebSocketError::InvalidUrl)
}

/// Where a client's reading loop puts what it reads.
struct ClientDispatch {
    messages: MessagesTo,
    on_ping: Option<OnControl>,
    on_pong: Option<OnControl>,
}

/// Where a client's messages go.
enum MessagesTo {
    Queue(mpsc::Sender<Message>),
    Callback(OnMessage),
}

impl Dispatch for ClientDispatch {
    async fn message(&mut self, _: &WebSocket, message: Message) {
        match &mut self.messages {
            // A connection whose reader went away keeps reading (and
            // dropping) until it closes.
            MessagesTo::Queue(sender) => drop(sender.send(message).await),
            MessagesTo::Callback(callback) => callback(Some(message)),
        }
    }

    fn ping(&mut self, _: &WebSocket, data: &[u8]) {
        if let Some(on_ping) = &mut self.on_ping {
            on_ping(data);
        }
    }

    fn pong(&mut self, _: &WebSocket, data: &[u8]) {
        if let Some(on_pong) = &mut self.on_pong {
            on_pong(data);
        }
    }
}
