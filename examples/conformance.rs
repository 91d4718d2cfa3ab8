//! The application the conformance checks run against: the HTTP routes of
//! the conformance suite, served by [`HttpServer`]'s request callback.
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
//! | `GET /chunked` | `chunk1\n`, `chunk2\n`, `chunk3\n`, each written on its own |
//! | `GET /plaintext` | `Hello, World!` as `text/plain` |
//! | `GET /json` | `{"message":"Hello, World!"}` |
//! | `GET, POST /args` | every argument (query and form body) and its values, as JSON |
//! | `POST /upload` | one JSON object per uploaded file: field, file name, type, size, SHA-256 |
//! | `GET /error` | a failing handler: `500` with the default error page |
//! | anything else | `404` (`405` for a known path and another method) |
//!
//! Settings: `xheaders` on, `idle_connection_timeout` 5 s, `body_timeout`
//! 10 s, the default size limits. `--ws-port` is accepted for the
//! WebSocket routes, which need the web framework; nothing listens there
//! yet. Runs until SIGINT or SIGTERM, then drains its connections.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method, header::CONTENT_TYPE};
use supercell::http1::ResponseWriter;
use supercell::httpserver::{HttpServer, HttpServerSettings};
use supercell::httputil::{
    HttpConnection, HttpHeaders, HttpOutputError, HttpServerRequest, ResponseStartLine,
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

/// Why a route could not answer normally.
enum Failure {
    /// The handler failed: answered 500.
    Handler(String),
    /// The response could not be written (the client went away).
    Output(HttpOutputError),
}

impl From<HttpOutputError> for Failure {
    fn from(error: HttpOutputError) -> Self {
        Failure::Output(error)
    }
}

fn headers_with_type(content_type: &'static str) -> HttpHeaders {
    let mut headers = HttpHeaders::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers
}

async fn text(
    writer: &mut ResponseWriter,
    code: u16,
    body: impl Into<Bytes>,
) -> Result<(), Failure> {
    Ok(writer
        .respond(code, headers_with_type("text/plain; charset=UTF-8"), body)
        .await?)
}

async fn page(writer: &mut ResponseWriter, code: u16, reason: &str) -> Result<(), Failure> {
    let body = format!("<html><title>{code}: {reason}</title><body>{code}: {reason}</body></html>");
    Ok(writer
        .respond(code, headers_with_type("text/html; charset=UTF-8"), body)
        .await?)
}

async fn json(writer: &mut ResponseWriter, value: &serde_json::Value) -> Result<(), Failure> {
    let body = serde_json::to_vec(value).map_err(|error| Failure::Handler(error.to_string()))?;
    Ok(writer
        .respond(
            200,
            headers_with_type("application/json; charset=UTF-8"),
            body,
        )
        .await?)
}

/// The path without the scheme and authority of an absolute-form target.
fn route_path(path: &str) -> &str {
    for scheme in ["http://", "https://"] {
        if let Some(rest) = path.strip_prefix(scheme) {
            return rest.find('/').map_or("/", |slash| &rest[slash..]);
        }
    }
    path
}

async fn route(request: &HttpServerRequest, writer: &mut ResponseWriter) -> Result<(), Failure> {
    let method = &request.method;
    let get_or_head = *method == Method::GET || *method == Method::HEAD;
    let path = route_path(request.path());
    match path {
        "/hello" if get_or_head => text(writer, 200, "Hello, world").await,
        "/echo" if *method == Method::POST || *method == Method::PUT => {
            let headers = headers_with_type("application/octet-stream");
            Ok(writer.respond(200, headers, request.body.clone()).await?)
        }
        "/remote" if *method == Method::GET => {
            let body = format!(
                "remote_ip={} protocol={}",
                request.remote_ip(),
                request.protocol()
            );
            text(writer, 200, body).await
        }
        "/chunked" if *method == Method::GET => {
            let start_line = ResponseStartLine {
                version: http::Version::HTTP_11,
                code: 200,
                reason: "OK".into(),
            };
            let headers = headers_with_type("text/plain; charset=UTF-8");
            writer
                .write_headers(start_line, &headers, Some(Bytes::from_static(b"chunk1\n")))
                .await?;
            writer.write(Bytes::from_static(b"chunk2\n")).await?;
            writer.write(Bytes::from_static(b"chunk3\n")).await?;
            Ok(writer.finish().await?)
        }
        "/plaintext" if *method == Method::GET => {
            let headers = headers_with_type("text/plain");
            Ok(writer.respond(200, headers, "Hello, World!").await?)
        }
        "/json" if *method == Method::GET => {
            json(writer, &serde_json::json!({"message": "Hello, World!"})).await
        }
        "/args" if *method == Method::GET || *method == Method::POST => {
            let arguments: BTreeMap<&str, Vec<String>> = request
                .arguments()
                .iter()
                .map(|(name, values)| {
                    let values = values
                        .iter()
                        .map(|value| String::from_utf8_lossy(value).into_owned())
                        .collect();
                    (name.as_str(), values)
                })
                .collect();
            json(writer, &serde_json::json!(arguments)).await
        }
        "/upload" if *method == Method::POST => {
            let fields: BTreeMap<_, _> = request.files().iter().collect();
            let uploads: Vec<serde_json::Value> = fields
                .into_iter()
                .flat_map(|(field, files)| files.iter().map(move |file| (field, file)))
                .map(|(field, file)| {
                    serde_json::json!({
                        "field": field,
                        "filename": file.filename,
                        "content_type": file.content_type,
                        "size": file.body.len(),
                        "sha256": hex(ring::digest::digest(&ring::digest::SHA256, &file.body).as_ref()),
                    })
                })
                .collect();
            json(writer, &serde_json::Value::Array(uploads)).await
        }
        "/error" if *method == Method::GET => {
            Err(Failure::Handler("the /error route always fails".to_owned()))
        }
        _ => match path.strip_prefix("/status/").map(str::parse::<u16>) {
            Some(Ok(code)) if (200..=599).contains(&code) && get_or_head => Ok(writer
                .respond(code, HttpHeaders::new(), Bytes::new())
                .await?),
            Some(Ok(_)) => page(writer, 404, "Not Found").await,
            Some(Err(_)) => page(writer, 404, "Not Found").await,
            None if known(path) => page(writer, 405, "Method Not Allowed").await,
            None => page(writer, 404, "Not Found").await,
        },
    }
}

/// Whether `path` is one of the routes (for 405 against 404).
fn known(path: &str) -> bool {
    matches!(
        path,
        "/hello"
            | "/echo"
            | "/remote"
            | "/chunked"
            | "/plaintext"
            | "/json"
            | "/args"
            | "/upload"
            | "/error"
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

async fn handle(request: HttpServerRequest, mut writer: ResponseWriter) {
    match route(&request, &mut writer).await {
        Ok(()) => {}
        Err(Failure::Handler(why)) => {
            tracing::error!("Uncaught exception {request}: {why}");
            if let Err(error) = page(&mut writer, 500, "Internal Server Error").await {
                tracing::debug!("error page not sent: {}", describe(&error));
            }
        }
        Err(Failure::Output(error)) => tracing::debug!("response to {request} not sent: {error}"),
    }
}

fn describe(failure: &Failure) -> String {
    match failure {
        Failure::Handler(why) => why.clone(),
        Failure::Output(error) => error.to_string(),
    }
}

/// Serves until SIGINT or SIGTERM.
async fn serve(ports: Ports) -> std::io::Result<()> {
    let settings = HttpServerSettings {
        xheaders: true,
        idle_connection_timeout: Duration::from_secs(5),
        body_timeout: Some(Duration::from_secs(10)),
        ..HttpServerSettings::default()
    };
    let server = HttpServer::from_callback(handle, settings);
    http_server::serve_until_stopped(server, ports.http, Some("127.0.0.1"), |port| {
        println!(
            "Listening on port {port} (WebSocket port {} reserved for the web framework)",
            ports.ws
        );
    })
    .await
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ports = parse_ports(std::env::args().skip(1))?;
    server::run(|| serve(ports))
}
