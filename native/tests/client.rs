//! Client behaviour against a real mosquitto: round trips (P1), retained,
//! tokens under concurrency (P2), validation (P3), properties (P4, §7),
//! the stream (R1, R2) and the connection calls (C1, C2, C6, C7).

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::*;
use mqtt_engine::error::code;
use mqtt_engine::{Client, ConnectOptions, Message, MessageProperties, QoS, Subscription};
use mqtt_fixture::{Broker, BrokerConfig};

#[tokio::test]
async fn round_trips_at_every_qos_with_exact_payloads_and_tokens() {
    let broker = Broker::start(BrokerConfig::plain());
    let (sub, mut stream) = subscriber(&broker.url(), "rt/#", QoS::ExactlyOnce).await;
    let publisher = client(&broker.url()).await;
    for (i, qos) in [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce]
        .into_iter()
        .enumerate()
    {
        let payload: Vec<u8> = (0..=255u8).chain([0, 0, i as u8]).collect();
        let topic = format!("rt/{i}");
        let token = publisher
            .publish(&topic, &Message::new(payload.clone()).with_qos(qos))
            .await
            .expect("publish");
        assert_eq!(token.topic, topic, "P1: the token names the topic");
        if qos == QoS::AtMostOnce {
            assert_eq!(token.message_id, 0, "P1: QoS 0 has no packet id");
        } else {
            assert_ne!(
                token.message_id, 0,
                "P1: QoS 1/2 tokens carry the packet id"
            );
        }
        let m = next(&mut stream, "the round trip").await;
        assert_eq!(m.payload, Bytes::from(payload));
        assert_eq!(m.topic.as_deref(), Some(topic.as_str()));
        assert_eq!(m.qos, qos);
        assert!(!m.retained && !m.duplicate);
    }
    finish(publisher).await;
    finish(sub).await;
}

#[tokio::test]
async fn retained_message_reaches_a_later_subscriber() {
    let broker = Broker::start(BrokerConfig::plain());
    let publisher = client(&broker.url()).await;
    publisher
        .publish("keep/me", &Message::new(&b"kept"[..]).with_retained(true))
        .await
        .unwrap();
    let (sub, mut stream) = subscriber(&broker.url(), "keep/me", QoS::AtLeastOnce).await;
    let m = next(&mut stream, "the retained message").await;
    assert!(m.retained, "P4: RETAIN set");
    assert_eq!(&m.payload[..], b"kept");
    finish(publisher).await;
    finish(sub).await;
}

#[tokio::test]
async fn eight_concurrent_publishers_each_get_their_own_token() {
    let broker = Broker::start(BrokerConfig::plain());
    let (sub, mut stream) = subscriber(&broker.url(), "conc/#", QoS::ExactlyOnce).await;
    let publisher = client(&broker.url()).await;
    let per_task = 200;
    let mut tasks = Vec::new();
    for t in 0..8 {
        let publisher = publisher.clone();
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..per_task {
                let qos = if i % 2 == 0 {
                    QoS::AtLeastOnce
                } else {
                    QoS::ExactlyOnce
                };
                let topic = format!("conc/{t}");
                let token = publisher
                    .publish(&topic, &Message::new(format!("{t}:{i}")).with_qos(qos))
                    .await
                    .expect("publish");
                assert_eq!(token.topic, topic, "P2: a token of another call's topic");
                ids.push(token.message_id);
            }
            ids
        }));
    }
    let mut all_ids = Vec::new();
    for task in tasks {
        all_ids.extend(task.await.unwrap());
    }
    assert_eq!(all_ids.len(), 8 * per_task);
    // Per-topic order is kept (P2) and every message arrives once (QoS 1 may
    // duplicate in theory; none is expected on a healthy loopback link).
    let mut next_index = [0usize; 8];
    for _ in 0..8 * per_task {
        let m = next(&mut stream, "a concurrent publish").await;
        let text = String::from_utf8(m.payload.to_vec()).unwrap();
        let (t, i) = text.split_once(':').unwrap();
        let (t, i): (usize, usize) = (t.parse().unwrap(), i.parse().unwrap());
        assert_eq!(
            i, next_index[t],
            "messages of one publisher arrive in order"
        );
        next_index[t] += 1;
    }
    finish(publisher).await;
    finish(sub).await;
}

