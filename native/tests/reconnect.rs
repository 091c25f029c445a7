//! Reconnects and faults against a real mosquitto behind a fault-injecting
//! proxy: automatic reconnect (C4), no silent loss (C5), failover over
//! serverUris (C3), the backoff cap (C4), half-open detection by keep-alive
//! (C2/C4) and the behaviour without automatic reconnect (C5, C7, E2).

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use mqtt_engine::error::code;
use mqtt_engine::{Client, ConnectionEvent, Message, QoS, Subscription};
use mqtt_fixture::{free_port, wait_until, Broker, BrokerConfig, Proxy};
use tokio::time::timeout;

const ONE_SECOND: Duration = Duration::from_secs(1);

/// C4 + C5: a cut connection is re-established by itself, and QoS 1
/// publishes made while it was down are delivered once it is back.
#[tokio::test]
async fn c4_c5_cut_connection_reconnects_and_delivers_publishes_made_while_down() {
    let broker = Broker::start(BrokerConfig::plain());
    let proxy = Proxy::start(broker.addr());
    let (sub, mut stream) = subscriber(&broker.url(), "cut/#", QoS::AtLeastOnce).await;
    let client = Client::connect(reconnecting_options(&proxy.url(), "cut", ONE_SECOND))
        .await
        .expect("connect through the proxy");

    // Refuse new connections while we cut, so the publishes below are
    // certainly made while the client is down.
    proxy.set_refuse(true);
    proxy.cut_all();
    let lost = event_within(&client, SOON, "ConnectionLost", is_lost).await;
    let ConnectionEvent::ConnectionLost(error) = lost else {
        unreachable!()
    };
    assert_eq!(error.reason_code(), Some(code::CONNECTION_LOST), "{error}");
    assert!(!client.is_connected().unwrap(), "down after the cut");

    let mut publishes = Vec::new();
    for i in 0..5 {
        let c = client.clone();
        publishes.push(tokio::spawn(async move {
            c.publish(&format!("cut/{i}"), &Message::new(format!("down-{i}")))
                .await
        }));
    }
    proxy.set_refuse(false);
    let back = event_within(&client, SOON, "Reconnected", is_reconnected).await;
    assert!(matches!(back, ConnectionEvent::Reconnected { .. }));
    assert!(client.is_connected().unwrap());

    for (i, p) in publishes.into_iter().enumerate() {
        let token = timeout(SOON, p)
            .await
            .expect("a publish made while down hangs")
            .unwrap()
            .expect("C5: a publish made while down is delivered after the reconnect");
        assert_eq!(token.topic, format!("cut/{i}"));
    }
    let mut got = HashSet::new();
    while got.len() < 5 {
        let m = next(&mut stream, "the publishes made while down").await;
        got.insert(String::from_utf8(m.payload.to_vec()).unwrap());
    }
    assert_eq!(
        got,
        (0..5).map(|i| format!("down-{i}")).collect::<HashSet<_>>()
    );
    finish(client).await;
    finish(sub).await;
}

/// C4: when the broker has no session (restart without persistence, clean
/// start), the engine subscribes again by itself.
#[tokio::test]
async fn c4_subscriptions_are_restored_when_the_broker_lost_the_session() {
    let mut broker = Broker::start(BrokerConfig::plain());
    let sub = Client::connect(reconnecting_options(&broker.url(), "restore", ONE_SECOND))
        .await
        .unwrap();
    sub.subscribe(vec![Subscription::new("restore/t", QoS::AtLeastOnce)])
        .await
        .unwrap();
    let mut stream = sub.receive();

    broker.kill9();
    event_within(&sub, SOON, "ConnectionLost", is_lost).await;
    broker.restart();
    let back = event_within(&sub, SOON, "Reconnected", is_reconnected).await;
    assert!(
        matches!(
            back,
            ConnectionEvent::Reconnected {
                session_present: false
            }
        ),
        "a restarted broker without persistence has no session: {back:?}"
    );

    // The test does not subscribe again: whatever arrives came through the
    // subscription the engine restored.
    let publisher = client(&broker.url()).await;
    let first = publish_until_received(
        &publisher,
        "restore/t",
        &Message::new(&b"after restart"[..]),
        &mut stream,
        SOON,
    )
    .await;
    assert_eq!(&first.payload[..], b"after restart");
    publisher
        .publish("restore/t", &Message::new(&b"and more"[..]))
        .await
        .unwrap();
    // Copies of the probe may still be on their way; the new one follows.
    loop {
        let m = next(&mut stream, "a later message on the restored subscription").await;
        if &m.payload[..] == b"and more" {
            break;
        }
    }
    finish(publisher).await;
    finish(sub).await;
}

