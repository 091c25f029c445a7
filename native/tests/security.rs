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

// ---------------------------------------------------------------------------
// The full matrix (T1-T5, E2, E3) with the material of tests/certs/gen-stores.sh.

/// Passwords of tests/certs/gen-stores.sh (test-only material).
const STORE_PASSWORD: &str = "Store-Pa55-7x";
const KEY_PASSWORD: &str = "Key-Pa55-9q";
/// Wrong passwords the error tests use; must never appear in output either.
const WRONG_PASSWORD: &str = "Wr0ng-Pa55-3z";
const AUTH_PASSWORD: &str = "Auth-Pa55-5k";
const WRONG_AUTH_PASSWORD: &str = "Bad-Auth-Pa55-1m";

/// The gen-certs.sh set plus gen-stores.sh's files, in one directory.
fn stores() -> (Certs, PathBuf) {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let certs = Certs::generate();
    let dir = DIR
        .get_or_init(|| {
            let script = mqtt_fixture::gen_certs_script().with_file_name("gen-stores.sh");
            let out = std::process::Command::new("sh")
                .arg(&script)
                .arg(&certs.dir)
                .output()
                .expect("run gen-stores.sh");
            assert!(
                out.status.success(),
                "gen-stores.sh failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            certs.dir.clone()
        })
        .clone();
    (certs, dir)
}

fn has_keytool(dir: &std::path::Path) -> bool {
    dir.join("trust-keytool.p12").exists()
}

fn with_tls(url: &str, tls: TlsOptions) -> ConnectOptions {
    let mut o = options(url, "tls");
    o.tls = Some(tls);
    o
}

fn ca(path: &std::path::Path) -> TlsOptions {
    TlsOptions {
        ca_file: Some(path.to_path_buf()),
        ..TlsOptions::default()
    }
}

fn trust_store(path: &std::path::Path, password: &str) -> TlsOptions {
    TlsOptions {
        trust_store: Some((path.to_path_buf(), password.to_string())),
        ..TlsOptions::default()
    }
}

fn pem_identity(
    mut tls: TlsOptions,
    cert: &std::path::Path,
    key: &std::path::Path,
    password: Option<&str>,
) -> TlsOptions {
    tls.cert_key = Some((
        cert.to_path_buf(),
        key.to_path_buf(),
        password.map(str::to_string),
    ));
    tls
}

fn store_identity(mut tls: TlsOptions, path: &std::path::Path, password: &str) -> TlsOptions {
    tls.key_store = Some((path.to_path_buf(), password.to_string()));
    tls
}

fn pinned(mut tls: TlsOptions, version: &str) -> TlsOptions {
    tls.protocol = Some(("TLS".into(), version.into()));
    tls
}

/// Every message of a failed connect is checked for secrets too (E3).
async fn tls_err(url: &str, tls: TlsOptions) -> MqttError {
    let e = connect_err(with_tls(url, tls)).await;
    assert_no_secret(&e.to_string());
    assert_no_secret(&format!("{e:?}"));
    e
}

fn assert_no_secret(text: &str) {
    for secret in [
        STORE_PASSWORD,
        KEY_PASSWORD,
        WRONG_PASSWORD,
        AUTH_PASSWORD,
        WRONG_AUTH_PASSWORD,
    ] {
        assert!(!text.contains(secret), "E3: a password is in: {text}");
    }
    for chunk in key_material() {
        assert!(
            !text.contains(chunk.as_str()),
            "E3: key material is in: {text}"
        );
    }
}

/// Base64 lines (and hex of the first bytes) of every key and store used.
fn key_material() -> &'static Vec<String> {
    static MATERIAL: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    MATERIAL.get_or_init(|| {
        let (_, dir) = stores();
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(&path).unwrap();
            if name.ends_with(".key") {
                for line in String::from_utf8_lossy(&bytes).lines() {
                    if line.len() >= 24 && !line.starts_with("-----") && !line.contains(':') {
                        out.push(line[..24].to_string());
                    }
                }
            } else if name.ends_with(".p12") && name != "corrupt.p12" {
                let hex: String = bytes[16..40].iter().map(|b| format!("{b:02x}")).collect();
                out.push(hex);
            }
        }
        out
    })
}

/// T1: one PEM file with several CAs (an unrelated EC CA first): the
/// broker's CA among them is found.
#[tokio::test]
async fn t1_pem_file_with_several_cas_works() {
    let (certs, dir) = stores();
    let broker = Broker::start(BrokerConfig::plain().with_tls(&certs));
    round_trip(with_tls(&broker.tls_url(), ca(&dir.join("cas.pem")))).await;
    // Only the unrelated CA: refused.
    let e = tls_err(&broker.tls_url(), ca(&dir.join("extra-ca.pem"))).await;
    assert!(e.message().contains("not trusted"), "{e}");
}

