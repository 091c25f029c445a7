//! The rumqttc floor of `bench/run.sh`: the same cases as bench/java (see
//! bench/README.md for the case syntax), run with rumqttc 0.25.1's own
//! `AsyncClient` + `EventLoop`, one JSON object per case on stdout.
//!
//! Settings: TCP_NODELAY on (NetworkOptions), outgoing inflight upper limit =
//! the case's window, max packet size 1 MiB both ways, request channel
//! capacity = window, clean start, keep-alive 60 s, no persistence.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rumqttc::v5::mqttbytes::v5::Packet;
use rumqttc::v5::mqttbytes::QoS;
use rumqttc::v5::{AsyncClient, Event, EventLoop, MqttOptions};
use rumqttc::Outgoing;
use tokio::sync::mpsc;

type Spec = HashMap<String, String>;

fn get(spec: &Spec, key: &str, default: u64) -> u64 {
    spec.get(key).map_or(default, |v| v.parse().expect(key))
}

/// Which runs of a throughput case are warm-up: the first `warmup=` ones and every one that
/// starts less than `warmupsecs=` seconds after the case began (the Java side's `Bench.WarmUp`).
struct WarmUp {
    warmup: u64,
    runs: u64,
    until: Instant,
    started: u64,
    counted: u64,
}

impl WarmUp {
    fn new(spec: &Spec) -> WarmUp {
        let secs: f64 = spec
            .get("warmupsecs")
            .map_or(0.0, |v| v.parse().expect("warmupsecs"));
        WarmUp {
            warmup: get(spec, "warmup", 1),
            runs: get(spec, "runs", 3),
            until: Instant::now() + Duration::from_secs_f64(secs),
            started: 0,
            counted: 0,
        }
    }

    fn more(&self) -> bool {
        self.counted < self.runs
    }

    /// Starts a run: true when it is counted.
    fn start(&mut self) -> bool {
        let counts = self.started >= self.warmup && Instant::now() >= self.until;
        self.started += 1;
        self.counted += u64::from(counts);
        counts
    }
}

fn qos_of(q: u64) -> QoS {
    match q {
        0 => QoS::AtMostOnce,
        1 => QoS::AtLeastOnce,
        _ => QoS::ExactlyOnce,
    }
}

fn cpu_nanos() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Context switches of every thread of this process so far, (voluntary, nonvoluntary): the sum
/// of `voluntary_ctxt_switches` and `nonvoluntary_ctxt_switches` over `/proc/self/task/*/status`,
/// as bench/java counts them (a thread that ended between two readings takes its own away).
fn ctx_switches() -> (u64, u64) {
    let (mut voluntary, mut nonvoluntary) = (0, 0);
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return (0, 0);
    };
    for task in tasks.flatten() {
        let Ok(status) = std::fs::read_to_string(task.path().join("status")) else {
            continue; // the thread ended
        };
        for line in status.lines() {
            let value =
                |prefix: &str| -> Option<u64> { line.strip_prefix(prefix)?.trim().parse().ok() };
            if let Some(v) = value("voluntary_ctxt_switches:") {
                voluntary += v;
            } else if let Some(v) = value("nonvoluntary_ctxt_switches:") {
                nonvoluntary += v;
            }
        }
    }
    (voluntary, nonvoluntary)
}

/// Context switches per message between two `ctx_switches` readings: (all, voluntary).
fn ctx_per_message(before: (u64, u64), after: (u64, u64), count: u64) -> (f64, f64) {
    let voluntary = after.0.saturating_sub(before.0);
    let all = voluntary + after.1.saturating_sub(before.1);
    (all as f64 / count as f64, voluntary as f64 / count as f64)
}

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