/// Publishes `total` messages (QoS 1 and 2 alternating unless `qos2_only`)
/// with `window` publishes outstanding; counts tokens in `tokens`. Every
/// publish is bounded by 25 s; the outcomes come back in the task's result.
fn produce(
    publisher: &Client,
    topic: &'static str,
    total: usize,
    window: usize,
    qos2_only: bool,
    tokens: Arc<AtomicUsize>,
) -> tokio::task::JoinHandle<Vec<(String, QoS, Outcome)>> {
    let publisher = publisher.clone();
    tokio::spawn(async move {
        let mut set = tokio::task::JoinSet::new();
        let mut outcomes = Vec::new();
        for i in 0..total {
            while set.len() >= window {
                outcomes.push(set.join_next().await.unwrap().unwrap());
            }
            let qos = if qos2_only || i % 2 == 1 {
                QoS::ExactlyOnce
            } else {
                QoS::AtLeastOnce
            };
            let (p, tokens) = (publisher.clone(), tokens.clone());
            set.spawn(async move {
                let payload = format!("m{i}");
                let message = Message::new(payload.clone()).with_qos(qos);
                let outcome = timeout(Duration::from_secs(25), p.publish(topic, &message)).await;
                if matches!(outcome, Ok(Ok(_))) {
                    tokens.fetch_add(1, Ordering::SeqCst);
                }
                (payload, qos, outcome)
            });
        }
        while let Some(r) = set.join_next().await {
            outcomes.push(r.unwrap());
        }
        outcomes
    })
}

type Outcome = Result<mqtt_engine::Result<mqtt_engine::DeliveryToken>, tokio::time::error::Elapsed>;

/// Payload -> (QoS, copies) of everything a stream yields, filled in the background.
type Seen = Arc<Mutex<HashMap<String, (QoS, usize)>>>;

fn collect(mut stream: mqtt_engine::MessageStream) -> (Seen, tokio::task::JoinHandle<()>) {
    let seen: Seen = Arc::default();
    let task = {
        let seen = seen.clone();
        tokio::spawn(async move {
            while let Some(m) = stream.next().await {
                let key = String::from_utf8(m.payload.to_vec()).unwrap();
                seen.lock().unwrap().entry(key).or_insert((m.qos, 0)).1 += 1;
            }
        })
    };
    (seen, task)
}

/// Checks C5 on the outcomes: none hung, none failed; returns the payloads
/// that got a token.
fn delivered_payloads(outcomes: Vec<(String, QoS, Outcome)>, total: usize) -> Vec<String> {
    assert_eq!(outcomes.len(), total);
    let mut delivered = Vec::new();
    let mut errors = Vec::new();
    for (payload, _, outcome) in outcomes {
        match outcome {
            Err(_) => {
                panic!("C5: publish of {payload} neither returned a token nor failed within 25 s")
            }
            Ok(Ok(_)) => delivered.push(payload),
            Ok(Err(e)) => errors.push(format!("{payload}: {e}")),
        }
    }
    // With a persistent session and automatic reconnect nothing needs to fail.
    assert!(errors.is_empty(), "publishes failed: {errors:?}");
    delivered
}

