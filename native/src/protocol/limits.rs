//! The limits of MQTT 5 on what a client sends (contract P5), checked
//! before anything is queued, and the limits a Server announces in CONNACK
//! (contract C9), checked before each packet is written.
//!
//! Every check names the field, its size and the limit, so a caller who
//! copies outside data into a property learns what to cut instead of having
//! its bytes wrap into other properties (a 2-byte length of 65,541 is 5).

use rumqttc::v5::mqttbytes::v5::{ConnAck, ConnAckProperties};

use crate::config::ConnectOptions;
use crate::error::{code, ErrorKind, MqttError, Result};
use crate::message::{Message, MessageProperties, QoS, Subscription};

/// The longest UTF-8 string or binary field: its length is a Two Byte
/// Integer (MQTT 5 §1.5.4 and §1.5.6, which state it without a marker).
pub const MAX_FIELD: usize = 65_535;

/// The largest packet the protocol can frame (Remaining Length is at most
/// 268,435,455; a strict broker refuses a Maximum Packet Size above it).
pub const MAX_PACKET: u32 = 268_435_455;

/// Checks a UTF-8 string field: at most 65,535 bytes (§1.5.4) and no
/// U+0000 (MQTT-1.5.4-2). Rust strings are well-formed by type
/// (MQTT-1.5.4-1); the Java bridge refuses unpaired surrogates before
/// encoding.
pub fn check_string(field: &str, value: &str) -> Result<()> {
    if value.len() > MAX_FIELD {
        return Err(MqttError::invalid(format!(
            "{field} is {} UTF-8 bytes long; the MQTT maximum is {MAX_FIELD} (MQTT 5 §1.5.4)",
            value.len()
        )));
    }
    if let Some(at) = value.find('\0') {
        return Err(MqttError::invalid(format!(
            "{field} contains U+0000 at byte {at}; MQTT strings must not (MQTT-1.5.4-2)"
        )));
    }
    Ok(())
}

/// Checks a binary data field: at most 65,535 bytes (MQTT 5 §1.5.6; row
/// U-1.5.6 of docs/conformance.md).
pub fn check_binary(field: &str, value: &[u8]) -> Result<()> {
    if value.len() > MAX_FIELD {
        return Err(MqttError::invalid(format!(
            "{field} is {} bytes; the MQTT maximum is {MAX_FIELD} (MQTT 5 §1.5.6)",
            value.len()
        )));
    }
    Ok(())
}

/// Checks the properties a message carries (publish and will alike).
pub fn check_properties(what: &str, p: &MessageProperties) -> Result<()> {
    if let Some(topic) = &p.response_topic {
        check_string(&format!("{what} responseTopic"), topic)?;
        if topic.is_empty() || topic.contains(['+', '#']) {
            return Err(MqttError::invalid(format!(
                "{what} responseTopic '{}' must be a topic name: not empty, no wildcards (MQTT-3.3.2-14)",
                topic.escape_debug()
            )));
        }
    }
    if let Some(data) = &p.correlation_data {
        check_binary(&format!("{what} correlationData"), data)?;
    }
    if let Some(content_type) = &p.content_type {
        check_string(&format!("{what} contentType"), content_type)?;
    }
    for (i, (key, value)) in p.user_properties.iter().enumerate() {
        check_string(&format!("{what} user property #{i} key"), key)?;
        check_string(
            &format!("{what} user property #{i} ('{key:.40}') value"),
            value,
        )?;
    }
    Ok(())
}

/// Checks a topic name to publish to (contract P3, MQTT-4.7.3-1..3).
pub fn check_topic(topic: &str) -> Result<()> {
    if topic.is_empty() {
        return Err(MqttError::invalid("Topic must not be empty (MQTT-4.7.3-1)"));
    }
    check_string("Topic", topic)?;
    if topic.contains(['+', '#']) {
        return Err(MqttError::invalid(format!(
            "Topic '{topic}' contains a wildcard ('+' or '#'); wildcards are only allowed in subscriptions (MQTT-3.3.2-2)"
        )));
    }
    Ok(())
}

/// Checks everything of a publish that does not depend on the Server.
pub fn check_publish(topic: &str, message: &Message) -> Result<()> {
    check_topic(topic)?;
    check_properties("Message", &message.properties)
}

/// Checks the strings and binary fields of CONNECT (client id, username,
/// password, will) before a connection is opened.
pub fn check_connect(options: &ConnectOptions) -> Result<()> {
    check_string("Client id", &options.client_id)?;
    if let Some(username) = &options.username {
        check_string("Username", username)?;
    }
    if let Some(password) = &options.password {
        check_binary("Password", password.as_bytes())?;
    }
    if let Some(will) = &options.will {
        check_topic(&will.topic)
            .map_err(|e| MqttError::invalid(format!("Will destinationTopic: {}", e.message())))?;
        check_binary("Will payload", &will.message.payload)?;
        check_properties("Will message", &will.message.properties)?;
    }
    Ok(())
}