fn options(host: &str, port: u16, window: u16) -> MqttOptions {
    let id = format!(
        "rumqttc-{}-{}",
        std::process::id(),
        NEXT_ID.fetch_add(1, Ordering::Relaxed)
    );
    let mut o = MqttOptions::new(id, host, port);
    o.set_keep_alive(Duration::from_secs(60))
        .set_clean_start(true)
        .set_max_packet_size(Some(1 << 20))
        .set_outgoing_inflight_upper_limit(window.max(1))
        .set_request_channel_capacity(usize::from(window.max(10)));
    let mut net = o.network_options();
    net.set_tcp_nodelay(true);
    o.set_network_options(net);
    o
}

/// Connects and returns once the CONNACK arrived.
async fn connect(host: &str, port: u16, window: u16) -> (AsyncClient, EventLoop) {
    let (client, mut eventloop) = AsyncClient::new(options(host, port, window), 1024);
    loop {
        match eventloop.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(_))) => return (client, eventloop),
            Ok(_) => {}
            Err(e) => panic!("connect failed: {e}"),
        }
    }
}

/// What the event loop task reports.
#[derive(Clone, Copy, PartialEq)]
enum Done {
    Sent,
    Acked,
    Completed,
    Received(u64),
    Subscribed,
}

/// Drives an event loop forever, reporting completions and received messages.
fn drive(mut eventloop: EventLoop, tx: mpsc::UnboundedSender<Done>, base: Instant) {
    tokio::spawn(async move {
        loop {
            let done = match eventloop.poll().await {
                Ok(Event::Outgoing(Outgoing::Publish(_))) => Done::Sent,
                Ok(Event::Incoming(Packet::PubAck(_))) => Done::Acked,
                Ok(Event::Incoming(Packet::PubComp(_))) => Done::Completed,
                Ok(Event::Incoming(Packet::SubAck(_))) => Done::Subscribed,
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    let now = base.elapsed().as_nanos() as u64;
                    let sent = p
                        .payload
                        .get(..8)
                        .map_or(0, |b| u64::from_be_bytes(b.try_into().unwrap()));
                    Done::Received(now.saturating_sub(sent))
                }
                Ok(_) => continue,
                Err(e) => {
                    eprintln!("rumqttc: event loop ended: {e}");
                    return;
                }
            };
            if tx.send(done).is_err() {
                return;
            }
        }
    });
}

fn done_of(qos: QoS) -> Done {
    match qos {
        QoS::AtMostOnce => Done::Sent,
        QoS::AtLeastOnce => Done::Acked,
        QoS::ExactlyOnce => Done::Completed,
    }
}

async fn wait_for(rx: &mut mpsc::UnboundedReceiver<Done>, want: Done, n: u64) {
    let mut got = 0;
    while got < n {
        match rx.recv().await {
            Some(d) if d == want => got += 1,
            Some(_) => {}
            None => panic!("event loop ended"),
        }
    }
}

fn payload(size: usize, base: Instant) -> Bytes {
    let mut p = vec![b'x'; size.max(8)];
    p[..8].copy_from_slice(&(base.elapsed().as_nanos() as u64).to_be_bytes());
    Bytes::from(p)
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    if s.is_empty() {
        0.0
    } else {
        s[s.len() / 2]
    }
}

fn json_list(v: &[f64]) -> String {
    let items: Vec<String> = v.iter().map(|x| format!("{x:.3}")).collect();
    format!("[{}]", items.join(","))
}

struct Ctx {
    host: String,
    port: u16,
    base: Instant,
}

