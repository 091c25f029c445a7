//! Listener behaviour against a real mosquitto: in-order delivery (L2), acks
//! in MQTT's order whatever order they are given in (L3), refused
//! subscriptions (L4), detach and stops (L6). When an ack is due (automatic
//! or manual mode) and `respond` (L5) are the Java dispatcher's rules, tested
//! in java-bridge's ListenerTest and ListenerAdapterTest.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use common::*;
use mqtt_engine::protocol::Delivery;
use mqtt_engine::{ConnectOptions, Listener, Message, QoS, Subscription};
use mqtt_fixture::{Broker, BrokerConfig, TempDir};

async fn listener(url: &str, topic: &str) -> Listener {
    let l = Listener::connect(options(url, "listener"), vec![Subscription::from(topic)])
        .await
        .expect("listener connects");
    l.start().await.expect("listener starts");
    l
}

#[tokio::test]
async fn messages_reach_the_service_in_arrival_order() {
    let broker = Broker::start(BrokerConfig::plain());
    let l = Arc::new(listener(&broker.url(), "orders/#").await);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let dispatcher = {
        let (l, seen) = (l.clone(), seen.clone());
        tokio::spawn(
            async move { dispatch(&l, |m| seen.lock().unwrap().push(m.payload.clone())).await },
        )
    };
    let publisher = client(&broker.url()).await;
    let count = 300u32;
    for i in 0..count {
        let qos = [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce][i as usize % 3];
        publisher
            .publish(
                "orders/x",
                &Message::new(i.to_be_bytes().to_vec()).with_qos(qos),
            )
            .await
            .unwrap();
    }
    let all_seen = async {
        while seen.lock().unwrap().len() < count as usize {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(SOON, all_seen)
        .await
        .expect("all messages dispatched");
    let expected: Vec<Bytes> = (0..count)
        .map(|i| Bytes::from(i.to_be_bytes().to_vec()))
        .collect();
    assert_eq!(*seen.lock().unwrap(), expected, "L2: arrival order");
    l.graceful_stop().await.unwrap();
    dispatcher.await.unwrap();
    finish(publisher).await;
}

/// Waits until the broker has seen `count` disconnects of `id`: a new
/// connection of the same session before mosquitto read the old socket's
/// last acks and DISCONNECT would take the session over without them.
fn wait_for_disconnect(broker: &Broker, id: &str, count: usize) {
    let gone = format!("Client {id} disconnected");
    assert!(
        mqtt_fixture::wait_until(SOON, || broker.log_count(&gone) >= count),
        "the broker saw {id} disconnect"
    );
}

/// A listener with a persistent session, so unacked messages come back.
async fn persistent_listener(url: &str, id: &str, topic: &str) -> Listener {
    let mut o = ConnectOptions::new(url, id);
    o.clean_start = false;
    o.session_expiry_interval = 300;
    let l = Listener::connect(o, vec![Subscription::new(topic, QoS::AtLeastOnce)])
        .await
        .expect("listener connects");
    l.start().await.expect("listener starts");
    l
}

async fn payloads_of(l: &Listener, n: usize) -> (Vec<Delivery>, Vec<Vec<u8>>) {
    let mut got = Vec::new();
    for _ in 0..n {
        got.push(next_delivery(l, "a message").await);
    }
    let payloads = got.iter().map(|r| r.message.payload.to_vec()).collect();
    (got, payloads)
}

#[tokio::test]
async fn acks_go_out_in_arrival_order_even_when_given_out_of_order() {
    let broker = Broker::start(BrokerConfig::plain());
    let id = unique_id("manual");
    let first = persistent_listener(&broker.url(), &id, "work").await;
    let publisher = client(&broker.url()).await;
    for p in [b"m1", b"m2", b"m3"] {
        publisher
            .publish("work", &Message::new(&p[..]))
            .await
            .unwrap();
    }
    let (got, payloads) = payloads_of(&first, 3).await;
    assert_eq!(payloads, [b"m1".to_vec(), b"m2".to_vec(), b"m3".to_vec()]);
    // Ack the last two only: MQTT 5 §4.6 forbids acking them before m1,
    // so the broker must still consider all three unacknowledged (L3).
    ack(&first, &got[2]);
    ack(&first, &got[1]);
    first.immediate_stop().await.unwrap();
    wait_for_disconnect(&broker, &id, 1);

    let second = persistent_listener(&broker.url(), &id, "work").await;
    let (got, payloads) = payloads_of(&second, 3).await;
    assert_eq!(
        payloads,
        [b"m1".to_vec(), b"m2".to_vec(), b"m3".to_vec()],
        "all three redelivered"
    );
    assert!(
        got.iter().all(|r| r.message.duplicate),
        "redeliveries carry DUP"
    );
    ack(&second, &got[0]);
    ack(&second, &got[2]);
    ack(&second, &got[1]);
    ack(&second, &got[1]); // a second ack of one message is ignored
                           // All acks went out in order before the graceful stop's DISCONNECT.
    second.graceful_stop().await.unwrap();
    wait_for_disconnect(&broker, &id, 2);

    let third = persistent_listener(&broker.url(), &id, "work").await;
    publisher
        .publish("work", &Message::new(&b"m4"[..]))
        .await
        .unwrap();
    let (got, payloads) = payloads_of(&third, 1).await;
    assert_eq!(
        payloads,
        [b"m4".to_vec()],
        "m1..m3 were acked exactly once and not redelivered"
    );
    ack(&third, &got[0]);
    third.graceful_stop().await.unwrap();
    finish(publisher).await;
}

#[tokio::test]
async fn refused_subscription_is_an_error_with_the_suback_reason_code() {
    // mosquitto 2.0.11's acl_file grants every SUBSCRIBE; its dynamic
    // security plugin refuses with 0x87, so the test uses that.
    // Debian's multiarch folder of this machine's architecture.
    let plugin = format!(
        "/usr/lib/{}-linux-gnu/mosquitto_dynamic_security.so",
        std::env::consts::ARCH
    );
    if !std::path::Path::new(&plugin).is_file() {
        eprintln!("skipped: {plugin} is not installed (mosquitto of another OS or distribution)");
        return;
    }
    let dir = TempDir::new("dynsec");
    let config = dir.path().join("dynsec.json");
    std::fs::write(
        &config,
        r#"{"defaultACLAccess":{"publishClientSend":true,"publishClientReceive":true,"subscribe":false,"unsubscribe":true},
           "clients":[],"groups":[{"groupname":"anon","roles":[{"rolename":"r"}]}],
           "roles":[{"rolename":"r","acls":[{"acltype":"subscribePattern","topic":"allowed/#","allow":true}]}],
           "anonymousGroup":"anon"}"#,
    )
    .unwrap();
    let broker = Broker::start(
        BrokerConfig::plain()
            .with_option(&format!("plugin {plugin}"))
            .with_option(&format!("plugin_opt_config_file {}", config.display())),
    );
    let l = Listener::connect(
        options(&broker.url(), "acl"),
        vec![Subscription::from("forbidden/x")],
    )
    .await
    .unwrap();
    let e = l.start().await.unwrap_err();
    assert_eq!(
        e.reason_code(),
        Some(0x87),
        "L4: SUBACK Not authorized: {e}"
    );
    assert!(e.message().contains("forbidden/x"), "{e}");
    l.immediate_stop().await.unwrap();
}

#[tokio::test]
async fn detach_unsubscribes_and_start_subscribes_again() {
    let broker = Broker::start(BrokerConfig::plain());
    let l = listener(&broker.url(), "det").await;
    let publisher = client(&broker.url()).await;
    publisher
        .publish("det", &Message::new(&b"before"[..]))
        .await
        .unwrap();
    let before = next_delivery(&l, "the message before detach").await;
    ack(&l, &before);
    l.detach().await.unwrap();
    publisher
        .publish("det", &Message::new(&b"while detached"[..]))
        .await
        .unwrap();
    l.start().await.unwrap();
    publisher
        .publish("det", &Message::new(&b"after"[..]))
        .await
        .unwrap();
    let received = next_delivery(&l, "the message after start").await;
    assert_eq!(
        &received.message.payload[..],
        b"after",
        "L6: nothing reached the detached listener"
    );
    l.graceful_stop().await.unwrap();
    finish(publisher).await;
}

#[tokio::test]
async fn no_message_reaches_the_service_after_a_stop() {
    let broker = Broker::start(BrokerConfig::plain());
    let l = listener(&broker.url(), "stop").await;
    let publisher = client(&broker.url()).await;
    publisher
        .publish("stop", &Message::new(&b"one"[..]))
        .await
        .unwrap();
    let first = next_delivery(&l, "the first message").await;
    ack(&l, &first);
    l.graceful_stop().await.unwrap();
    assert!(!l.is_connected());
    publisher
        .publish("stop", &Message::new(&b"two"[..]))
        .await
        .unwrap();
    assert!(
        tokio::time::timeout(Duration::from_secs(2), l.next())
            .await
            .ok()
            .flatten()
            .is_none(),
        "L6: after a stop no message reaches the service"
    );
    assert!(
        l.start().await.is_err(),
        "a stopped listener cannot start again"
    );
    l.immediate_stop().await.unwrap(); // idempotent
    finish(publisher).await;
}

#[tokio::test]
async fn invalid_subscriptions_fail_connect() {
    let broker = Broker::start(BrokerConfig::plain());
    for filter in ["a/#/b", "", "$share/g"] {
        let e = Listener::connect(
            options(&broker.url(), "bad"),
            vec![Subscription::from(filter)],
        )
        .await
        .err()
        .expect("refused");
        assert!(e.message().contains("filter"), "{filter:?}: {e}");
    }
    let e = Listener::connect(options(&broker.url(), "none"), vec![])
        .await
        .err()
        .expect("refused");
    assert!(e.message().contains("subscription"), "{e}");
}
