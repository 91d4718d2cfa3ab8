//! hyper 1.x, HTTP/1.1 only, one connection task per socket on a
//! current-thread runtime, `pipeline_flush` on.

use std::convert::Infallible;
use std::io;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use supercell_http_bench::args::port_from_args;
use supercell_http_bench::message::{JSON_TYPE, PLAINTEXT, PLAINTEXT_TYPE, json_body};
use tokio::net::TcpListener;

fn with_type(body: Bytes, content_type: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

async fn handle(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(match request.uri().path() {
        "/plaintext" => with_type(Bytes::from_static(PLAINTEXT), PLAINTEXT_TYPE),
        "/json" => with_type(Bytes::from(json_body()), JSON_TYPE),
        _ => {
            let mut response = Response::new(Full::new(Bytes::new()));
            *response.status_mut() = StatusCode::NOT_FOUND;
            response
        }
    })
}

fn main() -> io::Result<()> {
    let port = port_from_args()?;
    let runtime = supercell_http_bench::runtime::one_thread()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let mut http = http1::Builder::new();
        http.pipeline_flush(true);
        loop {
            let (stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            let connection = http.serve_connection(TokioIo::new(stream), service_fn(handle));
            tokio::spawn(async move {
                let _ = connection.await;
            });
        }
    })
}