async fn publish_case(ctx: &Ctx, spec: &Spec) -> String {
    let qos = qos_of(get(spec, "qos", 1));
    let size = get(spec, "size", 100) as usize;
    let sync = spec.get("mode").map(String::as_str) == Some("sync");
    let count = get(spec, "count", 10_000);
    let window = get(spec, "window", 64) as u16;
    let (client, eventloop) = connect(&ctx.host, ctx.port, window).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    drive(eventloop, tx, ctx.base);
    let topic = format!("bench/rumqttc/pub/{}", std::process::id());
    let body = payload(size, ctx.base);
    let want = done_of(qos);
    let (mut rates, mut cpus, mut switches, mut vswitches) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut warm = WarmUp::new(spec);
    while warm.more() {
        let counted = warm.start();
        let c0 = ctx_switches();
        let cpu0 = cpu_nanos();
        let t0 = Instant::now();
        if sync {
            for _ in 0..count {
                client
                    .publish(topic.clone(), qos, false, body.clone())
                    .await
                    .unwrap();
                wait_for(&mut rx, want, 1).await;
            }
        } else {
            let c = client.clone();
            let (t, b) = (topic.clone(), body.clone());
            let publisher = tokio::spawn(async move {
                for _ in 0..count {
                    c.publish(t.clone(), qos, false, b.clone()).await.unwrap();
                }
            });
            wait_for(&mut rx, want, count).await;
            publisher.await.unwrap();
        }
        let secs = t0.elapsed().as_secs_f64();
        let cpu = (cpu_nanos() - cpu0) as f64 / 1000.0 / count as f64;
        let (all, voluntary) = ctx_per_message(c0, ctx_switches(), count);
        if counted {
            rates.push(count as f64 / secs);
            cpus.push(cpu);
            switches.push(all);
            vswitches.push(voluntary);
        }
    }
    let _ = client.disconnect().await;
    format!(
        "{{\"impl\":\"rumqttc\",\"case\":\"publish\",\"qos\":{},\"size\":{size},\"mode\":\"{}\",\"count\":{count},\"window\":{window},\"rate\":{},\"cpu_us_per_msg\":{},\"ctx_switches_per_msg\":{},\"voluntary_ctx_switches_per_msg\":{},\"median_rate\":{:.1}}}",
        qos as u8,
        if sync { "sync" } else { "async" },
        json_list(&rates),
        json_list(&cpus),
        json_list(&switches),
        json_list(&vswitches),
        median(&rates)
    )
}

async fn subscriber(ctx: &Ctx, topic: &str, qos: QoS) -> mpsc::UnboundedReceiver<Done> {
    let (sub, eventloop) = connect(&ctx.host, ctx.port, 64).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    drive(eventloop, tx, ctx.base);
    sub.subscribe(topic, qos).await.unwrap();
    wait_for(&mut rx, Done::Subscribed, 1).await;
    std::mem::forget(sub); // keeps the connection for the rest of the process
    rx
}

async fn e2e_case(ctx: &Ctx, spec: &Spec) -> String {
    let qos = qos_of(get(spec, "qos", 1));
    let size = get(spec, "size", 100) as usize;
    let count = get(spec, "count", 10_000);
    let window = get(spec, "window", 64) as u16;
    let topic = format!("bench/rumqttc/e2e/{}/{}", std::process::id(), qos as u8);
    let mut received = subscriber(ctx, &topic, qos).await;
    let (client, eventloop) = connect(&ctx.host, ctx.port, window).await;
    let (tx, _rx) = mpsc::unbounded_channel();
    drive(eventloop, tx, ctx.base);
    let body = payload(size, ctx.base);
    let (mut rates, mut cpus, mut switches, mut vswitches) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut warm = WarmUp::new(spec);
    while warm.more() {
        let counted = warm.start();
        let c0 = ctx_switches();
        let cpu0 = cpu_nanos();
        let t0 = Instant::now();
        let c = client.clone();
        let (t, b) = (topic.clone(), body.clone());
        let publisher = tokio::spawn(async move {
            for _ in 0..count {
                c.publish(t.clone(), qos, false, b.clone()).await.unwrap();
            }
        });
        let mut got = 0;
        while got < count {
            if let Some(Done::Received(_)) = received.recv().await {
                got += 1;
            }
        }
        publisher.await.unwrap();
        let secs = t0.elapsed().as_secs_f64();
        let cpu = (cpu_nanos() - cpu0) as f64 / 1000.0 / count as f64;
        let (all, voluntary) = ctx_per_message(c0, ctx_switches(), count);
        if counted {
            rates.push(count as f64 / secs);
            cpus.push(cpu);
            switches.push(all);
            vswitches.push(voluntary);
        }
    }
    format!(
        "{{\"impl\":\"rumqttc\",\"case\":\"e2e\",\"qos\":{},\"size\":{size},\"count\":{count},\"window\":{window},\"rate\":{},\"cpu_us_per_msg\":{},\"ctx_switches_per_msg\":{},\"voluntary_ctx_switches_per_msg\":{},\"median_rate\":{:.1}}}",
        qos as u8,
        json_list(&rates),
        json_list(&cpus),
        json_list(&switches),
        json_list(&vswitches),
        median(&rates)
    )
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[i.clamp(1, sorted.len()) - 1]
}

