//! Connection configuration and the validation of everything a user types:
//! server URIs (contract C1), defaults (C2), topics and filters (P3).
//!
//! Pure functions only; unit-tested at the bottom and fuzzed.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{MqttError, Result};
use crate::message::{Message, QoS, Subscription};
use crate::protocol::limits;

/// Topic names are checked where every field limit is (P3, P5).
pub use crate::protocol::limits::check_topic as validate_topic;

/// How bytes reach the broker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Tcp,
    Tls,
    Ws,
    Wss,
}

/// A parsed server URI (contract C1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerUri {
    pub transport: Transport,
    pub host: String,
    pub port: u16,
    /// WebSocket path, `/mqtt` when the URI has none; empty for TCP and TLS.
    pub path: String,
    /// The URI as the user wrote it, for messages.
    pub original: String,
}

const ACCEPTED_SCHEMES: &str = "tcp://, mqtt://, ssl://, mqtts://, ws://, wss://";

impl ServerUri {
    pub fn parse(uri: &str) -> Result<ServerUri> {
        let shown = without_credentials(uri);
        let bad = |why: &str| {
            MqttError::invalid(format!(
                "Invalid server URI '{shown}': {why} (accepted schemes: {ACCEPTED_SCHEMES})"
            ))
        };
        let (scheme, rest) = uri.split_once("://").ok_or_else(|| bad("no scheme"))?;
        let (transport, default_port) = match scheme.to_ascii_lowercase().as_str() {
            "tcp" | "mqtt" => (Transport::Tcp, 1883),
            "ssl" | "mqtts" => (Transport::Tls, 8883),
            "ws" => (Transport::Ws, 80),
            "wss" => (Transport::Wss, 443),
            _ => return Err(bad(&format!("unsupported scheme '{scheme}'"))),
        };
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(bad(
                "credentials in the URI are not supported; use username/password",
            ));
        }
        let (host, port) = split_host_port(authority).map_err(&bad)?;
        if host.is_empty() {
            return Err(bad("missing host"));
        }
        let port = match port {
            None => default_port,
            Some(p) => match p.parse::<u16>() {
                Ok(p) if p > 0 => p,
                _ => return Err(bad(&format!("bad port '{p}'"))),
            },
        };
        let path = match transport {
            Transport::Ws | Transport::Wss if path.is_empty() || path == "/" => "/mqtt".to_string(),
            Transport::Ws | Transport::Wss => path.to_string(),
            _ if path.is_empty() || path == "/" => String::new(),
            _ => return Err(bad("a path is only allowed for ws:// and wss://")),
        };
        Ok(ServerUri {
            transport,
            host: host.to_string(),
            port,
            path,
            original: uri.to_string(),
        })
    }

    pub fn is_tls(&self) -> bool {
        matches!(self.transport, Transport::Tls | Transport::Wss)
    }
}

/// The URI as it may appear in a message: user information (a password)
/// replaced by `***` (contract E3).
fn without_credentials(uri: &str) -> String {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return uri.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
        None => uri.to_string(),
    }
}

/// Splits `host:port`, `[v6]:port`, `host` or `[v6]`.
fn split_host_port(authority: &str) -> std::result::Result<(&str, Option<&str>), &'static str> {
    if let Some(rest) = authority.strip_prefix('[') {
        let end = rest.find(']').ok_or("unclosed '[' in IPv6 address")?;
        let host = &rest[..end];
        return match &rest[end + 1..] {
            "" => Ok((host, None)),
            tail => tail
                .strip_prefix(':')
                .map(|p| (host, Some(p)))
                .ok_or("garbage after IPv6 address"),
        };
    }
    match authority.rsplit_once(':') {
        Some((h, _)) if h.contains(':') => Err("IPv6 addresses must be in brackets"),
        Some((h, p)) => Ok((h, Some(p))),
        None => Ok((authority, None)),
    }
}

/// PEM or PKCS#12 material to trust the server and to identify the client.
///
/// Trust (contract T1, T6): `ca_file` and `trust_store` when either is given;
/// else `default_roots` when given; else the operating system's roots. A
/// `ConnectOptions` without `tls` and with an `ssl://` or `wss://` URI uses
/// the operating system's roots too.
///
/// `Debug` shows paths, never passwords (E3).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// PEM file with one or more CA certificates (or a pinned server leaf).
    pub ca_file: Option<PathBuf>,
    /// PKCS#12 trust store and its password.
    pub trust_store: Option<(PathBuf, String)>,
    /// PEM client certificate chain, PEM key, optional key password.
    pub cert_key: Option<(PathBuf, PathBuf, Option<String>)>,
    /// PKCS#12 key store and its password.
    pub key_store: Option<(PathBuf, String)>,
    /// Protocol name and version, e.g. ("TLS", "1.2").
    pub protocol: Option<(String, String)>,
    /// DER certificates to trust when neither `ca_file` nor `trust_store` is
    /// given; `None` means the operating system's roots. The Java bridge
    /// passes what the JVM trusts by default here (docs/bridge.md).
    pub default_roots: Option<Vec<Vec<u8>>>,
}

