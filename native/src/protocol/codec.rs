//! Our types to and from rumqttc's MQTT 5 packets, and the framing of
//! packets on a byte stream.
//!
//! Writing is all or nothing: a packet that cannot be encoded (above a
//! size limit, a length that does not fit) leaves the buffer as it was, so
//! one bad packet never corrupts the packets around it (contract C8).
//! Reading checks what the codec does not: the whole packet against our
//! Maximum Packet Size, the fixed flags of its first bytes (`header`), and
//! the strings of a PUBLISH (U+0000, UTF-8, no wildcards, no topic alias) —
//! a broken packet is a [`Violation`] with the DISCONNECT reason code the
//! standard names (contract P5).

use bytes::{Bytes, BytesMut};
use rumqttc::v5::mqttbytes::v5::{
    Connect, ConnectProperties, Disconnect, DisconnectReasonCode, Filter, LastWill,
    LastWillProperties, Packet, Publish, PublishProperties, RetainForwardRule,
};
use rumqttc::v5::mqttbytes::QoS as WireQoS;
use rumqttc::v5::mqttbytes::{self};

use super::limits::{self, ServerLimits, MAX_PACKET};
use super::{header, reasons};
use crate::config::ConnectOptions;
use crate::error::{code, ErrorKind, MqttError, Result};
use crate::message::{Message, MessageProperties, QoS, RetainHandling, Subscription};

/// The broker broke the protocol: close with `reason` (MQTT 5 §4.13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub reason: DisconnectReasonCode,
    pub detail: String,
}

impl Violation {
    pub fn new(reason: DisconnectReasonCode, detail: impl Into<String>) -> Self {
        Violation {
            reason,
            detail: detail.into(),
        }
    }

    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(DisconnectReasonCode::MalformedPacket, detail)
    }

    pub fn protocol(detail: impl Into<String>) -> Self {
        Self::new(DisconnectReasonCode::ProtocolError, detail)
    }

    /// What the application hears: the broker's fault, and what we sent.
    pub fn to_error(&self) -> MqttError {
        let code_number = reasons::disconnect(self.reason);
        MqttError::with_code(
            ErrorKind::Protocol,
            format!(
                "The broker broke the MQTT protocol ({}); the connection was closed with DISCONNECT {} (reason code {code_number})",
                self.detail,
                reasons::name(code_number)
            ),
            code::PROTOCOL_VIOLATION,
        )
    }
}

pub fn wire_qos(qos: QoS) -> WireQoS {
    match qos {
        QoS::AtMostOnce => WireQoS::AtMostOnce,
        QoS::AtLeastOnce => WireQoS::AtLeastOnce,
        QoS::ExactlyOnce => WireQoS::ExactlyOnce,
    }
}

pub fn engine_qos(qos: WireQoS) -> QoS {
    match qos {
        WireQoS::AtMostOnce => QoS::AtMostOnce,
        WireQoS::AtLeastOnce => QoS::AtLeastOnce,
        WireQoS::ExactlyOnce => QoS::ExactlyOnce,
    }
}

fn publish_properties(p: MessageProperties) -> Option<PublishProperties> {
    if p.is_empty() {
        return None;
    }
    Some(PublishProperties {
        payload_format_indicator: p.payload_format_indicator.map(u8::from),
        message_expiry_interval: p.message_expiry_interval,
        topic_alias: None,
        response_topic: p.response_topic,
        correlation_data: p.correlation_data,
        user_properties: p.user_properties,
        subscription_identifiers: Vec::new(),
        content_type: p.content_type,
    })
}

/// The PUBLISH packet for `message` on `topic` (packet id set when sent).
pub fn to_publish(topic: &str, message: Message) -> Publish {
    let mut publish = Publish::new(
        topic,
        wire_qos(message.qos),
        message.payload,
        publish_properties(message.properties),
    );
    publish.retain = message.retained;
    publish
}

/// The size of `publish` as a packet once it has a packet id.
pub fn publish_size(publish: &Publish) -> usize {
    let id_bytes = if publish.qos == WireQoS::AtMostOnce || publish.pkid != 0 {
        0
    } else {
        2
    };
    publish.size() + id_bytes
}

fn no_nul(what: &str, value: &str) -> std::result::Result<(), Violation> {
    if value.contains('\0') {
        return Err(Violation::malformed(format!("{what} contains U+0000")));
    }
    Ok(())
}

