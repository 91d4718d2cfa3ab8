//! actix-web 4: one worker, whose runtime is single-threaded (actix's accept
//! loop keeps its own thread, as it always does).

use std::io;
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use supercell_http_bench::args::port_from_args;
use supercell_http_bench::message::{JSON_TYPE, PLAINTEXT, PLAINTEXT_TYPE, json_body};

async fn plaintext() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(PLAINTEXT_TYPE)
        .body(PLAINTEXT)
}

async fn json() -> HttpResponse {
    HttpResponse::Ok().content_type(JSON_TYPE).body(json_body())
}

fn main() -> io::Result<()> {
    let port = port_from_args()?;
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(|| {
            App::new()
                .route("/plaintext", web::get().to(plaintext))
                .route("/json", web::get().to(json))
        })
        .workers(1)
        // Idle keep-alive connections stay open, as with the other servers
        // (actix closes them after 5 s by default).
        .keep_alive(Duration::from_secs(3600))
        .bind(("127.0.0.1", port))?
        .run()
        .await
    })
}
