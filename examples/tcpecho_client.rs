//! Tornado's tcpecho demo, client side (`demos/tcpecho/client.py`): sends
//! one line to the echo server and prints the reply.
//!
//! ```text
//! cargo run --example tcpecho_client -- --host localhost --port 9888 --message ping
//! ```
//!
//! Exits with status 0 once the reply is printed, 1 on any error
//! (including no reply within 10 seconds).

use std::time::Duration;

use supercell::ioloop::IoLoop;
use supercell::tcpclient::{ConnectOptions, TcpClient};

#[path = "support/cli.rs"]
mod cli;

/// How long connecting and the exchange may take together.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The command line, with the demo's defaults.
struct Args {
    host: String,
    port: u16,
    message: String,
}

impl Args {
    /// Reads `--host`, `--port` and `--message`, each as `--name value` or
    /// `--name=value`.
    fn parse(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
        let mut parsed = Args {
            host: "localhost".to_owned(),
            port: 9888,
            message: "ping".to_owned(),
        };
        let usage = "tcpecho_client [--host H] [--port N] [--message M]";
        for (name, value) in cli::options(args, &["--host", "--port", "--message"], usage)? {
            match name {
                "--host" => parsed.host = value,
                "--port" => parsed.port = cli::port(&value)?,
                _ => parsed.message = value,
            }
        }
        Ok(parsed)
    }
}

async fn send_message(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let stream = TcpClient::default()
        .connect(&args.host, args.port, ConnectOptions::default())
        .await?;
    stream.write(format!("{}\n", args.message)).await?;
    println!("Sent to server: {}", args.message);
    let reply = stream.read_until(b"\n", None).await?;
    println!(
        "Response from server: {}",
        String::from_utf8_lossy(&reply).trim()
    );
    Ok(())
}

fn main() {
    let result = Args::parse(std::env::args().skip(1))
        .map_err(Into::into)
        .and_then(|args| {
            IoLoop::new()?.run_sync(|| async move { send_message(&args).await }, Some(TIMEOUT))?
        });
    if let Err(error) = result {
        eprintln!("tcpecho_client: {error}");
        std::process::exit(1);
    }
}