/// A subscription or unsubscribe filter: length and U+0000 (the filter's
/// shape is `config::validate_filter`'s).
pub fn check_filter(filter: &str) -> Result<()> {
    check_string("Topic filter", filter)
}

/// What the Server announced in its last CONNACK (MQTT 5 §3.2.2.3); the
/// defaults are the standard's for an absent property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerLimits {
    pub receive_maximum: u16,
    /// Absent: no limit beyond the protocol's.
    pub maximum_packet_size: Option<u32>,
    pub maximum_qos: QoS,
    pub retain_available: bool,
    pub wildcard_available: bool,
    pub shared_available: bool,
    pub keep_alive: Option<u16>,
    pub assigned_client_id: Option<String>,
    pub session_expiry: Option<u32>,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            receive_maximum: u16::MAX,
            maximum_packet_size: None,
            maximum_qos: QoS::ExactlyOnce,
            retain_available: true,
            wildcard_available: true,
            shared_available: true,
            keep_alive: None,
            assigned_client_id: None,
            session_expiry: None,
        }
    }
}

impl ServerLimits {
    /// Reads a CONNACK's properties; a value the standard forbids is the
    /// Server's protocol error (MQTT 5 §3.2.2.3.3 Receive Maximum 0,
    /// §3.2.2.3.6 Maximum Packet Size 0, §3.2.2.3.4 Maximum QoS above 1,
    /// and a flag other than 0 or 1: stated without markers).
    pub fn from_connack(connack: &ConnAck) -> std::result::Result<ServerLimits, String> {
        let mut limits = ServerLimits::default();
        let Some(p) = &connack.properties else {
            return Ok(limits);
        };
        let ConnAckProperties {
            receive_max,
            max_packet_size,
            max_qos,
            retain_available,
            wildcard_subscription_available,
            shared_subscription_available,
            server_keep_alive,
            assigned_client_identifier,
            session_expiry_interval,
            ..
        } = p;
        if let Some(max) = receive_max {
            if *max == 0 {
                return Err("CONNACK with Receive Maximum 0".into());
            }
            limits.receive_maximum = *max;
        }
        if let Some(size) = max_packet_size {
            if *size == 0 {
                return Err("CONNACK with Maximum Packet Size 0".into());
            }
            limits.maximum_packet_size = Some(*size);
        }
        limits.maximum_qos = match max_qos {
            None => QoS::ExactlyOnce,
            Some(0) => QoS::AtMostOnce,
            Some(1) => QoS::AtLeastOnce,
            Some(q) => return Err(format!("CONNACK with Maximum QoS {q}")),
        };
        limits.retain_available = flag(*retain_available, "Retain Available")?;
        limits.wildcard_available = flag(
            *wildcard_subscription_available,
            "Wildcard Subscription Available",
        )?;
        limits.shared_available = flag(
            *shared_subscription_available,
            "Shared Subscription Available",
        )?;
        limits.keep_alive = *server_keep_alive;
        limits.assigned_client_id = assigned_client_identifier.clone();
        limits.session_expiry = *session_expiry_interval;
        Ok(limits)
    }

    /// The largest packet we may send (MQTT-3.2.2-15).
    pub fn packet_limit(&self) -> u32 {
        self.maximum_packet_size
            .unwrap_or(MAX_PACKET)
            .min(MAX_PACKET)
    }

    /// A publish the Server said it cannot take: QoS above its Maximum QoS
    /// (MQTT-3.2.2-11) or RETAIN without Retain Available (MQTT-3.2.2-14).
    pub fn refuse_publish(&self, topic: &str, qos: QoS, retain: bool) -> Option<MqttError> {
        if qos > self.maximum_qos {
            return Some(MqttError::with_code(
                ErrorKind::Broker,
                format!(
                    "Publish to '{topic}' refused before sending: QoS {} is above the broker's Maximum QoS {} (announced in CONNACK)",
                    qos.as_u8(),
                    self.maximum_qos.as_u8()
                ),
                0x9B,
            ));
        }
        if retain && !self.retain_available {
            return Some(MqttError::with_code(
                ErrorKind::Broker,
                format!(
                    "Publish to '{topic}' refused before sending: the broker announced in CONNACK that it does not support retained messages"
                ),
                0x9A,
            ));
        }
        None
    }

