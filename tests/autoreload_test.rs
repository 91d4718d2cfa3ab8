//! Tests of `autoreload` over real processes: the counterpart of Tornado's
//! `AutoreloadTest.test_reload_module` (`tornado/test/autoreload_test.py`)
//! and tests of what Tornado's module does without a test of its own.
//!
//! A restart re-executes the whole process, so each test runs its
//! autoreloading side in a fresh copy of this binary, which finds
//! [`SCENARIO`] set and plays that scenario instead of running the tests;
//! a re-executed copy finds it set too, and plays the scenario again. The
//! copies report on their standard output, line by line, and the test reads
//! those lines. One scenario forks workers, which needs a process with a
//! single thread, so this target has no harness (`harness = false` in
//! `Cargo.toml`) and runs its tests on its main thread
//! (`support/harness.rs`).
//!
//! Difference from Tornado: Tornado's test application calls the private
//! `_reload` directly and checks that the new run finds its modules; here
//! a file is changed and the process must notice, run its hooks and run
//! again, as the same process, with its listening socket closed.

#[path = "support/harness.rs"]
mod harness;
#[path = "support/tempdir.rs"]
mod tempdir;

use std::convert::Infallible;
use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use supercell::autoreload;
use supercell::log::{LogOptions, enable_pretty_logging};
use supercell::netutil::{AddressFamily, bind_sockets};
use supercell::process::fork_processes;
use supercell::web::{Application, Settings};
use tempdir::TempDir;

/// Names the scenario a copy of this binary plays.
const SCENARIO: &str = "SUPERCELL_AUTORELOAD_TEST_SCENARIO";
/// A directory the scenario's processes share with the test.
const SCENARIO_DIR: &str = "SUPERCELL_AUTORELOAD_TEST_DIR";
/// The program `run_command` runs, in the `runner` scenario.
const COMMAND: &str = "SUPERCELL_AUTORELOAD_TEST_COMMAND";
/// The one argument of that program, if any.
const COMMAND_ARG: &str = "SUPERCELL_AUTORELOAD_TEST_COMMAND_ARG";

/// The file every scenario watches, in the scenario's directory.
const WATCHED: &str = "watched";
/// The interval between checks in the scenarios that choose it.
const CHECK_TIME: Duration = Duration::from_millis(50);
/// How long a test waits for something that should happen.
const PATIENCE: Duration = Duration::from_secs(20);

/// The tests, by name.
const TESTS: &[(&str, fn())] = &[
    (
        "autoreload_test_reload_module",
        autoreload_test_reload_module,
    ),
    (
        "nothing_restarts_while_nothing_changes",
        nothing_restarts_while_nothing_changes,
    ),
    (
        "a_replaced_executable_restarts_the_process",
        a_replaced_executable_restarts_the_process,
    ),
    (
        "an_application_in_debug_mode_autoreloads",
        an_application_in_debug_mode_autoreloads,
    ),
    (
        "a_forked_worker_does_not_restart",
        a_forked_worker_does_not_restart,
    ),
    (
        "run_command_restarts_a_running_command_when_its_program_changes",
        run_command_restarts_a_running_command_when_its_program_changes,
    ),
    (
        "run_command_runs_an_ended_command_again_when_a_watched_file_changes",
        run_command_runs_an_ended_command_again_when_a_watched_file_changes,
    ),
];

fn main() {
    harness::main_with_scenarios(TESTS, SCENARIO, SCENARIO_DIR, play);
}

/// Plays `scenario` in this copy of the binary; never returns.
fn play(scenario: &str, dir: &Path) -> ! {
    match scenario {
        "server" => restarting_server(dir),
        "forked" => forked_worker(dir),
        "runner" => command_runner(dir),
        "app_new" => debug_application(dir, false),
        "app_listen" => debug_application(dir, true),
        other => panic!("unknown scenario {other}"),
    }
}

// ------------------------------------------------------------- scenarios

/// Prints `line` to the test, at once: a restart discards nothing.
fn say(line: &str) {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}").unwrap();
    stdout.flush().unwrap();
}

fn current_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Appends this run's pid to the file of runs and returns how many runs
/// there have been, this one included.
fn record_run(dir: &Path) -> usize {
    let path = dir.join("runs");
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .unwrap();
    writeln!(file, "{}", std::process::id()).unwrap();
    fs::read_to_string(&path).unwrap().lines().count()
}