#[tokio::test]
async fn request_properties_and_user_properties_travel_intact() {
    let broker = Broker::start(BrokerConfig::plain());
    let (sub, mut stream) = subscriber(&broker.url(), "props", QoS::AtLeastOnce).await;
    let publisher = client(&broker.url()).await;
    let properties = MessageProperties {
        response_topic: Some("reply/here".into()),
        correlation_data: Some(Bytes::from_static(&[0, 1, 2, 255])),
        user_properties: vec![("k1".into(), "v1".into()), ("k1".into(), "v2".into())],
        content_type: Some("application/json".into()),
        message_expiry_interval: Some(300),
        payload_format_indicator: Some(true),
    };
    publisher
        .publish(
            "props",
            &Message::new(&b"{}"[..]).with_properties(properties.clone()),
        )
        .await
        .unwrap();
    let m = next(&mut stream, "the message with properties").await;
    let mut got = m.properties;
    // The broker lowers the expiry by the time the message waited.
    assert!(got
        .message_expiry_interval
        .is_some_and(|s| (290..=300).contains(&s)));
    got.message_expiry_interval = Some(300);
    assert_eq!(got, properties, "P4 and §7: properties arrive unchanged");
    finish(publisher).await;
    finish(sub).await;
}

#[tokio::test]
async fn large_payloads_pass_the_codec_limit() {
    // rumqttc's default 10 KiB incoming limit would drop this (R7).
    let broker = Broker::start(BrokerConfig::plain());
    let (sub, mut stream) = subscriber(&broker.url(), "big", QoS::AtLeastOnce).await;
    let publisher = client(&broker.url()).await;
    let payload: Vec<u8> = (0..2 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    publisher
        .publish("big", &Message::new(payload.clone()))
        .await
        .unwrap();
    let m = next(&mut stream, "the 2 MiB message").await;
    assert_eq!(m.payload.len(), payload.len());
    assert!(m.payload == payload);
    finish(publisher).await;
    finish(sub).await;
}

#[tokio::test]
async fn invalid_publishes_are_errors_naming_the_problem() {
    let broker = Broker::start(BrokerConfig::plain().with_option("max_packet_size 1000"));
    let publisher = client(&broker.url()).await;
    for (topic, needle) in [
        ("", "empty"),
        ("a/+", "wildcard"),
        ("a/#", "wildcard"),
        ("a\0b", "U+0000"),
    ] {
        let e = publisher
            .publish(topic, &Message::new(&b"x"[..]))
            .await
            .unwrap_err();
        assert!(e.message().contains(needle), "P3 {topic:?}: {e}");
    }
    let long = "t".repeat(65_536);
    let e = publisher
        .publish(&long, &Message::new(&b"x"[..]))
        .await
        .unwrap_err();
    assert!(e.message().contains("65535"), "{e}");
    let e = publisher
        .publish("ok", &Message::new(vec![0u8; 5000]))
        .await
        .unwrap_err();
    assert!(
        e.message().contains("Maximum Packet Size"),
        "P3 oversize: {e}"
    );
    // The client is still usable after every refusal.
    publisher
        .publish("ok", &Message::new(&b"fine"[..]))
        .await
        .unwrap();
    finish(publisher).await;
}

#[tokio::test]
async fn bad_uris_fail_connect_naming_uri_and_schemes() {
    for uri in [
        "http://localhost:1883",
        "tcp://",
        "tcp://localhost:99999",
        "localhost",
    ] {
        let e = Client::connect(ConnectOptions::new(uri, "x"))
            .await
            .err()
            .expect("refused");
        assert!(e.message().contains(uri), "C1: {e}");
        assert!(e.message().contains("ssl://"), "C1 lists the schemes: {e}");
    }
}

#[tokio::test]
async fn unreachable_broker_fails_connect_with_32103_within_the_timeout() {
    let port = mqtt_fixture::free_port();
    let mut o = ConnectOptions::new(format!("tcp://127.0.0.1:{port}"), "x");
    o.connection_timeout = Duration::from_secs(2);
    let e = Client::connect(o).await.err().expect("refused");
    assert_eq!(e.reason_code(), Some(code::SERVER_CONNECT_ERROR), "C6: {e}");
}

#[tokio::test]
async fn silent_broker_times_out_connect_with_32000() {
    let mut broker = Broker::start(BrokerConfig::plain());
    broker.pause(); // accepts TCP, never answers CONNECT
    let mut o = options(&broker.url(), "silent");
    o.connection_timeout = Duration::from_secs(1);
    let e = Client::connect(o).await.err().expect("timed out");
    assert_eq!(e.reason_code(), Some(code::TIMEOUT), "C6: {e}");
    broker.resume();
}

#[tokio::test]
async fn keep_alive_below_five_seconds_and_zero_work() {
    // rumqttc panics below 5 s (R10); the contract allows any value (C2).
    let broker = Broker::start(BrokerConfig::plain());
    for secs in [0, 1] {
        let mut o = options(&broker.url(), "ka");
        o.keep_alive = Duration::from_secs(secs);
        let c = Client::connect(o).await.expect("connect");
        // Live past two keep-alive periods: pings are answered, nothing drops.
        c.subscribe(vec![Subscription::new("ka", QoS::AtLeastOnce)])
            .await
            .unwrap();
        let mut stream = c.receive();
        tokio::time::sleep(Duration::from_millis(2500)).await;
        assert!(
            c.is_connected().unwrap(),
            "keep-alive {secs}s kept the connection"
        );
        c.publish("ka", &Message::new(&b"alive"[..])).await.unwrap();
        next(&mut stream, "a message after keep-alive periods").await;
        finish(c).await;
    }
}

#[tokio::test]
async fn connection_calls_follow_c7() {
    let broker = Broker::start(BrokerConfig::plain());
    let c = client(&broker.url()).await;
    assert!(c.is_connected().unwrap());
    let e = c.close().await.unwrap_err();
    assert_eq!(
        e.reason_code(),
        Some(code::CLIENT_CONNECTED),
        "C7: close while connected"
    );
    assert_eq!(e.message(), "Client is connected");
    c.disconnect().await.unwrap();
    assert!(!c.is_connected().unwrap());
    let e = c.publish("t", &Message::new(&b"x"[..])).await.unwrap_err();
    assert_eq!(e.reason_code(), Some(code::CLIENT_NOT_CONNECTED));
    c.reconnect().await.unwrap();
    assert!(c.is_connected().unwrap(), "C7: reconnect connects again");
    c.publish("t", &Message::new(&b"x"[..])).await.unwrap();
    c.disconnect().await.unwrap();
    c.close().await.unwrap();
    c.close().await.unwrap(); // idempotent
    for e in [
        c.publish("t", &Message::new(&b"x"[..])).await.unwrap_err(),
        c.subscribe(vec![Subscription::from("t")])
            .await
            .unwrap_err(),
        c.reconnect().await.unwrap_err(),
        c.disconnect().await.unwrap_err(),
        c.is_connected().unwrap_err(),
    ] {
        assert_eq!(
            e.reason_code(),
            Some(code::CLIENT_CLOSED),
            "C7 after close: {e}"
        );
    }
}

#[tokio::test]
async fn streams_share_the_messages_and_end_when_the_client_closes() {
    // Closing one stream (R2) is the Java host's rule (ClientInbox); the
    // engine's streams all take from the client's one buffer (R1).
    let broker = Broker::start(BrokerConfig::plain());
    let (sub, mut first) = subscriber(&broker.url(), "s", QoS::AtLeastOnce).await;
    let mut second = sub.receive();
    let publisher = client(&broker.url()).await;
    for payload in [&b"one"[..], &b"two"[..]] {
        publisher
            .publish("s", &Message::new(payload))
            .await
            .unwrap();
    }
    let m1 = next(&mut first, "the first message").await;
    let m2 = next(&mut second, "the second message").await;
    assert_eq!(
        (&m1.payload[..], &m2.payload[..]),
        (&b"one"[..], &b"two"[..]),
        "each message once, in order, whichever stream takes it"
    );
    finish(publisher).await;
    sub.disconnect().await.unwrap();
    sub.close().await.unwrap();
    assert!(
        first.next().await.is_none(),
        "a closed client ends its streams"
    );
    assert!(second.next().await.is_none());
}

#[tokio::test]
async fn messages_are_buffered_from_subscribe_on() {
    let broker = Broker::start(BrokerConfig::plain());
    let sub = client(&broker.url()).await;
    sub.subscribe(vec![Subscription::from("early")])
        .await
        .unwrap();
    let publisher = client(&broker.url()).await;
    for i in 0..5 {
        publisher
            .publish("early", &Message::new(vec![i]))
            .await
            .unwrap();
    }
    // receive() after the messages arrived still sees them all (R1).
    let mut stream = sub.receive();
    for i in 0..5u8 {
        assert_eq!(
            &next(&mut stream, "a buffered message").await.payload[..],
            &[i]
        );
    }
    finish(publisher).await;
    finish(sub).await;
}

#[tokio::test]
async fn a_slow_consumer_gets_back_pressure_not_loss() {
    let broker = Broker::start(BrokerConfig::plain());
    let mut o = options(&broker.url(), "slow");
    o.receive_buffer = 8;
    let sub = Client::connect(o).await.unwrap();
    sub.subscribe(vec![Subscription::from("bp")]).await.unwrap();
    let publisher = client(&broker.url()).await;
    let count = 500u32;
    for i in 0..count {
        publisher
            .publish("bp", &Message::new(i.to_be_bytes().to_vec()))
            .await
            .unwrap();
    }
    let mut stream = sub.receive();
    for i in 0..count {
        let m = next(&mut stream, "a message behind back-pressure").await;
        assert_eq!(
            &m.payload[..],
            &i.to_be_bytes(),
            "R1: bounded buffer, no loss"
        );
    }
    finish(publisher).await;
    finish(sub).await;
}
