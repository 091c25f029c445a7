//! The one error type of the engine (contract E1, E2).
//!
//! Every failure carries a message that says what failed and, when the broker
//! or the client side gave one, an MQTT 5 reason code. The client-side codes
//! match the released Paho-based module so existing programs keep working.

use std::fmt;

/// Client-side reason codes of contract E2.
pub mod code {
    /// Timed out waiting for the broker.
    pub const TIMEOUT: i32 = 32000;
    /// The client is (still) connected.
    pub const CLIENT_CONNECTED: i32 = 32100;
    /// The client is disconnected.
    pub const CLIENT_DISCONNECTED: i32 = 32101;
    /// Unable to connect to the broker.
    pub const SERVER_CONNECT_ERROR: i32 = 32103;
    /// The client is not connected.
    pub const CLIENT_NOT_CONNECTED: i32 = 32104;
    /// The broker broke the MQTT protocol (a malformed packet, a protocol
    /// error, a packet above our limits); the engine closed the connection
    /// with the DISCONNECT reason code the standard names (P5). Paho's number.
    pub const PROTOCOL_VIOLATION: i32 = 32108;
    /// Connection lost.
    pub const CONNECTION_LOST: i32 = 32109;
    /// A connect is already in progress.
    pub const CONNECT_IN_PROGRESS: i32 = 32110;
    /// The client is closed.
    pub const CLIENT_CLOSED: i32 = 32111;
    /// An argument or configuration value is invalid (a field above its MQTT
    /// limit, U+0000 in a string, a bad topic or QoS); nothing was sent (P5).
    pub const INVALID_ARGUMENT: i32 = 32120;
    /// Too many publishes in progress.
    pub const MAX_INFLIGHT: i32 = 32202;
    /// The broker closed the connection every time this publish was sent,
    /// before acknowledging it: given up after a few attempts (C8).
    pub const PUBLISH_ABANDONED: i32 = 32205;
    /// The packet would exceed 268,435,455 bytes or the broker's Maximum
    /// Packet Size; nothing was sent (P5). Paho v5's number for the same.
    pub const PACKET_TOO_LARGE: i32 = 51002;
}

/// What kind of failure happened; lets callers branch without parsing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// An argument or configuration value is invalid (nothing was sent).
    InvalidInput,
    /// TLS material could not be loaded, or the TLS handshake failed.
    Tls,
    /// The network could not be reached or failed.
    Io,
    /// The broker refused or failed the request with a reason code.
    Broker,
    /// The connection state does not allow the call (closed, connected, ...).
    State,
    /// A deadline passed.
    Timeout,
    /// The peer broke the protocol.
    Protocol,
}

/// An engine failure: message, kind and optional reason code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MqttError {
    kind: ErrorKind,
    message: String,
    reason_code: Option<i32>,
}

impl MqttError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        MqttError {
            kind,
            message: message.into(),
            reason_code: None,
        }
    }

    pub fn with_code(kind: ErrorKind, message: impl Into<String>, code: i32) -> Self {
        MqttError {
            kind,
            message: message.into(),
            reason_code: Some(code),
        }
    }

    /// Invalid input: nothing was sent (code 32120, P5).
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::with_code(ErrorKind::InvalidInput, message, code::INVALID_ARGUMENT)
    }

    pub fn tls(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Tls, message)
    }

    pub fn closed() -> Self {
        Self::with_code(ErrorKind::State, "Client is closed", code::CLIENT_CLOSED)
    }

    pub fn not_connected() -> Self {
        Self::with_code(
            ErrorKind::State,
            "Client is not connected",
            code::CLIENT_NOT_CONNECTED,
        )
    }

    pub fn connection_lost(why: impl fmt::Display) -> Self {
        Self::with_code(
            ErrorKind::Io,
            format!("Connection lost: {why}"),
            code::CONNECTION_LOST,
        )
    }

    pub fn timeout(what: impl fmt::Display) -> Self {
        Self::with_code(
            ErrorKind::Timeout,
            format!("Timed out waiting for {what}"),
            code::TIMEOUT,
        )
    }

    /// A broker reason code (>= 0x80) with the broker's reason string if any.
    pub fn broker(what: impl fmt::Display, reason: u8, reason_string: Option<&str>) -> Self {
        let name = crate::protocol::reasons::name(reason);
        let message = match reason_string {
            Some(s) if !s.is_empty() => format!("{what}: {name} (reason code {reason}): {s}"),
            _ => format!("{what}: {name} (reason code {reason})"),
        };
        Self::with_code(ErrorKind::Broker, message, i32::from(reason))
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn reason_code(&self) -> Option<i32> {
        self.reason_code
    }
}

impl fmt::Display for MqttError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MqttError {}

pub type Result<T> = std::result::Result<T, MqttError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_error_names_reason_and_keeps_code() {
        let e = MqttError::broker("Connect refused", 0x86, Some("check password file"));
        assert_eq!(e.reason_code(), Some(134));
        assert_eq!(e.kind(), ErrorKind::Broker);
        assert!(e.message().contains("Bad user name or password"));
        assert!(e.message().contains("check password file"));
    }

    #[test]
    fn client_side_codes_match_released_module() {
        assert_eq!(MqttError::closed().reason_code(), Some(32111));
        assert_eq!(MqttError::not_connected().reason_code(), Some(32104));
        assert_eq!(MqttError::timeout("x").reason_code(), Some(32000));
    }
}
