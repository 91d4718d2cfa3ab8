//! supercell's `HttpServer` with the simple callback interface, on a
//! current-thread runtime.

use std::io;

use bytes::Bytes;
use http::HeaderValue;
use http::header::CONTENT_TYPE;
use supercell::http1::ResponseWriter;
use supercell::httpserver::{HttpServer, HttpServerSettings};
use supercell::httputil::{HttpHeaders, HttpServerRequest};
use supercell_http_bench::args::port_from_args;
use supercell_http_bench::message::{JSON_TYPE, PLAINTEXT, PLAINTEXT_TYPE, json_body};

async fn handle(request: HttpServerRequest, mut writer: ResponseWriter) {
    let mut headers = HttpHeaders::with_capacity(3);
    let (code, body) = match request.path() {
        "/plaintext" => {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(PLAINTEXT_TYPE));
            (200, Bytes::from_static(PLAINTEXT))
        }
        "/json" => {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON_TYPE));
            (200, Bytes::from(json_body()))
        }
        _ => (404, Bytes::new()),
    };
    // `respond` adds Date and Content-Length; a peer that went away is not an error here.
    let _ = writer.respond(code, headers, body).await;
}

fn main() -> io::Result<()> {
    let port = port_from_args()?;
    let runtime = supercell_http_bench::runtime::one_thread()?;
    runtime.block_on(async move {
        let server = HttpServer::from_callback(handle, HttpServerSettings::default());
        server.listen(port, Some("127.0.0.1"))?;
        std::future::pending::<io::Result<()>>().await
    })
}
