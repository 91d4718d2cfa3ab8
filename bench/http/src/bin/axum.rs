//! axum 0.8 with `axum::serve` on a current-thread runtime.

use std::io;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::serve::ListenerExt;
use supercell_http_bench::args::port_from_args;
use supercell_http_bench::message::{JSON_TYPE, PLAINTEXT, PLAINTEXT_TYPE, json_body};
use tokio::net::TcpListener;

async fn plaintext() -> impl IntoResponse {
    ([(CONTENT_TYPE, PLAINTEXT_TYPE)], PLAINTEXT)
}

async fn json() -> impl IntoResponse {
    ([(CONTENT_TYPE, JSON_TYPE)], json_body())
}

fn main() -> io::Result<()> {
    let port = port_from_args()?;
    let runtime = supercell_http_bench::runtime::one_thread()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await?
            .tap_io(|stream| {
                let _ = stream.set_nodelay(true);
            });
        let app = Router::new()
            .route("/plaintext", get(plaintext))
            .route("/json", get(json));
        axum::serve(listener, app).await
    })
}
