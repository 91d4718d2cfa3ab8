//! The WebSocket load client: opens CONNS connections to an echo server
//! (each with a hand-written opening handshake), then on each connection,
//! over and over, sends one masked binary message of SIZE bytes (a frame
//! built once, with a fixed mask key) and reads frames until its whole echo
//! has arrived. The first echo on each connection is compared byte for byte
//! with the message; later ones by length. Runs on a current-thread
//! runtime, to be pinned to one core.
//!
//! After WARMUP seconds (default 1) it counts the echoes of the next
//! DURATION seconds and prints one line:
//!
//! `msgs_per_sec=<float> msgs=<n> secs=<f> client_cpu=<share of one core>`
//!
//! followed by `server_cpu_us_per_msg=<f>` when `--server-pid` names the
//! server's process: its CPU time (utime + stime from `/proc/PID/stat`)
//! over the same counted seconds, divided by the echoes counted. Exits
//! non-zero if a connection failed.
//!
//! Usage: ws_load --url ws://127.0.0.1:PORT/ --conns N --size BYTES
//!                --duration SECS [--warmup SECS] [--server-pid PID]

use std::cell::Cell;
use std::io;
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use supercell_websocket_bench::args::{Flags, invalid};
use supercell_websocket_bench::client::{
    EchoReader, Target, connect, masked_binary_frame, payload, round_trip,
};
use supercell_websocket_bench::cpu::{clock_ticks_per_second, cpu_ticks};
use supercell_websocket_bench::limits::raise_fd_limit;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::task::LocalSet;

const USAGE: &str = "usage: ws_load --url ws://127.0.0.1:PORT/ --conns N --size BYTES \
                     --duration SECS [--warmup SECS] [--server-pid PID]";

/// Connections being opened at the same time.
const IN_FLIGHT: usize = 64;

/// What the connections' tasks share (all on one thread).
#[derive(Default)]
struct Tally {
    /// Echoes received so far, all connections together.
    echoes: Cell<u64>,
    /// Connections that failed, and the first failure.
    failed: Cell<u64>,
    first_error: Cell<Option<String>>,
}

/// One connection's loop: round trips until the process ends.
async fn run_connection(
    mut stream: TcpStream,
    mut reader: EchoReader,
    frame: Rc<[u8]>,
    message: Rc<[u8]>,
    tally: Rc<Tally>,
) {
    let size = message.len();
    let result: io::Result<()> = async {
        round_trip(&mut stream, &mut reader, &frame, size, Some(&message)).await?;
        tally.echoes.set(tally.echoes.get() + 1);
        loop {
            stream.write_all(&frame).await?;
            let len = reader.read_message(&mut stream, None).await?;
            if len != size as u64 {
                return Err(io::Error::other(format!(
                    "echo of {len} bytes for a message of {size}"
                )));
            }
            tally.echoes.set(tally.echoes.get() + 1);
        }
    }
    .await;
    if let Err(error) = result {
        tally.failed.set(tally.failed.get() + 1);
        let first = tally.first_error.take();
        tally
            .first_error
            .set(Some(first.unwrap_or_else(|| error.to_string())));
    }
}

fn seconds(flags: &Flags, name: &str, default: Option<f64>) -> io::Result<Duration> {
    let secs: f64 = match default {
        Some(default) => flags.get(name)?.unwrap_or(default),
        None => flags.require(name)?,
    };
    Duration::try_from_secs_f64(secs).map_err(|_| invalid(&format!("bad --{name}: {secs}")))
}

fn main() -> io::Result<()> {
    let flags = Flags::from_env(
        &["url", "conns", "size", "duration", "warmup", "server-pid"],
        USAGE,
    )?;
    let target = Target::parse(&flags.require::<String>("url")?)?;
    let conns: usize = flags.require("conns")?;
    let size: usize = flags.require("size")?;
    let duration = seconds(&flags, "duration", None)?;
    let warmup = seconds(&flags, "warmup", Some(1.0))?;
    let server_pid: Option<u32> = flags.get("server-pid")?;
    if conns == 0 || duration.is_zero() {
        return Err(invalid(USAGE));
    }
    raise_fd_limit()?;

    let message: Rc<[u8]> = payload(size).into();
    let frame: Rc<[u8]> = masked_binary_frame(&message).into();
    let buffer = (size + 64).clamp(4096, 256 * 1024);
    let hz = clock_ticks_per_second();

    let runtime = supercell_websocket_bench::runtime::one_thread()?;
    let local = LocalSet::new();
    local.block_on(&runtime, async move {
        let opened: Vec<io::Result<(TcpStream, EchoReader)>> = tokio::time::timeout(
            Duration::from_secs(60),
            futures_util::stream::iter(0..conns)
                .map(|_| connect(&target, buffer))
                .buffer_unordered(IN_FLIGHT)
                .collect(),
        )
        .await
        .map_err(|_| io::Error::other("opening the connections took over 60 s"))?;
        let tally = Rc::new(Tally::default());
        for connection in opened {
            let (stream, reader) = connection?;
            tokio::task::spawn_local(run_connection(
                stream,
                reader,
                frame.clone(),
                message.clone(),
                tally.clone(),
            ));
        }

        tokio::time::sleep(warmup).await;
        let (echoes_before, started) = (tally.echoes.get(), Instant::now());
        let server_before = server_pid.map(|pid| cpu_ticks(Some(pid))).transpose()?;
        let client_before = cpu_ticks(None)?;
        tokio::time::sleep(duration).await;
        let (echoes_after, secs) = (tally.echoes.get(), started.elapsed().as_secs_f64());
        let server_after = server_pid.map(|pid| cpu_ticks(Some(pid))).transpose()?;
        let client_after = cpu_ticks(None)?;

        let msgs = echoes_after - echoes_before;
        let client_cpu = (client_after - client_before) as f64 / hz / secs;
        let mut line = format!(
            "msgs_per_sec={:.1} msgs={msgs} secs={secs:.3} client_cpu={client_cpu:.3}",
            msgs as f64 / secs
        );
        if let (Some(before), Some(after)) = (server_before, server_after) {
            let us = (after - before) as f64 / hz * 1e6 / msgs.max(1) as f64;
            line.push_str(&format!(" server_cpu_us_per_msg={us:.3}"));
        }
        println!("{line}");

        match tally.failed.get() {
            0 => Ok(()),
            failed => Err(io::Error::other(format!(
                "{failed} of {conns} connections failed; the first: {}",
                tally.first_error.take().unwrap_or_default()
            ))),
        }
    })
}
