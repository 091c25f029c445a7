//! Interoperability with independent MQTT 5 peers: mosquitto's own CLI
//! clients (properties both ways, P4 and §7), the will message (P4), and
//! shared subscriptions across two listeners (§7).

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use common::*;
use mqtt_engine::{Client, Listener, Message, MessageProperties, QoS, Subscription, Will};
use mqtt_fixture::{mosquitto_pub, Broker, BrokerConfig, MosquittoSub, Proxy};
use tokio::time::timeout;

/// P4, §7: a message published by `mosquitto_pub -V mqttv5` with every
/// publish property arrives intact in our client's stream.
#[tokio::test]
async fn p4_properties_from_mosquitto_pub_arrive_intact() {
    let broker = Broker::start(BrokerConfig::plain());
    let (sub, mut stream) = subscriber(&broker.url(), "interop/in", QoS::AtLeastOnce).await;
    let port = broker.port().to_string();
    let out = tokio::task::spawn_blocking(move || {
        mosquitto_pub(&mqttv5_args(
            &port,
            "interop/in",
            &[
                "-m",
                "hello from mosquitto_pub",
                "-D",
                "publish",
                "user-property",
                "k",
                "v",
                "-D",
                "publish",
                "user-property",
                "k2",
                "v 2",
                "-D",
                "publish",
                "response-topic",
                "interop/reply",
                "-D",
                "publish",
                "correlation-data",
                "corr-42",
                "-D",
                "publish",
                "content-type",
                "text/plain",
                "-D",
                "publish",
                "message-expiry-interval",
                "120",
                "-D",
                "publish",
                "payload-format-indicator",
                "1",
            ],
        ))
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "mosquitto_pub failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = next(&mut stream, "the message from mosquitto_pub").await;
    assert_eq!(&m.payload[..], b"hello from mosquitto_pub");
    assert_eq!(m.topic.as_deref(), Some("interop/in"));
    assert_eq!(m.qos, QoS::AtLeastOnce);
    let p = &m.properties;
    assert_eq!(
        p.user_properties,
        vec![
            ("k".to_string(), "v".to_string()),
            ("k2".to_string(), "v 2".to_string())
        ]
    );
    assert_eq!(p.response_topic.as_deref(), Some("interop/reply"));
    assert_eq!(p.correlation_data.as_deref(), Some(&b"corr-42"[..]));
    assert_eq!(p.content_type.as_deref(), Some("text/plain"));
    let expiry = p.message_expiry_interval.expect("message expiry forwarded");
    assert!((1..=120).contains(&expiry), "remaining expiry {expiry}");
    assert_eq!(p.payload_format_indicator, Some(true));
    finish(sub).await;
}

/// P4, §7: a message we publish with properties is read intact by
/// `mosquitto_sub -V mqttv5 -F` (topic, payload, user property, response
/// topic, correlation data, content type, expiry, QoS).
#[tokio::test]
async fn p4_properties_we_publish_are_read_intact_by_mosquitto_sub() {
    let broker = Broker::start(BrokerConfig::plain());
    let msub = mqttv5_sub(&broker, "interop/out", &["-F", "%t|%p|%P|%R|%D|%C|%E|%q"]);
    let publisher = client(&broker.url()).await;
    let props = MessageProperties {
        response_topic: Some("interop/reply".into()),
        correlation_data: Some(Bytes::from_static(b"corr-7")),
        user_properties: vec![("color".into(), "blue".into())],
        content_type: Some("application/json".into()),
        message_expiry_interval: Some(300),
        payload_format_indicator: Some(true),
    };
    let message = Message::new(&b"{\"n\":1}"[..]).with_properties(props);
    // mosquitto_sub's SUBSCRIBE cannot be observed: publish until it prints.
    let lines = timeout(SOON, async {
        loop {
            publisher.publish("interop/out", &message).await.unwrap();
            let lines = msub.wait_lines(1, Duration::from_millis(200));
            if !lines.is_empty() {
                return lines;
            }
        }
    })
    .await
    .expect("mosquitto_sub printed nothing");
    let fields: Vec<&str> = lines[0].split('|').collect();
    assert_eq!(fields.len(), 8, "{:?}", lines[0]);
    assert_eq!(fields[0], "interop/out");
    assert_eq!(fields[1], "{\"n\":1}");
    assert_eq!(fields[2], "color:blue");
    assert_eq!(fields[3], "interop/reply");
    assert_eq!(fields[4], "corr-7");
    assert_eq!(fields[5], "application/json");
    let expiry: u32 = fields[6].parse().expect("expiry printed");
    assert!((1..=300).contains(&expiry), "remaining expiry {expiry}");
    assert_eq!(fields[7], "1");
    finish(publisher).await;
}

fn will_options(url: &str, topic: &str, payload: &'static [u8]) -> mqtt_engine::ConnectOptions {
    let mut o = options(url, "will");
    o.will = Some(Will {
        topic: topic.to_string(),
        message: Message::new(payload),
    });
    o
}

/// P4: the broker sends the will when our client vanishes without
/// DISCONNECT (connection cut under it), read by mosquitto_sub and by our
/// own subscriber.
#[tokio::test]
async fn p4_will_is_delivered_when_the_client_vanishes() {
    let broker = Broker::start(BrokerConfig::plain());
    let proxy = Proxy::start(broker.addr());
    let (sub, mut stream) = subscriber(&broker.url(), "interop/will", QoS::AtLeastOnce).await;
    let msub = mqttv5_sub(&broker, "interop/will", &["-v"]);
    // Make sure mosquitto_sub is subscribed before the will can fire.
    let probe = client(&broker.url()).await;
    timeout(SOON, async {
        loop {
            probe
                .publish("interop/will", &Message::new(&b"probe"[..]))
                .await
                .unwrap();
            if !msub.wait_lines(1, Duration::from_millis(200)).is_empty() {
                return;
            }
        }
    })
    .await
    .expect("mosquitto_sub did not subscribe");
    finish(probe).await;

    let c = Client::connect(will_options(&proxy.url(), "interop/will", b"gone"))
        .await
        .unwrap();
    proxy.cut_all();
    loop {
        let m = next(&mut stream, "the will").await;
        if &m.payload[..] == b"gone" {
            break;
        }
    }
    assert!(
        tokio::task::spawn_blocking(move || {
            let wanted = "interop/will gone".to_string();
            let end = std::time::Instant::now() + SOON;
            loop {
                let lines = msub.wait_lines(usize::MAX, Duration::from_millis(100));
                if lines.contains(&wanted) {
                    return true;
                }
                if std::time::Instant::now() >= end {
                    eprintln!("mosquitto_sub lines: {lines:?}");
                    return false;
                }
            }
        })
        .await
        .unwrap(),
        "mosquitto_sub got the will"
    );
    let _ = c.close().await;
    finish(sub).await;
}

/// P4: after a clean `disconnect()` the broker discards the will.
#[tokio::test]
async fn p4_will_is_not_delivered_after_a_clean_disconnect() {
    let broker = Broker::start(BrokerConfig::plain());
    let (sub, mut stream) = subscriber(&broker.url(), "interop/will2", QoS::AtLeastOnce).await;
    let o = will_options(&broker.url(), "interop/will2", b"must not come");
    let id = o.client_id.clone();
    let c = Client::connect(o).await.unwrap();
    c.disconnect().await.unwrap();
    c.close().await.unwrap();
    // The broker has handled the disconnect (a will would be routed by now)...
    let gone = format!("Client {id} disconnected");
    assert!(
        eventually(SOON, || broker.log().contains(&gone)).await,
        "the broker saw the disconnect"
    );
    // ...and a marker published afterwards is the first thing to arrive.
    sub.publish("interop/will2", &Message::new(&b"marker"[..]))
        .await
        .unwrap();
    let m = next(&mut stream, "the marker").await;
    assert_eq!(
        &m.payload[..],
        b"marker",
        "P4: a will after a clean disconnect"
    );
    finish(sub).await;
}

/// §7: `$share/g/t` spreads messages over two of our listeners: every
/// message is received exactly once in total and both listeners get some.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_subscription_spreads_messages_over_two_listeners_exactly_once() {
    const TOTAL: usize = 100;
    let broker = Broker::start(BrokerConfig::plain());
    let seen: Arc<Mutex<HashMap<String, Vec<usize>>>> = Arc::default();
    let mut listeners = Vec::new();
    let mut tasks = Vec::new();
    for n in 0..2 {
        let l = Arc::new(
            Listener::connect(
                options(&broker.url(), "shared"),
                vec![Subscription::new(
                    "$share/g/interop/shared",
                    QoS::AtLeastOnce,
                )],
            )
            .await
            .unwrap(),
        );
        l.start().await.expect("start subscribes");
        let (l2, seen) = (l.clone(), seen.clone());
        tasks.push(tokio::spawn(async move {
            dispatch(&l2, |m| {
                let key = String::from_utf8(m.payload.to_vec()).unwrap();
                seen.lock().unwrap().entry(key).or_default().push(n);
            })
            .await
        }));
        listeners.push(l);
    }
    let publisher = client(&broker.url()).await;
    for i in 0..TOTAL {
        publisher
            .publish("interop/shared", &Message::new(format!("s{i}")))
            .await
            .unwrap();
    }
    assert!(
        eventually(SOON, || seen.lock().unwrap().len() == TOTAL).await,
        "received {} of {TOTAL}",
        seen.lock().unwrap().len()
    );
    for l in &listeners {
        l.graceful_stop().await.unwrap();
    }
    for t in tasks {
        timeout(SOON, t)
            .await
            .expect("dispatch ends after stop")
            .unwrap();
    }
    let seen = seen.lock().unwrap().clone();
    let twice: Vec<_> = seen.iter().filter(|(_, v)| v.len() != 1).collect();
    assert!(twice.is_empty(), "received more than once: {twice:?}");
    let per_listener = |n: usize| seen.values().filter(|v| v[0] == n).count();
    assert!(
        per_listener(0) > 0 && per_listener(1) > 0,
        "one listener got everything: {} / {}",
        per_listener(0),
        per_listener(1)
    );
    finish(publisher).await;
}

/// `mosquitto_sub -V mqttv5 -q 1` on `topic` of `broker`, with `extra` arguments.
fn mqttv5_sub(broker: &Broker, topic: &str, extra: &[&str]) -> MosquittoSub {
    let port = broker.port().to_string();
    MosquittoSub::spawn(&mqttv5_args(&port, topic, extra))
}

/// The arguments mosquitto_pub and mosquitto_sub share: MQTT 5, QoS 1,
/// `topic` on the loopback broker at `port`, then `extra`.
fn mqttv5_args<'a>(port: &'a str, topic: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "-h",
        "127.0.0.1",
        "-p",
        port,
        "-V",
        "mqttv5",
        "-q",
        "1",
        "-t",
        topic,
    ];
    args.extend_from_slice(extra);
    args
}