/// A server that autoreloads: it watches [`WATCHED`], adds two reload
/// hooks (the first panics, the second reports), starts the checks twice
/// and prints `run N PID`. Its first run listens on a port; the next runs
/// bind that port again and print whether they could, which they can only
/// if the listening socket was closed by the re-execution.
fn restarting_server(dir: &Path) -> ! {
    enable_pretty_logging(&LogOptions::default()).unwrap();
    let run = record_run(dir);
    let pid = std::process::id();
    let port_file = dir.join("port");
    let listening = if run == 1 {
        let listeners =
            bind_sockets(0, Some("127.0.0.1"), AddressFamily::Inet, None, false).unwrap();
        let port = listeners[0].local_addr().unwrap().port();
        fs::write(&port_file, port.to_string()).unwrap();
        listeners
    } else {
        let port: u16 = fs::read_to_string(&port_file).unwrap().parse().unwrap();
        match bind_sockets(port, Some("127.0.0.1"), AddressFamily::Inet, None, false) {
            Ok(listeners) => {
                say("rebind ok");
                listeners
            }
            Err(error) => {
                say(&format!("rebind failed: {error}"));
                Vec::new()
            }
        }
    };
    autoreload::watch(dir.join(WATCHED));
    autoreload::add_reload_hook(|| panic!("a failing hook"));
    autoreload::add_reload_hook(move || say(&format!("hook {pid}")));
    match current_thread_runtime().block_on(async move {
        let _listening = listening;
        autoreload::start_with(CHECK_TIME).unwrap();
        autoreload::start_with(CHECK_TIME).unwrap();
        say(&format!("run {run} {pid}"));
        std::future::pending::<Infallible>().await
    }) {}
}

/// An application in debug mode, which autoreloads, watching
/// [`WATCHED`]: made inside the runtime (whose `Application::new` starts
/// the checks), or, with `listen`, made before any runtime exists and
/// started listening inside it (where `listen` starts them). Prints
/// `app run N`.
fn debug_application(dir: &Path, listen: bool) -> ! {
    let settings = || Settings {
        debug: true,
        ..Settings::default()
    };
    let early = listen.then(|| Application::new(Vec::new(), settings()).unwrap());
    let run = record_run(dir);
    autoreload::watch(dir.join(WATCHED));
    match current_thread_runtime().block_on(async move {
        let _serving = match early {
            Some(app) => Some(app.listen(0, Some("127.0.0.1")).unwrap()),
            None => {
                Application::new(Vec::new(), settings()).unwrap();
                None
            }
        };
        say(&format!("app run {run}"));
        std::future::pending::<Infallible>().await
    }) {}
}

/// A worker of `fork_processes` that autoreloads: it prints `worker PID`
/// once checking, waits for the test to change [`WATCHED`] (the test then
/// creates `changed`), gives the checks ten intervals, and exits with
/// status 0, which ends the parent with status 0.
fn forked_worker(dir: &Path) -> ! {
    if let Err(error) = fork_processes(Some(1), Some(0)) {
        eprintln!("fork_processes failed: {error}");
        std::process::exit(90);
    }
    current_thread_runtime().block_on(async {
        autoreload::watch(dir.join(WATCHED));
        autoreload::start_with(CHECK_TIME).unwrap();
        say(&format!("worker {}", std::process::id()));
        let deadline = Instant::now() + PATIENCE;
        while !dir.join("changed").exists() {
            if Instant::now() > deadline {
                std::process::exit(91);
            }
            tokio::time::sleep(CHECK_TIME).await;
        }
        tokio::time::sleep(CHECK_TIME * 10).await;
    });
    std::process::exit(0)
}

/// `run_command` of [`COMMAND`] (with [`COMMAND_ARG`]), watching
/// [`WATCHED`].
fn command_runner(dir: &Path) -> ! {
    enable_pretty_logging(&LogOptions::default()).unwrap();
    let program = std::env::var_os(COMMAND).expect("the command to run");
    let args: Vec<_> = std::env::var_os(COMMAND_ARG).into_iter().collect();
    autoreload::watch(dir.join(WATCHED));
    match current_thread_runtime().block_on(autoreload::run_command(program, args)) {}
}

// ---------------------------------------------------------------- helpers

