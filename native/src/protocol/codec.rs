//! Conversions between the engine's types and rumqttc's MQTT 5 codec, and
//! the framing of packets on a byte stream.

use bytes::{Bytes, BytesMut};
use rumqttc::v5::mqttbytes::v5::{
    Connect, ConnectProperties, Disconnect, DisconnectReasonCode, Filter, LastWill,
    LastWillProperties, Login, Packet, Publish, PublishProperties, RetainForwardRule,
};
use rumqttc::v5::mqttbytes::QoS as WireQoS;
use rumqttc::v5::mqttbytes::{self};

use crate::config::ConnectOptions;
use crate::error::{ErrorKind, MqttError, Result};
use crate::message::{Message, MessageProperties, QoS, RetainHandling, Subscription};

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

/// A received PUBLISH as the application sees it.
pub fn from_publish(publish: Publish) -> Result<Message> {
    let topic = String::from_utf8(publish.topic.to_vec())
        .map_err(|_| MqttError::new(ErrorKind::Protocol, "Received a topic that is not UTF-8"))?;
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
    Ok(Message {
        payload: publish.payload,
        qos: engine_qos(publish.qos),
        retained: publish.retain,
        duplicate: publish.dup,
        message_id: publish.pkid,
        topic: Some(topic),
        properties,
    })
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

/// The CONNECT packet. No topic alias maximum is advertised, so the broker
/// never sends aliased publishes with empty topics (R11).
pub fn connect_packet(options: &ConnectOptions) -> Packet {
    let properties = ConnectProperties {
        session_expiry_interval: Some(options.session_expiry_interval).filter(|s| *s > 0),
        receive_maximum: None,
        max_packet_size: Some(options.max_incoming_packet_size),
        topic_alias_max: None,
        request_response_info: None,
        request_problem_info: None,
        user_properties: Vec::new(),
        authentication_method: None,
        authentication_data: None,
    };
    let connect = Connect {
        keep_alive: options.keep_alive.as_secs() as u16,
        client_id: options.client_id.clone(),
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
    let login = options.username.as_ref().map(|user| Login {
        username: user.clone(),
        password: options.password.clone().unwrap_or_default(),
    });
    Packet::Connect(connect, will, login)
}

pub fn disconnect_packet() -> Packet {
    Packet::Disconnect(Disconnect::new(DisconnectReasonCode::NormalDisconnection))
}

/// Takes the next whole packet out of `buf`, `Ok(None)` when more bytes are needed.
pub fn read_packet(buf: &mut BytesMut, max_size: u32) -> Result<Option<Packet>> {
    // A DISCONNECT without reason code (remaining length 0) means "normal";
    // the codec insists on a payload, so frame it here.
    if buf.len() >= 2 && buf[0] == 0xE0 && buf[1] == 0 {
        let _ = buf.split_to(2);
        return Ok(Some(disconnect_packet()));
    }
    match Packet::read(buf, Some(max_size)) {
        Ok(packet) => Ok(Some(packet)),
        Err(mqttbytes::Error::InsufficientBytes(_)) => Ok(None),
        Err(mqttbytes::Error::PayloadSizeLimitExceeded { pkt_size, max }) => Err(MqttError::new(
            ErrorKind::Protocol,
            format!("Broker sent a packet of {pkt_size} bytes, above our maximum of {max}"),
        )),
        Err(e) => Err(MqttError::new(
            ErrorKind::Protocol,
            format!("Malformed packet from the broker: {e}"),
        )),
    }
}

/// Appends the encoding of `packet`; refuses packets above the broker's maximum.
pub fn write_packet(packet: &Packet, buf: &mut BytesMut, broker_max: Option<u32>) -> Result<()> {
    packet.write(buf, broker_max).map(|_| ()).map_err(|e| {
        MqttError::new(
            ErrorKind::InvalidInput,
            format!("Cannot encode packet: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut buf = BytesMut::new();
        write_packet(&Packet::Publish(publish), &mut buf, None).unwrap();
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

    #[test]
    fn partial_input_waits_for_more_bytes() {
        let mut buf = BytesMut::new();
        let publish = to_publish("t", Message::new(vec![7u8; 100]).with_qos(QoS::AtMostOnce));
        write_packet(&Packet::Publish(publish), &mut buf, None).unwrap();
        let mut half = buf.split_to(50);
        assert!(read_packet(&mut half, 1 << 20).unwrap().is_none());
        assert_eq!(half.len(), 50, "nothing consumed");
    }

    #[test]
    fn oversize_and_garbage_are_errors_not_panics() {
        let mut buf = BytesMut::new();
        write_packet(
            &Packet::Publish(to_publish(
                "t",
                Message::new(vec![0u8; 2000]).with_qos(QoS::AtMostOnce),
            )),
            &mut buf,
            None,
        )
        .unwrap();
        assert!(read_packet(&mut buf.clone(), 1000).is_err());
        let mut garbage = BytesMut::from(&[0xFFu8, 0xFF, 0xFF, 0xFF, 0xFF, 0x01][..]);
        assert!(read_packet(&mut garbage, 1000).is_err());
        let mut bare_disconnect = BytesMut::from(&[0xE0u8, 0x00][..]);
        assert!(matches!(
            read_packet(&mut bare_disconnect, 10).unwrap(),
            Some(Packet::Disconnect(_))
        ));
    }
}
