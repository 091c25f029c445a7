//! The driver without a broker: an in-memory stream (`tokio::io::duplex`)
//! stands for the socket, the test plays the broker's side byte for byte,
//! and time is paused, so keep-alive, half-open detection and reconnect
//! backoff are checked to the millisecond without waiting for them.
//! The same behaviours are also tested against mosquitto (native/tests/).

use std::sync::atomic::AtomicBool;

use rumqttc::v5::mqttbytes::v5::{
    ConnAck, ConnAckProperties, ConnectReturnCode, Disconnect, PingResp, PubAck, Publish,
    PublishProperties,
};
use rumqttc::v5::mqttbytes::QoS as WireQoS;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

use super::*;
use crate::config::ConnectOptions;
use crate::error::code;
use crate::message::{DeliveryToken, Message, QoS};
use crate::protocol::codec;
use crate::protocol::session::{Completion, PendingPublish};

mod conformance;

/// One dial of the driver: when, and the broker's end of the stream (None
/// when the test refused the connection).
struct Attempt {
    at: Instant,
    io: Option<DuplexStream>,
}

struct Harness {
    commands: mpsc::UnboundedSender<Command>,
    deliveries: mpsc::Receiver<Queued>,
    events: EventReceiver,
    shared: Arc<Shared>,
    attempts: mpsc::UnboundedReceiver<Attempt>,
    refuse: Arc<AtomicBool>,
    connected: Option<oneshot::Receiver<Result<()>>>,
}

fn options(prefix: &str) -> ConnectOptions {
    ConnectOptions::new("tcp://broker.test:1883", prefix)
}

fn start(options: ConnectOptions) -> Harness {
    let (attempt_tx, attempts) = mpsc::unbounded_channel();
    let refuse = Arc::new(AtomicBool::new(false));
    let refusing = refuse.clone();
    let dial: Dial = Box::new(move |uri: ServerUri| {
        let refused = refusing.load(Ordering::SeqCst);
        let (client, broker) = tokio::io::duplex(1 << 20);
        let _ = attempt_tx.send(Attempt {
            at: Instant::now(),
            io: (!refused).then_some(broker),
        });
        Box::pin(async move {
            if refused {
                return Err(MqttError::with_code(
                    ErrorKind::Io,
                    format!("Unable to connect to {}: refused by the test", uri.original),
                    code::SERVER_CONNECT_ERROR,
                ));
            }
            Ok(Stream::Other(Box::new(client)))
        })
    });
    let uris = vec![ServerUri::parse(&options.server_uris[0]).unwrap()];
    let (commands, command_rx) = mpsc::unbounded_channel();
    let (delivery_tx, deliveries) = mpsc::channel(16);
    let (event_tx, events) = mpsc::unbounded_channel();
    let inbox = Inbox {
        deliveries: delivery_tx,
        ack_on_enqueue: true,
        events: Some(event_tx),
    };
    let shared = Shared::new(Protocol::new(options));
    let event_loop = EventLoop::new(shared.clone(), uris, dial, command_rx, inbox);
    let (connected_tx, connected) = oneshot::channel();
    tokio::spawn(event_loop.run(connected_tx));
    Harness {
        commands,
        deliveries,
        events,
        shared,
        attempts,
        refuse,
        connected: Some(connected),
    }
}

/// The broker's end of one connection.
struct Broker {
    io: DuplexStream,
    buf: BytesMut,
}

impl Broker {
    async fn recv(&mut self) -> Packet {
        self.try_recv()
            .await
            .expect("the client closed the connection")
    }

    /// The next packet, None at end of stream.
    async fn try_recv(&mut self) -> Option<Packet> {
        loop {
            if self.buf.starts_with(&[0xE0, 0x00]) {
                // A bare DISCONNECT (no reason code) is not the codec's.
                let _ = self.buf.split_to(2);
                return Some(codec::disconnect_packet(
                    rumqttc::v5::mqttbytes::v5::DisconnectReasonCode::NormalDisconnection,
                ));
            }
            if !self.buf.is_empty() {
                match Packet::read(&mut self.buf, None) {
                    Ok(packet) => return Some(packet),
                    Err(rumqttc::v5::mqttbytes::Error::InsufficientBytes(_)) => {}
                    Err(e) => panic!("the client sent a malformed packet: {e}"),
                }
            }
            if self.io.read_buf(&mut self.buf).await.unwrap_or(0) == 0 {
                return None;
            }
        }
    }