/// Asserts every delivered payload arrived (C5) and no QoS 2 message twice.
async fn assert_all_in_once(seen: &Seen, delivered: &[String], log: impl Fn() -> String) {
    let all_in = eventually(Duration::from_secs(15), || {
        let s = seen.lock().unwrap();
        delivered.iter().all(|p| s.contains_key(p))
    })
    .await;
    let s = seen.lock().unwrap().clone();
    let missing: Vec<&String> = delivered.iter().filter(|p| !s.contains_key(*p)).collect();
    assert!(
        all_in,
        "C5: {} delivered messages never arrived, e.g. {:?}\n{}",
        missing.len(),
        &missing[..missing.len().min(10)],
        log()
    );
    let qos2_dups: Vec<(&String, usize)> = s
        .iter()
        .filter(|(_, (qos, n))| *qos == QoS::ExactlyOnce && *n > 1)
        .map(|(p, (_, n))| (p, *n))
        .collect();
    assert!(
        qos2_dups.is_empty(),
        "QoS 2 duplicated: {qos2_dups:?}\n{}",
        log()
    );
}

fn persistent(url: &str, prefix: &str) -> mqtt_engine::ConnectOptions {
    let mut o = reconnecting_options(url, prefix, ONE_SECOND);
    o.clean_start = false;
    o.session_expiry_interval = 300;
    o
}

/// C4, C5: a publisher with a persistent session keeps publishing QoS 1 and
/// QoS 2 across a broker crash + restart with persistence: every publish
/// returns (none hangs), every message with a token reaches the subscriber's
/// persistent session, and no QoS 2 message is duplicated by our re-sends
/// (DUP = 1 PUBLISH / PUBREL after the reconnect).
///
/// The subscriber is offline during the crash: mosquitto 2.0.11 restores
/// its *outgoing* QoS 2 state wrongly — after a restart it re-sends PUBLISH
/// (DUP) for messages whose PUBREL it had already sent (seen in its debug
/// log), which a receiver that already sent PUBCOMP must treat as new (MQTT 5
/// §4.3.3). That broker fault is kept out of this test; the subscriber's
/// own QoS 2 recovery is tested against live cuts below.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c4_c5_persistent_publisher_survives_a_broker_crash_without_loss_or_qos2_duplicates() {
    const TOTAL: usize = 300;
    let mut broker = Broker::start(BrokerConfig::plain().with_persistence());
    let pub_proxy = Proxy::start(broker.addr());

    // The subscriber's persistent session: subscribe, then go offline.
    let sub_options = persistent(&broker.url(), "crash-sub");
    let sub = Client::connect(sub_options.clone()).await.unwrap();
    sub.subscribe(vec![Subscription::new("crash/t", QoS::ExactlyOnce)])
        .await
        .unwrap();
    sub.disconnect().await.unwrap();
    sub.close().await.unwrap();

    let publisher = Client::connect(persistent(&pub_proxy.url(), "crash-pub"))
        .await
        .unwrap();
    let tokens = Arc::new(AtomicUsize::new(0));
    let producer = produce(&publisher, "crash/t", TOTAL, 8, false, tokens.clone());
    assert!(
        eventually(SOON, || tokens.load(Ordering::SeqCst) >= 80).await,
        "the first publishes were not delivered"
    );
    // Freeze the publisher's traffic so nothing is acked after the save,
    // save the db, crash the broker with publishes in flight.
    pub_proxy.set_blackhole(true);
    broker.flush_persistence();
    broker.kill9();
    pub_proxy.cut_all();
    pub_proxy.set_blackhole(false);
    broker.restart();

    let outcomes = timeout(Duration::from_secs(40), producer)
        .await
        .expect("the producer finished")
        .unwrap();
    let delivered = delivered_payloads(outcomes, TOTAL);

    let sub = Client::connect(sub_options).await.expect("subscriber back");
    let (seen, receiver) = collect(sub.receive());
    assert_all_in_once(&seen, &delivered, || broker.log()).await;
    assert!(
        eventually(SOON, || pub_proxy.connection_count() == 1).await,
        "the publisher has one connection"
    );
    finish(publisher).await;
    finish(sub).await;
    receiver.abort();
}

