//! MQTT over WebSocket (C1: `ws://` and `wss://`, default path `/mqtt`).
//!
//! Debian's mosquitto has no WebSocket listener, so `websockify` (PyPI)
//! bridges WebSocket to the fixture broker's TCP port. Stock websockify
//! refuses a client that offers only the `mqtt` subprotocol (its
//! `select_subprotocol` knows `binary` only and then rejects the upgrade:
//! "Invalid protocol selected"), while MQTT over WebSocket requires the
//! client to offer `mqtt` and the server to echo it (MQTT 5 §6). So the
//! bridge runs websockify's own entry point with `mqtt` accepted — the
//! behaviour of every MQTT WebSocket server. Skipped, with a printed reason,
//! only when the websockify package is not installed.

mod common;

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use common::*;
use mqtt_engine::{Client, Message, QoS, Subscription, TlsOptions};
use mqtt_fixture::{free_port, wait_until, Broker, BrokerConfig, Certs};

/// websockify's CLI with the `mqtt` subprotocol accepted.
const BRIDGE: &str = r#"
import sys
import websockify.websockifyserver as server
def select_subprotocol(self, protocols):
    protocols = [p.strip() for p in protocols]
    for wanted in ('mqtt', 'binary'):
        if wanted in protocols:
            return wanted
    return ''
server.CompatibleWebSocket.select_subprotocol = select_subprotocol
from websockify.websocketproxy import websockify_init
sys.argv = ['websockify'] + sys.argv[1:]
websockify_init()
"#;

fn python() -> &'static str {
    "python3"
}

fn websockify_installed() -> bool {
    Command::new(python())
        .args(["-c", "import websockify.websocketproxy"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// A running websockify; killed on drop.
struct Bridge {
    child: Child,
    port: u16,
}

impl Bridge {
    fn start(target_port: u16) -> Bridge {
        Bridge::spawn(target_port, &[])
    }

    /// TLS-only bridge presenting the fixture's server certificate (wss://).
    fn start_tls(target_port: u16, certs: &Certs) -> Bridge {
        let cert = certs.server_cert.display().to_string();
        let key = certs.server_key.display().to_string();
        Bridge::spawn(target_port, &["--ssl-only", "--cert", &cert, "--key", &key])
    }

    fn spawn(target_port: u16, extra: &[&str]) -> Bridge {
        let port = free_port();
        let child = Command::new(python())
            .args(["-c", BRIDGE])
            .args(extra)
            .arg(format!("127.0.0.1:{port}"))
            .arg(format!("127.0.0.1:{target_port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn websockify");
        let mut bridge = Bridge { child, port };
        assert!(
            wait_until(SOON, || {
                assert!(
                    matches!(bridge.child.try_wait(), Ok(None)),
                    "websockify exited on start"
                );
                TcpStream::connect(("127.0.0.1", port)).is_ok()
            }),
            "websockify does not accept on {port}"
        );
        bridge
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// C1: `ws://host:port/mqtt` and the bare `ws://host:port` (default path
/// `/mqtt`) both carry QoS 1 messages both ways, small and large (a packet
/// larger than one WebSocket frame read).
#[tokio::test]
async fn c1_ws_round_trips_qos1_messages_through_a_websocket_bridge() {
    if !websockify_installed() {
        eprintln!(
            "SKIPPED: the websockify Python package is not installed (pip install websockify)"
        );
        return;
    }
    let broker = Broker::start(BrokerConfig::plain());
    let bridge = Bridge::start(broker.port());

    let sub = Client::connect(options(
        &format!("ws://127.0.0.1:{}", bridge.port),
        "ws-sub",
    ))
    .await
    .expect("connect with ws:// and the default path");
    sub.subscribe(vec![Subscription::new("ws/#", QoS::AtLeastOnce)])
        .await
        .unwrap();
    let mut stream = sub.receive();
    let publisher = Client::connect(options(
        &format!("ws://127.0.0.1:{}/mqtt", bridge.port),
        "ws-pub",
    ))
    .await
    .expect("connect with ws://…/mqtt");

    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let mut sent = Vec::new();
    for i in 0..20u32 {
        let payload = if i == 10 {
            big.clone()
        } else {
            format!("ws-{i}").into_bytes()
        };
        let token = publisher
            .publish(&format!("ws/{i}"), &Message::new(payload.clone()))
            .await
            .expect("publish over WebSocket");
        assert_ne!(token.message_id, 0, "QoS 1 token carries the packet id");
        sent.push(payload);
    }
    for (i, payload) in sent.iter().enumerate() {
        let m = next(&mut stream, "a message over WebSocket").await;
        assert_eq!(m.topic.as_deref(), Some(format!("ws/{i}").as_str()));
        assert_eq!(&m.payload[..], &payload[..], "message {i}");
        assert_eq!(m.qos, QoS::AtLeastOnce);
    }
    finish(publisher).await;
    finish(sub).await;
    drop(bridge);
}

/// C1, T4: `wss://` — TLS (server certificate and host name verified) under
/// the WebSocket, default path `/mqtt`.
#[tokio::test]
async fn c1_wss_round_trips_over_tls() {
    if !websockify_installed() {
        eprintln!(
            "SKIPPED: the websockify Python package is not installed (pip install websockify)"
        );
        return;
    }
    let certs = Certs::generate();
    let broker = Broker::start(BrokerConfig::plain());
    let bridge = Bridge::start_tls(broker.port(), &certs);
    let mut o = options(&format!("wss://localhost:{}", bridge.port), "wss");
    o.tls = Some(TlsOptions {
        ca_file: Some(certs.ca.clone()),
        ..TlsOptions::default()
    });
    let c = Client::connect(o).await.expect("connect with wss://");
    c.subscribe(vec![Subscription::new("wss", QoS::AtLeastOnce)])
        .await
        .unwrap();
    let mut stream = c.receive();
    c.publish("wss", &Message::new(&b"secure"[..]))
        .await
        .unwrap();
    assert_eq!(
        &next(&mut stream, "the message over wss").await.payload[..],
        b"secure"
    );
    finish(c).await;

    // T6: without a CA the operating system's roots are trusted, and they do
    // not hold the test CA: the handshake fails certificate verification.
    let e = Client::connect(options(
        &format!("wss://localhost:{}", bridge.port),
        "wss-untrusted",
    ))
    .await
    .err()
    .expect("refused");
    assert!(e.message().contains("TLS handshake"), "{e}");
    assert!(
        e.message().contains("certificate verification failed")
            && e.message().contains("operating system's trust store"),
        "{e}"
    );
    drop(bridge);
}