async fn latency_case(ctx: &Ctx, spec: &Spec) -> String {
    let qos = qos_of(get(spec, "qos", 1));
    let size = get(spec, "size", 100) as usize;
    let rate = get(spec, "rate", 2000);
    let count = get(spec, "count", 10_000);
    let warmup_count = get(spec, "warmupcount", 2000);
    let runs = get(spec, "runs", 3);
    let topic = format!("bench/rumqttc/lat/{}/{}", std::process::id(), qos as u8);
    let mut received = subscriber(ctx, &topic, qos).await;
    let (client, eventloop) = connect(&ctx.host, ctx.port, 64).await;
    let (tx, _rx) = mpsc::unbounded_channel();
    drive(eventloop, tx, ctx.base);
    let (mut p50, mut p99, mut p999) = (Vec::new(), Vec::new(), Vec::new());
    // What else happened in each run (as the Java bench's Stalls): the slowest message, the pacer's
    // worst lateness past its deadline, the machine's steal time.
    let (mut max_us, mut late_us, mut steal_ms) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..=runs {
        let steal0 = steal_ticks();
        let n = if run == 0 { warmup_count } else { count };
        // Paced from a plain thread with nanosleep to absolute deadlines (as the Java side does).
        let c = client.clone();
        let (t, base) = (topic.clone(), ctx.base);
        let period = Duration::from_nanos(1_000_000_000 / rate);
        let pacer = std::thread::spawn(move || {
            let start = Instant::now();
            let mut body = vec![b'x'; size.max(8)];
            let mut late = Duration::ZERO;
            for i in 0..n {
                let deadline = start + period * i as u32;
                let now = Instant::now();
                if deadline > now {
                    std::thread::sleep(deadline - now);
                }
                late = late.max(Instant::now().saturating_duration_since(deadline));
                body[..8].copy_from_slice(&(base.elapsed().as_nanos() as u64).to_be_bytes());
                while c
                    .try_publish(t.clone(), qos, false, Bytes::copy_from_slice(&body))
                    .is_err()
                {
                    std::thread::yield_now();
                }
            }
            late
        });
        let mut samples = Vec::with_capacity(n as usize);
        while (samples.len() as u64) < n {
            if let Some(Done::Received(ns)) = received.recv().await {
                samples.push(ns as f64 / 1000.0);
            }
        }
        let late = pacer.join().unwrap();
        if run > 0 {
            samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
            p50.push(percentile(&samples, 50.0));
            p99.push(percentile(&samples, 99.0));
            p999.push(percentile(&samples, 99.9));
            max_us.push(samples.last().copied().unwrap_or(0.0));
            late_us.push(late.as_nanos() as f64 / 1000.0);
            steal_ms.push((steal_ticks() - steal0) as f64 * 10.0);
        }
    }
    format!(
        "{{\"impl\":\"rumqttc\",\"case\":\"latency\",\"qos\":{},\"size\":{size},\"rate\":{rate},\"count\":{count},\"p50_us\":{},\"p99_us\":{},\"p999_us\":{},\"max_us\":{},\"pacer_late_max_us\":{},\"steal_ms\":{}}}",
        qos as u8,
        json_list(&p50),
        json_list(&p99),
        json_list(&p999),
        json_list(&max_us),
        json_list(&late_us),
        json_list(&steal_ms)
    )
}