/// R3, C4, C5: a QoS 2 subscriber with a persistent session whose
/// connection is cut three times mid-stream: after each reconnect the broker
/// re-sends PUBRELs and unacknowledged PUBLISHes; the engine answers them
/// without a reconnect loop (exactly one new connection per cut) and
/// delivers every message exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r3_qos2_subscriber_survives_cuts_without_duplicates_or_a_reconnect_loop() {
    const TOTAL: usize = 300;
    const CUTS: usize = 3;
    let broker = Broker::start(BrokerConfig::plain());
    let sub_proxy = Proxy::start(broker.addr());
    let sub = Client::connect(persistent(&sub_proxy.url(), "r3-sub"))
        .await
        .unwrap();
    sub.subscribe(vec![Subscription::new("r3/t", QoS::ExactlyOnce)])
        .await
        .unwrap();
    let (seen, receiver) = collect(sub.receive());
    let publisher = client(&broker.url()).await;
    let tokens = Arc::new(AtomicUsize::new(0));
    let producer = produce(&publisher, "r3/t", TOTAL, 16, true, tokens);

    for cut in 1..=CUTS {
        let received = |s: &Seen| s.lock().unwrap().len();
        assert!(
            eventually(SOON, || received(&seen) >= cut * TOTAL / (CUTS + 1)).await,
            "messages before cut {cut}"
        );
        sub_proxy.cut_all();
        event_within(&sub, SOON, "Reconnected", is_reconnected).await;
    }
    let outcomes = timeout(Duration::from_secs(40), producer)
        .await
        .expect("the producer finished")
        .unwrap();
    let delivered = delivered_payloads(outcomes, TOTAL);
    assert_all_in_once(&seen, &delivered, || broker.log()).await;

    // R3: no loop — one connection, exactly one reconnect per cut, and the
    // connection stays up (a PUBREL loop would reconnect again and again).
    while let Some(event) = sub.try_next_event() {
        assert!(
            !is_lost(&event),
            "R3: connection lost after the last reconnect: {event:?}"
        );
    }
    if let Ok(Some(event)) = timeout(Duration::from_secs(2), sub.next_event()).await {
        panic!("R3: the subscriber's connection did not settle: {event:?}");
    }
    assert_eq!(sub_proxy.connection_count(), 1);
    assert_eq!(
        sub_proxy.accepted_count(),
        1 + CUTS,
        "R3: one connection at start and one per cut, no more"
    );
    finish(publisher).await;
    finish(sub).await;
    receiver.abort();
}

/// C5: the broker loses the session while a QoS 1 publish is unacked
/// (clean start): the engine re-sends it in the new session and returns
/// its token; the subscriber receives it.
#[tokio::test]
async fn c5_unacked_publish_is_resent_after_session_loss() {
    let broker = Broker::start(BrokerConfig::plain());
    let proxy = Proxy::start(broker.addr());
    let (sub, mut stream) = subscriber(&broker.url(), "loss/t", QoS::AtLeastOnce).await;
    let client = Client::connect(reconnecting_options(&proxy.url(), "loss", ONE_SECOND))
        .await
        .unwrap();

    proxy.set_blackhole(true);
    let publish = {
        let c = client.clone();
        tokio::spawn(async move { c.publish("loss/t", &Message::new(&b"survivor"[..])).await })
    };
    // Nothing moves: the PUBACK cannot come.
    let mut publish = publish;
    assert!(
        timeout(Duration::from_millis(700), &mut publish)
            .await
            .is_err(),
        "a publish through a black hole was acknowledged"
    );
    proxy.cut_all();
    proxy.set_blackhole(false);

    let back = event_within(&client, SOON, "Reconnected", is_reconnected).await;
    assert!(
        matches!(
            back,
            ConnectionEvent::Reconnected {
                session_present: false
            }
        ),
        "clean start: no session on the broker: {back:?}"
    );
    let token = timeout(SOON, publish)
        .await
        .expect("C5: the re-sent publish hangs")
        .unwrap()
        .expect("C5: the publish is re-sent in the new session");
    assert_eq!(token.topic, "loss/t");
    assert_ne!(token.message_id, 0);
    let m = next(&mut stream, "the re-sent publish").await;
    assert_eq!(&m.payload[..], b"survivor");
    finish(client).await;
    finish(sub).await;
}

