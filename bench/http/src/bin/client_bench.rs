//! Requests/s of HTTP clients fetching `GET /plaintext` from one local server
//! with keep-alive: sequentially (one task) and from N concurrent tasks, on a
//! current-thread runtime. Rounds are interleaved (the order of the cases
//! rotates by one each round); prints every run, then medians with min–max
//! of requests/s and of the client process's CPU time per request (utime +
//! stime from `/proc/self/stat` over the measured part of the run).
//!
//! Usage: client_bench --port PORT [--duration SECONDS] [--rounds R]
//!                     [--concurrency N] [--clients supercell,reqwest]

use std::cell::Cell;
use std::io;
use std::rc::Rc;
use std::time::{Duration, Instant};

use supercell_http_bench::args::invalid;
use supercell_http_bench::client::{BenchClient, ClientKind};
use supercell_http_bench::cpu::{clock_ticks_per_second, process_cpu_ticks};
use supercell_http_bench::stats::median_min_max;

struct Options {
    port: u16,
    duration: Duration,
    rounds: usize,
    concurrency: usize,
    clients: Vec<ClientKind>,
}

fn parse_options() -> io::Result<Options> {
    let mut options = Options {
        port: 0,
        duration: Duration::from_secs(10),
        rounds: 5,
        concurrency: 64,
        clients: ClientKind::ALL.to_vec(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| invalid(&format!("{flag} needs a value")))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| invalid(&format!("{flag}: not a number: {value}")))
        };
        match flag.as_str() {
            "--port" => options.port = value.parse().map_err(|_| invalid("--port: not a port"))?,
            "--duration" => options.duration = Duration::from_secs(number()?),
            "--rounds" => options.rounds = number()? as usize,
            "--concurrency" => options.concurrency = number()? as usize,
            "--clients" => {
                options.clients = value
                    .split(',')
                    .map(|name| {
                        ClientKind::from_name(name)
                            .ok_or_else(|| invalid(&format!("unknown client {name}")))
                    })
                    .collect::<io::Result<_>>()?;
            }
            _ => return Err(invalid(&format!("unknown argument {flag}"))),
        }
    }
    if options.port == 0 || options.rounds == 0 || options.concurrency == 0 {
        return Err(invalid(
            "usage: client_bench --port PORT [--duration S] [--rounds R] [--concurrency N] [--clients a,b]",
        ));
    }
    Ok(options)
}

/// Fetches from `tasks` tasks until `until`; returns the requests completed.
async fn load(
    client: &BenchClient,
    url: &Rc<str>,
    tasks: usize,
    until: Instant,
) -> io::Result<u64> {
    let done = Rc::new(Cell::new(0u64));
    let mut handles = Vec::with_capacity(tasks);
    for _ in 0..tasks {
        let (client, url, done) = (client.clone(), Rc::clone(url), Rc::clone(&done));
        handles.push(tokio::task::spawn_local(async move {
            while Instant::now() < until {
                client.get(&url).await?;
                done.set(done.get() + 1);
            }
            Ok::<(), io::Error>(())
        }));
    }
    for handle in handles {
        handle.await.map_err(io::Error::other)??;
    }
    Ok(done.get())
}

/// What one measured run gives.
#[derive(Clone, Copy)]
struct Run {
    requests_per_second: f64,
    cpu_us_per_request: f64,
}

/// One measured run: a new client, warmed up for a second, then measured.
async fn run_case(
    kind: ClientKind,
    url: &Rc<str>,
    tasks: usize,
    duration: Duration,
    hz: f64,
) -> io::Result<Run> {
    let client = BenchClient::new(kind, tasks)?;
    load(&client, url, tasks, Instant::now() + Duration::from_secs(1)).await?;
    let ticks = process_cpu_ticks()?;
    let start = Instant::now();
    let requests = load(&client, url, tasks, start + duration).await?;
    let elapsed = start.elapsed();
    let cpu = (process_cpu_ticks()? - ticks) as f64 / hz;
    let requests = requests.max(1) as f64;
    Ok(Run {
        requests_per_second: requests / elapsed.as_secs_f64(),
        cpu_us_per_request: cpu * 1e6 / requests,
    })
}

/// Prints one table: a row per task count, a column per client.
fn print_table(
    title: &str,
    options: &Options,
    cases: &[(ClientKind, usize)],
    values: &[Vec<f64>],
    scale: f64,
) {
    println!();
    println!("{title}: median (min–max) of {} rounds", options.rounds);
    println!();
    let names: Vec<&str> = options.clients.iter().map(|k| k.name()).collect();
    println!("| tasks | {} |", names.join(" | "));
    println!("|---|{}", "---|".repeat(names.len()));
    for tasks in [1, options.concurrency] {
        let cells: Vec<String> = cases
            .iter()
            .zip(values)
            .filter(|((_, t), _)| *t == tasks)
            .map(|(_, runs)| {
                let (median, min, max) = median_min_max(runs);
                format!(
                    "{:.2} ({:.2}–{:.2})",
                    median / scale,
                    min / scale,
                    max / scale
                )
            })
            .collect();
        println!("| {tasks} | {} |", cells.join(" | "));
    }
}

fn main() -> io::Result<()> {
    let options = parse_options()?;
    let url: Rc<str> = format!("http://127.0.0.1:{}/plaintext", options.port).into();
    let mut cases = Vec::new();
    for tasks in [1, options.concurrency] {
        for &kind in &options.clients {
            cases.push((kind, tasks));
        }
    }
    let runtime = supercell_http_bench::runtime::one_thread()?;
    let local = tokio::task::LocalSet::new();
    let hz = clock_ticks_per_second();
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    let mut cpu: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    local.block_on(&runtime, async {
        for round in 0..options.rounds {
            for i in 0..cases.len() {
                let index = (i + round) % cases.len();
                let (kind, tasks) = cases[index];
                let run = run_case(kind, &url, tasks, options.duration, hz).await?;
                println!(
                    "round {}: {:<10} {:>3} tasks {:>10.0} req/s {:>7.2} µs CPU/req",
                    round + 1,
                    kind.name(),
                    tasks,
                    run.requests_per_second,
                    run.cpu_us_per_request
                );
                rates[index].push(run.requests_per_second);
                cpu[index].push(run.cpu_us_per_request);
            }
        }
        Ok::<(), io::Error>(())
    })?;
    print_table("Requests/s, thousands", &options, &cases, &rates, 1e3);
    print_table(
        "Client CPU time per request, µs",
        &options,
        &cases,
        &cpu,
        1.0,
    );
    Ok(())
}
