//! TLS and credentials against a real mosquitto: trust (T1, T4), client
//! certificates (T2), version pinning (T3), file errors (T5), and
//! username/password (E2). Failures surface at connect (C6) with a message
//! that names the cause (E1) and never a secret (E3).

mod common;

use std::path::PathBuf;

use common::*;
use mqtt_engine::{
    Client, ConnectOptions, ErrorKind, Message, MqttError, QoS, Subscription, TlsOptions,
};
use mqtt_fixture::{Broker, BrokerConfig, Certs};

fn tls_options(url: &str, ca: &std::path::Path) -> ConnectOptions {
    let mut o = options(url, "tls");
    o.tls = Some(TlsOptions {
        ca_file: Some(ca.to_path_buf()),
        ..TlsOptions::default()
    });
    o
}

/// Connects, subscribes to and publishes one QoS 1 message to itself.
async fn round_trip(o: ConnectOptions) {
    let c = Client::connect(o).await.expect("connect");
    c.subscribe(vec![Subscription::new("sec/t", QoS::AtLeastOnce)])
        .await
        .unwrap();
    let mut stream = c.receive();
    c.publish("sec/t", &Message::new(&b"secret-free"[..]))
        .await
        .unwrap();
    assert_eq!(
        &next(&mut stream, "own message").await.payload[..],
        b"secret-free"
    );
    finish(c).await;
}

async fn connect_err(o: ConnectOptions) -> MqttError {
    match tokio::time::timeout(SOON, Client::connect(o)).await {
        Ok(Ok(_)) => panic!("connect succeeded but must fail"),
        Ok(Err(e)) => e,
        Err(_) => panic!("C6: connect neither succeeded nor failed in time"),
    }
}

/// T1, T4: ssl:// with the test CA as `cert` works.
#[tokio::test]
async fn t1_tls_with_the_ca_file_works() {
    let certs = Certs::generate();
    let broker = Broker::start(BrokerConfig::plain().with_tls(&certs));
    round_trip(tls_options(&broker.tls_url(), &certs.ca)).await;
}

/// T2: mTLS with a PEM client certificate and key works.
#[tokio::test]
async fn t2_mutual_tls_with_client_certificate_works() {
    let certs = Certs::generate();
    let broker = Broker::start(BrokerConfig::plain().with_mtls(&certs));
    let mut o = tls_options(&broker.tls_url(), &certs.ca);
    o.tls.as_mut().unwrap().cert_key =
        Some((certs.client_cert.clone(), certs.client_key.clone(), None));
    round_trip(o).await;
}

/// T2, C6, E1: an mTLS broker refuses a client without a certificate; the
/// connect fails with an error that says so.
#[tokio::test]
async fn t2_mutual_tls_without_client_certificate_fails_clearly() {
    let certs = Certs::generate();
    let broker = Broker::start(BrokerConfig::plain().with_mtls(&certs));
    let e = connect_err(tls_options(&broker.tls_url(), &certs.ca)).await;
    let text = e.message().to_lowercase();
    assert!(
        text.contains("certificate") || text.contains("tls") || text.contains("alert"),
        "the error does not point at TLS/the certificate: {e}"
    );
    assert!(
        e.message().contains(&broker.tls_url()),
        "names the URI: {e}"
    );
}

/// T4, E1: a server whose certificate the given CA does not sign is refused,
/// and the error names TLS.
#[tokio::test]
async fn t4_untrusted_server_certificate_fails_naming_tls() {
    let certs = Certs::generate();
    let broker = Broker::start(BrokerConfig::plain().with_tls(&certs));
    // selfsigned.pem is a valid PEM certificate, but not the server's issuer.
    let e = connect_err(tls_options(&broker.tls_url(), &certs.selfsigned_cert)).await;
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    assert!(e.message().contains("TLS"), "{e}");
    assert!(e.message().to_lowercase().contains("certificate"), "{e}");
}

/// T4: the host name is verified: a CA-signed certificate for another name
/// (wrong.example) is refused for localhost.
#[tokio::test]
async fn t4_certificate_for_another_host_fails() {
    let certs = Certs::generate();
    let broker = Broker::start(
        BrokerConfig::plain()
            .with_tls(&certs)
            .with_server_cert(&certs.wronghost_cert, &certs.wronghost_key),
    );
    let e = connect_err(tls_options(&broker.tls_url(), &certs.ca)).await;
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    assert!(
        e.message().contains("localhost") || e.message().to_lowercase().contains("name"),
        "the error names the host mismatch: {e}"
    );
}

/// E2, C6: right credentials work; wrong ones fail with MQTT 5 reason code
/// 134 (bad user name or password) or 135 (not authorized; mosquitto 2.0.11
/// sends this one), and the password is not in the message (E3).
#[tokio::test]
async fn e2_username_password_right_works_wrong_gives_134_or_135() {
    let broker = Broker::start(BrokerConfig::plain().with_auth("alice", "s3cret-pw"));
    let mut good = options(&broker.url(), "auth");
    good.username = Some("alice".into());
    good.password = Some("s3cret-pw".into());
    round_trip(good).await;

    let mut bad = options(&broker.url(), "auth");
    bad.username = Some("alice".into());
    bad.password = Some("wrong-pw-xyz".into());
    let e = connect_err(bad).await;
    assert_eq!(e.kind(), ErrorKind::Broker, "{e}");
    assert!(
        matches!(e.reason_code(), Some(134) | Some(135)),
        "reason code {:?}: {e}",
        e.reason_code()
    );
    assert!(!e.message().contains("wrong-pw-xyz"), "E3: password in {e}");

    let anonymous = options(&broker.url(), "auth");
    let e = connect_err(anonymous).await;
    assert!(
        matches!(e.reason_code(), Some(134) | Some(135)),
        "anonymous: {:?}: {e}",
        e.reason_code()
    );
}

/// T3: version pinning: "1.3" against a TLS 1.3-only broker works; "1.2"
/// against it fails; "1.1" and the name "SSL" give errors naming them.
#[tokio::test]
async fn t3_tls_version_pinning() {
    let certs = Certs::generate();
    let broker = Broker::start(
        BrokerConfig::plain()
            .with_tls(&certs)
            .with_tls_version("tlsv1.3"),
    );
    let pinned = |name: &str, version: &str| {
        let mut o = tls_options(&broker.tls_url(), &certs.ca);
        o.tls.as_mut().unwrap().protocol = Some((name.to_string(), version.to_string()));
        o
    };
    round_trip(pinned("TLS", "1.3")).await;

    let e = connect_err(pinned("TLS", "1.2")).await;
    assert_eq!(
        e.kind(),
        ErrorKind::Tls,
        "TLS 1.2 against a 1.3-only broker: {e}"
    );

    let e = connect_err(pinned("TLS", "1.1")).await;
    assert!(e.message().contains("1.1"), "{e}");
    let e = connect_err(pinned("SSL", "3.0")).await;
    assert!(e.message().contains("SSL"), "{e}");
}

/// T5: a missing CA file fails with an error naming the path.
#[tokio::test]
async fn t5_missing_ca_file_is_named() {
    let certs = Certs::generate();
    let broker = Broker::start(BrokerConfig::plain().with_tls(&certs));
    let missing = PathBuf::from("/nonexistent/mqtt-test/ca.pem");
    let e = connect_err(tls_options(&broker.tls_url(), &missing)).await;
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    assert!(e.message().contains("/nonexistent/mqtt-test/ca.pem"), "{e}");
}