/// C3: serverUris are tried in order; a dead first URI is skipped.
#[tokio::test]
async fn c3_server_uris_skip_a_dead_broker_at_connect() {
    let broker = Broker::start(BrokerConfig::plain());
    let dead = format!("tcp://127.0.0.1:{}", free_port());
    let mut o = options("tcp://unused.invalid:1", "failover");
    o.server_uris = vec![dead, broker.url()];
    let c = Client::connect(o)
        .await
        .expect("C3: connects to the live broker");
    c.subscribe(vec![Subscription::new("fo/t", QoS::AtLeastOnce)])
        .await
        .unwrap();
    let mut stream = c.receive();
    c.publish("fo/t", &Message::new(&b"live"[..]))
        .await
        .unwrap();
    assert_eq!(&next(&mut stream, "own message").await.payload[..], b"live");
    finish(c).await;
}

/// C3 + C4: when the broker in use dies, the automatic reconnect moves on
/// to the next serverUri within maxReconnectDelay plus slack.
#[tokio::test]
async fn c3_c4_reconnect_fails_over_to_the_second_broker() {
    let mut first = Broker::start(BrokerConfig::plain());
    let second = Broker::start(BrokerConfig::plain());
    let (sub, mut stream) = subscriber(&second.url(), "fo2/t", QoS::AtLeastOnce).await;
    let mut o = reconnecting_options(&first.url(), "failover2", ONE_SECOND);
    o.server_uris = vec![first.url(), second.url()];
    let c = Client::connect(o).await.unwrap();

    let killed = Instant::now();
    first.kill9();
    event_within(&c, SOON, "ConnectionLost", is_lost).await;
    event_within(
        &c,
        ONE_SECOND + Duration::from_secs(5),
        "failover",
        is_reconnected,
    )
    .await;
    let took = killed.elapsed();
    assert!(
        took <= ONE_SECOND + Duration::from_secs(5),
        "failover took {took:?}"
    );
    c.publish("fo2/t", &Message::new(&b"on the second"[..]))
        .await
        .expect("publish on the second broker");
    assert_eq!(
        &next(&mut stream, "a message via the second broker")
            .await
            .payload[..],
        b"on the second"
    );
    finish(c).await;
    finish(sub).await;
}

/// C4: the backoff is capped at maxReconnectDelay: after several refused
/// attempts (uncapped, the next delay would be 8 s) the client is back
/// within about 1 s once the broker accepts again.
#[tokio::test]
async fn c4_backoff_is_capped_by_max_reconnect_delay() {
    let broker = Broker::start(BrokerConfig::plain());
    let proxy = Proxy::start(broker.addr());
    let client = Client::connect(reconnecting_options(&proxy.url(), "backoff", ONE_SECOND))
        .await
        .unwrap();

    proxy.set_refuse(true);
    proxy.cut_all();
    event_within(&client, SOON, "ConnectionLost", is_lost).await;
    let before = proxy.accepted_count();
    assert!(
        wait_until(SOON, || proxy.accepted_count() >= before + 3),
        "the client retries while refused (attempts: {})",
        proxy.accepted_count() - before
    );
    assert!(!client.is_connected().unwrap());

    let accepting = Instant::now();
    proxy.set_refuse(false);
    event_within(&client, SOON, "Reconnected", is_reconnected).await;
    let took = accepting.elapsed();
    // A behaviour bound, not a benchmark: 1 s cap + 3 s slack, well below
    // the 8 s an uncapped doubling would wait here.
    assert!(
        took <= ONE_SECOND + Duration::from_secs(3),
        "reconnect took {took:?} with maxReconnectDelay 1 s"
    );
    assert!(client.is_connected().unwrap());
    finish(client).await;
}

/// C2/C4: a half-open connection (nothing moves, nothing closes) is found
/// by keep-alive within 1.5 x keepAliveInterval.
#[tokio::test]
async fn c4_half_open_connection_is_detected_within_one_and_a_half_keep_alives() {
    let broker = Broker::start(BrokerConfig::plain());
    let proxy = Proxy::start(broker.addr());
    let mut o = options(&proxy.url(), "halfopen");
    o.keep_alive = Duration::from_secs(2);
    let client = Client::connect(o).await.unwrap();

    let start = Instant::now();
    proxy.set_blackhole(true);
    let limit = Duration::from_secs(3) + Duration::from_secs(2); // 1.5 x 2 s + slack
    let lost = event_within(&client, limit, "ConnectionLost by keep-alive", is_lost).await;
    let took = start.elapsed();
    let ConnectionEvent::ConnectionLost(error) = lost else {
        unreachable!()
    };
    assert_eq!(error.reason_code(), Some(code::CONNECTION_LOST), "{error}");
    assert!(took <= limit, "took {took:?}");
    assert!(!client.is_connected().unwrap());
    client.close().await.unwrap();
}