    /// A subscription the Server said it cannot take: a wildcard or a shared
    /// subscription it announced as unavailable (MQTT 5 §3.2.2.3.11 and
    /// §3.2.2.3.13, no markers: rows U-3.2.2.3.11 and U-3.2.2.3.13).
    pub fn refuse_subscription(&self, subscription: &Subscription) -> Option<MqttError> {
        let filter = subscription.topic.as_str();
        if !self.shared_available && filter.starts_with("$share/") {
            return Some(MqttError::with_code(
                ErrorKind::Broker,
                format!("Subscription to '{filter}' refused before sending: the broker announced in CONNACK that it does not support shared subscriptions"),
                0x9E,
            ));
        }
        if !self.wildcard_available && filter.contains(['+', '#']) {
            return Some(MqttError::with_code(
                ErrorKind::Broker,
                format!("Subscription to '{filter}' refused before sending: the broker announced in CONNACK that it does not support wildcard subscriptions"),
                0xA2,
            ));
        }
        None
    }
}

fn flag(value: Option<u8>, name: &str) -> std::result::Result<bool, String> {
    match value {
        None | Some(1) => Ok(true),
        Some(0) => Ok(false),
        Some(v) => Err(format!("CONNACK with {name} {v}")),
    }
}

/// A packet of `size` bytes above `limit` (the protocol's or the Server's).
pub fn packet_too_large(what: &str, size: usize, limits: &ServerLimits) -> Option<MqttError> {
    let limit = limits.packet_limit();
    if size <= limit as usize {
        return None;
    }
    let whose = if limits.maximum_packet_size.is_some_and(|m| m < MAX_PACKET) {
        "the broker's Maximum Packet Size"
    } else {
        "the MQTT maximum packet size"
    };
    Some(MqttError::with_code(
        ErrorKind::InvalidInput,
        format!("{what} is {size} bytes as a packet; {whose} is {limit} (MQTT-3.2.2-15)"),
        code::PACKET_TOO_LARGE,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn code_of(r: Result<()>) -> Option<i32> {
        r.expect_err("refused").reason_code()
    }

    #[test]
    fn strings_at_and_past_the_limit() {
        assert!(check_string("f", "").is_ok());
        assert!(check_string("f", &"x".repeat(MAX_FIELD)).is_ok());
        let e = check_string("User property #0 value", &"x".repeat(MAX_FIELD + 1)).unwrap_err();
        assert_eq!(e.reason_code(), Some(code::INVALID_ARGUMENT));
        assert!(
            e.message().contains("User property #0 value")
                && e.message().contains("65536")
                && e.message().contains("65535"),
            "{e}"
        );
        // Multi-byte characters count in bytes, not characters.
        let euro = "€".repeat(MAX_FIELD / 3); // 65,535 bytes
        assert!(check_string("f", &euro).is_ok());
        assert!(check_string("f", &format!("{euro}a")).is_err());
    }

    #[test]
    fn u0000_is_refused_anywhere_in_a_string() {
        for s in ["\0", "a\0", "\0b", "a\0b"] {
            assert_eq!(code_of(check_string("f", s)), Some(code::INVALID_ARGUMENT));
        }
    }

    #[test]
    fn binary_fields_at_and_past_the_limit() {
        assert!(check_binary("f", &[]).is_ok());
        assert!(check_binary("f", &vec![0; MAX_FIELD]).is_ok());
        assert!(check_binary("f", &vec![0; MAX_FIELD + 1]).is_err());
    }

    #[test]
    fn every_message_property_is_checked() {
        let long = "x".repeat(MAX_FIELD + 1);
        let cases: Vec<(&str, MessageProperties)> = vec![
            (
                "responseTopic",
                MessageProperties {
                    response_topic: Some(long.clone()),
                    ..Default::default()
                },
            ),
            (
                "correlationData",
                MessageProperties {
                    correlation_data: Some(Bytes::from(long.clone())),
                    ..Default::default()
                },
            ),
            (
                "contentType",
                MessageProperties {
                    content_type: Some("a\0".into()),
                    ..Default::default()
                },
            ),
            (
                "key",
                MessageProperties {
                    user_properties: vec![(long.clone(), "v".into())],
                    ..Default::default()
                },
            ),
            (
                "value",
                MessageProperties {
                    user_properties: vec![("k".into(), long.clone())],
                    ..Default::default()
                },
            ),
        ];
        for (field, p) in cases {
            let e = check_properties("Message", &p).unwrap_err();
            assert!(e.message().contains(field), "{field}: {e}");
        }
    }

    #[test]
    fn connect_fields_are_checked() {
        let mut o = ConnectOptions::new("tcp://h", "id\0");
        assert!(check_connect(&o)
            .unwrap_err()
            .message()
            .contains("Client id"));
        o.client_id = "id".into();
        o.username = Some("u".repeat(MAX_FIELD + 1));
        assert!(check_connect(&o)
            .unwrap_err()
            .message()
            .contains("Username"));
        o.username = Some("u".into());
        o.password = Some("p".repeat(MAX_FIELD + 1));
        assert!(check_connect(&o)
            .unwrap_err()
            .message()
            .contains("Password"));
        o.password = None;
        o.will = Some(crate::config::Will {
            topic: "w".into(),
            message: Message::new(vec![0u8; MAX_FIELD + 1]),
        });
        assert!(check_connect(&o)
            .unwrap_err()
            .message()
            .contains("Will payload"));
    }

    #[test]
    fn connack_properties_become_limits_and_bad_ones_are_errors() {
        let mut connack = ConnAck {
            session_present: false,
            code: rumqttc::v5::mqttbytes::v5::ConnectReturnCode::Success,
            properties: None,
        };
        assert_eq!(
            ServerLimits::from_connack(&connack).unwrap(),
            ServerLimits::default()
        );
        let props = ConnAckProperties {
            session_expiry_interval: Some(30),
            receive_max: Some(5),
            max_qos: Some(1),
            retain_available: Some(0),
            max_packet_size: Some(1000),
            assigned_client_identifier: Some("auto-1".into()),
            topic_alias_max: None,
            reason_string: None,
            user_properties: Vec::new(),
            wildcard_subscription_available: Some(0),
            subscription_identifiers_available: None,
            shared_subscription_available: Some(0),
            server_keep_alive: Some(7),
            response_information: None,
            server_reference: None,
            authentication_method: None,
            authentication_data: None,
        };
        connack.properties = Some(props.clone());
        let limits = ServerLimits::from_connack(&connack).unwrap();
        assert_eq!(limits.receive_maximum, 5);
        assert_eq!(limits.packet_limit(), 1000);
        assert_eq!(limits.maximum_qos, QoS::AtLeastOnce);
        assert!(!limits.retain_available && !limits.wildcard_available && !limits.shared_available);
        assert_eq!(limits.keep_alive, Some(7));
        assert_eq!(limits.assigned_client_id.as_deref(), Some("auto-1"));
        for bad in [
            ConnAckProperties {
                receive_max: Some(0),
                ..props.clone()
            },
            ConnAckProperties {
                max_packet_size: Some(0),
                ..props.clone()
            },
            ConnAckProperties {
                max_qos: Some(2),
                ..props.clone()
            },
            ConnAckProperties {
                retain_available: Some(2),
                ..props.clone()
            },
        ] {
            connack.properties = Some(bad);
            assert!(ServerLimits::from_connack(&connack).is_err());
        }
    }

    #[test]
    fn server_limits_refuse_what_the_server_cannot_take() {
        let limits = ServerLimits {
            maximum_qos: QoS::AtMostOnce,
            retain_available: false,
            wildcard_available: false,
            shared_available: false,
            ..Default::default()
        };
        let e = limits.refuse_publish("t", QoS::AtLeastOnce, false).unwrap();
        assert_eq!(e.reason_code(), Some(0x9B));
        assert!(limits.refuse_publish("t", QoS::AtMostOnce, false).is_none());
        assert_eq!(
            limits
                .refuse_publish("t", QoS::AtMostOnce, true)
                .unwrap()
                .reason_code(),
            Some(0x9A)
        );
        let shared = Subscription::new("$share/g/t", QoS::AtMostOnce);
        assert_eq!(
            limits.refuse_subscription(&shared).unwrap().reason_code(),
            Some(0x9E)
        );
        let wild = Subscription::new("a/+", QoS::AtMostOnce);
        assert_eq!(
            limits.refuse_subscription(&wild).unwrap().reason_code(),
            Some(0xA2)
        );
        assert!(limits
            .refuse_subscription(&Subscription::new("a/b", QoS::AtMostOnce))
            .is_none());
    }

    #[test]
    fn packet_size_one_under_at_and_over_the_limits() {
        let limits = ServerLimits {
            maximum_packet_size: Some(100),
            ..Default::default()
        };
        assert!(packet_too_large("p", 100, &limits).is_none());
        let e = packet_too_large("p", 101, &limits).unwrap();
        assert_eq!(e.reason_code(), Some(code::PACKET_TOO_LARGE));
        assert!(e.message().contains("101") && e.message().contains("Maximum Packet Size is 100"));
        let none = ServerLimits::default();
        assert!(packet_too_large("p", MAX_PACKET as usize, &none).is_none());
        assert!(packet_too_large("p", MAX_PACKET as usize + 1, &none).is_some());
        // A Server announcing more than the protocol allows still gets at most that.
        let huge = ServerLimits {
            maximum_packet_size: Some(u32::MAX),
            ..Default::default()
        };
        assert_eq!(huge.packet_limit(), MAX_PACKET);
    }
}
