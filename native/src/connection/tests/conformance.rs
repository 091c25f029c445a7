//! MQTT 5 conformance of the driver with a scripted broker that breaks the
//! standard or tests its edges (docs/conformance.md): what the client
//! sends back, and what the application hears. The harness is the one of
//! `connection/tests.rs`.

use rumqttc::v5::mqttbytes::v5::{PubComp, PubRec, PubRel, SubAck, SubscribeReasonCode};

use super::*;

/// A DISCONNECT from the Server with `reason` and a Reason String, framed
/// by hand (rumqttc 0.25.1 frames a reason with properties inconsistently).
fn server_disconnect(reason: u8, reason_string: &str) -> Vec<u8> {
    let text = reason_string.as_bytes();
    let properties = 3 + text.len();
    let mut bytes = vec![0xE0, (2 + properties) as u8, reason, properties as u8, 0x1F];
    bytes.extend((text.len() as u16).to_be_bytes());
    bytes.extend(text);
    bytes
}

impl Broker {
    async fn send_raw(&mut self, bytes: &[u8]) {
        self.io.write_all(bytes).await.unwrap();
    }

    /// The client's DISCONNECT reason, then the end of the stream.
    async fn expect_disconnect_and_close(&mut self) -> u8 {
        let got = self.try_recv().await;
        let Some(Packet::Disconnect(Disconnect { reason_code, .. })) = got else {
            panic!("expected DISCONNECT, got {got:?}")
        };
        assert!(self.try_recv().await.is_none(), "then the client closes");
        reason_code as u8
    }
}

impl Harness {
    /// What `init` returned, for an attempt the broker spoiled.
    async fn connect_result(&mut self) -> Result<()> {
        self.connected.take().expect("connect once").await.unwrap()
    }

    async fn lost(&mut self) -> MqttError {
        match self.next_event().await {
            ConnectionEvent::ConnectionLost(error) => error,
            other => panic!("expected ConnectionLost, got {other:?}"),
        }
    }
}

/// MQTT-2.1.3-1, MQTT-3.2.2-1: fixed bits that rumqttc does not look at
/// (a PUBREL's flags, the CONNACK's reserved Acknowledge Flags) make a
/// malformed packet: DISCONNECT 0x81, the connection ends, the application
/// hears 32108, live or while connecting.
#[tokio::test(start_paused = true)]
async fn wrong_fixed_bits_get_disconnect_0x81() {
    let mut h = start(options("flags"));
    let mut broker = h.connect(connack(false, None)).await;
    broker.send_raw(&[0x60, 0x02, 0x00, 0x01]).await; // PUBREL, flags 0000
    assert_eq!(broker.expect_disconnect_and_close().await, 0x81);
    let error = h.lost().await;
    assert_eq!(error.reason_code(), Some(code::PROTOCOL_VIOLATION));
    assert!(
        error
            .message()
            .contains("PUBREL with fixed-header flags 0000"),
        "{error}"
    );

    let mut h = start(options("connack-flags"));
    let mut broker = h.broker().await;
    assert!(matches!(broker.recv().await, Packet::Connect(..)));
    broker.send_raw(&[0x20, 0x03, 0x03, 0x00, 0x00]).await; // bit 1 set
    assert_eq!(broker.expect_disconnect_and_close().await, 0x81);
    let error = h.connect_result().await.unwrap_err();
    assert_eq!(error.reason_code(), Some(code::PROTOCOL_VIOLATION));
    assert!(
        error.message().contains("Acknowledge Flags 00000011"),
        "{error}"
    );
}

/// MQTT-2.2.1-6: a SUBACK whose packet id answers no SUBSCRIBE is the
/// Server's protocol error: DISCONNECT 0x82, and the subscribe waiting for
/// its own SUBACK fails at once instead of hanging.
#[tokio::test(start_paused = true)]
async fn a_suback_for_no_subscribe_gets_disconnect_0x82_and_fails_the_waiting_call() {
    let mut h = start(options("suback-id"));
    let mut broker = h.connect(connack(false, None)).await;
    let subscribed = h.subscribe("a");
    let Packet::Subscribe(subscribe) = broker.recv().await else {
        panic!("SUBSCRIBE")
    };
    let wrong = SubAck {
        pkid: subscribe.pkid.wrapping_add(1),
        return_codes: vec![SubscribeReasonCode::Success(WireQoS::AtMostOnce)],
        properties: None,
    };
    broker.send(&[Packet::SubAck(wrong)]).await;
    assert_eq!(broker.expect_disconnect_and_close().await, 0x82);
    let error = subscribed.await.unwrap().unwrap_err();
    assert_eq!(
        error.reason_code(),
        Some(code::PROTOCOL_VIOLATION),
        "{error}"
    );
    assert!(
        error.message().contains("no SUBSCRIBE is waiting"),
        "{error}"
    );
}

/// MQTT-3.2.0-1: a Server's first packet other than CONNACK fails the
/// connect with DISCONNECT 0x82 sent first.
#[tokio::test(start_paused = true)]
async fn a_first_packet_other_than_connack_gets_disconnect_0x82() {
    let mut h = start(options("first"));
    let mut broker = h.broker().await;
    assert!(matches!(broker.recv().await, Packet::Connect(..)));
    let publish = Publish::new("t", WireQoS::AtMostOnce, "early", None);
    broker.send(&[Packet::Publish(publish)]).await;
    assert_eq!(broker.expect_disconnect_and_close().await, 0x82);
    let error = h.connect_result().await.unwrap_err();
    assert_eq!(error.reason_code(), Some(code::PROTOCOL_VIOLATION));
    assert!(
        error.message().contains("a PUBLISH before CONNACK"),
        "{error}"
    );
    assert_eq!(h.shared.phase(), Phase::Closed);
}