/// C5, E2, C7: without automatic reconnect a lost connection fails the
/// in-flight QoS 1 publishes with 32109 (never silently dropped); the client
/// reports not connected, and `reconnect` brings it back.
#[tokio::test]
async fn c5_c7_without_auto_reconnect_a_lost_connection_fails_in_flight_publishes_with_32109() {
    let broker = Broker::start(BrokerConfig::plain());
    let proxy = Proxy::start(broker.addr());
    let client = Client::connect(options(&proxy.url(), "noauto"))
        .await
        .unwrap();

    proxy.set_blackhole(true);
    let mut publishes = Vec::new();
    for i in 0..3 {
        let c = client.clone();
        publishes.push(tokio::spawn(async move {
            c.publish(&format!("noauto/{i}"), &Message::new(&b"x"[..]))
                .await
        }));
    }
    // They are written but cannot be acked.
    assert!(
        timeout(Duration::from_millis(700), &mut publishes[0])
            .await
            .is_err(),
        "a publish through a black hole was acknowledged"
    );
    proxy.cut_all();
    proxy.set_blackhole(false);

    for p in publishes {
        let e = timeout(SOON, p)
            .await
            .expect("C5: an in-flight publish hangs after the connection was lost")
            .unwrap()
            .expect_err("the publish cannot have been delivered");
        assert_eq!(e.reason_code(), Some(code::CONNECTION_LOST), "{e}");
    }
    assert!(matches!(
        event_within(&client, SOON, "ConnectionLost", is_lost).await,
        ConnectionEvent::ConnectionLost(_)
    ));
    assert!(
        !client.is_connected().unwrap(),
        "C7: not connected after the loss"
    );

    client.reconnect().await.expect("C7: reconnect works");
    assert!(client.is_connected().unwrap());
    let token = client
        .publish("noauto/again", &Message::new(&b"y"[..]))
        .await
        .expect("publish after reconnect");
    assert_eq!(token.topic, "noauto/again");
    finish(client).await;
}

/// C4, R3 (found by the test above): packets a broker sends right behind
/// CONNACK — a resumed session's PUBRELs and PUBLISHes arrive in the same
/// read — are handled at once, not left in the buffer until some later read
/// (which never comes when the broker waits for our acks). A scripted
/// broker writes CONNACK and a PUBLISH in one write.
#[tokio::test]
async fn c4_packets_that_arrive_with_the_connack_are_handled() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let broker = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut connect = [0u8; 256];
        let _ = socket.read(&mut connect).await.unwrap(); // CONNECT (one small segment on loopback)
        let mut burst = vec![0x20, 0x03, 0x01, 0x00, 0x00]; // CONNACK, session present, success
                                                            // PUBLISH QoS 0, topic "t", no properties, payload "hi".
        burst.extend_from_slice(&[0x30, 0x06, 0x00, 0x01, b't', 0x00, b'h', b'i']);
        socket.write_all(&burst).await.unwrap();
        // Then silence, as a broker waiting for acks; keep the socket open.
        let mut rest = [0u8; 256];
        while socket.read(&mut rest).await.map(|n| n > 0).unwrap_or(false) {}
    });
    // Without Clean Start, so the Session Present of the CONNACK is
    // accepted (after a clean start it is refused: MQTT-3.2.2-4).
    let mut resuming = options(&format!("tcp://127.0.0.1:{port}"), "burst");
    resuming.clean_start = false;
    let c = Client::connect(resuming)
        .await
        .expect("connect to the scripted broker");
    let mut stream = c.receive();
    let m = next(&mut stream, "the PUBLISH sent with the CONNACK").await;
    assert_eq!(&m.payload[..], b"hi");
    assert_eq!(m.topic.as_deref(), Some("t"));
    let _ = c.disconnect_within(Duration::from_millis(100)).await;
    let _ = c.close().await;
    broker.abort();
}