/// The will message sent by the broker when the client vanishes (P4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Will {
    pub topic: String,
    pub message: Message,
}

/// Shown instead of a password by `Debug` (E3).
const REDACTED: &str = "<redacted>";

fn redact<T>(secret: &Option<T>) -> Option<&'static str> {
    secret.as_ref().map(|_| REDACTED)
}

impl std::fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let TlsOptions {
            ca_file,
            trust_store,
            cert_key,
            key_store,
            protocol,
            default_roots,
        } = self;
        f.debug_struct("TlsOptions")
            .field("ca_file", ca_file)
            .field(
                "trust_store",
                &trust_store.as_ref().map(|(p, _)| (p, REDACTED)),
            )
            .field(
                "cert_key",
                &cert_key.as_ref().map(|(c, k, pw)| (c, k, redact(pw))),
            )
            .field("key_store", &key_store.as_ref().map(|(p, _)| (p, REDACTED)))
            .field("protocol", protocol)
            .field(
                "default_roots",
                &default_roots
                    .as_ref()
                    .map(|r| format!("{} certificates", r.len())),
            )
            .finish()
    }
}

/// Everything needed to connect; defaults are contract C2's.
///
/// `Debug` shows everything but the password (E3).
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    pub client_id: String,
    /// Tried in order at connect and at every reconnect (C3).
    pub server_uris: Vec<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub tls: Option<TlsOptions>,
    /// Zero disables keep-alive.
    pub keep_alive: Duration,
    /// Zero means no limit.
    pub connection_timeout: Duration,
    pub clean_start: bool,
    pub automatic_reconnect: bool,
    pub max_reconnect_delay: Duration,
    /// Seconds the broker keeps the session after the connection ends.
    pub session_expiry_interval: u32,
    pub will: Option<Will>,
    /// Largest packet we accept from the broker (the codec's limit, R7).
    pub max_incoming_packet_size: u32,
    /// QoS 1/2 publishes in flight at once, before the broker's Receive Maximum (R8).
    pub max_inflight: u16,
    /// Publishes queued while in flight is full or the connection is down (E2 32202 beyond).
    pub max_pending_publishes: usize,
    /// Received messages buffered before we stop reading the socket (R1).
    pub receive_buffer: usize,
}

impl std::fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No `..`: a new field must be added here consciously.
        let ConnectOptions {
            client_id,
            server_uris,
            username,
            password,
            tls,
            keep_alive,
            connection_timeout,
            clean_start,
            automatic_reconnect,
            max_reconnect_delay,
            session_expiry_interval,
            will,
            max_incoming_packet_size,
            max_inflight,
            max_pending_publishes,
            receive_buffer,
        } = self;
        f.debug_struct("ConnectOptions")
            .field("client_id", client_id)
            .field("server_uris", server_uris)
            .field("username", username)
            .field("password", &redact(password))
            .field("tls", tls)
            .field("keep_alive", keep_alive)
            .field("connection_timeout", connection_timeout)
            .field("clean_start", clean_start)
            .field("automatic_reconnect", automatic_reconnect)
            .field("max_reconnect_delay", max_reconnect_delay)
            .field("session_expiry_interval", session_expiry_interval)
            .field("will", will)
            .field("max_incoming_packet_size", max_incoming_packet_size)
            .field("max_inflight", max_inflight)
            .field("max_pending_publishes", max_pending_publishes)
            .field("receive_buffer", receive_buffer)
            .finish()
    }
}

impl ConnectOptions {
    pub fn new(server_uri: impl Into<String>, client_id: impl Into<String>) -> Self {
        ConnectOptions {
            client_id: client_id.into(),
            server_uris: vec![server_uri.into()],
            username: None,
            password: None,
            tls: None,
            keep_alive: Duration::from_secs(60),
            connection_timeout: Duration::from_secs(30),
            clean_start: true,
            automatic_reconnect: false,
            max_reconnect_delay: Duration::from_millis(128_000),
            session_expiry_interval: 0,
            will: None,
            max_incoming_packet_size: 256 * 1024 * 1024,
            max_inflight: 1024,
            max_pending_publishes: 65_536,
            receive_buffer: 1024,
        }
    }

