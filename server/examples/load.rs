//! A bounded, loopback-only load test of the sync server.
//!
//! ```sh
//! cargo run --release -p echostream-server --example load -- --clients 1000 --docs 10 --rate 1000 --seconds 10
//! cargo run --release -p echostream-server --example load -- --idle 1000
//! ```
//!
//! The example starts the server in a child process (itself, run with
//! `serve-child`) on 127.0.0.1 and a free port, with a data folder in a
//! temporary directory, and drives it with light clients from this
//! process:
//!
//! - `--clients N --docs D --rate R`: N clients spread over D text
//!   documents submit R operations per second in total (0: each client as
//!   fast as its acknowledgements come back) for `--seconds`. Each
//!   operation inserts the time it was sent, so every other client of the
//!   document measures submit-to-broadcast latency when the operation
//!   arrives.
//! - `--idle N`: opens N connections that join and then stay idle, and
//!   reports the growth of the server's resident memory (VmRSS from
//!   `/proc/PID/status`) per connection.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use echostream_server::config::ServeConfig;
use echostream_server::server::Server;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_tungstenite::tungstenite::Message;

/// The maximum run length in seconds, so that the example always stops.
const MAX_SECONDS: u64 = 120;

struct Options {
    clients: usize,
    docs: usize,
    rate: u64,
    seconds: u64,
    idle: usize,
}

fn parse_options() -> anyhow::Result<Options> {
    let mut options = Options {
        clients: 100,
        docs: 10,
        rate: 1000,
        seconds: 10,
        idle: 0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        let number: u64 = value
            .parse()
            .with_context(|| format!("invalid {flag} {value:?}: expected a number"))?;
        match flag.as_str() {
            "--clients" => options.clients = number as usize,
            "--docs" => options.docs = number as usize,
            "--rate" => options.rate = number,
            "--seconds" => options.seconds = number,
            "--idle" => options.idle = number as usize,
            _ => bail!(
                "unknown flag {flag}: expected --clients, --docs, --rate, --seconds or --idle"
            ),
        }
    }
    if options.seconds == 0 || options.seconds > MAX_SECONDS {
        bail!(
            "invalid --seconds {}: expected 1 to {MAX_SECONDS}",
            options.seconds
        );
    }
    if options.docs == 0 || options.clients < options.docs {
        bail!("--docs must be at least 1 and at most --clients");
    }
    Ok(options)
}

fn main() -> anyhow::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("serve-child") {
        return serve_child();
    }
    let options = parse_options()?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(run(options))
}

/// Runs the server of the child process on a free loopback port, prints
/// its address, and shuts down when its standard input closes.
fn serve_child() -> anyhow::Result<()> {
    let data = PathBuf::from(
        std::env::args()
            .nth(2)
            .context("serve-child needs a folder")?,
    );
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let mut config = ServeConfig::loopback(data);
        // The load clients send as fast as acknowledgements come back.
        config.limits.messages_per_second = 100_000;
        config.limits.message_burst = 100_000;
        let server = Server::start(config).await?;
        println!("{}", server.local_addr());
        let mut line = String::new();
        let mut stdin = BufReader::new(tokio::io::stdin());
        let _ = stdin.read_line(&mut line).await;
        server.shutdown().await
    })
}

struct ChildServer {
    child: Child,
    addr: String,
    _data: tempfile::TempDir,
}

impl ChildServer {
    fn start() -> anyhow::Result<ChildServer> {
        let data = tempfile::tempdir()?;
        let mut child = Command::new(std::env::current_exe()?)
            .arg("serve-child")
            .arg(data.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().context("child stdout")?;
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)?;
        let addr = line.trim().to_owned();
        if addr.is_empty() {
            bail!("the server child did not print its address");
        }
        Ok(ChildServer {
            child,
            addr,
            _data: data,
        })
    }

    /// Returns the child's resident memory in bytes.
    fn rss(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let line = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .context("no VmRSS line")?;
        let kib: u64 = line
            .split_whitespace()
            .nth(1)
            .context("no VmRSS value")?
            .parse()?;
        Ok(kib * 1024)
    }

