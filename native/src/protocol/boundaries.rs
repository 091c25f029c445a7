//! Every UTF-8 string and binary field of PUBLISH and CONNECT at its
//! boundary sizes — 0, 1, 65,534, 65,535, 65,536, 65,537 bytes, filled with
//! 1- to 4-byte characters so multi-byte UTF-8 straddles the limit —
//! through the limit checks, our encoder and rumqttc's decoder (issue 11,
//! contract P5; MQTT 5 §1.5.4 and §1.5.6 give the two-byte length).
//!
//! A field of at most 65,535 bytes must pass the checks and come back out
//! of the decoder byte for byte, with no other property appearing (the
//! over-long values of issue 11 wrapped their length and injected
//! properties); one byte more must be refused before encoding, naming the
//! field.

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use rumqttc::v5::mqttbytes::v5::Packet;

use super::codec::{self, connect_bytes, to_publish, write_packet};
use super::limits::{self, ServerLimits, MAX_FIELD};
use crate::config::{ConnectOptions, Will};
use crate::message::{Message, MessageProperties, QoS};

/// The fields a caller fills: where each goes in a message or a CONNECT.
#[derive(Debug, Clone, Copy)]
enum Field {
    Topic,
    UserKey,
    UserValue,
    ContentType,
    ResponseTopic,
    CorrelationData,
    ClientId,
    Username,
    Password,
    WillTopic,
    WillPayload,
    WillUserValue,
}

const FIELDS: [Field; 12] = [
    Field::Topic,
    Field::UserKey,
    Field::UserValue,
    Field::ContentType,
    Field::ResponseTopic,
    Field::CorrelationData,
    Field::ClientId,
    Field::Username,
    Field::Password,
    Field::WillTopic,
    Field::WillPayload,
    Field::WillUserValue,
];

/// Byte sizes around the limit (and the smallest ones).
const SIZES: [usize; 6] = [0, 1, MAX_FIELD - 1, MAX_FIELD, MAX_FIELD + 1, MAX_FIELD + 2];

/// Characters of 1 to 4 UTF-8 bytes.
const FILLERS: [char; 4] = ['x', 'é', '€', '😀'];

/// A string of about `target` bytes of `fill`: exactly `target` when
/// `exact` (padded with ASCII), else the whole characters that first reach
/// or pass it (a multi-byte character straddling the limit).
fn text(target: usize, fill: char, exact: bool) -> String {
    let width = fill.len_utf8();
    let mut s: String = std::iter::repeat_n(fill, target / width).collect();
    if exact {
        s.extend(std::iter::repeat_n('x', target - s.len()));
    } else if s.len() < target {
        s.push(fill);
    }
    s
}

/// A publish to "t" or a CONNECT with `value` in `field`.
fn publish_with(field: Field, value: &str) -> (String, Message) {
    let mut p = MessageProperties::default();
    let mut topic = "t".to_string();
    match field {
        Field::Topic => topic = value.to_string(),
        Field::UserKey => p.user_properties = vec![(value.to_string(), "v".into())],
        Field::UserValue => p.user_properties = vec![("k".into(), value.to_string())],
        Field::ContentType => p.content_type = Some(value.to_string()),
        Field::ResponseTopic => p.response_topic = Some(value.to_string()),
        Field::CorrelationData => {
            p.correlation_data = Some(Bytes::copy_from_slice(value.as_bytes()))
        }
        _ => unreachable!("a CONNECT field"),
    }
    (
        topic,
        Message::new("p")
            .with_qos(QoS::AtMostOnce)
            .with_properties(p),
    )
}

fn connect_with(field: Field, value: &str) -> ConnectOptions {
    let mut options = ConnectOptions::new("tcp://127.0.0.1:1883", "c");
    let will = |topic: &str, message: Message| {
        Some(Will {
            topic: topic.to_string(),
            message,
        })
    };
    match field {
        Field::ClientId => options.client_id = value.to_string(),
        Field::Username => options.username = Some(value.to_string()),
        Field::Password => {
            options.username = Some("u".into());
            options.password = Some(value.to_string());
        }
        Field::WillTopic => options.will = will(value, Message::new("w")),
        Field::WillPayload => options.will = will("w", Message::new(value.to_string())),
        Field::WillUserValue => {
            let p = MessageProperties {
                user_properties: vec![("k".into(), value.to_string())],
                ..Default::default()
            };
            options.will = will("w", Message::new("w").with_properties(p));
        }
        _ => unreachable!("a PUBLISH field"),
    }
    options
}

fn is_connect_field(field: Field) -> bool {
    matches!(
        field,
        Field::ClientId
            | Field::Username
            | Field::Password
            | Field::WillTopic
            | Field::WillPayload
            | Field::WillUserValue
    )
}

/// Our encoding of `packet`, decoded by rumqttc.
fn round_trip(packet: &Packet) -> Packet {
    let mut buf = BytesMut::new();
    write_packet(packet, &mut buf, &ServerLimits::default(), String::new).expect("encodes");
    decode(buf)
}