    /// Parses and checks every field; returns the parsed URIs.
    pub fn validate(&self) -> Result<Vec<ServerUri>> {
        if self.server_uris.is_empty() {
            return Err(MqttError::invalid("No server URI given"));
        }
        let uris = self
            .server_uris
            .iter()
            .map(|u| ServerUri::parse(u))
            .collect::<Result<Vec<_>>>()?;
        limits::check_connect(self)?;
        if self.keep_alive.as_secs() > u64::from(u16::MAX) {
            return Err(MqttError::invalid(format!(
                "keepAliveInterval {} s is above the MQTT maximum of 65535 s",
                self.keep_alive.as_secs()
            )));
        }
        if self.password.is_some() && self.username.is_none() {
            // MQTT 5 allows it, but the released module never sent it; say so clearly.
            return Err(MqttError::invalid(
                "A password was given without a username",
            ));
        }
        if self.max_inflight == 0 || self.receive_buffer == 0 {
            return Err(MqttError::invalid(
                "max_inflight and receive_buffer must be positive",
            ));
        }
        Ok(uris)
    }
}

/// Checks a subscription filter, including `$share/group/filter`.
pub fn validate_filter(filter: &str) -> Result<()> {
    let bad = |why: &str| {
        MqttError::invalid(format!(
            "Invalid topic filter '{}': {why}",
            filter.escape_debug()
        ))
    };
    if filter.is_empty() {
        return Err(bad("empty (MQTT-4.7.3-1)"));
    }
    limits::check_filter(filter)?;
    let inner = match filter.strip_prefix("$share/") {
        Some(rest) => {
            let (group, inner) = rest
                .split_once('/')
                .ok_or_else(|| bad("shared subscription needs $share/<group>/<filter>"))?;
            if group.is_empty() || group.contains(['+', '#']) {
                return Err(bad(
                    "shared subscription group must be non-empty without wildcards",
                ));
            }
            if inner.is_empty() {
                return Err(bad("shared subscription has no filter"));
            }
            inner
        }
        None => filter,
    };
    let levels: Vec<&str> = inner.split('/').collect();
    for (i, level) in levels.iter().enumerate() {
        let last = i + 1 == levels.len();
        if level.contains('#') && (*level != "#" || !last) {
            return Err(bad("'#' must be a whole level and the last one"));
        }
        if level.contains('+') && *level != "+" {
            return Err(bad("'+' must occupy a whole level"));
        }
    }
    Ok(())
}

/// Checks a subscription: its filter, and its options against the filter:
/// No Local on a shared subscription is a protocol error (MQTT-3.8.3-4)
/// that would make the broker close the connection, so it is refused here,
/// before anything is sent.
pub fn validate_subscription(subscription: &Subscription) -> Result<()> {
    validate_filter(&subscription.topic)?;
    if subscription.no_local && subscription.topic.starts_with("$share/") {
        return Err(MqttError::invalid(format!(
            "Subscription to '{}': noLocal cannot be set on a shared subscription (MQTT-3.8.3-4)",
            subscription.topic.escape_debug()
        )));
    }
    Ok(())
}