/// T1: PKCS#12 trust stores with a password, as keytool writes them and as
/// OpenSSL 3 writes them (modern and -legacy), certificate only.
#[tokio::test]
async fn t1_pkcs12_trust_stores_work() {
    let (certs, dir) = stores();
    let broker = Broker::start(BrokerConfig::plain().with_tls(&certs));
    let mut stores = vec!["trust-openssl.p12", "trust-legacy.p12"];
    if has_keytool(&dir) {
        stores.push("trust-keytool.p12");
    } else {
        eprintln!("keytool not found: trust-keytool.p12 not tested");
    }
    for store in stores {
        eprintln!("trust store {store}");
        round_trip(with_tls(
            &broker.tls_url(),
            trust_store(&dir.join(store), STORE_PASSWORD),
        ))
        .await;
    }
}

/// T4: a self-signed server certificate given as `cert` is pinned: accepted
/// when the server presents exactly it, both as a CA:FALSE leaf and as the
/// CA:TRUE leaf `openssl req -x509` makes (which webpki alone refuses).
#[tokio::test]
async fn t4_pinned_self_signed_server_certificates_work() {
    let (certs, dir) = stores();
    for (cert, key) in [
        (certs.selfsigned_cert.clone(), certs.selfsigned_key.clone()),
        (dir.join("selfsigned-ca.pem"), dir.join("selfsigned-ca.key")),
    ] {
        eprintln!("pinned {}", cert.display());
        let broker = Broker::start(
            BrokerConfig::plain()
                .with_tls(&certs)
                .with_server_cert(&cert, &key),
        );
        round_trip(with_tls(&broker.tls_url(), ca(&cert))).await;
        // By IP too: the certificate names 127.0.0.1.
        let by_ip = broker.tls_url().replace("localhost", "127.0.0.1");
        round_trip(with_tls(&by_ip, ca(&cert))).await;
        // The pin is that certificate only: the test CA does not vouch for it.
        let e = tls_err(&broker.tls_url(), ca(&certs.ca)).await;
        assert!(e.message().contains("not trusted"), "{e}");
    }
}

/// T4: a pinned certificate is still checked for host name and validity.
#[tokio::test]
async fn t4_pinned_certificate_still_checks_host_and_expiry() {
    let (certs, _) = stores();
    let broker = Broker::start(
        BrokerConfig::plain()
            .with_tls(&certs)
            .with_server_cert(&certs.wronghost_cert, &certs.wronghost_key),
    );
    let e = tls_err(&broker.tls_url(), ca(&certs.wronghost_cert)).await;
    assert!(
        e.message()
            .contains("not valid for the host name 'localhost'"),
        "{e}"
    );
    let broker = Broker::start(
        BrokerConfig::plain()
            .with_tls(&certs)
            .with_server_cert(&certs.expired_cert, &certs.expired_key),
    );
    let e = tls_err(&broker.tls_url(), ca(&certs.expired_cert)).await;
    assert!(e.message().contains("expired"), "{e}");
}

/// T4: ssl:// to an IP address works when the certificate names that IP;
/// an EC (P-256) server certificate works too.
#[tokio::test]
async fn t4_ip_address_and_ec_server_certificate() {
    let (certs, dir) = stores();
    let broker = Broker::start(BrokerConfig::plain().with_tls(&certs));
    let by_ip = format!("ssl://127.0.0.1:{}", broker.tls_port());
    round_trip(with_tls(&by_ip, ca(&certs.ca))).await;

    let ec = Broker::start(
        BrokerConfig::plain()
            .with_tls(&certs)
            .with_server_cert(&dir.join("server-ec.pem"), &dir.join("server-ec.key")),
    );
    round_trip(with_tls(&ec.tls_url(), ca(&certs.ca))).await;
}

/// T4, T5: an expired server certificate is refused with a sentence that says so.
#[tokio::test]
async fn t5_expired_server_certificate_is_named() {
    let (certs, _) = stores();
    let broker = Broker::start(
        BrokerConfig::plain()
            .with_tls(&certs)
            .with_server_cert(&certs.expired_cert, &certs.expired_key),
    );
    let e = tls_err(&broker.tls_url(), ca(&certs.ca)).await;
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    assert!(e.message().contains("certificate has expired"), "{e}");
}