    /// Returns the CPU seconds the child has used, user and system, from
    /// `/proc/PID/stat` (in clock ticks of 1/100 s, the Linux default).
    fn cpu_seconds(&self) -> anyhow::Result<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))?;
        // The fields after the command name, which is in parentheses.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .context("invalid stat line")?
            .1
            .split_whitespace()
            .collect();
        let user: f64 = fields.get(11).context("no utime")?.parse()?;
        let system: f64 = fields.get(12).context("no stime")?.parse()?;
        Ok((user + system) / 100.0)
    }

    /// Closes the child's standard input, which shuts the server down, and
    /// waits for it.
    fn stop(mut self) -> anyhow::Result<()> {
        drop(self.child.stdin.take());
        let status = self.child.wait()?;
        if !status.success() {
            bail!("the server child exited with {status}");
        }
        Ok(())
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The fields of a server message that the load clients read.
#[derive(Deserialize)]
struct Event<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(default)]
    revision: u64,
}

async fn join(url: &str, doc: usize, site: u64) -> anyhow::Result<(Socket, u64)> {
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await?;
    let hello = json!({"type": "hello", "version": 1, "doc": format!("load-{doc}"),
                       "docType": "text", "site": format!("{site:016x}")});
    socket.send(Message::text(hello.to_string())).await?;
    loop {
        let Some(message) = socket.next().await else {
            bail!("the server closed the connection before the welcome");
        };
        if let Message::Text(text) = message? {
            let event: Event = serde_json::from_str(&text)?;
            if event.kind == "welcome" {
                return Ok((socket, event.revision));
            }
        }
    }
}