/// A copy of this binary playing a scenario, in a process group of its own,
/// killed with everything it started when dropped.
struct Scenario {
    child: Child,
    lines: Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

impl Scenario {
    /// Starts `program` (this binary, or a copy) playing `scenario` in `dir`.
    fn start(program: &Path, scenario: &str, dir: &Path, envs: &[(&str, &OsStr)]) -> Scenario {
        let mut child = Command::new(program)
            .env(SCENARIO, scenario)
            .env(SCENARIO_DIR, dir)
            .envs(envs.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap();
        let (sender, lines) = mpsc::channel();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        std::thread::spawn(move || {
            for line in stdout.lines() {
                let Ok(line) = line else { return };
                if sender.send(line).is_err() {
                    return;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().unwrap();
        let collected = stderr.clone();
        std::thread::spawn(move || {
            let mut chunk = [0; 4096];
            while let Ok(read @ 1..) = pipe.read(&mut chunk) {
                collected
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&chunk[..read]));
            }
        });
        Scenario {
            child,
            lines,
            stderr,
        }
    }

    /// The next line the scenario prints; fails the test when none comes
    /// within [`PATIENCE`].
    fn next_line(&self) -> String {
        match self.lines.recv_timeout(PATIENCE) {
            Ok(line) => line,
            Err(error) => panic!(
                "no line from the scenario ({error:?}); its stderr:\n{}",
                self.stderr()
            ),
        }
    }

    /// A line printed within `quiet`, if any; fails the test when the
    /// scenario's processes end meanwhile.
    fn line_within(&self, quiet: Duration) -> Option<String> {
        match self.lines.recv_timeout(quiet) {
            Ok(line) => Some(line),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => {
                panic!("the scenario ended; its stderr:\n{}", self.stderr())
            }
        }
    }

    /// Every line still to come, until the scenario's processes all closed
    /// their standard output; fails the test when that takes longer than
    /// [`PATIENCE`].
    fn remaining_lines(&self) -> Vec<String> {
        let deadline = Instant::now() + PATIENCE;
        let mut lines = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => lines.push(line),
                Err(RecvTimeoutError::Disconnected) => return lines,
                Err(RecvTimeoutError::Timeout) => {
                    panic!("the scenario's output never ended: {lines:?}")
                }
            }
        }
    }

    /// The scenario's exit status; fails the test when it does not exit
    /// within [`PATIENCE`].
    fn exit_status(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the scenario did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the scenario's stderr contains `text`; fails the test
    /// when it does not within [`PATIENCE`].
    fn expect_stderr(&self, text: &str) {
        let deadline = Instant::now() + PATIENCE;
        while !self.stderr().contains(text) {
            assert!(
                Instant::now() < deadline,
                "{text:?} not in the scenario's stderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Scenario {
    fn drop(&mut self) {
        let group = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: `killpg` only sends a signal; the group is the one this
        // scenario made (`process_group(0)`), led by a child not yet reaped,
        // so its id names no other group.
        unsafe {
            libc::killpg(group, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

/// Moves the modification time of `path` a minute later, so that the
/// change shows even on a file system with coarse timestamps.
fn bump(path: &Path) {
    let file = File::open(path).unwrap();
    let modified = file.metadata().unwrap().modified().unwrap();
    file.set_modified(modified + Duration::from_secs(60))
        .unwrap();
}

/// A watched file for the scenario in `dir`.
fn create_watched(dir: &Path) -> PathBuf {
    let path = dir.join(WATCHED);
    fs::write(&path, "1").unwrap();
    path
}

/// Splits `line` into its expected first word and the number after it.
fn number_after(line: &str, word: &str) -> u32 {
    let rest = line
        .strip_prefix(word)
        .and_then(|rest| rest.strip_prefix(' '))
        .unwrap_or_else(|| panic!("{line:?} does not start with {word:?}"));
    rest.parse()
        .unwrap_or_else(|_| panic!("{line:?}: no number after {word:?}"))
}

/// Whether a process `pid` exists (reaped processes do not).
fn is_alive(pid: u32) -> bool {
    let pid = libc::pid_t::try_from(pid).unwrap();
    // SAFETY: signal 0 sends nothing; it only checks that `pid` exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

fn this_binary() -> PathBuf {
    std::env::current_exe().unwrap()
}

// ---------------------------------------------------------- AutoreloadTest

/// Tornado: AutoreloadTest.test_reload_module
fn autoreload_test_reload_module() {
    let dir = TempDir::new("reload");
    let watched = create_watched(dir.root());
    let server = Scenario::start(&this_binary(), "server", dir.root(), &[]);
    let pid = server.child.id();
    assert_eq!(server.next_line(), format!("run 1 {pid}"));

    bump(&watched);
    // The hooks ran (the panicking one did not stop the other), then the
    // same process ran again, and could listen on the first run's port.
    assert_eq!(server.next_line(), format!("hook {pid}"));
    assert_eq!(server.next_line(), "rebind ok");
    assert_eq!(server.next_line(), format!("run 2 {pid}"));
    server.expect_stderr(&format!(
        "{} modified; restarting server",
        watched.display()
    ));
    server.expect_stderr("Exception in reload hook: a failing hook");

    // The new run watches too.
    bump(&watched);
    assert_eq!(server.next_line(), format!("hook {pid}"));
    assert_eq!(server.next_line(), "rebind ok");
    assert_eq!(server.next_line(), format!("run 3 {pid}"));
}

fn nothing_restarts_while_nothing_changes() {
    let dir = TempDir::new("quiet");
    let watched = create_watched(dir.root());
    let server = Scenario::start(&this_binary(), "server", dir.root(), &[]);
    let first = server.next_line();
    assert!(first.starts_with("run 1 "), "{first:?}");

    // Twenty intervals with no change: no restart.
    assert_eq!(server.line_within(CHECK_TIME * 20), None);
    assert_eq!(
        fs::read_to_string(dir.path("runs"))
            .unwrap()
            .lines()
            .count(),
        1
    );

    // Still checking: a change now restarts it.
    bump(&watched);
    assert!(server.next_line().starts_with("hook "));
}

/// An application with `debug` on starts autoreload, as Tornado's does: from
/// `Application::new` inside a runtime, or else from `listen`.
fn an_application_in_debug_mode_autoreloads() {
    for scenario in ["app_new", "app_listen"] {
        let dir = TempDir::new(scenario);
        let watched = create_watched(dir.root());
        let app = Scenario::start(&this_binary(), scenario, dir.root(), &[]);
        assert_eq!(app.next_line(), "app run 1", "{scenario}");
        bump(&watched);
        assert_eq!(app.next_line(), "app run 2", "{scenario}");
    }
}

fn a_replaced_executable_restarts_the_process() {
    let dir = TempDir::new("rebuilt");
    create_watched(dir.root());
    let program = dir.path("server");
    fs::copy(this_binary(), &program).unwrap();
    let server = Scenario::start(&program, "server", dir.root(), &[]);
    let first = server.next_line();
    let pid = server.child.id();
    assert_eq!(first, format!("run 1 {pid}"));

    // A rebuild: the new file is written aside, then moved over the old
    // one, whose inode the running process keeps.
    let rebuilt = dir.path("server.new");
    fs::copy(this_binary(), &rebuilt).unwrap();
    let before = fs::metadata(&program).unwrap().modified().unwrap();
    File::open(&rebuilt)
        .unwrap()
        .set_modified(before + Duration::from_secs(60))
        .unwrap();
    fs::rename(&rebuilt, &program).unwrap();

    assert_eq!(server.next_line(), format!("hook {pid}"));
    assert_eq!(server.next_line(), "rebind ok");
    assert_eq!(server.next_line(), format!("run 2 {pid}"));
    server.expect_stderr(&format!(
        "{} modified; restarting server",
        program.display()
    ));
}

fn a_forked_worker_does_not_restart() {
    let dir = TempDir::new("forked");
    let watched = create_watched(dir.root());
    let mut parent = Scenario::start(&this_binary(), "forked", dir.root(), &[]);
    let worker = parent.next_line();
    assert!(worker.starts_with("worker "), "{worker:?}");

    bump(&watched);
    fs::write(dir.path("changed"), "").unwrap();
    // A worker that restarted would run the scenario again from the top:
    // fork a new worker, which would print a second line.
    let status = parent.exit_status();
    assert_eq!(status.code(), Some(0), "{}", parent.stderr());
    assert_eq!(parent.remaining_lines(), Vec::<String>::new());
}

// ------------------------------------------------------------ run_command

fn run_command_restarts_a_running_command_when_its_program_changes() {
    let dir = TempDir::new("runner-program");
    create_watched(dir.root());
    let script = dir.path("command.sh");
    fs::write(&script, "#!/bin/sh\necho child $$\nexec sleep 60\n").unwrap();
    fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let runner = Scenario::start(
        &this_binary(),
        "runner",
        dir.root(),
        &[(COMMAND, script.as_os_str())],
    );
    let first = number_after(&runner.next_line(), "child");

    bump(&script);
    let second = number_after(&runner.next_line(), "child");
    assert_ne!(first, second);
    // The first run was killed and reaped before the second started.
    assert!(!is_alive(first), "the first command still runs");
    runner.expect_stderr(&format!(
        "{} modified; restarting command",
        script.display()
    ));
}

fn run_command_runs_an_ended_command_again_when_a_watched_file_changes() {
    let dir = TempDir::new("runner-watched");
    let watched = create_watched(dir.root());
    let script = dir.path("command.sh");
    fs::write(&script, "echo child $$\n").unwrap();
    // `sh` is found on PATH, and given the script as its argument.
    let runner = Scenario::start(
        &this_binary(),
        "runner",
        dir.root(),
        &[
            (COMMAND, OsStr::new("sh")),
            (COMMAND_ARG, script.as_os_str()),
        ],
    );
    let first = number_after(&runner.next_line(), "child");
    runner.expect_stderr("Command exited normally");
    // Ended, it is not run again until something changes.
    assert_eq!(runner.line_within(Duration::from_secs(2)), None);

    bump(&watched);
    let second = number_after(&runner.next_line(), "child");
    assert_ne!(first, second);
    runner.expect_stderr(&format!(
        "{} modified; restarting command",
        watched.display()
    ));
}
