//! MQTT 5 conformance against a real mosquitto (docs/conformance.md), for
//! the rows where the broker's own reaction is the proof: strings kept byte
//! for byte through a broker, calls refused before anything is sent (the
//! broker would close the connection on the packet). (A Server's DISCONNECT
//! is scripted in `connection/tests/conformance.rs`: mosquitto 2.0.11 closes
//! a taken-over session's socket without sending DISCONNECT 0x8E.)

mod common;

use bytes::Bytes;
use common::*;
use mqtt_engine::error::code;
use mqtt_engine::{Client, Message, QoS, Subscription};
use mqtt_fixture::{Broker, BrokerConfig};

/// MQTT-1.5.4-3: U+FEFF (EF BB BF) is a character like any other: kept,
/// not stripped as a byte order mark, in a topic, a user property and the
/// content type, through mosquitto and back.
#[tokio::test]
async fn u_feff_round_trips_byte_for_byte_in_topics_and_properties() {
    let broker = Broker::start(BrokerConfig::plain());
    let topic = "bom/\u{FEFF}start/end\u{FEFF}";
    let (sub, mut stream) = subscriber(&broker.url(), topic, QoS::AtLeastOnce).await;
    let mut message = Message::new(&b"\xEF\xBB\xBFpayload"[..]);
    message.properties.user_properties = vec![("\u{FEFF}key".into(), "value\u{FEFF}".into())];
    message.properties.content_type = Some("\u{FEFF}text/plain".into());
    sub.publish(topic, &message).await.expect("publish");
    let got = next(&mut stream, "the message with U+FEFF").await;
    assert_eq!(
        got.topic.as_deref().map(str::as_bytes),
        Some(topic.as_bytes())
    );
    assert_eq!(got.payload, Bytes::from_static(b"\xEF\xBB\xBFpayload"));
    assert_eq!(
        got.properties.user_properties,
        message.properties.user_properties
    );
    assert_eq!(got.properties.content_type, message.properties.content_type);
    finish(sub).await;
}

/// The connection is still up and the subscription to `topic` still
/// delivers: a QoS 1 round trip (without automatic reconnect, a connection
/// the broker had closed would fail the publish).
async fn still_subscribed(client: &Client, stream: &mut mqtt_engine::MessageStream, topic: &str) {
    let token = client.publish(topic, &Message::new(&b"alive"[..])).await;
    token.expect("the connection is still up");
    assert_eq!(&next(stream, topic).await.payload[..], b"alive");
}

/// MQTT-3.10.3-1: UNSUBSCRIBE filters are UTF-8 strings: U+0000 and more
/// than 65,535 bytes are refused with an error naming the problem, before
/// anything is sent (mosquitto would drop the connection on the packet, and
/// a longer filter would be framed with a wrapped 2-byte length). A list
/// with one bad filter sends nothing, so the good one stays subscribed.
#[tokio::test]
async fn unsubscribe_refuses_bad_filters_before_sending() {
    let broker = Broker::start(BrokerConfig::plain());
    let (client, mut stream) = subscriber(&broker.url(), "unsub/a", QoS::AtLeastOnce).await;
    let cases = [
        (vec!["unsub/a".to_string(), "bad\0filter".into()], "U+0000"),
        (vec!["x".repeat(65_536)], "65536 UTF-8 bytes"),
    ];
    for (filters, says) in cases {
        let error = client.unsubscribe(filters).await.expect_err("refused");
        assert_eq!(error.reason_code(), Some(code::INVALID_ARGUMENT), "{error}");
        assert!(
            error.message().contains("Topic filter") && error.message().contains(says),
            "{error}"
        );
    }
    still_subscribed(&client, &mut stream, "unsub/a").await;
    client
        .unsubscribe(vec!["x".repeat(65_535)])
        .await
        .expect("the longest filter is fine");
    client
        .unsubscribe(vec!["unsub/a".into()])
        .await
        .expect("unsubscribe");
    finish(client).await;
}

/// MQTT-3.10.3-2: an UNSUBSCRIBE has at least one filter; an empty list
/// is a call with nothing to do, so nothing is sent (mosquitto closes the
/// connection on an empty UNSUBSCRIBE) and the call succeeds.
#[tokio::test]
async fn an_empty_unsubscribe_sends_nothing() {
    let broker = Broker::start(BrokerConfig::plain());
    let (client, mut stream) = subscriber(&broker.url(), "empty/a", QoS::AtLeastOnce).await;
    client.unsubscribe(Vec::new()).await.expect("nothing to do");
    still_subscribed(&client, &mut stream, "empty/a").await;
    finish(client).await;
}

/// MQTT-3.8.3-4: No Local on a shared subscription is a protocol error
/// (mosquitto closes the connection), so the subscribe is refused before
/// sending, naming the filter; the same subscription without it works.
#[tokio::test]
async fn no_local_on_a_shared_subscription_is_refused_before_sending() {
    let broker = Broker::start(BrokerConfig::plain());
    let client = client(&broker.url()).await;
    let mut shared = Subscription::new("$share/g/nl", QoS::AtLeastOnce);
    shared.no_local = true;
    let error = client
        .subscribe(vec![shared.clone()])
        .await
        .expect_err("refused");
    assert_eq!(error.reason_code(), Some(code::INVALID_ARGUMENT), "{error}");
    assert!(
        error.message().contains("$share/g/nl") && error.message().contains("noLocal"),
        "{error}"
    );
    shared.no_local = false;
    client.subscribe(vec![shared]).await.expect("subscribe");
    let mut stream = client.receive();
    still_subscribed(&client, &mut stream, "nl").await;
    finish(client).await;
}
