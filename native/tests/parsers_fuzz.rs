//! Property tests ("fuzzing" on stable Rust) of every parser of outside
//! input: server URIs, topics and filters, the bridge's wire format, and the
//! MQTT codec fed by the broker. Each must return a value or an error for
//! any input, never panic. Bounded for CI by `PROPTEST_CASES` (default 2,000
//! per parser); longer runs: `PROPTEST_CASES=1000000 cargo test --release
//! -p mqtt-engine --test parsers_fuzz`.

use bytes::BytesMut;
use mqtt_engine::config::{validate_filter, validate_topic, ServerUri};
use mqtt_engine::protocol::{codec, limits::ServerLimits};
use mqtt_engine::wire;
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn uris_parse_or_fail_cleanly(uri in "(tcp|ssl|ws|wss|mqtt|mqtts|http|)(://)?[\\[\\]a-z0-9:./@?#%-]{0,40}") {
        if let Ok(parsed) = ServerUri::parse(&uri) {
            prop_assert!(!parsed.host.is_empty());
            prop_assert!(parsed.port > 0);
        }
    }

    #[test]
    fn arbitrary_uri_text_never_panics(uri in any::<String>()) {
        let _ = ServerUri::parse(&uri);
    }

    #[test]
    fn topics_and_filters_never_panic(topic in "[a-z/+#$\u{0}\u{1F600}]{0,20}") {
        let valid_topic = validate_topic(&topic).is_ok();
        prop_assert_eq!(valid_topic, !topic.is_empty() && !topic.contains(['+', '#', '\0']));
        let _ = validate_filter(&topic);
    }

    #[test]
    fn wire_decoders_never_panic(data in proptest::collection::vec(any::<u8>(), 0..256), qos in any::<i32>()) {
        let _ = wire::decode_options(&data);
        let _ = wire::publish_message(Vec::new(), qos, false, Some(&data));
        let _ = wire::decode_subscriptions(&data);
    }

    #[test]
    fn codec_never_panics_on_broker_bytes(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut buf = BytesMut::from(&data[..]);
        // Parse as many packets as the bytes hold; every outcome is fine but a panic.
        for _ in 0..64 {
            match codec::read_packet(&mut buf, 1 << 20) {
                Ok(Some(_)) => continue,
                _ => break,
            }
        }
    }

    #[test]
    fn codec_never_panics_on_mutated_valid_packets(flip in 0usize..64, byte in any::<u8>(), payload in proptest::collection::vec(any::<u8>(), 0..32)) {
        let mut message = mqtt_engine::Message::new(payload).with_qos(mqtt_engine::QoS::AtMostOnce);
        message.properties.response_topic = Some("r/t".into());
        message.properties.user_properties = vec![("k".into(), "v".into())];
        let mut buf = BytesMut::new();
        codec::write_packet(&rumqttc_packet(&message), &mut buf, &ServerLimits::default(), String::new).unwrap();
        let at = flip % buf.len();
        buf[at] = byte;
        let _ = codec::read_packet(&mut buf, 1 << 20);
    }
}

fn rumqttc_packet(message: &mqtt_engine::Message) -> rumqttc::v5::mqttbytes::v5::Packet {
    rumqttc::v5::mqttbytes::v5::Packet::Publish(codec::to_publish("a/b", message.clone()))
}