/// T4, T5: untrusted and wrong-host certificates give plain sentences.
#[tokio::test]
async fn t5_untrusted_and_wrong_host_are_plain_sentences() {
    let (certs, _) = stores();
    let broker = Broker::start(BrokerConfig::plain().with_tls(&certs));
    let e = tls_err(&broker.tls_url(), ca(&certs.selfsigned_cert)).await;
    assert!(
        e.message()
            .contains("the broker's certificate is not trusted"),
        "{e}"
    );
    let wrong = Broker::start(
        BrokerConfig::plain()
            .with_tls(&certs)
            .with_server_cert(&certs.wronghost_cert, &certs.wronghost_key),
    );
    let e = tls_err(&wrong.tls_url(), ca(&certs.ca)).await;
    assert!(
        e.message()
            .contains("not valid for the host name 'localhost'"),
        "{e}"
    );
}

/// T2: PEM client certificate + key in PKCS#1, PKCS#8 and SEC1 (RSA and EC
/// P-256), plain and encrypted with keyPassword (PKCS#8 PBES2 and PBES1
/// 3DES; traditional OpenSSL AES-128/192/256-CBC and DES-EDE3-CBC); a
/// certificate file holding the chain (client + CA) too.
#[tokio::test]
async fn t2_pem_client_keys_in_every_form_work() {
    let (certs, dir) = stores();
    let broker = Broker::start(BrokerConfig::plain().with_mtls(&certs));
    let rsa = certs.client_cert.clone();
    let ec = dir.join("client-ec.pem");
    let cases: Vec<(PathBuf, &str, Option<&str>)> = vec![
        (rsa.clone(), "client.key", None),
        (rsa.clone(), "client-rsa-pkcs1.key", None),
        (rsa.clone(), "client-rsa-pkcs8-enc.key", Some(KEY_PASSWORD)),
        (rsa.clone(), "client-rsa-pkcs8-3des.key", Some(KEY_PASSWORD)),
        (rsa.clone(), "client-rsa-aes128.key", Some(KEY_PASSWORD)),
        (rsa.clone(), "client-rsa-aes192.key", Some(KEY_PASSWORD)),
        (rsa.clone(), "client-rsa-aes256.key", Some(KEY_PASSWORD)),
        (rsa.clone(), "client-rsa-des3.key", Some(KEY_PASSWORD)),
        (dir.join("client-chain.pem"), "client.key", None),
        // A password for a plain key is ignored.
        (rsa.clone(), "client.key", Some(KEY_PASSWORD)),
        (ec.clone(), "client-ec.key", None),
        (ec.clone(), "client-ec-pkcs8.key", None),
        (ec.clone(), "client-ec-pkcs8-enc.key", Some(KEY_PASSWORD)),
        (ec.clone(), "client-ec-aes256.key", Some(KEY_PASSWORD)),
        (ec.clone(), "client-ec-des3.key", Some(KEY_PASSWORD)),
    ];
    for (cert, key, password) in cases {
        eprintln!("client {} + {key}", cert.display());
        let tls = pem_identity(ca(&certs.ca), &cert, &dir.join(key), password);
        round_trip(with_tls(&broker.tls_url(), tls)).await;
    }
}

/// T2: PKCS#12 key stores: legacy (RC2/3DES, SHA-1 MAC), modern (OpenSSL 3
/// default: PBES2/AES-256), EC, and one rewritten by keytool; with a PEM CA
/// or a PKCS#12 trust store.
#[tokio::test]
async fn t2_pkcs12_key_stores_work() {
    let (certs, dir) = stores();
    let broker = Broker::start(BrokerConfig::plain().with_mtls(&certs));
    let mut cases = vec!["client-legacy.p12", "client-modern.p12", "client-ec.p12"];
    if has_keytool(&dir) {
        cases.push("client-keytool.p12");
    }
    for store in cases {
        eprintln!("key store {store}");
        let tls = store_identity(ca(&certs.ca), &dir.join(store), STORE_PASSWORD);
        round_trip(with_tls(&broker.tls_url(), tls)).await;
    }
    let tls = store_identity(
        trust_store(&dir.join("trust-legacy.p12"), STORE_PASSWORD),
        &dir.join("client-modern.p12"),
        STORE_PASSWORD,
    );
    round_trip(with_tls(&broker.tls_url(), tls)).await;
}

