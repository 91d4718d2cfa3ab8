//! `examples/autobahn_client.rs` against a stand-in for the Autobahn
//! fuzzingserver: a supercell application with the suite's three
//! endpoints, which checks every echo and notes what it saw. The example
//! runs as a separate process, as it would against the real suite.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use supercell::testing::HttpTestServer;
use supercell::web::{Application, Context, Settings, WebResult};
use supercell::websocket::{
    CompressionOptions, Message, WebSocket, WebSocketHandler, websocket_url,
};
use tokio::process::Command;

/// The number of cases the server announces.
const CASES: usize = 3;

/// How long the example may take to play them all.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// One `runCase` connection as the server saw it.
#[derive(Debug, PartialEq)]
struct Case {
    case: String,
    agent: String,
    compressed: bool,
    /// Every message came back once, identical and in order.
    echoed: bool,
}

/// What the server saw: the cases, and the agents whose reports were
/// updated.
#[derive(Debug, Default)]
struct Log {
    cases: Vec<Case>,
    reports: Vec<String>,
}

type SharedLog = Arc<Mutex<Log>>;

/// What each case sends: text and binary, empty, large, and multi-byte.
fn case_messages() -> VecDeque<Message> {
    let large: Vec<u8> = (0..100 * 1024).map(|i| (i % 251) as u8).collect();
    VecDeque::from([
        Message::from("hello"),
        Message::from(Vec::new()),
        Message::from(String::new()),
        Message::from(large),
        Message::from("héllo wörld ✓ κόσμε 🦀"),
        Message::from(vec![0u8, 0xff, 0x80, 0x7f]),
    ])
}

/// `/getCaseCount`: the number of cases, then a close.
struct CaseCount;

impl WebSocketHandler for CaseCount {
    async fn open(&mut self, ws: &WebSocket) {
        let _ = ws.write_message(CASES.to_string()).await;
        ws.close(Some(1000), "");
    }

    async fn on_message(&mut self, _: &WebSocket, _: Message) {}
}

/// `/runCase?case=N&agent=A`: sends the messages, checks that each comes
/// back, and closes once all did.
struct RunCase {
    log: SharedLog,
    case: String,
    agent: String,
    expected: VecDeque<Message>,
    matched: bool,
}

impl WebSocketHandler for RunCase {
    async fn prepare(&mut self, cx: &mut Context) -> WebResult {
        self.case = cx.get_argument("case")?;
        self.agent = cx.get_argument("agent")?;
        Ok(())
    }

    fn get_compression_options(&self, _: &Context) -> Option<CompressionOptions> {
        Some(CompressionOptions::default())
    }

    async fn open(&mut self, ws: &WebSocket) {
        for message in &self.expected {
            let _ = ws.write_message(message.clone()).await;
        }
    }

    async fn on_message(&mut self, ws: &WebSocket, message: Message) {
        self.matched &= self.expected.pop_front() == Some(message);
        if self.expected.is_empty() {
            ws.close(Some(1000), "");
        }
    }

    fn on_close(&mut self, ws: &WebSocket) {
        let case = Case {
            case: std::mem::take(&mut self.case),
            agent: std::mem::take(&mut self.agent),
            compressed: ws.compressed(),
            echoed: self.matched && self.expected.is_empty(),
        };
        self.log.lock().unwrap().cases.push(case);
    }
}

/// `/updateReports?agent=A`: notes the agent and closes.
struct UpdateReports(SharedLog);

impl WebSocketHandler for UpdateReports {
    async fn prepare(&mut self, cx: &mut Context) -> WebResult {
        let agent = cx.get_argument("agent")?;
        self.0.lock().unwrap().reports.push(agent);
        Ok(())
    }

    async fn open(&mut self, ws: &WebSocket) {
        ws.close(Some(1000), "");
    }

    async fn on_message(&mut self, _: &WebSocket, _: Message) {}
}

