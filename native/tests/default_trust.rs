//! Contract T6 for the Rust API: `ssl://` with no trust configured (no
//! `tls` at all, or `TlsOptions` with a client key but no `ca_file` /
//! `trust_store`) trusts the operating system's roots, and host names are
//! still verified (T4).
//!
//! The operating system's store does not hold the fixture's test CA, so a
//! connect to the fixture broker must be refused with a certificate error.
//! The accepting case runs in a child process of this test binary with
//! `SSL_CERT_FILE` naming the test CA: rustls-native-certs reads the store
//! named there instead of the system's, as OpenSSL does, and the engine
//! loads the roots once per process.

mod common;

use common::*;
use mqtt_engine::TlsOptions;
use mqtt_engine::{Client, ConnectOptions, ErrorKind, Message, MqttError, QoS, Subscription};
use mqtt_fixture::{Broker, BrokerConfig, Certs};

/// Set in the child process: the URL of the broker to accept, and the
/// client certificate and key to present (mTLS case).
const CHILD_URL: &str = "MQTT_DEFAULT_TRUST_CHILD_URL";
const CHILD_CERT: &str = "MQTT_DEFAULT_TRUST_CHILD_CERT";
const CHILD_KEY: &str = "MQTT_DEFAULT_TRUST_CHILD_KEY";

async fn connect_err(o: ConnectOptions) -> MqttError {
    match tokio::time::timeout(SOON, Client::connect(o)).await {
        Ok(Ok(_)) => panic!("connect succeeded but the test CA is not an OS root"),
        Ok(Err(e)) => e,
        Err(_) => panic!("C6: connect neither succeeded nor failed in time"),
    }
}

fn assert_untrusted(e: &MqttError, url: &str) {
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    assert!(
        e.message().contains("certificate verification failed"),
        "names certificate verification: {e}"
    );
    assert!(
        e.message().contains("operating system's trust store"),
        "names what was trusted: {e}"
    );
    assert!(e.message().contains(url), "names the URI: {e}");
}

/// T6: no `tls` at all builds a configuration (no "needs secureSocket"
/// error) and refuses a broker whose CA the operating system does not trust.
#[tokio::test]
async fn t6_no_tls_options_use_the_os_roots_and_refuse_an_unknown_ca() {
    let certs = Certs::generate();
    let broker = Broker::start(BrokerConfig::plain().with_tls(&certs));
    let url = broker.tls_url();
    assert_untrusted(&connect_err(options(&url, "os-roots")).await, &url);
}

/// T6: a client key without a CA uses the operating system's roots as well.
#[tokio::test]
async fn t6_a_key_without_a_ca_uses_the_os_roots() {
    let certs = Certs::generate();
    let broker = Broker::start(BrokerConfig::plain().with_mtls(&certs));
    let url = broker.tls_url();
    let mut o = options(&url, "os-roots-key");
    o.tls = Some(TlsOptions {
        cert_key: Some((certs.client_cert.clone(), certs.client_key.clone(), None)),
        ..TlsOptions::default()
    });
    assert_untrusted(&connect_err(o).await, &url);
}

/// Runs the child test with `SSL_CERT_FILE` = the test CA.
fn run_child(
    url: &str,
    identity: Option<(&std::path::Path, &std::path::Path)>,
    ca: &std::path::Path,
) {
    let exe = std::env::current_exe().unwrap();
    let mut command = std::process::Command::new(exe);
    command
        .args(["--exact", "child_connects_with_os_roots", "--nocapture"])
        .env(CHILD_URL, url)
        .env("SSL_CERT_FILE", ca)
        .env_remove("SSL_CERT_DIR");
    if let Some((cert, key)) = identity {
        command.env(CHILD_CERT, cert).env(CHILD_KEY, key);
    }
    let out = command.output().expect("run the child test process");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "child failed: {text}");
    assert!(text.contains("1 passed"), "the child test ran: {text}");
}

/// T6: with the test CA in the operating system's store (SSL_CERT_FILE),
/// the same connects succeed, with and without a client key.
#[test]
fn t6_the_os_roots_accept_a_broker_whose_ca_they_hold() {
    if std::env::var_os(CHILD_URL).is_some() {
        return;
    }
    let certs = Certs::generate();
    let broker = Broker::start(BrokerConfig::plain().with_tls(&certs));
    run_child(&broker.tls_url(), None, &certs.ca);
    let mtls = Broker::start(BrokerConfig::plain().with_mtls(&certs));
    run_child(
        &mtls.tls_url(),
        Some((&certs.client_cert, &certs.client_key)),
        &certs.ca,
    );
}

/// The child's half of the test above; does nothing in a normal run.
#[tokio::test]
async fn child_connects_with_os_roots() {
    let Some(url) = std::env::var_os(CHILD_URL) else {
        return;
    };
    let url = url.to_string_lossy().into_owned();
    let mut o = options(&url, "os-roots-child");
    if let (Some(cert), Some(key)) = (std::env::var_os(CHILD_CERT), std::env::var_os(CHILD_KEY)) {
        o.tls = Some(TlsOptions {
            cert_key: Some((cert.into(), key.into(), None)),
            ..TlsOptions::default()
        });
    }
    let c = Client::connect(o).await.expect("connect with the OS roots");
    c.subscribe(vec![Subscription::new("t6/os", QoS::AtLeastOnce)])
        .await
        .unwrap();
    let mut stream = c.receive();
    c.publish("t6/os", &Message::new(&b"os-roots"[..]))
        .await
        .unwrap();
    assert_eq!(
        &next(&mut stream, "own message").await.payload[..],
        b"os-roots"
    );
    finish(c).await;
}