/// T3: against a TLS 1.2-only broker (OPENSSL_CONF caps it): "1.2" and
/// absent work; "1.3" fails with a sentence about the version.
#[tokio::test]
async fn t3_tls12_only_broker() {
    let (certs, _) = stores();
    let broker = Broker::start(
        BrokerConfig::plain()
            .with_tls(&certs)
            .with_tls_version("tlsv1.2"),
    );
    round_trip(with_tls(&broker.tls_url(), pinned(ca(&certs.ca), "1.2"))).await;
    round_trip(with_tls(&broker.tls_url(), ca(&certs.ca))).await;
    let e = tls_err(&broker.tls_url(), pinned(ca(&certs.ca), "1.3")).await;
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    assert!(e.message().contains("TLS version"), "{e}");
}

/// T3: against a TLS 1.3-only broker: absent works, "1.2" fails naming the version.
#[tokio::test]
async fn t3_tls13_only_broker() {
    let (certs, _) = stores();
    let broker = Broker::start(
        BrokerConfig::plain()
            .with_tls(&certs)
            .with_tls_version("tlsv1.3"),
    );
    round_trip(with_tls(&broker.tls_url(), ca(&certs.ca))).await;
    let e = tls_err(&broker.tls_url(), pinned(ca(&certs.ca), "1.2")).await;
    assert!(e.message().contains("TLS version"), "{e}");
    let mut tls = ca(&certs.ca);
    tls.protocol = Some(("TLS".into(), "1.0".into()));
    let e = tls_err(&broker.tls_url(), tls).await;
    assert!(e.message().contains("'1.0'"), "{e}");
}

/// T5: a broker that requires a client certificate, none given: a sentence
/// that says a client certificate is required, with TLS 1.2 and 1.3.
#[tokio::test]
async fn t5_client_certificate_required_but_not_given() {
    let (certs, _) = stores();
    for version in ["1.2", "1.3"] {
        let broker = Broker::start(BrokerConfig::plain().with_mtls(&certs));
        let e = tls_err(&broker.tls_url(), pinned(ca(&certs.ca), version)).await;
        eprintln!("TLS {version}: {e}");
        assert!(e.message().contains("client certificate"), "{e}");
    }
}

/// T5: file errors name the file and the cause: missing, wrong password,
/// no password for an encrypted key, corrupt, key not matching the certificate.
#[tokio::test]
async fn t5_file_errors_name_file_and_cause() {
    let (certs, dir) = stores();
    let broker = Broker::start(BrokerConfig::plain().with_tls(&certs));
    let url = broker.tls_url();
    let d = |f: &str| dir.join(f);
    let ca_ok = || ca(&certs.ca);
    let check = |e: MqttError, file: &std::path::Path, cause: &str| {
        assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
        assert!(
            e.message().contains(&file.display().to_string()),
            "names {}: {e}",
            file.display()
        );
        assert!(e.message().contains(cause), "says '{cause}': {e}");
    };
    let missing = PathBuf::from("/nonexistent/mqtt-test/missing.p12");
    check(
        tls_err(&url, trust_store(&missing, STORE_PASSWORD)).await,
        &missing,
        "no such file",
    );
    let missing_key = PathBuf::from("/nonexistent/mqtt-test/key.pem");
    check(
        tls_err(
            &url,
            pem_identity(ca_ok(), &certs.client_cert, &missing_key, None),
        )
        .await,
        &missing_key,
        "no such file",
    );
    for store in ["trust-openssl.p12", "trust-legacy.p12"] {
        check(
            tls_err(&url, trust_store(&d(store), WRONG_PASSWORD)).await,
            &d(store),
            "wrong password",
        );
    }
    for store in ["client-legacy.p12", "client-modern.p12"] {
        check(
            tls_err(&url, store_identity(ca_ok(), &d(store), WRONG_PASSWORD)).await,
            &d(store),
            "wrong password",
        );
    }
    for key in [
        "client-rsa-pkcs8-enc.key",
        "client-rsa-pkcs8-3des.key",
        "client-rsa-aes128.key",
        "client-rsa-aes192.key",
        "client-rsa-aes256.key",
        "client-rsa-des3.key",
        "client-ec-aes256.key",
    ] {
        check(
            tls_err(
                &url,
                pem_identity(ca_ok(), &certs.client_cert, &d(key), Some(WRONG_PASSWORD)),
            )
            .await,
            &d(key),
            "wrong keyPassword",
        );
        check(
            tls_err(
                &url,
                pem_identity(ca_ok(), &certs.client_cert, &d(key), None),
            )
            .await,
            &d(key),
            "encrypted: give its password as keyPassword",
        );
    }
    check(
        tls_err(
            &url,
            pem_identity(
                ca_ok(),
                &certs.client_cert,
                &d("client-rsa-pkcs12pbe.key"),
                Some(KEY_PASSWORD),
            ),
        )
        .await,
        &d("client-rsa-pkcs12pbe.key"),
        "PKCS#12 PBE algorithm",
    );
    check(
        tls_err(&url, trust_store(&d("corrupt.p12"), STORE_PASSWORD)).await,
        &d("corrupt.p12"),
        "not a valid PKCS#12 file",
    );
    check(
        tls_err(
            &url,
            store_identity(ca_ok(), &d("corrupt.p12"), STORE_PASSWORD),
        )
        .await,
        &d("corrupt.p12"),
        "not a valid PKCS#12 file",
    );
    check(
        tls_err(&url, ca(&d("corrupt.pem"))).await,
        &d("corrupt.pem"),
        "not valid PEM",
    );
    check(
        tls_err(&url, ca(&d("truncated-cert.pem"))).await,
        &d("truncated-cert.pem"),
        "not valid PEM",
    );
    // A certificate file given as the key, and a key file as the certificate.
    check(
        tls_err(
            &url,
            pem_identity(ca_ok(), &certs.client_cert, &certs.client_cert, None),
        )
        .await,
        &certs.client_cert,
        "holds no PEM private key",
    );
    check(
        tls_err(&url, ca(&certs.client_key)).await,
        &certs.client_key,
        "holds no PEM certificate",
    );
    // The server's key with the client's certificate.
    let e = tls_err(
        &url,
        pem_identity(ca_ok(), &certs.client_cert, &certs.server_key, None),
    )
    .await;
    check(
        e,
        &certs.server_key,
        "private key does not match the certificate",
    );
    let e = tls_err(
        &url,
        pem_identity(ca_ok(), &dir.join("client-ec.pem"), &certs.client_key, None),
    )
    .await;
    assert!(
        e.message()
            .contains("private key does not match the certificate"),
        "{e}"
    );
}