/// Checks a received PUBLISH for what the codec does not (MQTT-1.5.4-1/2,
/// MQTT-3.3.2-2, topic aliases: we announce a Topic Alias Maximum of 0, so
/// any alias is invalid) and returns its topic.
pub fn incoming_topic(publish: &Publish) -> std::result::Result<String, Violation> {
    let topic = std::str::from_utf8(&publish.topic)
        .map_err(|_| Violation::malformed("a PUBLISH topic that is not UTF-8"))?;
    no_nul("a PUBLISH topic", topic)?;
    if let Some(alias) = publish.properties.as_ref().and_then(|p| p.topic_alias) {
        return Err(Violation::new(
            DisconnectReasonCode::TopicAliasInvalid,
            format!("a PUBLISH with Topic Alias {alias}; we announced a Topic Alias Maximum of 0"),
        ));
    }
    if topic.is_empty() {
        return Err(Violation::protocol("a PUBLISH with an empty topic"));
    }
    if topic.contains(['+', '#']) {
        return Err(Violation::protocol(format!(
            "a PUBLISH to '{}', a topic name with a wildcard",
            topic.escape_debug()
        )));
    }
    if let Some(p) = &publish.properties {
        for (what, value) in [
            ("a PUBLISH response topic", p.response_topic.as_deref()),
            ("a PUBLISH content type", p.content_type.as_deref()),
        ] {
            if let Some(value) = value {
                no_nul(what, value)?;
            }
        }
        for (key, value) in &p.user_properties {
            no_nul("a PUBLISH user property", key)?;
            no_nul("a PUBLISH user property", value)?;
        }
    }
    Ok(topic.to_owned())
}

/// A received PUBLISH as the application sees it; `topic` from [`incoming_topic`].
pub fn to_message(publish: Publish, topic: String) -> Message {
    let properties = publish
        .properties
        .map(|p| MessageProperties {
            response_topic: p.response_topic,
            correlation_data: p.correlation_data,
            user_properties: p.user_properties,
            content_type: p.content_type,
            message_expiry_interval: p.message_expiry_interval,
            payload_format_indicator: p.payload_format_indicator.map(|v| v != 0),
        })
        .unwrap_or_default();
    Message {
        payload: publish.payload,
        qos: engine_qos(publish.qos),
        retained: publish.retain,
        duplicate: publish.dup,
        message_id: publish.pkid,
        topic: Some(topic),
        properties,
    }
}

/// Both steps at once.
pub fn from_publish(publish: Publish) -> std::result::Result<Message, Violation> {
    let topic = incoming_topic(&publish)?;
    Ok(to_message(publish, topic))
}

pub fn to_filter(s: &Subscription) -> Filter {
    let mut filter = Filter::new(s.topic.clone(), wire_qos(s.qos));
    filter.nolocal = s.no_local;
    filter.preserve_retain = s.retain_as_published;
    filter.retain_forward_rule = match s.retain_handling {
        RetainHandling::SendAtSubscribe => RetainForwardRule::OnEverySubscribe,
        RetainHandling::SendAtNewSubscribe => RetainForwardRule::OnNewSubscribe,
        RetainHandling::DoNotSend => RetainForwardRule::Never,
    };
    filter
}

/// The CONNECT packet with `client_id` (the configured one, or the one the
/// Server assigned earlier: contract C9). No Topic Alias Maximum is
/// announced, so the broker never sends aliased publishes (R11); the
/// Maximum Packet Size is at most what the protocol can frame.
pub fn connect_packet(options: &ConnectOptions, client_id: &str) -> Packet {
    let properties = ConnectProperties {
        session_expiry_interval: Some(options.session_expiry_interval).filter(|s| *s > 0),
        receive_maximum: None,
        max_packet_size: Some(options.max_incoming_packet_size.min(MAX_PACKET)),
        topic_alias_max: None,
        request_response_info: None,
        request_problem_info: None,
        user_properties: Vec::new(),
        authentication_method: None,
        authentication_data: None,
    };
    let connect = Connect {
        keep_alive: options.keep_alive.as_secs() as u16,
        client_id: client_id.to_owned(),
        clean_start: options.clean_start,
        properties: Some(properties),
    };
    let will = options.will.as_ref().map(|will| {
        let p = &will.message.properties;
        let properties = (!p.is_empty()).then(|| LastWillProperties {
            delay_interval: None,
            payload_format_indicator: p.payload_format_indicator.map(u8::from),
            message_expiry_interval: p.message_expiry_interval,
            content_type: p.content_type.clone(),
            response_topic: p.response_topic.clone(),
            correlation_data: p.correlation_data.clone(),
            user_properties: p.user_properties.clone(),
        });
        LastWill {
            topic: Bytes::copy_from_slice(will.topic.as_bytes()),
            message: will.message.payload.clone(),
            qos: wire_qos(will.message.qos),
            retain: will.message.retained,
            properties,
        }
    });
    // The login is framed by `connect_bytes`.
    Packet::Connect(connect, will, None)
}

