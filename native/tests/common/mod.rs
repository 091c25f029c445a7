//! Shared helpers of the engine's integration tests: options for a
//! fixture broker, and waiting for messages with a deadline.

#![allow(dead_code)] // each test binary uses a different part

use std::time::Duration;

use mqtt_engine::{Client, ConnectOptions, Message, MessageStream, QoS, Subscription};

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
        .expect("stream open")
        .unwrap_or_else(|| panic!("client closed while waiting for {what}"))
}

/// Asserts that nothing arrives within `quiet` (only used after a positive
/// wait has proved the path works, so the silence means something).
pub async fn assert_silent(stream: &mut MessageStream, quiet: Duration, what: &str) {
    if let Ok(Ok(Some(m))) = tokio::time::timeout(quiet, stream.next()).await {
        panic!("{what}: unexpected message {m:?}");
    }
}

/// Disconnects and closes, ignoring a client that is already gone.
pub async fn finish(client: Client) {
    let _ = client.disconnect().await;
    client.close().await.expect("close after disconnect");
}