/// E2 over TLS: right credentials work; wrong ones give reason code 134
/// or 135, not a generic failure; no password in the message (E3).
#[tokio::test]
async fn e2_username_password_over_tls() {
    let (certs, _) = stores();
    let broker = Broker::start(
        BrokerConfig::plain()
            .with_auth("bob", AUTH_PASSWORD)
            .with_tls(&certs),
    );
    let mut good = with_tls(&broker.tls_url(), ca(&certs.ca));
    good.username = Some("bob".into());
    good.password = Some(AUTH_PASSWORD.into());
    round_trip(good).await;
    let mut bad = with_tls(&broker.tls_url(), ca(&certs.ca));
    bad.username = Some("bob".into());
    bad.password = Some(WRONG_AUTH_PASSWORD.into());
    assert_no_secret(&format!("{bad:?}"));
    let e = connect_err(bad).await;
    assert!(
        matches!(e.reason_code(), Some(134) | Some(135)),
        "{:?}: {e}",
        e.reason_code()
    );
    assert_no_secret(&e.to_string());
}

/// E3: Debug of the options shows paths but no password.
#[test]
fn e3_options_debug_hides_passwords() {
    let (certs, dir) = stores();
    let mut o = with_tls(
        "ssl://localhost:1",
        store_identity(
            trust_store(&dir.join("trust-openssl.p12"), STORE_PASSWORD),
            &dir.join("client-modern.p12"),
            STORE_PASSWORD,
        ),
    );
    o.password = Some(AUTH_PASSWORD.into());
    let text = format!("{o:?}");
    assert_no_secret(&text);
    assert!(text.contains("client-modern.p12"), "{text}");
    let tls = pem_identity(
        TlsOptions::default(),
        &certs.client_cert,
        &dir.join("client-rsa-aes256.key"),
        Some(KEY_PASSWORD),
    );
    assert_no_secret(&format!("{tls:?} {tls:#?}"));
}

/// E3: runs every failing case in a child process and scans all it wrote
/// (stdout and stderr, so any log line of the engine) for the passwords and
/// key bytes used.
#[test]
fn e3_no_secret_in_captured_output() {
    if std::env::var_os("MQTT_SECRET_SCAN_CHILD").is_some() {
        return;
    }
    let (_, _) = stores();
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args([
            "--exact",
            "t5_file_errors_name_file_and_cause",
            "t5_client_certificate_required_but_not_given",
            "e2_username_password_over_tls",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("MQTT_SECRET_SCAN_CHILD", "1")
        .output()
        .expect("run the child test process");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "child failed: {text}");
    assert!(text.contains("3 passed"), "{text}");
    assert_no_secret(&text);
}