/// The bytes of our CONNECT. rumqttc 0.25.1 writes a User Name and a
/// Password only when they are non-empty, and a Password only with a User
/// Name; MQTT 5 allows a zero-length User Name or Password and a Password
/// alone (§3.1.2.8, §3.1.2.9, §3.1.3.5, §3.1.3.6). Both come last in the
/// payload, so they are appended here, their flags set and the Remaining
/// Length written anew.
pub fn connect_bytes(options: &ConnectOptions, client_id: &str) -> Result<BytesMut> {
    let mut rumqttc = BytesMut::new();
    write_packet(
        &connect_packet(options, client_id),
        &mut rumqttc,
        &ServerLimits::default(),
        || "CONNECT".into(),
    )?;
    let header = 1 + rumqttc[1..].iter().take_while(|b| *b & 0x80 != 0).count() + 1;
    let mut body = rumqttc.split_off(header);
    // Protocol Name (2 + 4 bytes) and Protocol Level come before the flags.
    const FLAGS: usize = 7;
    for (flag, field) in [
        (0x80, options.username.as_deref()),
        (0x40, options.password.as_deref()),
    ] {
        if let Some(field) = field {
            body[FLAGS] |= flag;
            // check_connect keeps both within 65,535 bytes.
            body.extend_from_slice(&(field.len() as u16).to_be_bytes());
            body.extend_from_slice(field.as_bytes());
        }
    }
    let mut out = BytesMut::with_capacity(body.len() + 5);
    out.extend_from_slice(&[0x10]);
    let mut remaining = body.len();
    loop {
        let byte = (remaining % 128) as u8;
        remaining /= 128;
        out.extend_from_slice(&[if remaining > 0 { byte | 0x80 } else { byte }]);
        if remaining == 0 {
            break;
        }
    }
    if let Some(error) =
        limits::packet_too_large("CONNECT", out.len() + body.len(), &ServerLimits::default())
    {
        return Err(error);
    }
    out.extend_from_slice(&body);
    Ok(out)
}

pub fn disconnect_packet(reason: DisconnectReasonCode) -> Packet {
    Packet::Disconnect(Disconnect::new(reason))
}

/// Our DISCONNECT, which never carries properties: `E0 00` for a normal
/// disconnection, else `E0 02 <reason> 00`. Not rumqttc's writer: in 0.25.1
/// a reason without properties is framed with Remaining Length 1 and a
/// stray property-length byte after it, and an empty property list makes
/// it write a normal disconnection instead.
fn write_disconnect(disconnect: &Disconnect, buf: &mut BytesMut) -> bool {
    if disconnect.properties.is_some() {
        return false;
    }
    match disconnect.reason_code {
        DisconnectReasonCode::NormalDisconnection => buf.extend_from_slice(&[0xE0, 0x00]),
        reason => buf.extend_from_slice(&[0xE0, 0x02, reasons::disconnect(reason), 0x00]),
    }
    true
}

/// The fixed header's packet length (type byte, Remaining Length bytes and
/// the rest), or None while the header is incomplete.
fn frame_length(buf: &[u8]) -> std::result::Result<Option<usize>, Violation> {
    let mut remaining = 0usize;
    for (i, byte) in buf.iter().skip(1).take(4).enumerate() {
        remaining |= usize::from(byte & 0x7F) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok(Some(1 + (i + 1) + remaining));
        }
    }
    if buf.len() >= 5 {
        return Err(Violation::malformed(
            "a Remaining Length longer than 4 bytes",
        ));
    }
    Ok(None)
}