/// Returns the decimal number that follows the first `key` in `text`.
fn number_after(text: &str, key: &str) -> Option<u64> {
    let start = text.find(key)? + key.len();
    let digits = &text[start..];
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

/// The measurements of all clients.
#[derive(Default)]
struct Totals {
    /// Submit-to-broadcast latencies in microseconds, as seen by the
    /// receiving clients.
    latencies: Mutex<Vec<u32>>,
    acked: AtomicU64,
}

/// Runs one load client: sends an insert stamped with its send time whenever
/// nothing is in flight and its schedule allows, and records the latency
/// of every other client's operation it receives.
async fn load_client(
    mut socket: Socket,
    mut revision: u64,
    site: u64,
    interval: Option<Duration>,
    epoch: Instant,
    stop: Arc<AtomicBool>,
    totals: Arc<Totals>,
) -> anyhow::Result<()> {
    let mut seq = 0u64;
    let mut in_flight = false;
    let mut next_send = tokio::time::Instant::now();
    let mut latencies = Vec::new();
    loop {
        if !in_flight && !stop.load(Ordering::Relaxed) && tokio::time::Instant::now() >= next_send {
            seq += 1;
            let stamp = format!("t{};", epoch.elapsed().as_micros());
            let submit = json!({"type": "submit", "id": {"site": format!("{site:016x}"), "seq": seq},
                                "base": revision, "op": [stamp]});
            socket.send(Message::text(submit.to_string())).await?;
            in_flight = true;
            if let Some(interval) = interval {
                next_send += interval;
            }
        }
        if stop.load(Ordering::Relaxed) && !in_flight {
            break;
        }
        let wait = tokio::time::sleep_until(
            next_send.max(tokio::time::Instant::now() + Duration::from_millis(1)),
        );
        let message = tokio::select! {
            message = socket.next() => message,
            () = wait, if !in_flight => continue,
        };
        let Some(message) = message else { break };
        let Message::Text(text) = message? else {
            continue;
        };
        // Read only the fields needed, without parsing the whole message,
        // so that the clients take as little CPU from the server as they
        // can. The server writes the type first.
        let text = text.as_str();
        if text.starts_with(r#"{"type":"ack""#) {
            revision = revision.max(number_after(text, "\"revision\":").unwrap_or(0));
            in_flight = false;
            totals.acked.fetch_add(1, Ordering::Relaxed);
        } else if text.starts_with(r#"{"type":"op""#) {
            revision = revision.max(number_after(text, "\"revision\":").unwrap_or(0));
            let op = text.find("\"op\":").map_or("", |start| &text[start..]);
            if let Some(sent) = number_after(op, "\"t") {
                let latency = (epoch.elapsed().as_micros() as u64).saturating_sub(sent);
                latencies.push(latency.min(u64::from(u32::MAX)) as u32);
            }
        } else if text.starts_with(r#"{"type":"error""#) {
            bail!("the server rejected an operation: {text}");
        }
    }
    totals.latencies.lock().unwrap().extend(latencies);
    let _ = socket.close(None).await;
    Ok(())
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    f64::from(sorted[rank.clamp(1, sorted.len()) - 1]) / 1000.0
}

async fn run_load(options: &Options, server: &ChildServer) -> anyhow::Result<()> {
    let url = format!("ws://{}/ws", server.addr);
    let mut joined = Vec::new();
    for index in 0..options.clients {
        let site = 0x1000 + index as u64;
        joined.push((join(&url, index % options.docs, site).await?, site));
    }
    // Each client sends every `interval`, so that all of them together
    // offer `rate` operations per second.
    let interval = (options.rate > 0)
        .then(|| Duration::from_secs_f64(options.clients as f64 / options.rate as f64));
    let stop = Arc::new(AtomicBool::new(false));
    let totals = Arc::new(Totals::default());
    let epoch = Instant::now();
    let mut tasks = Vec::new();
    for (index, ((socket, revision), site)) in joined.into_iter().enumerate() {
        // Spread the first sends over one interval.
        let offset = interval.map_or(Duration::ZERO, |i| {
            i.mul_f64(index as f64 / options.clients as f64)
        });
        let (stop, totals) = (stop.clone(), totals.clone());
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(offset).await;
            load_client(socket, revision, site, interval, epoch, stop, totals).await
        }));
    }
    let started = Instant::now();
    let cpu_before = server.cpu_seconds()?;
    tokio::time::sleep(Duration::from_secs(options.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let acked_at_stop = totals.acked.load(Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    let server_cpu = (server.cpu_seconds()? - cpu_before) / elapsed;
    for task in tasks {
        tokio::time::timeout(Duration::from_secs(30), task)
            .await
            .context("a client did not stop within 30 s")???;
    }

    let (server_p50, server_p99) = server_percentiles(&server.addr).await?;
    let mut latencies = std::mem::take(&mut *totals.latencies.lock().unwrap());
    latencies.sort_unstable();
    let rate = if options.rate == 0 {
        "max".to_owned()
    } else {
        options.rate.to_string()
    };
    println!(
        "| clients | docs | offered ops/s | accepted ops/s | broadcasts measured | p50 ms | p99 ms | max ms | server p50 / p99 bucket ms | server CPU |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    println!(
        "| {} | {} | {} | {:.0} | {} | {:.2} | {:.2} | {:.2} | {server_p50} / {server_p99} | {server_cpu:.2} cores |",
        options.clients,
        options.docs,
        rate,
        acked_at_stop as f64 / elapsed,
        latencies.len(),
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        percentile(&latencies, 100.0),
    );
    Ok(())
}

/// Reads the server's submit-to-broadcast histogram from `/metrics` and
/// returns the upper bounds, in ms, of the buckets that hold the 50th and
/// 99th percentiles.
async fn server_percentiles(addr: &str) -> anyhow::Result<(f64, f64)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let mut buckets = Vec::new();
    for line in response.lines() {
        let Some(rest) = line.strip_prefix("echostream_submit_to_broadcast_seconds_bucket{le=\"")
        else {
            continue;
        };
        let (bound, count) = rest.split_once("\"} ").context("invalid bucket line")?;
        let bound = if bound == "+Inf" {
            f64::INFINITY
        } else {
            bound.parse::<f64>()?
        };
        buckets.push((bound * 1000.0, count.parse::<f64>()?));
    }
    let total = buckets.last().map_or(0.0, |b| b.1);
    let bucket_of = |p: f64| {
        buckets
            .iter()
            .find(|(_, count)| *count >= total * p)
            .map_or(f64::NAN, |b| b.0)
    };
    Ok((bucket_of(0.5), bucket_of(0.99)))
}

async fn run_idle(count: usize, server: &ChildServer) -> anyhow::Result<()> {
    let url = format!("ws://{}/ws", server.addr);
    // Load the documents first, so that only connections are counted.
    let mut warm = Vec::new();
    for doc in 0..10 {
        warm.push(join(&url, doc, 0x10 + doc as u64).await?.0);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = server.rss()?;
    let mut sockets = Vec::with_capacity(count);
    for index in 0..count {
        sockets.push(join(&url, index % 10, 0x10_0000 + index as u64).await?.0);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = server.rss()?;
    let per_connection = after.saturating_sub(before) as f64 / count as f64;
    println!("| idle connections | server RSS before | after | per connection |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| {count} | {:.1} MiB | {:.1} MiB | {:.1} KiB |",
        before as f64 / 1048576.0,
        after as f64 / 1048576.0,
        per_connection / 1024.0
    );
    for mut socket in sockets.into_iter().chain(warm) {
        let _ = socket.close(None).await;
    }
    Ok(())
}

async fn run(options: Options) -> anyhow::Result<()> {
    let server = ChildServer::start()?;
    let result = if options.idle > 0 {
        run_idle(options.idle, &server).await
    } else {
        run_load(&options, &server).await
    };
    server.stop()?;
    result
}