/// Checks a qos number (contract P3).
pub fn parse_qos(qos: i64) -> Result<QoS> {
    QoS::from_int(qos)
        .ok_or_else(|| MqttError::invalid(format!("Invalid QoS {qos}: must be 0, 1 or 2")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::code;

    #[test]
    fn debug_never_shows_passwords() {
        let mut o = ConnectOptions::new("ssl://h", "c");
        o.password = Some("pw-connect-1".into());
        o.tls = Some(TlsOptions {
            ca_file: Some("/ca.pem".into()),
            trust_store: Some(("/t.p12".into(), "pw-trust-2".into())),
            cert_key: Some(("/c.pem".into(), "/k.pem".into(), Some("pw-key-3".into()))),
            key_store: Some(("/k.p12".into(), "pw-store-4".into())),
            protocol: None,
            default_roots: Some(vec![b"der-bytes-never-shown".to_vec()]),
        });
        let text = format!("{o:?} {o:#?}");
        assert!(!text.contains("100, 101, 114"), "DER bytes in {text}");
        assert!(text.contains("1 certificates"), "{text}");
        for pw in ["pw-connect-1", "pw-trust-2", "pw-key-3", "pw-store-4"] {
            assert!(!text.contains(pw), "{pw} in {text}");
        }
        assert!(text.contains("/t.p12") && text.contains("/k.pem") && text.contains("<redacted>"));
    }

    #[test]
    fn schemes_and_default_ports() {
        let cases = [
            ("tcp://localhost", Transport::Tcp, 1883, ""),
            ("mqtt://h:1", Transport::Tcp, 1, ""),
            ("ssl://h", Transport::Tls, 8883, ""),
            ("mqtts://h:9", Transport::Tls, 9, ""),
            ("ws://h", Transport::Ws, 80, "/mqtt"),
            (
                "ws://h:8080/custom/path",
                Transport::Ws,
                8080,
                "/custom/path",
            ),
            ("wss://h/", Transport::Wss, 443, "/mqtt"),
            ("TCP://h:1883/", Transport::Tcp, 1883, ""),
        ];
        for (uri, transport, port, path) in cases {
            let u = ServerUri::parse(uri).unwrap();
            assert_eq!(
                (u.transport, u.port, u.path.as_str()),
                (transport, port, path),
                "{uri}"
            );
        }
    }

    #[test]
    fn ipv6_hosts() {
        let u = ServerUri::parse("tcp://[::1]:1884").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", 1884));
        assert!(ServerUri::parse("tcp://::1:1884").is_err());
    }

    #[test]
    fn bad_uris_name_the_uri_and_the_schemes() {
        for uri in [
            "http://h",
            "localhost:1883",
            "tcp://",
            "tcp://:1883",
            "tcp://h:0",
            "tcp://h:70000",
            "tcp://h:x",
            "tcp://h/path",
        ] {
            let e = ServerUri::parse(uri).unwrap_err();
            assert!(e.message().contains(uri), "{e}");
            assert!(e.message().contains("tcp://"), "{e}");
        }
    }

    #[test]
    fn credentials_in_a_uri_are_refused_without_printing_them() {
        let e = ServerUri::parse("tcp://user:s3cret@h:1883").unwrap_err();
        assert!(!e.message().contains("s3cret"), "E3: {e}");
        assert!(e.message().contains("tcp://***@h:1883"), "{e}");
    }

    #[test]
    fn topics() {
        assert!(validate_topic("a/b").is_ok());
        assert!(validate_topic("/").is_ok());
        for t in ["", "a/+", "a/#", "a\0b"] {
            assert!(validate_topic(t).is_err(), "{t:?}");
        }
        assert!(validate_topic(&"x".repeat(65_536)).is_err());
        assert!(validate_topic(&"x".repeat(65_535)).is_ok());
    }

    #[test]
    fn filters() {
        for f in ["a/+/c", "#", "+", "a/#", "$share/g/a/#", "$SYS/#", "/"] {
            assert!(validate_filter(f).is_ok(), "{f}");
        }
        for f in [
            "",
            "a/#/b",
            "a#",
            "a/b+",
            "$share/g",
            "$share//a",
            "$share/g+/a",
            "a\0",
        ] {
            assert!(validate_filter(f).is_err(), "{f:?}");
        }
    }

    /// MQTT-3.8.3-4: No Local is refused on a shared subscription only.
    #[test]
    fn no_local_is_refused_on_a_shared_subscription() {
        let mut shared = Subscription::new("$share/g/a", QoS::AtLeastOnce);
        assert!(validate_subscription(&shared).is_ok());
        shared.no_local = true;
        let error = validate_subscription(&shared).unwrap_err();
        assert_eq!(error.reason_code(), Some(code::INVALID_ARGUMENT));
        assert!(
            error.message().contains("'$share/g/a'") && error.message().contains("noLocal"),
            "{error}"
        );
        let mut own = Subscription::new("a", QoS::AtLeastOnce);
        own.no_local = true;
        assert!(validate_subscription(&own).is_ok());
        let mut bad_filter = Subscription::new("a/#/b", QoS::AtLeastOnce);
        bad_filter.no_local = true;
        assert!(validate_subscription(&bad_filter)
            .unwrap_err()
            .message()
            .contains("'#'"));
    }

    #[test]
    fn qos_range() {
        assert!(parse_qos(-1).is_err());
        assert!(parse_qos(3).is_err());
        assert_eq!(parse_qos(2).unwrap(), QoS::ExactlyOnce);
    }

    #[test]
    fn defaults_follow_contract_c2() {
        let o = ConnectOptions::new("tcp://h", "id");
        assert_eq!(o.keep_alive, Duration::from_secs(60));
        assert_eq!(o.connection_timeout, Duration::from_secs(30));
        assert!(o.clean_start);
        assert!(!o.automatic_reconnect);
        assert_eq!(o.max_reconnect_delay, Duration::from_millis(128_000));
        assert_eq!(o.session_expiry_interval, 0);
    }
}