    async fn send(&mut self, packets: &[Packet]) {
        let mut bytes = BytesMut::new();
        for packet in packets {
            packet.write(&mut bytes, None).unwrap();
        }
        self.io.write_all(&bytes).await.unwrap();
    }

    /// Reads CONNECT and answers `connack`; returns the CONNECT's client id.
    async fn accept(&mut self, connack: ConnAck) -> String {
        let Packet::Connect(connect, _, _) = self.recv().await else {
            panic!("the first packet must be CONNECT")
        };
        self.send(&[Packet::ConnAck(connack)]).await;
        connect.client_id
    }
}

fn connack(session_present: bool, properties: Option<ConnAckProperties>) -> ConnAck {
    ConnAck {
        session_present,
        code: ConnectReturnCode::Success,
        properties,
    }
}

fn connack_properties() -> ConnAckProperties {
    ConnAckProperties {
        session_expiry_interval: None,
        receive_max: None,
        max_qos: None,
        retain_available: None,
        max_packet_size: None,
        assigned_client_identifier: None,
        topic_alias_max: None,
        reason_string: None,
        user_properties: Vec::new(),
        wildcard_subscription_available: None,
        subscription_identifiers_available: None,
        shared_subscription_available: None,
        server_keep_alive: None,
        response_information: None,
        server_reference: None,
        authentication_method: None,
        authentication_data: None,
    }
}

impl Harness {
    /// The next dial; the test decides by `refuse` whether it connects.
    async fn next_attempt(&mut self) -> Attempt {
        self.attempts.recv().await.expect("the event loop ended")
    }

    async fn broker(&mut self) -> Broker {
        let attempt = self.next_attempt().await;
        Broker {
            io: attempt.io.expect("the test refused this dial"),
            buf: BytesMut::new(),
        }
    }

    /// Connects and waits for `init` to return (C6).
    async fn connect(&mut self, connack: ConnAck) -> Broker {
        let mut broker = self.broker().await;
        broker.accept(connack).await;
        self.connected
            .take()
            .expect("connect once")
            .await
            .unwrap()
            .expect("connected");
        broker
    }

    /// The next event but the lifecycle notifications (as `Client::next_event`).
    async fn next_event(&mut self) -> ConnectionEvent {
        loop {
            let event = self.events.recv().await.expect("the event loop ended");
            if !event.is_lifecycle() {
                return *event;
            }
        }
    }

    fn publish(&self, topic: &str, message: Message) -> oneshot::Receiver<Result<DeliveryToken>> {
        let (tx, rx) = oneshot::channel();
        let pending = PendingPublish::new(
            codec::to_publish(topic, message),
            topic.to_owned(),
            Completion::callback(move |r| {
                let _ = tx.send(r);
            }),
        );
        self.shared.call(|p| p.publish(pending));
        rx
    }

    fn subscribe(&self, filter: &str) -> oneshot::Receiver<Result<()>> {
        let (tx, rx) = oneshot::channel();
        let subscription = crate::message::Subscription::new(filter, QoS::AtMostOnce);
        self.shared.call(|p| p.subscribe(vec![subscription], tx));
        rx
    }

    fn request(&self, make: impl FnOnce(Reply) -> Command) -> oneshot::Receiver<Result<()>> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(make(tx))
            .map_err(|_| ())
            .expect("the event loop ended");
        rx
    }
}

fn elapsed_between(from: Instant, to: Instant, low_ms: u64, high_ms: u64) {
    let ms = to.duration_since(from).as_millis() as u64;
    assert!(
        (low_ms..=high_ms).contains(&ms),
        "{ms} ms, expected {low_ms}..={high_ms} ms"
    );
}

