//! The application the conformance checks run against: the HTTP routes of
//! the conformance suite, as an [`Application`] of request handlers.
//!
//! ```text
//! cargo run --release --example conformance -- --port 8888 --ws-port 9001
//! ```
//!
//! | route | answer |
//! |---|---|
//! | `GET, HEAD /hello` | `Hello, world` |
//! | `POST, PUT /echo` | the request body, `application/octet-stream` |
//! | `GET, HEAD /status/<code>` | that status, no body |
//! | `GET /remote` | `remote_ip=<ip> protocol=<http or https>` |
//! | `GET /chunked` | `chunk1\n`, `chunk2\n`, `chunk3\n`, each flushed on its own |
//! | `GET /redirect` | `RedirectHandler` to `/hello`, query kept |
//! | `GET, HEAD /static/test.txt` | `StaticFileHandler` |
//! | `GET /plaintext` | `Hello, World!` as `text/plain` |
//! | `GET /json` | `{"message":"Hello, World!"}` |
//! | `GET, POST /args` | every argument (query and form body) and its values, as JSON |
//! | `POST /upload` | one JSON object per uploaded file: field, file name, type, size, SHA-256 |
//! | `GET /signed/set?name=N&value=V` | sets signed cookie `N` to `V`, `ok` |
//! | `GET /signed/get?name=N` | the value of signed cookie `N`, `404` when missing or forged |
//! | `GET /xsrf` | a form with the XSRF field (sets the `_xsrf` cookie) |
//! | `POST /xsrf` | `ok` when the XSRF check passes, else `403` |
//! | `GET /error` | a failing handler: `500` with the default error page |
//! | `GET /ws` | WebSocket echo, text and binary, permessage-deflate accepted |
//! | anything else | the default `404` |
//!
//! Settings: `xheaders` on, `idle_connection_timeout` 5 s, `body_timeout`
//! 10 s, the default size limits; `cookie_secret`
//! `supercell-conformance-secret`, `compress_response` on; the static
//! path is a directory made at start holding `test.txt` (a 45-byte line
//! 20 times). The same application also listens on `--ws-port` (for the
//! WebSocket checks). Runs until SIGINT or SIGTERM, then drains its
//! connections.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};
use supercell::httpserver::{HttpServer, HttpServerSettings};
use supercell::web::{
    Application, Context, CookieSecret, HttpError, RedirectHandler, RequestHandler, Settings,
    WebError, WebResult, url,
};
use supercell::websocket::{
    CompressionOptions, Message, WebSocket, WebSocketHandler, websocket_url,
};

#[path = "support/cli.rs"]
mod cli;
#[path = "support/http_server.rs"]
mod http_server;
#[path = "support/server.rs"]
mod server;

/// The ports of `--port N` and `--ws-port N` (also `--name=N`).
struct Ports {
    http: u16,
    ws: u16,
}

fn parse_ports(args: impl IntoIterator<Item = String>) -> Result<Ports, String> {
    let mut ports = Ports {
        http: 8888,
        ws: 9001,
    };
    let names = ["--port", "--ws-port"];
    let usage = "conformance [--port N] [--ws-port N]";
    for (name, value) in cli::options(args, &names, usage)? {
        let slot = if name == "--port" {
            &mut ports.http
        } else {
            &mut ports.ws
        };
        *slot = cli::port(&value)?;
    }
    Ok(ports)
}

/// `GET, HEAD /hello`.
struct Hello;

impl RequestHandler for Hello {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.write("Hello, world")
    }

    async fn head(&mut self, cx: &mut Context) -> WebResult {
        self.get(cx).await
    }
}

/// `POST, PUT /echo`.
struct Echo;

impl RequestHandler for Echo {
    async fn post(&mut self, cx: &mut Context) -> WebResult {
        cx.set_header("Content-Type", "application/octet-stream")?;
        let body = cx.request().body.clone();
        cx.write(body)
    }

    async fn put(&mut self, cx: &mut Context) -> WebResult {
        self.post(cx).await
    }
}

/// `GET, HEAD /status/<code>`.
struct Status;

impl RequestHandler for Status {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let code = cx.path_arg(0).and_then(|code| code.parse::<u16>().ok());
        match code {
            Some(code) if (200..=599).contains(&code) => cx.set_status(code),
            _ => Err(HttpError::new(404).into()),
        }
    }

    async fn head(&mut self, cx: &mut Context) -> WebResult {
        self.get(cx).await
    }
}

/// `GET /remote`.
struct Remote;

impl RequestHandler for Remote {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let request = cx.request();
        let body = format!(
            "remote_ip={} protocol={}",
            request.remote_ip(),
            request.protocol()
        );
        cx.set_header("Content-Type", "text/plain; charset=UTF-8")?;
        cx.write(body)
    }
}

/// `GET /chunked`: three pieces, each flushed on its own.
struct Chunked;

impl RequestHandler for Chunked {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.set_header("Content-Type", "text/plain; charset=UTF-8")?;
        cx.write("chunk1\n")?;
        cx.flush().await?;
        cx.write("chunk2\n")?;
        cx.flush().await?;
        cx.write("chunk3\n")
    }
}

/// `GET /plaintext`.
/// `/ws`: every message back as it came, compressed when the client
/// offers permessage-deflate.
struct WsEcho;