/// The machine's steal time so far, in `/proc/stat` ticks (USER_HZ, 100 per second here): the
/// eighth value of its aggregate `cpu` line.
fn steal_ticks() -> u64 {
    std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|s| s.lines().next()?.split_whitespace().nth(8)?.parse().ok())
        .unwrap_or(0)
}

async fn idle_case(ctx: &Ctx, spec: &Spec) -> String {
    let clients = get(spec, "clients", 1);
    let settle = get(spec, "settle", 2);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rss0 = status_kib("VmRSS:");
    let keep = Arc::new(Mutex::new(Vec::new()));
    for _ in 0..clients {
        let (client, eventloop) = connect(&ctx.host, ctx.port, 64).await;
        let (tx, rx) = mpsc::unbounded_channel();
        drive(eventloop, tx, ctx.base);
        keep.lock().unwrap().push((client, rx));
    }
    tokio::time::sleep(Duration::from_secs(settle)).await;
    let rss = status_kib("VmRSS:");
    format!(
        "{{\"impl\":\"rumqttc\",\"case\":\"idle\",\"clients\":{clients},\"rss_kib\":{rss},\"rss_before_kib\":{rss0},\"native_delta_kib\":{},\"heap_used_kib\":0}}",
        rss.saturating_sub(rss0)
    )
}

/// The floor of `Native.publish`'s cost: ns per `try_publish` call (QoS 0, 100 B) in bursts of
/// 1000 — a request into the event loop's channel and its wake-up, as our JNI call pays.
async fn call_case(ctx: &Ctx, spec: &Spec) -> String {
    let size = get(spec, "size", 100) as usize;
    let iterations = get(spec, "iterations", 200_000);
    let (client, eventloop) = connect(&ctx.host, ctx.port, 20).await;
    let (tx, _rx) = mpsc::unbounded_channel();
    drive(eventloop, tx, ctx.base);
    let topic = "bench/rumqttc/call".to_string();
    let body = payload(size, ctx.base);
    let mut result = 0.0;
    for _ in 0..3 {
        let c = client.clone();
        let (t, b) = (topic.clone(), body.clone());
        let spent = tokio::task::spawn_blocking(move || {
            let mut spent = Duration::ZERO;
            let mut done = 0;
            while done < iterations {
                let burst = 1000.min(iterations - done);
                let t0 = Instant::now();
                for _ in 0..burst {
                    while c
                        .try_publish(t.clone(), QoS::AtMostOnce, false, b.clone())
                        .is_err()
                    {
                        std::thread::yield_now();
                    }
                }
                spent += t0.elapsed();
                done += burst;
                std::thread::sleep(Duration::from_millis(1));
            }
            spent
        })
        .await
        .unwrap();
        result = spent.as_nanos() as f64 / iterations as f64;
    }
    format!(
        "{{\"impl\":\"rumqttc\",\"case\":\"call\",\"size\":{size},\"iterations\":{iterations},\"try_publish_qos0_ns\":{result:.1}}}"
    )
}

fn parse(case: &str) -> (String, Spec) {
    let mut parts = case.split(':');
    let name = parts.next().unwrap_or_default().to_string();
    let spec = parts
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    (name, spec)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: rumqttc-bench HOST PORT CASE...   (CASE: publish:qos=1:size=100:mode=async:count=N:window=W:warmup=1:runs=5 | e2e:... | latency:qos=0:rate=2000:count=N | idle:clients=N)");
        std::process::exit(2);
    }
    let ctx = Ctx {
        host: args[1].clone(),
        port: args[2].parse().expect("port"),
        base: Instant::now(),
    };
    for case in &args[3..] {
        let (name, spec) = parse(case);
        let line = match name.as_str() {
            "publish" => publish_case(&ctx, &spec).await,
            "e2e" => e2e_case(&ctx, &spec).await,
            "latency" => latency_case(&ctx, &spec).await,
            "idle" => idle_case(&ctx, &spec).await,
            "call" => call_case(&ctx, &spec).await,
            other => panic!("unknown case {other}"),
        };
        println!("{line}");
    }
    std::process::exit(0);
}