/// MQTT-3.14.0-1: a DISCONNECT before CONNACK (forbidden to the Server)
/// fails the connect with the Server's reason code and reason string;
/// the Server has ended the connection, so nothing is sent back.
#[tokio::test(start_paused = true)]
async fn a_disconnect_before_connack_fails_the_connect_with_its_reason() {
    let mut h = start(options("early-disconnect"));
    let mut broker = h.broker().await;
    assert!(matches!(broker.recv().await, Packet::Connect(..)));
    broker.send_raw(&server_disconnect(0x89, "try later")).await;
    assert!(broker.try_recv().await.is_none(), "closed, nothing sent");
    let error = h.connect_result().await.unwrap_err();
    assert_eq!(error.reason_code(), Some(0x89), "{error}");
    assert!(
        error.message().contains("before CONNACK") && error.message().contains("try later"),
        "{error}"
    );
}

/// MQTT-3.2.2-2, MQTT-3.2.2-4: to a CONNECT with Clean Start 1 the Server
/// must answer Session Present 0; a Session Present 1 (we have no session
/// to resume) ends the attempt with DISCONNECT 0x82.
#[tokio::test(start_paused = true)]
async fn session_present_to_a_clean_start_gets_disconnect_0x82() {
    let mut o = options("clean");
    o.clean_start = true;
    let mut h = start(o);
    let mut broker = h.broker().await;
    broker.accept(connack(true, None)).await;
    assert_eq!(broker.expect_disconnect_and_close().await, 0x82);
    let error = h.connect_result().await.unwrap_err();
    assert_eq!(error.reason_code(), Some(code::PROTOCOL_VIOLATION));
    assert!(error.message().contains("Session Present"), "{error}");
}

/// MQTT-4.13.2-1: a Server's DISCONNECT (here session taken over, 0x8E)
/// ends the connection: the client sends nothing more, and the
/// application hears the reason code and reason string.
#[tokio::test(start_paused = true)]
async fn a_server_disconnect_reaches_the_application_with_its_reason() {
    let mut h = start(options("taken-over"));
    let mut broker = h.connect(connack(false, None)).await;
    broker
        .send_raw(&server_disconnect(0x8E, "another client took the id"))
        .await;
    assert!(broker.try_recv().await.is_none(), "closed, nothing sent");
    let error = h.lost().await;
    assert_eq!(error.reason_code(), Some(0x8E));
    assert!(
        error.message().contains("another client took the id"),
        "{error}"
    );
    assert_eq!(h.shared.phase(), Phase::Disconnected);
}

/// MQTT-3.3.4-8, MQTT-4.9.0-3: with the Server's Receive Maximum used up,
/// only PUBLISH waits: our PUBREL, the acks of received messages,
/// SUBSCRIBE, UNSUBSCRIBE and PINGREQ go out, and the waiting publish
/// follows once the window frees.
#[tokio::test(start_paused = true)]
async fn with_the_window_full_only_publishes_wait() {
    let mut o = options("window");
    o.keep_alive = Duration::from_secs(10);
    let mut h = start(o);
    let props = ConnAckProperties {
        receive_max: Some(1),
        ..connack_properties()
    };
    let mut broker = h.connect(connack(false, Some(props))).await;
    let first = h.publish("t", Message::new(&b"first"[..]).with_qos(QoS::ExactlyOnce));
    let waiting = h.publish("t", Message::new(&b"waiting"[..]));
    let Packet::Publish(sent) = broker.recv().await else {
        panic!("PUBLISH")
    };
    assert_eq!(&sent.payload[..], b"first");
    broker
        .send(&[Packet::PubRec(PubRec::new(sent.pkid, None))])
        .await;
    assert!(matches!(broker.recv().await, Packet::PubRel(r) if r.pkid == sent.pkid));

    let mut qos1 = Publish::new("in", WireQoS::AtLeastOnce, "1", None);
    qos1.pkid = 7;
    let mut qos2 = Publish::new("in", WireQoS::ExactlyOnce, "2", None);
    qos2.pkid = 8;
    broker
        .send(&[Packet::Publish(qos1), Packet::Publish(qos2)])
        .await;
    assert!(matches!(broker.recv().await, Packet::PubAck(a) if a.pkid == 7));
    assert!(matches!(broker.recv().await, Packet::PubRec(r) if r.pkid == 8));
    broker.send(&[Packet::PubRel(PubRel::new(8, None))]).await;
    assert!(matches!(broker.recv().await, Packet::PubComp(c) if c.pkid == 8));

    let _subscribed = h.subscribe("s");
    assert!(matches!(broker.recv().await, Packet::Subscribe(_)));
    let (tx, _unsubscribed) = oneshot::channel();
    h.shared.call(|p| p.unsubscribe(vec!["s".into()], tx));
    assert!(matches!(broker.recv().await, Packet::Unsubscribe(_)));
    assert!(
        matches!(broker.recv().await, Packet::PingReq(_)),
        "keep-alive goes on"
    );

    broker
        .send(&[Packet::PubComp(PubComp::new(sent.pkid, None))])
        .await;
    assert!(first.await.unwrap().is_ok());
    let Packet::Publish(next) = broker.recv().await else {
        panic!("the waiting PUBLISH, once the window frees")
    };
    assert_eq!(&next.payload[..], b"waiting");
    broker
        .send(&[Packet::PubAck(PubAck::new(next.pkid, None))])
        .await;
    assert!(waiting.await.unwrap().is_ok());
}
