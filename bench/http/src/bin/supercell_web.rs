//! supercell's web framework: an `Application` routing `/plaintext` and
//! `/json` to request handlers, on a current-thread runtime. With Tornado's
//! defaults (the `Server` header, and an `ETag` computed for each `GET`),
//! as a Tornado user's application would run.

use std::io;

use supercell::httpserver::{HttpServer, HttpServerSettings};
use supercell::web::{Application, Context, RequestHandler, Settings, WebResult, url};
use supercell_http_bench::args::port_from_args;
use supercell_http_bench::message::{JSON_TYPE, PLAINTEXT, PLAINTEXT_TYPE, json_body};

struct Plaintext;

impl RequestHandler for Plaintext {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.set_header("Content-Type", PLAINTEXT_TYPE)?;
        cx.write(PLAINTEXT)
    }
}

struct Json;

impl RequestHandler for Json {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.set_header("Content-Type", JSON_TYPE)?;
        cx.write(json_body())
    }
}

fn main() -> io::Result<()> {
    let port = port_from_args()?;
    let app = Application::new(
        vec![url("/plaintext", || Plaintext), url("/json", || Json)],
        Settings::default(),
    )
    .map_err(io::Error::other)?;
    let runtime = supercell_http_bench::runtime::one_thread()?;
    runtime.block_on(async move {
        let server = HttpServer::new(app, HttpServerSettings::default());
        server.listen(port, Some("127.0.0.1"))?;
        std::future::pending::<io::Result<()>>().await
    })
}
