//! The Rust engine of `ballerina/mqtt`: an MQTT 5 client and listener on
//! tokio, rumqttc's MQTT 5 codec and rustls.
//!
//! # Layout
//!
//! * `config`     — connection options, URI parsing (C1), defaults (C2), topic checks (P3).
//! * `error`      — the one error type and the reason codes of E2.
//! * `message`    — messages, properties, subscriptions, delivery tokens.
//! * `codec`      — our types to and from rumqttc's packets; framing.
//! * `state`      — the session state machine, no I/O: packet ids, tokens,
//!   re-sends with DUP, ack order (P1, P2, C5, L3).
//! * `connection` — the event loop task of one connection: socket,
//!   keep-alive, back-pressure, reconnect with backoff and failover (C3–C7).
//! * `backoff`    — reconnect delays with jitter.
//! * `transport`  — TCP, TLS, WebSocket streams.
//! * `tls`        — rustls configuration from PEM files.
//! * `client`     — the client handle and its message stream (§2.1, R1, R2).
//! * `listener`   — the listener, received messages and their caller (§2.2, L1–L6).
//! * `runtime`    — the one shared tokio runtime.
//! * `wire`       — the byte format to and from the Java bridge (fuzzed).
//! * `bridge`     — handles, the event queue and credit-based forwarding
//!   that the JNI exports use; no JNI types.
//! * `jni`        — the `Native` class's exports; the only user of the `jni` crate.
//!
//! Design notes on why the event loop is ours and not rumqttc's are in
//! `docs/design.md`.

pub mod backoff;
pub mod bridge;
pub mod client;
pub mod config;
pub mod connection;
pub mod error;
pub mod jni;
pub mod listener;
pub mod message;
pub mod protocol;
pub mod runtime;
pub mod tls;
pub mod transport;
pub mod wire;

pub use client::{Client, MessageStream};
pub use config::{ConnectOptions, TlsOptions, Will};
pub use error::{ErrorKind, MqttError, Result};
pub use listener::{Listener, Received};
pub use message::{DeliveryToken, Message, MessageProperties, QoS, RetainHandling, Subscription};
pub use protocol::ConnectionEvent;