fn fake_fuzzingserver(log: &SharedLog) -> HttpTestServer {
    let (cases, reports) = (log.clone(), log.clone());
    let app = Application::new(
        vec![
            websocket_url("/getCaseCount", || CaseCount),
            websocket_url("/runCase", move || RunCase {
                log: cases.clone(),
                case: String::new(),
                agent: String::new(),
                expected: case_messages(),
                matched: true,
            }),
            websocket_url("/updateReports", move || UpdateReports(reports.clone())),
        ],
        Settings::default(),
    )
    .unwrap();
    HttpTestServer::new(app).unwrap()
}

/// What cargo sets for the crate whose tests run, and which a nested
/// build must not see: some build scripts (ring's) watch
/// `CARGO_MANIFEST_DIR`, and would be rebuilt each time a build from the
/// test and a build from a shell alternate.
fn set_for_the_test(name: &str) -> bool {
    const PREFIXES: [&str; 7] = [
        "CARGO_PKG_",
        "CARGO_MANIFEST_",
        "CARGO_CRATE_",
        "CARGO_BIN_",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_TARGET_TMPDIR",
        "CARGO_RUSTC_CURRENT_DIR",
    ];
    PREFIXES.iter().any(|prefix| name.starts_with(prefix))
}

/// Builds the example with the tests' profile (an integration test does
/// not build examples) and returns the path of its binary, which cargo
/// reports in its JSON messages.
async fn build_example() -> PathBuf {
    let mut command = Command::new(env!("CARGO"));
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(set_for_the_test) {
            command.env_remove(name);
        }
    }
    command
        .args(["build", "--quiet", "--message-format=json"])
        .args(["--example", "autobahn_client", "--manifest-path"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .kill_on_drop(true);
    if !cfg!(debug_assertions) {
        command.arg("--release");
    }
    let output = tokio::time::timeout(Duration::from_secs(1200), command.output())
        .await
        .expect("the example builds in time")
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "building the example failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["target"]["name"] == "autobahn_client")
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the example's binary")
}

/// Runs the example with `args` against a fresh server until it exits
/// successfully; its output, and what the server saw once `cases` cases
/// are over on its side too.
async fn run_example(args: &[&str], cases: usize) -> (String, Log) {
    let example = build_example().await;
    let log = SharedLog::default();
    let server = fake_fuzzingserver(&log);
    let url = format!("ws://127.0.0.1:{}", server.http_port());
    let run = Command::new(example)
        .args(["--url", &url])
        .args(args)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(RUN_TIMEOUT, run)
        .await
        .expect("the example finishes in time")
        .expect("the example runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    // The server notes a case once its side of the connection is over,
    // which may come just after the client's.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while log.lock().unwrap().cases.len() < cases && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut log = std::mem::take(&mut *log.lock().unwrap());
    log.cases.sort_by(|a, b| a.case.cmp(&b.case));
    (stdout, log)
}

/// Cases 1 to `count`, played by `agent` with every echo right.
fn played(count: usize, agent: &str) -> Vec<Case> {
    (1..=count)
        .map(|case| Case {
            case: case.to_string(),
            agent: agent.into(),
            compressed: true,
            echoed: true,
        })
        .collect()
}

#[tokio::test]
async fn the_example_plays_every_case_and_echoes_each_message() {
    let (stdout, log) = run_example(&["--agent", "supercell test"], CASES).await;
    for case in 1..=CASES {
        assert!(stdout.contains(&format!("case {case}/{CASES}")), "{stdout}");
    }
    assert!(
        stdout.lines().last().unwrap().starts_with("done:"),
        "{stdout}"
    );
    assert_eq!(log.cases, played(CASES, "supercell test"));
    assert_eq!(log.reports, ["supercell test"]);
}

#[tokio::test]
async fn the_example_plays_only_the_cases_asked_for() {
    let (stdout, log) = run_example(&["--cases", "2"], 2).await;
    assert!(stdout.contains("case 2/2"), "{stdout}");
    assert!(!stdout.contains("case 3/"), "{stdout}");
    assert_eq!(log.cases, played(2, "supercell"));
    assert_eq!(log.reports, ["supercell"]);
}
