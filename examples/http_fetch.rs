//! Fetches a URL and prints the status and the body (Tornado's
//! `python -m tornado.httpclient`).
//!
//! ```text
//! cargo run --example http_fetch -- [--head] [--no-follow] [--insecure] URL...
//! ```
//!
//! `--head` prints the response headers too, `--no-follow` returns
//! redirects instead of following them, `--insecure` skips certificate
//! verification.

use std::process::ExitCode;

use supercell::httpclient::{ClientSettings, HttpClient, HttpRequest};

fn main() -> ExitCode {
    let mut print_headers = false;
    let mut follow_redirects = true;
    let mut validate_cert = true;
    let mut urls = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--head" => print_headers = true,
            "--no-follow" => follow_redirects = false,
            "--insecure" => validate_cert = false,
            "-h" | "--help" => {
                println!("usage: http_fetch [--head] [--no-follow] [--insecure] URL...");
                return ExitCode::SUCCESS;
            }
            _ => urls.push(arg),
        }
    }
    if urls.is_empty() {
        eprintln!("usage: http_fetch [--head] [--no-follow] [--insecure] URL...");
        return ExitCode::from(2);
    }
    let client = match HttpClient::new(ClientSettings::default()) {
        Ok(client) => client,
        Err(error) => {
            eprintln!("cannot start the client: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut status = ExitCode::SUCCESS;
    for url in urls {
        let request = HttpRequest::new(url.as_str())
            .follow_redirects(follow_redirects)
            .validate_cert(validate_cert);
        // Like Tornado's tool: an HTTP error still shows its response.
        let response = match client.fetch_with(request, false) {
            Ok(response) => response,
            Err(error) => {
                eprintln!("{url}: {error}");
                status = ExitCode::FAILURE;
                continue;
            }
        };
        println!("{} {}", response.code, response.reason);
        if let Some(error) = &response.error {
            eprintln!("{url}: {error}");
            status = ExitCode::FAILURE;
        }
        if print_headers {
            for (name, value) in response.headers.get_all() {
                println!("{}: {}", name, String::from_utf8_lossy(value.as_bytes()));
            }
            println!();
        }
        println!("{}", String::from_utf8_lossy(&response.body));
    }
    client.close();
    status
}