/// Takes the next whole packet out of `buf`, `Ok(None)` when more bytes
/// are needed. A packet above `max_size` (our Maximum Packet Size, which
/// counts the whole packet) is refused before it is buffered whole.
pub fn read_packet(
    buf: &mut BytesMut,
    max_size: u32,
) -> std::result::Result<Option<Packet>, Violation> {
    let Some(length) = frame_length(buf)? else {
        return Ok(None);
    };
    if length > max_size as usize {
        return Err(Violation::new(
            DisconnectReasonCode::PacketTooLarge,
            format!("a packet of {length} bytes, above our Maximum Packet Size of {max_size}"),
        ));
    }
    if buf.len() < length {
        return Ok(None);
    }
    header::check(&buf[..length])?;
    // A DISCONNECT without reason code (remaining length 0) means "normal";
    // the codec insists on a payload, so frame it here.
    if buf[0] == 0xE0 && buf[1] == 0 {
        let _ = buf.split_to(2);
        return Ok(Some(disconnect_packet(
            DisconnectReasonCode::NormalDisconnection,
        )));
    }
    let type_nibble = buf[0] >> 4;
    match Packet::read(buf, None) {
        Ok(packet) => Ok(Some(packet)),
        Err(mqttbytes::Error::InsufficientBytes(_)) => Ok(None),
        // AUTH (15): we never offer enhanced authentication, so the Server
        // may not send one (MQTT-4.12.0-6).
        Err(_) if type_nibble == 15 => Err(Violation::protocol("an AUTH packet")),
        Err(e) => Err(Violation::malformed(format!("{e}"))),
    }
}