fn decode(mut buf: BytesMut) -> Packet {
    let decoded = Packet::read(&mut buf, None).expect("rumqttc decodes our packet");
    assert!(buf.is_empty(), "one packet, nothing left over");
    decoded
}

fn check_publish_field(field: Field, value: &str) {
    let (topic, message) = publish_with(field, value);
    let checked = limits::check_publish(&topic, &message);
    // A topic name (the response topic too) may not be empty (MQTT-4.7.3-1).
    let legal = value.len() <= MAX_FIELD
        && !(matches!(field, Field::Topic | Field::ResponseTopic) && value.is_empty());
    if !legal {
        let e = checked.expect_err("refused before encoding");
        assert!(
            value.is_empty() || e.message().contains(&value.len().to_string()),
            "names the size: {e}"
        );
        return;
    }
    checked.expect("legal field accepted");
    let sent = message.properties.clone();
    let Packet::Publish(publish) = round_trip(&Packet::Publish(to_publish(&topic, message))) else {
        panic!("not a PUBLISH");
    };
    let received = codec::from_publish(publish).expect("valid PUBLISH");
    assert_eq!(received.topic.as_deref(), Some(topic.as_str()));
    // Exactly the properties sent: none injected, none lost.
    assert_eq!(received.properties, sent);
}

fn check_connect_field(field: Field, value: &str) {
    let options = connect_with(field, value);
    let checked = limits::check_connect(&options);
    let legal =
        value.len() <= MAX_FIELD && !(matches!(field, Field::WillTopic) && value.is_empty());
    if !legal {
        let e = checked.expect_err("refused before connecting");
        assert!(
            value.is_empty() || e.message().contains(&value.len().to_string()),
            "names the size: {e}"
        );
        return;
    }
    checked.expect("legal field accepted");
    let bytes = connect_bytes(&options, &options.client_id).expect("encodes");
    // rumqttc reads a zero-length User Name or Password as none: the flags
    // say whether each is there.
    let header = 1 + bytes[1..].iter().take_while(|b| *b & 0x80 != 0).count() + 1;
    let flags = bytes[header + 7];
    assert_eq!(
        flags & 0x80 != 0,
        options.username.is_some(),
        "User Name Flag"
    );
    assert_eq!(
        flags & 0x40 != 0,
        options.password.is_some(),
        "Password Flag"
    );
    let Packet::Connect(connect, will, login) = decode(bytes) else {
        panic!("not a CONNECT");
    };
    assert_eq!(connect.client_id, options.client_id);
    let (username, password) = login.map(|l| (l.username, l.password)).unwrap_or_default();
    assert_eq!(username, options.username.clone().unwrap_or_default());
    assert_eq!(password, options.password.clone().unwrap_or_default());
    match (&will, &options.will) {
        (None, None) => {}
        (Some(got), Some(sent)) => {
            assert_eq!(got.topic, sent.topic.as_bytes());
            assert_eq!(got.message, sent.message.payload);
            let users = got
                .properties
                .as_ref()
                .map(|p| p.user_properties.clone())
                .unwrap_or_default();
            assert_eq!(users, sent.message.properties.user_properties);
        }
        _ => panic!("the will was lost or invented"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn every_field_at_its_boundaries_round_trips_or_is_refused(
        field in proptest::sample::select(FIELDS.to_vec()),
        size in proptest::sample::select(SIZES.to_vec()),
        fill in proptest::sample::select(FILLERS.to_vec()),
        exact in any::<bool>(),
    ) {
        let value = text(size, fill, exact);
        if is_connect_field(field) {
            check_connect_field(field, &value);
        } else {
            check_publish_field(field, &value);
        }
    }
}

/// The sizes the property test draws from, each once, for one field of
/// each packet: the boundary cases never depend on the draw.
#[test]
fn a_password_alone_and_empty_logins_are_sent() {
    for (username, password) in [
        (None, Some("secret")),
        (Some(""), None),
        (Some(""), Some("")),
    ] {
        let mut options = ConnectOptions::new("tcp://127.0.0.1:1883", "c");
        options.username = username.map(String::from);
        options.password = password.map(String::from);
        let bytes = connect_bytes(&options, "c").expect("encodes");
        let mut tail = Vec::new();
        for field in [username, password].into_iter().flatten() {
            tail.extend_from_slice(&(field.len() as u16).to_be_bytes());
            tail.extend_from_slice(field.as_bytes());
        }
        assert!(
            bytes.ends_with(&tail),
            "{username:?} {password:?}: {bytes:?}"
        );
        let flags = bytes[2 + 7];
        assert_eq!(
            flags & 0xC0,
            u8::from(username.is_some()) << 7 | u8::from(password.is_some()) << 6
        );
    }
}

#[test]
fn every_boundary_size_once() {
    for size in SIZES {
        for fill in FILLERS {
            for exact in [true, false] {
                let value = text(size, fill, exact);
                check_publish_field(Field::UserValue, &value);
                check_connect_field(Field::Username, &value);
            }
        }
    }
}
