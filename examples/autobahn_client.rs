//! supercell's WebSocket client under the Autobahn|Testsuite: drives a
//! `fuzzingserver` through every case by the suite's protocol, echoing
//! each message back as it came (text as text, binary as binary), with
//! permessage-deflate offered.
//!
//! ```text
//! cargo run --release --example autobahn_client -- [--url ws://127.0.0.1:9001] [--agent supercell] [--cases N]
//! ```
//!
//! The run asks `{url}/getCaseCount` for the number of cases, plays each
//! one at `{url}/runCase?case=N&agent=AGENT` until the server closes the
//! connection, and ends with `{url}/updateReports?agent=AGENT`, which
//! has the server write its reports. `--cases N` plays only the first
//! `N` cases. A case whose connection fails to open is reported and the
//! run goes on; the exit status is 1 when any connection failed.
//!
//! # Running the suite
//!
//! With Docker and the `crossbario/autobahn-testsuite` image, write a
//! `config/fuzzingserver.json` such as
//!
//! ```json
//! {
//!     "url": "ws://127.0.0.1:9001",
//!     "outdir": "/reports/clients",
//!     "cases": ["*"],
//!     "exclude-cases": [],
//!     "exclude-agent-cases": {}
//! }
//! ```
//!
//! start the server in one terminal
//!
//! ```text
//! docker run -it --rm -v "$PWD/config:/config" -v "$PWD/reports:/reports" \
//!     -p 9001:9001 --name fuzzingserver crossbario/autobahn-testsuite \
//!     wstest -m fuzzingserver -s /config/fuzzingserver.json
//! ```
//!
//! and run this example in another (a release build: some cases send
//! messages of up to 16 MiB). The reports land in `reports/clients/`:
//! `index.html` for people, `index.json` with each case's verdict for
//! scripts.

use std::process::ExitCode;

use supercell::escape::url_escape;
use supercell::ioloop::IoLoop;
use supercell::websocket::{
    CompressionOptions, WebSocketClientConnection, WebSocketConnectOptions, WebSocketError,
    websocket_connect,
};

#[path = "support/cli.rs"]
#[allow(dead_code)] // `cli::port`: no port option here.
mod cli;

/// The largest message accepted: the suite sends up to 16 MiB.
const MAX_MESSAGE_SIZE: usize = 64 * 1024 * 1024;

/// The command line, with the suite's usual defaults.
struct Args {
    url: String,
    agent: String,
    cases: Option<u32>,
}

impl Args {
    /// Reads `--url`, `--agent` and `--cases`, each as `--name value` or
    /// `--name=value`.
    fn parse(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
        let mut parsed = Args {
            url: "ws://127.0.0.1:9001".to_owned(),
            agent: "supercell".to_owned(),
            cases: None,
        };
        let usage = "autobahn_client [--url ws://HOST:PORT] [--agent NAME] [--cases N]";
        for (name, value) in cli::options(args, &["--url", "--agent", "--cases"], usage)? {
            match name {
                "--url" => parsed.url = value.trim_end_matches('/').to_owned(),
                "--agent" => parsed.agent = value,
                _ => {
                    let cases = value
                        .parse()
                        .map_err(|_| format!("invalid number of cases {value:?}"))?;
                    parsed.cases = Some(cases);
                }
            }
        }
        Ok(parsed)
    }
}

/// Opens a connection to `url` as every case wants it: compression
/// offered, large messages accepted.
async fn connect(url: &str) -> Result<WebSocketClientConnection, WebSocketError> {
    let options = WebSocketConnectOptions {
        compression_options: Some(CompressionOptions::default()),
        max_message_size: Some(MAX_MESSAGE_SIZE),
        ..WebSocketConnectOptions::default()
    };
    websocket_connect(url, options).await
}

/// Reads (and drops) what comes until the server closes the connection.
async fn wait_closed(ws: &mut WebSocketClientConnection) {
    while ws.read_message().await.is_some() {}
}

/// The number of cases the server has, read from `getCaseCount`.
async fn case_count(base: &str) -> Result<u32, String> {
    let mut ws = connect(&format!("{base}/getCaseCount"))
        .await
        .map_err(|error| format!("cannot ask for the case count: {error}"))?;
    let message = ws
        .read_message()
        .await
        .ok_or("the server closed without sending the case count")?;
    let count = message
        .as_text()
        .and_then(|text| text.trim().parse().ok())
        .ok_or_else(|| format!("not a case count: {message:?}"))?;
    wait_closed(&mut ws).await;
    Ok(count)
}

/// Plays one case: every message echoed until the server closes. The
/// number of messages echoed.
async fn run_case(url: &str) -> Result<usize, WebSocketError> {
    let mut ws = connect(url).await?;
    let mut echoed = 0;
    while let Some(message) = ws.read_message().await {
        // A write fails once the connection is closing; what is left to
        // read still comes until it is closed.
        if ws.write_message(message).await.is_ok() {
            echoed += 1;
        }
    }
    Ok(echoed)
}

/// The whole run; `Ok(false)` when some connection failed along the way.
async fn run(args: &Args) -> Result<bool, String> {
    let agent = url_escape(&args.agent, true);
    let available = case_count(&args.url).await?;
    let count = args.cases.map_or(available, |limit| limit.min(available));
    println!("{available} cases on the server, running {count} as {agent:?}");
    let mut failed = 0;
    for case in 1..=count {
        let url = format!("{}/runCase?case={case}&agent={agent}", args.url);
        match run_case(&url).await {
            Ok(echoed) => println!("case {case}/{count}: {echoed} messages echoed"),
            Err(error) => {
                println!("case {case}/{count}: cannot connect: {error}");
                failed += 1;
            }
        }
    }
    let reports = format!("{}/updateReports?agent={agent}", args.url);
    let updated = match connect(&reports).await {
        Ok(mut ws) => {
            wait_closed(&mut ws).await;
            true
        }
        Err(error) => {
            println!("cannot update the reports: {error}");
            false
        }
    };
    println!(
        "done: {count} cases run, {failed} failed to connect; reports {}",
        if updated { "updated" } else { "not updated" }
    );
    Ok(failed == 0 && updated)
}

fn main() -> ExitCode {
    let result = Args::parse(std::env::args().skip(1)).and_then(|args| {
        IoLoop::new()
            .map_err(|error| error.to_string())?
            .run_sync(|| async move { run(&args).await }, None)
            .map_err(|error| error.to_string())?
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("autobahn_client: {error}");
            ExitCode::FAILURE
        }
    }
}
