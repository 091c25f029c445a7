//! Shared helpers of the engine's integration tests: options for a
//! fixture broker, and waiting for messages with a deadline.

#![allow(dead_code)] // each test binary uses a different part

use std::time::Duration;

use mqtt_engine::protocol::Delivery;
use mqtt_engine::{
    Client, ConnectOptions, ConnectionEvent, Listener, Message, MessageStream, QoS, Subscription,
};

/// Generous deadline for anything that should happen "soon" on loopback.
pub const SOON: Duration = Duration::from_secs(10);

pub fn unique_id(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn options(url: &str, prefix: &str) -> ConnectOptions {
    ConnectOptions::new(url, unique_id(prefix))
}

pub async fn client(url: &str) -> Client {
    Client::connect(options(url, "client"))
        .await
        .expect("connect to the fixture broker")
}

pub async fn subscriber(url: &str, filter: &str, qos: QoS) -> (Client, MessageStream) {
    let c = client(url).await;
    c.subscribe(vec![Subscription::new(filter, qos)])
        .await
        .expect("subscribe");
    let stream = c.receive();
    (c, stream)
}

/// The next message within `SOON`, or a panic naming what was awaited.
pub async fn next(stream: &mut MessageStream, what: &str) -> Message {
    tokio::time::timeout(SOON, stream.next())
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
        .unwrap_or_else(|| panic!("client closed while waiting for {what}"))
}

/// Asserts that nothing arrives within `quiet` (only used after a positive
/// wait has proved the path works, so the silence means something).
pub async fn assert_silent(stream: &mut MessageStream, quiet: Duration, what: &str) {
    if let Ok(Some(m)) = tokio::time::timeout(quiet, stream.next()).await {
        panic!("{what}: unexpected message {m:?}");
    }
}

/// The next message a listener hands out, within `SOON`.
pub async fn next_delivery(l: &Listener, what: &str) -> Delivery {
    tokio::time::timeout(SOON, l.next())
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
        .unwrap_or_else(|| panic!("listener stopped while waiting for {what}"))
}

/// Acks a delivery (a no-op for QoS 0, which has nothing to ack).
pub fn ack(l: &Listener, delivery: &Delivery) {
    if let Some(id) = delivery.ack {
        l.ack(id);
    }
}

/// What the Java dispatcher does in automatic-ack mode, for tests that need
/// a running service: `service` gets every message in order and each is
/// acked when it returns; ends when the listener stops.
pub async fn dispatch(l: &Listener, mut service: impl FnMut(&Message)) {
    while let Some(delivery) = l.next().await {
        service(&delivery.message);
        ack(l, &delivery);
    }
}

/// Disconnects and closes, ignoring a client that is already gone.
pub async fn finish(client: Client) {
    let _ = client.disconnect().await;
    client.close().await.expect("close after disconnect");
}

// ---- Added for the reconnect, interop, security and WebSocket tests.

/// Options that reconnect automatically with a short backoff cap (C4).
pub fn reconnecting_options(url: &str, prefix: &str, max_delay: Duration) -> ConnectOptions {
    let mut o = options(url, prefix);
    o.automatic_reconnect = true;
    o.max_reconnect_delay = max_delay;
    o
}

/// Waits (at most `deadline`) for the first connection event that `wanted`
/// accepts, skipping others; panics naming `what` on timeout.
pub async fn event_within(
    client: &Client,
    deadline: Duration,
    what: &str,
    wanted: impl Fn(&ConnectionEvent) -> bool,
) -> ConnectionEvent {
    let wait = async {
        loop {
            match client.next_event().await {
                Some(e) if wanted(&e) => return e,
                Some(_) => continue,
                None => panic!("client closed while waiting for {what}"),
            }
        }
    };
    tokio::time::timeout(deadline, wait)
        .await
        .unwrap_or_else(|_| panic!("timed out after {deadline:?} waiting for {what}"))
}

pub fn is_lost(e: &ConnectionEvent) -> bool {
    matches!(e, ConnectionEvent::ConnectionLost(_))
}

pub fn is_reconnected(e: &ConnectionEvent) -> bool {
    matches!(e, ConnectionEvent::Reconnected { .. })
}

/// Publishes `message` to `topic` every 100 ms until `stream` yields a
/// message (for subscriptions whose SUBSCRIBE the test cannot observe, e.g.
/// restored by the engine or made by a CLI peer); returns that message.
pub async fn publish_until_received(
    publisher: &Client,
    topic: &str,
    message: &Message,
    stream: &mut MessageStream,
    deadline: Duration,
) -> Message {
    let wait = async {
        loop {
            publisher.publish(topic, message).await.expect("publish");
            if let Ok(Some(m)) =
                tokio::time::timeout(Duration::from_millis(100), stream.next()).await
            {
                return m;
            }
        }
    };
    tokio::time::timeout(deadline, wait)
        .await
        .unwrap_or_else(|_| panic!("nothing arrived on {topic} within {deadline:?}"))
}

/// `mqtt_fixture::wait_until` for async tests: polls `cond` every 10 ms
/// without blocking the runtime (tasks of the test keep running).
pub async fn eventually(deadline: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = tokio::time::Instant::now() + deadline;
    loop {
        if cond() {
            return true;
        }
        if tokio::time::Instant::now() >= end {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