/// Appends the encoding of `packet`, or leaves `buf` as it was and says
/// why: above the Server's Maximum Packet Size or the protocol's, or not
/// encodable (contract C8: nothing of a failed packet is written).
pub fn write_packet(
    packet: &Packet,
    buf: &mut BytesMut,
    limits: &ServerLimits,
    what: impl FnOnce() -> String,
) -> Result<()> {
    if let Some(error) = limits::packet_too_large(&what(), packet.size(), limits) {
        return Err(error);
    }
    if let Packet::Disconnect(disconnect) = packet {
        if write_disconnect(disconnect, buf) {
            return Ok(());
        }
    }
    let start = buf.len();
    packet.write(buf, None).map(|_| ()).map_err(|e| {
        buf.truncate(start);
        MqttError::invalid(format!("Cannot encode packet: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_limits() -> ServerLimits {
        ServerLimits::default()
    }

    fn encode(packet: &Packet) -> BytesMut {
        let mut buf = BytesMut::new();
        write_packet(packet, &mut buf, &no_limits(), String::new).unwrap();
        buf
    }

    #[test]
    fn publish_round_trips_through_the_codec_with_properties() {
        let mut message = Message::new(&b"payload"[..]).with_qos(QoS::ExactlyOnce);
        message.retained = true;
        message.properties.response_topic = Some("reply".into());
        message.properties.correlation_data = Some(Bytes::from_static(b"\x00\x01"));
        message.properties.user_properties = vec![("k".into(), "v".into())];
        message.properties.content_type = Some("text/plain".into());
        message.properties.message_expiry_interval = Some(30);
        message.properties.payload_format_indicator = Some(true);
        let mut publish = to_publish("a/b", message.clone());
        publish.pkid = 9;
        let mut buf = encode(&Packet::Publish(publish));
        let Some(Packet::Publish(back)) = read_packet(&mut buf, 1 << 20).unwrap() else {
            panic!("not a publish")
        };
        let back = from_publish(back).unwrap();
        assert_eq!(back.topic.as_deref(), Some("a/b"));
        assert_eq!(back.message_id, 9);
        assert_eq!(back.payload, message.payload);
        assert_eq!(back.properties, message.properties);
        assert!(back.retained);
    }

    /// MQTT-1.5.5-1: the Remaining Length is a Variable Byte Integer in the
    /// fewest bytes, at each boundary where it grows by a byte; and it
    /// reads back as the same packet.
    #[test]
    fn remaining_lengths_use_the_fewest_bytes_at_every_boundary() {
        let boundaries: [(usize, &[u8]); 6] = [
            (127, &[0x7F]),
            (128, &[0x80, 0x01]),
            (16_383, &[0xFF, 0x7F]),
            (16_384, &[0x80, 0x80, 0x01]),
            (2_097_151, &[0xFF, 0xFF, 0x7F]),
            (2_097_152, &[0x80, 0x80, 0x80, 0x01]),
        ];
        for (remaining, expected) in boundaries {
            // QoS 0 to "t": topic length (2) + "t" (1) + property length (1).
            let payload = vec![0u8; remaining - 4];
            let mut buf = encode(&Packet::Publish(to_publish(
                "t",
                Message::new(payload).with_qos(QoS::AtMostOnce),
            )));
            assert_eq!(
                &buf[1..1 + expected.len()],
                expected,
                "Remaining Length {remaining}"
            );
            assert_eq!(buf.len(), 1 + expected.len() + remaining);
            let Some(Packet::Publish(back)) = read_packet(&mut buf, MAX_PACKET).unwrap() else {
                panic!("not a publish")
            };
            assert_eq!(back.payload.len(), remaining - 4);
        }
        // The Property Length is one too: 128 bytes of properties take 2.
        let mut message = Message::new(&b"x"[..]).with_qos(QoS::AtMostOnce);
        // A user property: identifier (1) + 2 + key (1) + 2 + value.
        message.properties.user_properties = vec![("k".into(), "v".repeat(122))];
        let buf = encode(&Packet::Publish(to_publish("t", message)));
        // Type, Remaining Length (1 byte: 2 + 1 + 2 + 128 + 1 = 134 > 127, so 2).
        assert_eq!(&buf[1..3], [134 | 0x80, 0x01]);
        assert_eq!(&buf[3..6], [0x00, 0x01, b't'], "the topic");
        assert_eq!(&buf[6..8], [0x80, 0x01], "Property Length 128 in 2 bytes");
    }

    #[test]
    fn partial_input_waits_for_more_bytes() {
        let publish = to_publish("t", Message::new(vec![7u8; 100]).with_qos(QoS::AtMostOnce));
        let mut buf = encode(&Packet::Publish(publish));
        let mut half = buf.split_to(50);
        assert!(read_packet(&mut half, 1 << 20).unwrap().is_none());
        assert_eq!(half.len(), 50, "nothing consumed");
        let mut header_only = BytesMut::from(&[0x30u8][..]);
        assert!(read_packet(&mut header_only, 10).unwrap().is_none());
    }

    #[test]
    fn oversize_and_garbage_are_violations_with_the_right_reason() {
        let publish = to_publish("t", Message::new(vec![0u8; 2000]).with_qos(QoS::AtMostOnce));
        let buf = encode(&Packet::Publish(publish));
        let whole = buf.len() as u32;
        // The limit counts the whole packet: one byte under it is refused.
        let too_large = read_packet(&mut buf.clone(), whole - 1).unwrap_err();
        assert_eq!(too_large.reason, DisconnectReasonCode::PacketTooLarge);
        assert!(read_packet(&mut buf.clone(), whole).unwrap().is_some());
        // Refused from the header alone, before the body is buffered.
        let mut head = BytesMut::from(&buf[..5]);
        assert!(read_packet(&mut head, 1000).is_err());
        let mut garbage = BytesMut::from(&[0x30u8, 0xFF, 0xFF, 0xFF, 0xFF, 0x01][..]);
        let e = read_packet(&mut garbage, u32::MAX).unwrap_err();
        assert_eq!(e.reason, DisconnectReasonCode::MalformedPacket);
        let mut bad_qos = BytesMut::from(&[0x36u8, 0x03, 0x00, 0x01, b't'][..]);
        let e = read_packet(&mut bad_qos, 100).unwrap_err();
        assert_eq!(e.reason, DisconnectReasonCode::MalformedPacket);
        let mut auth = BytesMut::from(&[0xF0u8, 0x01, 0x00][..]);
        let e = read_packet(&mut auth, 100).unwrap_err();
        assert_eq!(e.reason, DisconnectReasonCode::ProtocolError);
        let mut bare_disconnect = BytesMut::from(&[0xE0u8, 0x00][..]);
        assert!(matches!(
            read_packet(&mut bare_disconnect, 10).unwrap(),
            Some(Packet::Disconnect(_))
        ));
        // Fixed flags of the first bytes (`header`): a PUBREL with flags
        // 0000 (MQTT-2.1.3-1), a CONNACK with a reserved bit (MQTT-3.2.2-1).
        for bytes in [
            &[0x60u8, 0x02, 0x00, 0x01][..],
            &[0x20, 0x03, 0x02, 0x00, 0x00],
        ] {
            let e = read_packet(&mut BytesMut::from(bytes), 100).unwrap_err();
            assert_eq!(
                e.reason,
                DisconnectReasonCode::MalformedPacket,
                "{bytes:02x?}"
            );
        }
    }

    #[test]
    fn broken_incoming_publishes_are_violations() {
        let mut aliased = to_publish("t", Message::new(&b"x"[..]));
        aliased.properties = Some(PublishProperties {
            topic_alias: Some(1),
            ..Default::default()
        });
        let mut with_nul = to_publish("t", Message::new(&b"x"[..]));
        with_nul.properties = Some(PublishProperties {
            user_properties: vec![("k".into(), "v\0".into())],
            ..Default::default()
        });
        let cases = [
            (to_publish("a\0b", Message::new(&b"x"[..])), 0x81),
            (to_publish("a/+", Message::new(&b"x"[..])), 0x82),
            (to_publish("", Message::new(&b"x"[..])), 0x82),
            (aliased, 0x94),
            (with_nul, 0x81),
        ];
        for (publish, reason) in cases {
            let v = from_publish(publish.clone()).unwrap_err();
            assert_eq!(reasons::disconnect(v.reason), reason, "{publish:?}");
            let e = v.to_error();
            assert_eq!(e.reason_code(), Some(code::PROTOCOL_VIOLATION));
        }
        let mut not_utf8 = to_publish("t", Message::new(&b"x"[..]));
        not_utf8.topic = Bytes::from_static(&[0xC3, 0x28]);
        assert_eq!(
            from_publish(not_utf8).unwrap_err().reason,
            DisconnectReasonCode::MalformedPacket
        );
    }

    #[test]
    fn a_packet_that_cannot_be_written_leaves_the_buffer_as_it_was() {
        let mut buf = encode(&Packet::PingReq(rumqttc::v5::mqttbytes::v5::PingReq));
        let before = buf.clone();
        let limits = ServerLimits {
            maximum_packet_size: Some(100),
            ..Default::default()
        };
        let big = to_publish("t", Message::new(vec![0u8; 200]).with_qos(QoS::AtMostOnce));
        let e = write_packet(&Packet::Publish(big), &mut buf, &limits, || {
            "Message to 't'".into()
        })
        .unwrap_err();
        assert_eq!(e.reason_code(), Some(code::PACKET_TOO_LARGE));
        assert!(e.message().contains("Message to 't'"), "{e}");
        assert_eq!(
            buf, before,
            "nothing of the refused packet is in the buffer"
        );
        // A QoS 1 publish without a packet id fails inside the codec, after
        // it began writing: the buffer is restored too.
        let no_id = to_publish("t", Message::new(&b"x"[..]).with_qos(QoS::AtLeastOnce));
        assert!(
            write_packet(&Packet::Publish(no_id), &mut buf, &no_limits(), String::new).is_err()
        );
        assert_eq!(buf, before);
    }

    #[test]
    fn disconnect_packets_are_framed_exactly() {
        let normal = encode(&disconnect_packet(
            DisconnectReasonCode::NormalDisconnection,
        ));
        assert_eq!(&normal[..], [0xE0, 0x00]);
        let mut with_reason = encode(&disconnect_packet(DisconnectReasonCode::TopicAliasInvalid));
        assert_eq!(&with_reason[..], [0xE0, 0x02, 0x94, 0x00]);
        let Some(Packet::Disconnect(back)) = read_packet(&mut with_reason, 100).unwrap() else {
            panic!("not a DISCONNECT")
        };
        assert_eq!(back.reason_code, DisconnectReasonCode::TopicAliasInvalid);
        assert!(with_reason.is_empty(), "no stray bytes");
    }

    #[test]
    fn connect_announces_at_most_the_largest_legal_packet() {
        let options = ConnectOptions::new("tcp://h", "id");
        assert_eq!(options.max_incoming_packet_size, 256 * 1024 * 1024);
        let Packet::Connect(connect, _, _) = connect_packet(&options, "assigned") else {
            unreachable!()
        };
        assert_eq!(connect.client_id, "assigned");
        assert_eq!(
            connect.properties.unwrap().max_packet_size,
            Some(MAX_PACKET),
            "MQTT: the largest packet is 268,435,455 bytes"
        );
    }
}