/// C2: a PINGREQ after each quiet keep-alive period, not before.
#[tokio::test(start_paused = true)]
async fn keep_alive_sends_pingreq_after_each_quiet_period() {
    let mut o = options("ka");
    o.keep_alive = Duration::from_secs(10);
    let mut h = start(o);
    let mut broker = h.connect(connack(false, None)).await;
    let connected_at = Instant::now();
    assert!(matches!(broker.recv().await, Packet::PingReq(_)));
    elapsed_between(connected_at, Instant::now(), 10_000, 10_010);
    broker.send(&[Packet::PingResp(PingResp)]).await;
    let answered_at = Instant::now();
    assert!(matches!(broker.recv().await, Packet::PingReq(_)));
    elapsed_between(answered_at, Instant::now(), 10_000, 10_010);
    assert_eq!(h.shared.phase(), Phase::Connected);
}

/// C2, C4: a broker that stops answering (half-open link) is found within
/// 1.5 x keep-alive: no PINGRESP half a period after the PINGREQ.
#[tokio::test(start_paused = true)]
async fn a_silent_broker_is_found_within_one_and_a_half_keep_alives() {
    let mut o = options("half-open");
    o.keep_alive = Duration::from_secs(10);
    let mut h = start(o);
    let mut broker = h.connect(connack(false, None)).await;
    let connected_at = Instant::now();
    assert!(matches!(broker.recv().await, Packet::PingReq(_)));
    assert!(
        broker.try_recv().await.is_none(),
        "the client gives up the link"
    );
    elapsed_between(connected_at, Instant::now(), 15_000, 15_010);
    let ConnectionEvent::ConnectionLost(error) = h.next_event().await else {
        panic!("expected ConnectionLost")
    };
    assert_eq!(error.reason_code(), Some(code::CONNECTION_LOST));
    assert!(error.message().contains("no PINGRESP"), "{error}");
    assert_eq!(h.shared.phase(), Phase::Disconnected);
}

/// C9: the Server Keep Alive of CONNACK replaces ours.
#[tokio::test(start_paused = true)]
async fn the_server_keep_alive_replaces_ours() {
    let mut o = options("server-ka");
    o.keep_alive = Duration::from_secs(60);
    let mut h = start(o);
    let props = ConnAckProperties {
        server_keep_alive: Some(3),
        ..connack_properties()
    };
    let mut broker = h.connect(connack(false, Some(props))).await;
    let connected_at = Instant::now();
    assert!(matches!(broker.recv().await, Packet::PingReq(_)));
    elapsed_between(connected_at, Instant::now(), 3_000, 3_010);
}

/// C4: reconnect attempts back off from 1 s, doubling up to the cap, with
/// jitter of at most a quarter; a success resets the delay.
#[tokio::test(start_paused = true)]
async fn reconnects_back_off_exponentially_up_to_the_cap() {
    let mut o = options("backoff");
    o.automatic_reconnect = true;
    o.max_reconnect_delay = Duration::from_secs(4);
    let mut h = start(o);
    let broker = h.connect(connack(false, None)).await;
    h.refuse.store(true, Ordering::SeqCst);
    drop(broker);
    assert!(matches!(
        h.next_event().await,
        ConnectionEvent::ConnectionLost(_)
    ));
    assert_eq!(h.shared.phase(), Phase::Reconnecting);
    let lost_at = Instant::now();
    let mut previous = lost_at;
    for (low, high) in [(750, 1_000), (1_500, 2_000), (3_000, 4_000), (3_000, 4_000)] {
        let attempt = h.next_attempt().await;
        elapsed_between(previous, attempt.at, low, high);
        previous = attempt.at;
    }
    h.refuse.store(false, Ordering::SeqCst);
    let mut broker = h.broker().await;
    broker.accept(connack(false, None)).await;
    assert!(matches!(
        h.next_event().await,
        ConnectionEvent::Reconnected {
            session_present: false
        }
    ));
    assert_eq!(h.shared.phase(), Phase::Connected);
    // The next loss starts from 1 s again.
    h.refuse.store(true, Ordering::SeqCst);
    drop(broker);
    assert!(matches!(
        h.next_event().await,
        ConnectionEvent::ConnectionLost(_)
    ));
    let lost_again = Instant::now();
    let attempt = h.next_attempt().await;
    elapsed_between(lost_again, attempt.at, 750, 1_000);
}

