//! Reliability scenarios (contract C4, C5, L3; issue "no message lost"):
//! QoS 1 and QoS 2 streams between persistent sessions while the broker
//! restarts and the network is cut, and manual acks across a cut.
//!
//! The default run is short (CI); `MQTT_RELIABILITY_FULL=1` runs the full
//! numbers recorded in docs/reliability.md:
//! `MQTT_RELIABILITY_FULL=1 cargo test --release -p mqtt-engine --test reliability -- --nocapture`

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use futures_util::stream::{FuturesUnordered, StreamExt};
use mqtt_engine::{Client, ConnectOptions, Listener, Message, QoS, Subscription};
use mqtt_fixture::{Broker, BrokerConfig, Proxy};

struct Scale {
    messages_per_qos: u32,
    restarts: u32,
    cuts: u32,
}

fn scale() -> Scale {
    let full = std::env::var("MQTT_RELIABILITY_FULL").is_ok_and(|v| v == "1");
    let number = |name: &str, default: u32| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    Scale {
        messages_per_qos: number(
            "MQTT_RELIABILITY_MESSAGES",
            if full { 20_000 } else { 1_000 },
        ),
        restarts: number("MQTT_RELIABILITY_RESTARTS", if full { 10 } else { 2 }),
        cuts: number("MQTT_RELIABILITY_CUTS", if full { 20 } else { 4 }),
    }
}

/// A persistent session that reconnects quickly (C4).
fn persistent(url: &str, id: &str) -> ConnectOptions {
    let mut o = ConnectOptions::new(url, id);
    o.clean_start = false;
    o.session_expiry_interval = 3600;
    o.automatic_reconnect = true;
    o.max_reconnect_delay = Duration::from_millis(500);
    o.keep_alive = Duration::from_secs(5);
    o
}

