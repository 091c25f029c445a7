//! The values that cross the engine's API: messages, their MQTT 5
//! properties, subscriptions and delivery tokens (contract §2, §7).
//!
//! These are the engine's own types, not the codec's, so the codec can be
//! swapped without touching the bridge.

use bytes::Bytes;

/// MQTT quality of service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum QoS {
    AtMostOnce = 0,
    #[default]
    AtLeastOnce = 1,
    ExactlyOnce = 2,
}

impl QoS {
    /// Maps 0, 1, 2; anything else is refused by the caller (contract P3).
    pub fn from_int(value: i64) -> Option<QoS> {
        match value {
            0 => Some(QoS::AtMostOnce),
            1 => Some(QoS::AtLeastOnce),
            2 => Some(QoS::ExactlyOnce),
            _ => None,
        }
    }

    pub fn as_u8(self) -> u8 {
        self as u8
    }
}

/// MQTT 5 publish properties carried by a [`Message`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageProperties {
    pub response_topic: Option<String>,
    pub correlation_data: Option<Bytes>,
    pub user_properties: Vec<(String, String)>,
    pub content_type: Option<String>,
    /// Seconds the broker keeps the message for subscribers.
    pub message_expiry_interval: Option<u32>,
    /// `true` means the payload is UTF-8 text.
    pub payload_format_indicator: Option<bool>,
}

impl MessageProperties {
    pub fn is_empty(&self) -> bool {
        *self == MessageProperties::default()
    }
}

/// A message published or received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub payload: Bytes,
    pub qos: QoS,
    pub retained: bool,
    /// Set on received messages that the broker may have delivered before.
    pub duplicate: bool,
    /// Packet identifier of a received QoS 1/2 message (0 for QoS 0).
    pub message_id: u16,
    /// Topic of a received message; ignored on publish (the topic is an argument).
    pub topic: Option<String>,
    pub properties: MessageProperties,
}

impl Message {
    /// A QoS 1, not retained message (the contract's defaults).
    pub fn new(payload: impl Into<Bytes>) -> Self {
        Message {
            payload: payload.into(),
            qos: QoS::AtLeastOnce,
            retained: false,
            duplicate: false,
            message_id: 0,
            topic: None,
            properties: MessageProperties::default(),
        }
    }

    pub fn with_qos(mut self, qos: QoS) -> Self {
        self.qos = qos;
        self
    }

    pub fn with_retained(mut self, retained: bool) -> Self {
        self.retained = retained;
        self
    }

    pub fn with_properties(mut self, properties: MessageProperties) -> Self {
        self.properties = properties;
        self
    }
}

/// What `publish` returns once the message is delivered as its QoS promises
/// (contract P1): the packet identifier (0 for QoS 0) and the topic.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeliveryToken {
    pub message_id: u16,
    pub topic: String,
}

/// MQTT 5 retain handling subscription option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RetainHandling {
    /// Send retained messages at every subscribe (MQTT default).
    #[default]
    SendAtSubscribe = 0,
    /// Send retained messages only when the subscription is new.
    SendAtNewSubscribe = 1,
    /// Never send retained messages.
    DoNotSend = 2,
}

/// A topic filter with its QoS and MQTT 5 subscription options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub topic: String,
    pub qos: QoS,
    pub no_local: bool,
    pub retain_as_published: bool,
    pub retain_handling: RetainHandling,
}

impl Subscription {
    pub fn new(topic: impl Into<String>, qos: QoS) -> Self {
        Subscription {
            topic: topic.into(),
            qos,
            no_local: false,
            retain_as_published: false,
            retain_handling: RetainHandling::SendAtSubscribe,
        }
    }
}

/// A bare topic means QoS 1 (contract §2.2).
impl From<&str> for Subscription {
    fn from(topic: &str) -> Self {
        Subscription::new(topic, QoS::AtLeastOnce)
    }
}