/// C4, R3: packets the broker writes right behind CONNACK, in the same
/// write, are handled at once.
#[tokio::test(start_paused = true)]
async fn packets_behind_the_connack_are_handled_at_once() {
    let mut h = start(options("burst"));
    let mut broker = h.broker().await;
    let Packet::Connect(..) = broker.recv().await else {
        panic!("CONNECT first")
    };
    let mut publish = Publish::new("t", WireQoS::AtLeastOnce, "hi", None);
    publish.pkid = 7;
    broker
        .send(&[
            Packet::ConnAck(connack(false, None)),
            Packet::Publish(publish),
        ])
        .await;
    h.connected.take().unwrap().await.unwrap().unwrap();
    let delivery = h
        .deliveries
        .recv()
        .await
        .expect("the PUBLISH behind CONNACK");
    assert_eq!(&delivery.message.payload[..], b"hi");
    // The client's stream acks once buffered (R1).
    assert!(matches!(broker.recv().await, Packet::PubAck(a) if a.pkid == 7));
}

/// C9: the Assigned Client Identifier is used for every later CONNECT, so
/// a persistent session survives a reconnect.
#[tokio::test(start_paused = true)]
async fn the_assigned_client_identifier_is_used_on_reconnect() {
    let mut o = options("");
    o.client_id = String::new();
    o.clean_start = false;
    o.session_expiry_interval = 300;
    o.automatic_reconnect = true;
    let mut h = start(o);
    let mut broker = h.broker().await;
    let props = ConnAckProperties {
        assigned_client_identifier: Some("auto-7".into()),
        ..connack_properties()
    };
    assert_eq!(broker.accept(connack(false, Some(props))).await, "");
    h.connected.take().unwrap().await.unwrap().unwrap();
    for _ in 0..2 {
        drop(broker);
        assert!(matches!(
            h.next_event().await,
            ConnectionEvent::ConnectionLost(_)
        ));
        broker = h.broker().await;
        assert_eq!(broker.accept(connack(true, None)).await, "auto-7");
        assert!(matches!(
            h.next_event().await,
            ConnectionEvent::Reconnected {
                session_present: true
            }
        ));
    }
}

/// P5: a broker breaking the protocol gets DISCONNECT with the reason code
/// the standard names, then the normal lost-connection path (32108).
#[tokio::test(start_paused = true)]
async fn a_broker_breaking_the_protocol_gets_the_named_disconnect() {
    let aliased = {
        let mut p = Publish::new("t", WireQoS::AtMostOnce, "x", None);
        p.properties = Some(PublishProperties {
            topic_alias: Some(3),
            ..Default::default()
        });
        Packet::Publish(p)
    };
    let big = Packet::Publish(Publish::new("t", WireQoS::AtMostOnce, vec![0u8; 200], None));
    let second_connack = Packet::ConnAck(connack(false, None));
    for (packet, reason) in [(aliased, 0x94u8), (big, 0x95), (second_connack, 0x82)] {
        let mut o = options("violation");
        o.max_incoming_packet_size = 100;
        let mut h = start(o);
        let mut broker = h.connect(connack(false, None)).await;
        broker.send(&[packet]).await;
        let got = broker.try_recv().await;
        let Some(Packet::Disconnect(Disconnect { reason_code, .. })) = got else {
            panic!(
                "expected DISCONNECT {reason:#x}, got {got:?} then {:?}",
                h.next_event().await
            )
        };
        assert_eq!(reason_code as u8, reason);
        assert!(broker.try_recv().await.is_none(), "then the client closes");
        let ConnectionEvent::ConnectionLost(error) = h.next_event().await else {
            panic!("expected ConnectionLost")
        };
        assert_eq!(
            error.reason_code(),
            Some(code::PROTOCOL_VIOLATION),
            "{error}"
        );
    }
}