impl WebSocketHandler for WsEcho {
    fn get_compression_options(&self, _: &Context) -> Option<CompressionOptions> {
        Some(CompressionOptions::default())
    }

    async fn on_message(&mut self, ws: &WebSocket, message: Message) {
        let _ = ws.write_message(message).await;
    }
}

struct Plaintext;

impl RequestHandler for Plaintext {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.set_header("Content-Type", "text/plain")?;
        cx.write("Hello, World!")
    }
}

/// `GET /json`.
struct Json;

impl RequestHandler for Json {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.write_json(&json!({"message": "Hello, World!"}))
    }
}

/// `GET, POST /args`.
struct Args;

impl RequestHandler for Args {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let names: Vec<String> = cx.request().arguments().keys().cloned().collect();
        let mut arguments = BTreeMap::new();
        for name in names {
            let values = cx.get_arguments(&name)?;
            arguments.insert(name, values);
        }
        cx.write_json(&arguments)
    }

    async fn post(&mut self, cx: &mut Context) -> WebResult {
        self.get(cx).await
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// `POST /upload`.
struct Upload;

impl RequestHandler for Upload {
    async fn post(&mut self, cx: &mut Context) -> WebResult {
        let fields: BTreeMap<_, _> = cx.request().files().iter().collect();
        let uploads: Vec<Value> = fields
            .into_iter()
            .flat_map(|(field, files)| files.iter().map(move |file| (field, file)))
            .map(|(field, file)| {
                let digest = ring::digest::digest(&ring::digest::SHA256, &file.body);
                json!({
                    "field": field,
                    "filename": file.filename,
                    "content_type": file.content_type,
                    "size": file.body.len(),
                    "sha256": hex(digest.as_ref()),
                })
            })
            .collect();
        cx.write_json(&uploads)
    }
}

/// `GET /signed/set` and `GET /signed/get`.
struct Signed;

impl RequestHandler for Signed {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let name = cx.get_argument("name")?;
        if cx.path_arg(0) == Some("set") {
            let value = cx.get_argument("value")?;
            cx.set_secure_cookie(&name, value)?;
            return cx.write("ok");
        }
        let value = cx.get_secure_cookie(&name)?;
        let value = value.ok_or_else(|| HttpError::new(404))?;
        cx.write(value)
    }
}

/// `GET, POST /xsrf`: the form, and the check the handler makes itself.
struct Xsrf;

impl RequestHandler for Xsrf {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let field = cx.xsrf_form_html()?;
        cx.write(format!(
            "<html><body><form method=\"post\" action=\"/xsrf\">{field}<input type=\"submit\"/></form></body></html>"
        ))
    }

    async fn post(&mut self, cx: &mut Context) -> WebResult {
        cx.check_xsrf_cookie()?;
        cx.write("ok")
    }
}

/// `GET /error`: fails with an unexpected error.
struct Failing;

impl RequestHandler for Failing {
    async fn get(&mut self, _: &mut Context) -> WebResult {
        Err(WebError::msg("the /error route always fails"))
    }
}

/// The static directory: made afresh, holding `test.txt`.
fn static_path() -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("supercell-conformance-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let line = "The quick brown fox jumps over the lazy dog.\n";
    std::fs::write(dir.join("test.txt"), line.repeat(20))?;
    Ok(dir)
}

/// The application.
fn application(static_path: PathBuf) -> Result<Application, supercell::routing::RouteError> {
    let settings = Settings {
        cookie_secret: Some(CookieSecret::from("supercell-conformance-secret")),
        compress_response: true,
        static_path: Some(static_path),
        ..Settings::default()
    };
    Application::new(
        vec![
            url("/hello", || Hello),
            url("/echo", || Echo),
            url(r"/status/([0-9]+)", || Status),
            url("/remote", || Remote),
            url("/chunked", || Chunked),
            url("/redirect", || RedirectHandler::new("/hello")),
            url("/plaintext", || Plaintext),
            url("/json", || Json),
            url("/args", || Args),
            url("/upload", || Upload),
            url("/signed/(set|get)", || Signed),
            url("/xsrf", || Xsrf),
            url("/error", || Failing),
            websocket_url("/ws", || WsEcho),
        ],
        settings,
    )
}

/// Serves until SIGINT or SIGTERM.
async fn serve(ports: Ports) -> std::io::Result<()> {
    let settings = HttpServerSettings {
        xheaders: true,
        idle_connection_timeout: Duration::from_secs(5),
        body_timeout: Some(Duration::from_secs(10)),
        ..HttpServerSettings::default()
    };
    let static_path = static_path()?;
    let app = application(static_path.clone()).map_err(std::io::Error::other)?;
    let server = HttpServer::new(app, settings);
    let ws_port = server.listen(ports.ws, Some("127.0.0.1"))?[0].port();
    let served = http_server::serve_until_stopped(server, ports.http, Some("127.0.0.1"), |port| {
        println!("Listening on port {port} (and on port {ws_port} for WebSocket checks)");
    })
    .await;
    let _ = std::fs::remove_dir_all(static_path);
    served
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ports = parse_ports(std::env::args().skip(1))?;
    server::run(|| serve(ports))
}