/// What the subscriber saw: (qos, sequence number) -> copies, and how many
/// of the copies carried the duplicate flag.
#[derive(Default)]
struct Seen {
    copies: HashMap<(u8, u32), u32>,
    flagged_duplicates: u32,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qos1_and_qos2_streams_survive_broker_restarts_and_network_cuts() {
    let scale = scale();
    let started = Instant::now();
    let mut broker = Broker::start(BrokerConfig::plain().with_persistence());
    let proxy = Proxy::start(broker.addr());

    let listener = Arc::new(
        Listener::connect(
            persistent(&proxy.url(), &unique_id("rel-sub")),
            vec![Subscription::new("rel/#", QoS::ExactlyOnce)],
        )
        .await
        .expect("subscriber connects"),
    );
    listener.start().await.expect("subscribed");
    let seen = Arc::new(Mutex::new(Seen::default()));
    let dispatcher = {
        let (listener, seen) = (listener.clone(), seen.clone());
        tokio::spawn(async move {
            dispatch(&listener, |m| {
                let qos = m.qos.as_u8();
                let seq = u32::from_be_bytes(m.payload[..4].try_into().unwrap());
                let mut seen = seen.lock().unwrap();
                *seen.copies.entry((qos, seq)).or_default() += 1;
                seen.flagged_duplicates += u32::from(m.duplicate);
            })
            .await
        })
    };

    let publisher = Client::connect(persistent(&proxy.url(), &unique_id("rel-pub")))
        .await
        .expect("publisher connects");
    let total = scale.messages_per_qos * 2;
    let faults = scale.restarts + scale.cuts;
    let fault_every = total / (faults + 1);
    let schedule = interleave(scale.restarts, scale.cuts);
    let (mut delivered, mut failed, mut injected) = (Vec::new(), 0u32, 0u32);
    let mut in_flight = FuturesUnordered::new();
    for n in 0..total {
        let (qos, seq) = if n % 2 == 0 {
            (QoS::AtLeastOnce, n / 2)
        } else {
            (QoS::ExactlyOnce, n / 2)
        };
        let topic = format!("rel/q{}", qos.as_u8());
        let publish = publisher.publish(
            &topic,
            &Message::new(seq.to_be_bytes().to_vec()).with_qos(qos),
        );
        in_flight.push(async move {
            // Every publish returns a token or an error; none may hang (C5).
            let outcome = tokio::time::timeout(Duration::from_secs(120), publish).await;
            (qos.as_u8(), seq, outcome)
        });
        if in_flight.len() >= 200 {
            collect_one(&mut in_flight, &mut delivered, &mut failed).await;
        }
        if n > 0 && n % fault_every == 0 && injected < faults {
            injected += 1;
            if schedule[injected as usize - 1] == Fault::Restart {
                tokio::task::block_in_place(|| {
                    // SIGTERM: mosquitto saves its database on the way out.
                    // (A kill -9 may lose messages mosquitto had already
                    // acked: it persists after sending PUBACK.)
                    broker.stop();
                    broker.restart();
                });
            } else {
                proxy.cut_all();
            }
        }
    }
    while !in_flight.is_empty() {
        collect_one(&mut in_flight, &mut delivered, &mut failed).await;
    }
    assert_eq!(failed, 0, "with automatic reconnect no publish fails");

    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let missing = {
            let seen = seen.lock().unwrap();
            delivered
                .iter()
                .filter(|key| !seen.copies.contains_key(key))
                .count()
        };
        if missing == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{missing} acknowledged messages never arrived"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (distinct, flagged, qos1_duplicates, qos2_duplicates) = {
        let seen = seen.lock().unwrap();
        let copies_beyond_first = |qos: u8| -> u32 {
            seen.copies
                .iter()
                .filter(|((q, _), _)| *q == qos)
                .map(|(_, n)| n - 1)
                .sum()
        };
        (
            seen.copies.len(),
            seen.flagged_duplicates,
            copies_beyond_first(1),
            copies_beyond_first(2),
        )
    };
    println!(
        "reliability: sent {total}, acknowledged {}, received {distinct} distinct, QoS 1 duplicates \
         {qos1_duplicates} (copies flagged DUP {flagged}), QoS 2 duplicates {qos2_duplicates}, faults \
         {injected} ({} restarts, {} cuts), {:.1} s",
        delivered.len(),
        scale.restarts,
        scale.cuts,
        started.elapsed().as_secs_f64()
    );
    assert_eq!(
        delivered.len() as u32,
        total,
        "every publish was acknowledged"
    );
    assert_eq!(qos2_duplicates, 0, "QoS 2 is exactly once across faults");
    listener.graceful_stop().await.unwrap();
    dispatcher.await.unwrap();
    finish(publisher).await;
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fault {
    Restart,
    Cut,
}

/// Spreads `restarts` among `cuts` evenly (like a line-drawing algorithm).
fn interleave(restarts: u32, cuts: u32) -> Vec<Fault> {
    let total = restarts + cuts;
    let mut placed = 0;
    (0..total)
        .map(|i| {
            if placed < restarts && (i + 1) * restarts >= (placed + 1) * total {
                placed += 1;
                Fault::Restart
            } else {
                Fault::Cut
            }
        })
        .collect()
}

type Outcome = (
    u8,
    u32,
    Result<mqtt_engine::Result<mqtt_engine::DeliveryToken>, tokio::time::error::Elapsed>,
);

async fn collect_one(
    in_flight: &mut FuturesUnordered<impl std::future::Future<Output = Outcome>>,
    delivered: &mut Vec<(u8, u32)>,
    failed: &mut u32,
) {
    match in_flight.next().await {
        Some((qos, seq, Ok(Ok(_token)))) => delivered.push((qos, seq)),
        Some((qos, seq, Ok(Err(e)))) => {
            eprintln!("publish q{qos} #{seq} failed: {e}");
            *failed += 1;
        }
        Some((qos, seq, Err(_))) => panic!("publish q{qos} #{seq} hung past its timeout"),
        None => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_acks_not_completed_before_a_cut_are_completed_once_after_it() {
    let broker = Broker::start(BrokerConfig::plain());
    let proxy = Proxy::start(broker.addr());
    let id = unique_id("rel-manual");
    let mut options = persistent(&proxy.url(), &id);
    options.max_reconnect_delay = Duration::from_millis(300);
    let subscription = vec![Subscription::new("jobs", QoS::AtLeastOnce)];
    let listener = Listener::connect(options.clone(), subscription.clone())
        .await
        .unwrap();
    listener.start().await.unwrap();
    let publisher = client(&broker.url()).await;
    let count = 20u8;
    for i in 0..count {
        publisher
            .publish("jobs", &Message::new(vec![i]))
            .await
            .unwrap();
    }
    let mut held = Vec::new();
    for _ in 0..count {
        held.push(
            tokio::time::timeout(SOON, listener.next())
                .await
                .unwrap()
                .unwrap(),
        );
    }
    let half = usize::from(count / 2);
    // Complete the first half. A SUBSCRIBE round trip after the acks proves
    // the broker processed them (it handles one connection's packets in
    // order), so the cut below leaves exactly the second half unacked.
    for r in &held[..half] {
        ack(&listener, r);
    }
    listener.start().await.expect("subscribe round trip");
    proxy.cut_all();
    let reconnected = async {
        while !listener.is_connected() || proxy.cuts() == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(SOON, reconnected)
        .await
        .expect("reconnected");
    // The broker re-sends the unacked half (DUP). The application still
    // holds those messages, so they are not handed out again (L3); their
    // acks below answer the copies.
    let copy = tokio::time::timeout(Duration::from_secs(1), listener.next()).await;
    assert!(
        copy.is_err(),
        "a held message was delivered twice: {:?}",
        copy.ok().flatten().map(|r| r.message)
    );
    for r in &held[half..] {
        ack(&listener, r);
    }
    listener.graceful_stop().await.unwrap();

    assert_nothing_left_unacked(&broker, &publisher, options, subscription, "jobs").await;
    finish(publisher).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_waiting_for_buffer_room_survives_a_cut() {
    // R1 back-pressure plus a cut: the message the engine holds while the
    // receive buffer is full must still reach the application once.
    let broker = Broker::start(BrokerConfig::plain());
    let proxy = Proxy::start(broker.addr());
    let mut options = persistent(&proxy.url(), &unique_id("rel-full"));
    options.receive_buffer = 2;
    options.max_reconnect_delay = Duration::from_millis(300);
    let subscription = vec![Subscription::new("full", QoS::AtLeastOnce)];
    let listener = Listener::connect(options.clone(), subscription.clone())
        .await
        .unwrap();
    listener.start().await.unwrap();
    let publisher = client(&broker.url()).await;
    let count = 10u8;
    for i in 0..count {
        publisher
            .publish("full", &Message::new(vec![i]))
            .await
            .unwrap();
    }
    // Nobody consumes: the buffer fills and one message waits for room.
    let mut events = 0;
    proxy.cut_all();
    while events < 2 {
        let event = tokio::time::timeout(SOON, listener.next_event())
            .await
            .expect("event");
        events += usize::from(event.is_some());
    }
    let mut got = Vec::new();
    while got.len() < usize::from(count) {
        let r = tokio::time::timeout(SOON, listener.next())
            .await
            .unwrap_or_else(|_| panic!("only {got:?} arrived"))
            .unwrap();
        got.push(r.message.payload[0]);
        ack(&listener, &r);
    }
    assert_eq!(
        got,
        (0..count).collect::<Vec<_>>(),
        "each message once, in order"
    );
    listener.graceful_stop().await.unwrap();

    assert_nothing_left_unacked(&broker, &publisher, options, subscription, "full").await;
    finish(publisher).await;
}

/// Connects the same session again, directly to the broker, and checks that
/// the first message it gets is a fresh one: nothing was left unacknowledged.
async fn assert_nothing_left_unacked(
    broker: &Broker,
    publisher: &Client,
    mut options: ConnectOptions,
    subscription: Vec<Subscription>,
    topic: &str,
) {
    // Reconnecting before mosquitto has read the old socket's last acks and
    // DISCONNECT would take the session over without them.
    let gone = format!("Client {} disconnected", options.client_id);
    assert!(
        mqtt_fixture::wait_until(SOON, || broker.log_count(&gone) > 0),
        "the broker saw the DISCONNECT"
    );
    options.server_uris = vec![broker.url()];
    let again = Listener::connect(options, subscription).await.unwrap();
    again.start().await.unwrap();
    publisher
        .publish(topic, &Message::new(&b"fresh"[..]))
        .await
        .unwrap();
    let next = tokio::time::timeout(SOON, again.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        &next.message.payload[..],
        b"fresh",
        "every message was acked once"
    );
    ack(&again, &next);
    again.graceful_stop().await.unwrap();
}