/// C8: a publish after which the broker closes the connection every time
/// is given up with 32205 after a bounded number of connections, and the
/// publish queued behind it is delivered.
#[tokio::test(start_paused = true)]
async fn a_poison_publish_is_given_up_and_the_next_one_delivered() {
    let mut o = options("poison");
    o.automatic_reconnect = true;
    o.clean_start = false;
    o.session_expiry_interval = 60;
    let mut h = start(o);
    let mut broker = h.connect(connack(false, None)).await;
    let poison = h.publish("t", Message::new(&b"poison"[..]));
    let innocent = h.publish("t", Message::new(&b"ok"[..]));
    let mut connections = 1;
    let mut seen = Vec::new();
    loop {
        let Packet::Publish(p) = broker.recv().await else {
            panic!("expected PUBLISH")
        };
        seen.push(String::from_utf8(p.payload.to_vec()).unwrap());
        if &p.payload[..] == b"poison" {
            // The broker cannot take it: it closes the connection.
            drop(broker);
            let event = h.next_event().await;
            assert!(
                matches!(event, ConnectionEvent::ConnectionLost(_)),
                "{event:?}"
            );
            broker = h.broker().await;
            broker.accept(connack(true, None)).await;
            let event = h.next_event().await;
            assert!(
                matches!(event, ConnectionEvent::Reconnected { .. }),
                "{event:?}"
            );
            connections += 1;
            assert!(connections <= 4, "the poison publish is resent forever");
            continue;
        }
        broker
            .send(&[Packet::PubAck(PubAck::new(p.pkid, None))])
            .await;
        break;
    }
    let error = poison.await.unwrap().expect_err("given up");
    assert_eq!(
        error.reason_code(),
        Some(code::PUBLISH_ABANDONED),
        "{error}"
    );
    assert_eq!(innocent.await.unwrap().expect("delivered").topic, "t");
    assert_eq!(connections, 4);
    assert_eq!(seen.iter().filter(|s| *s == "poison").count(), 3);
}

/// C7: disconnect waits for in-flight QoS 1 publishes (up to its bound),
/// then sends DISCONNECT.
#[tokio::test(start_paused = true)]
async fn disconnect_waits_for_in_flight_publishes_then_for_its_deadline() {
    let mut h = start(options("disconnect"));
    let mut broker = h.connect(connack(false, None)).await;
    let acked = h.publish("t", Message::new(&b"a"[..]));
    let Packet::Publish(first) = broker.recv().await else {
        panic!("PUBLISH")
    };
    let begun = Instant::now();
    let done = h.request(|tx| Command::Disconnect(Duration::from_secs(10), tx));
    tokio::time::sleep(Duration::from_secs(2)).await;
    broker
        .send(&[Packet::PubAck(PubAck::new(first.pkid, None))])
        .await;
    assert!(matches!(broker.recv().await, Packet::Disconnect(_)));
    elapsed_between(begun, Instant::now(), 2_000, 2_010);
    done.await.unwrap().expect("disconnected");
    assert!(acked.await.unwrap().is_ok());
    assert_eq!(h.shared.phase(), Phase::Disconnected);

    // Without an ack, DISCONNECT goes at the deadline and the publish fails (32101).
    let reconnected = h.request(Command::Reconnect);
    let mut broker = h.broker().await;
    broker.accept(connack(false, None)).await;
    reconnected.await.unwrap().expect("reconnected");
    let unacked = h.publish("t", Message::new(&b"b"[..]));
    assert!(matches!(broker.recv().await, Packet::Publish(_)));
    let begun = Instant::now();
    let done = h.request(|tx| Command::Disconnect(Duration::from_secs(10), tx));
    assert!(matches!(broker.recv().await, Packet::Disconnect(_)));
    elapsed_between(begun, Instant::now(), 10_000, 10_010);
    done.await.unwrap().expect("disconnected");
    let error = unacked.await.unwrap().unwrap_err();
    assert_eq!(error.reason_code(), Some(code::CLIENT_DISCONNECTED));
}

/// C9: limits announced in CONNACK refuse a call before anything is sent,
/// and the connection stays usable.
#[tokio::test(start_paused = true)]
async fn connack_limits_refuse_calls_before_sending() {
    let mut h = start(options("limits"));
    let props = ConnAckProperties {
        max_qos: Some(1),
        retain_available: Some(0),
        max_packet_size: Some(64),
        wildcard_subscription_available: Some(0),
        ..connack_properties()
    };
    let mut broker = h.connect(connack(false, Some(props))).await;
    let qos2 = h.publish("t", Message::new(&b"x"[..]).with_qos(QoS::ExactlyOnce));
    assert_eq!(qos2.await.unwrap().unwrap_err().reason_code(), Some(0x9B));
    let retained = h.publish("t", Message::new(&b"x"[..]).with_retained(true));
    assert_eq!(
        retained.await.unwrap().unwrap_err().reason_code(),
        Some(0x9A)
    );
    let large = h.publish("t", Message::new(vec![0u8; 64]));
    let error = large.await.unwrap().unwrap_err();
    assert_eq!(error.reason_code(), Some(code::PACKET_TOO_LARGE));
    assert!(
        error.message().contains("Maximum Packet Size is 64"),
        "{error}"
    );
    let wildcard = h.subscribe("a/#");
    assert_eq!(
        wildcard.await.unwrap().unwrap_err().reason_code(),
        Some(0xA2)
    );
    // Nothing of the refused calls reached the broker; the next publish does.
    let fits = h.publish("t", Message::new(vec![0u8; 40]));
    let Packet::Publish(p) = broker.recv().await else {
        panic!("PUBLISH")
    };
    assert_eq!(p.payload.len(), 40);
    broker
        .send(&[Packet::PubAck(PubAck::new(p.pkid, None))])
        .await;
    assert!(fits.await.unwrap().is_ok());
}

/// C4: on a new session the restored subscriptions go out before the
/// publishes re-sent or queued meanwhile, so a publish to one of our own
/// filters comes back to us (the broker handles packets in order).
#[tokio::test(start_paused = true)]
async fn a_new_session_restores_subscriptions_before_resending_publishes() {
    use rumqttc::v5::mqttbytes::v5::{SubAck, SubscribeReasonCode};
    let mut o = options("restore-order");
    o.automatic_reconnect = true;
    let mut h = start(o);
    let mut broker = h.connect(connack(false, None)).await;
    let subscribed = h.subscribe("own/t");
    let Packet::Subscribe(subscribe) = broker.recv().await else {
        panic!("SUBSCRIBE")
    };
    let granted = SubAck {
        pkid: subscribe.pkid,
        return_codes: vec![SubscribeReasonCode::Success(WireQoS::AtMostOnce)],
        properties: None,
    };
    broker.send(&[Packet::SubAck(granted)]).await;
    subscribed.await.unwrap().unwrap();
    // A QoS 1 publish in flight when the connection goes.
    let published = h.publish("own/t", Message::new(&b"x"[..]).with_qos(QoS::AtLeastOnce));
    assert!(matches!(broker.recv().await, Packet::Publish(_)));
    drop(broker);
    assert!(matches!(
        h.next_event().await,
        ConnectionEvent::ConnectionLost(_)
    ));
    let mut broker = h.broker().await;
    broker.accept(connack(false, None)).await;
    let Packet::Subscribe(restore) = broker.recv().await else {
        panic!("the restored SUBSCRIBE comes first")
    };
    assert_eq!(restore.filters[0].path, "own/t");
    let Packet::Publish(again) = broker.recv().await else {
        panic!("then the publish again")
    };
    broker
        .send(&[Packet::PubAck(PubAck::new(again.pkid, None))])
        .await;
    assert!(published.await.unwrap().is_ok());
}

/// The read buffer is dropped only once it is empty (issue 14): a PUBLISH
/// larger than one read's room, arriving in pieces with pauses between them,
/// is put together, and the packet behind it still parses.
#[tokio::test(start_paused = true)]
async fn a_packet_arriving_in_pieces_is_put_together() {
    let mut h = start(options("pieces"));
    let mut broker = h.connect(connack(false, None)).await;
    let payload: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
    let mut bytes = BytesMut::new();
    Packet::Publish(Publish::new(
        "big",
        WireQoS::AtMostOnce,
        payload.clone(),
        None,
    ))
    .write(&mut bytes, None)
    .unwrap();
    Packet::Publish(Publish::new("small", WireQoS::AtMostOnce, "after", None))
        .write(&mut bytes, None)
        .unwrap();
    // The second packet's first bytes come with the first one's last piece.
    for piece in bytes.chunks(1_000) {
        broker.io.write_all(piece).await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let big = h.deliveries.recv().await.expect("the big PUBLISH");
    assert_eq!(
        big.message.payload[..],
        payload[..],
        "every piece, in order"
    );
    let small = h.deliveries.recv().await.expect("the PUBLISH behind it");
    assert_eq!(&small.message.payload[..], b"after");
}
