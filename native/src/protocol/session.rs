//! The MQTT 5 session state of one client, without any I/O: packet
//! identifiers, QoS 1/2 publishes until their acks, what is re-sent after a
//! reconnect (with DUP, contract C5), the Server's Receive Maximum as a
//! window (MQTT-3.3.4-7), acks in arrival order however the application
//! completes messages (L3), and a publish the broker keeps closing the
//! connection on, given up after a few attempts (C8).
//!
//! Why not rumqttc's `MqttState`: it gives no per-call token (R1), silently
//! clears pending publishes on a session loss (R2), loops on an unsolicited
//! PUBREL (R3), never sets DUP (R4), and acks in call order (R12).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use super::metrics::{qos_index, Metrics};
use rumqttc::v5::mqttbytes::v5::{
    Packet, PubAck, PubAckReason, PubComp, PubCompReason, PubRec, PubRecReason, PubRel, Publish,
};
use rumqttc::v5::mqttbytes::QoS as WireQoS;

use super::reasons;
use crate::error::{code, ErrorKind, MqttError, Result};
use crate::message::DeliveryToken;

/// Told once of the outcome of a publish (contract P1).
pub enum Completion {
    /// A closure: the Rust API's futures.
    Callback(Box<dyn FnOnce(Result<DeliveryToken>) + Send>),
    /// A function and the request it answers: the Java bridge's publishes,
    /// with no allocation per message.
    Request(fn(i64, Result<DeliveryToken>), i64),
}

impl Completion {
    pub fn callback(f: impl FnOnce(Result<DeliveryToken>) + Send + 'static) -> Self {
        Completion::Callback(Box::new(f))
    }

    pub fn complete(self, result: Result<DeliveryToken>) {
        match self {
            Completion::Callback(f) => f(result),
            Completion::Request(f, request_id) => f(request_id, result),
        }
    }
}

/// How many times a publish may be sent alone and see the broker close the
/// connection before acknowledging it, before it is given up (C8).
pub const POISON_ATTEMPTS: u8 = 2;

/// A publish handed to the engine and not yet acknowledged.
pub struct PendingPublish {
    pub publish: Publish,
    pub topic: String,
    pub done: Completion,
    /// Connections that the broker closed while this publish was the only
    /// one awaiting an ack.
    pub attempts: u8,
    /// Sent and unacknowledged when the broker last closed the connection:
    /// re-sent one at a time until acknowledged, so a poison message is
    /// told apart from the innocent ones around it.
    pub suspect: bool,
}

impl PendingPublish {
    pub fn new(publish: Publish, topic: String, done: Completion) -> Self {
        PendingPublish {
            publish,
            topic,
            done,
            attempts: 0,
            suspect: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)] // named after the packets awaited
enum Awaiting {
    PubAck,
    PubRec,
    PubComp,
}

struct InFlight {
    pending: PendingPublish,
    stage: Awaiting,
    /// Written on the current connection (false after a reconnect until re-sent).
    sent: bool,
    /// QoS 2 past PUBREC: when its PUBREC came, so PUBRELs are re-sent in
    /// that order (MQTT-4.6.0-4).
    released: u64,
}

/// A packet to write, and for QoS 0 the completion due once it is written.
pub struct Outbound {
    pub packet: Packet,
    pub on_written: Option<(Completion, DeliveryToken)>,
}

impl Outbound {
    pub fn packet(packet: Packet) -> Self {
        Outbound {
            packet,
            on_written: None,
        }
    }
}

/// Identifies one received QoS 1/2 message for its later ack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AckId {
    /// Changes when the broker loses our session: older acks are void.
    pub epoch: u64,
    pub seq: u64,
}

/// What to do with a received PUBLISH.
#[derive(Debug, PartialEq, Eq)]
pub enum IncomingAction {
    /// Hand it to the application; ack with the id (None for QoS 0).
    Deliver(Option<AckId>),
    /// A duplicate of a message still being handled or already received:
    /// do not deliver; write the packet if any.
    Duplicate(Option<Box<Packet>>),
}

struct IncomingAck {
    seq: u64,
    pkid: u16,
    qos: WireQoS,
    acked: bool,
    /// QoS 2 only: what the message was, to know its copies later.
    fingerprint: u64,
}

/// How many finished QoS 2 messages are remembered, beyond the broker's
/// window of unacknowledged ones (we advertise a Receive Maximum of at most
/// 65535, but brokers resend far fewer after a restart).
const REMEMBERED_QOS2: usize = 4096;

/// QoS 2 messages finished lately. A broker restored from its persistence
/// file (mosquitto 2.0 was seen doing it) may resend, with DUP set and the
/// same packet id, a QoS 2 message whose PUBREL/PUBCOMP had already passed;
/// delivering it would break exactly-once. A copy is recognised by packet
/// id, DUP and the same content, so a new message that reuses the id is
/// never mistaken for a copy.
#[derive(Default)]
struct RecentlyCompleted {
    by_pkid: HashMap<u16, u64>,
    order: VecDeque<u16>,
}

impl RecentlyCompleted {
    fn insert(&mut self, pkid: u16, fingerprint: u64) {
        if self.by_pkid.insert(pkid, fingerprint).is_none() {
            self.order.push_back(pkid);
        }
        while self.order.len() > REMEMBERED_QOS2 {
            if let Some(old) = self.order.pop_front() {
                self.by_pkid.remove(&old);
            }
        }
    }

    /// Removes and returns the fingerprint remembered for `pkid`.
    fn take(&mut self, pkid: u16) -> Option<u64> {
        let fingerprint = self.by_pkid.remove(&pkid)?;
        self.order.retain(|p| *p != pkid);
        Some(fingerprint)
    }

    fn clear(&mut self) {
        self.by_pkid.clear();
        self.order.clear();
    }
}

/// Identifies a message's content (topic, payload, properties).
fn fingerprint(publish: &Publish) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    publish.topic.hash(&mut hasher);
    publish.payload.hash(&mut hasher);
    if let Some(p) = &publish.properties {
        p.response_topic.hash(&mut hasher);
        p.correlation_data.hash(&mut hasher);
        p.user_properties.hash(&mut hasher);
        p.content_type.hash(&mut hasher);
    }
    hasher.finish()
}

/// A finished publish: call `done` with `result`.
pub type Finished = (Completion, Result<DeliveryToken>);

pub struct SessionState {
    next_pkid: u16,
    next_seq: u64,
    /// The connection's counters (issue 16), kept here where publishes settle.
    pub(crate) metrics: Metrics,
    /// Publishes sent and not acked, keyed by send order so a resend keeps order.
    inflight: BTreeMap<u64, InFlight>,
    inflight_by_pkid: HashMap<u16, u64>,
    /// Counts PUBRECs received, to order [`InFlight::released`].
    next_release: u64,
    /// In-flight publishes not yet re-sent on this connection.
    unsent: usize,
    /// Publishes (in flight or waiting) marked `suspect`.
    suspects: usize,
    /// Publishes accepted but not yet sent (no packet identifier yet).
    waiting: VecDeque<PendingPublish>,
    max_waiting: usize,
    max_inflight: usize,
    configured_max_inflight: usize,
    /// Other packet identifiers in use (SUBSCRIBE / UNSUBSCRIBE).
    reserved_pkids: HashSet<u16>,
    /// Received QoS 1/2 messages awaiting the application's ack, in arrival order.
    incoming: VecDeque<IncomingAck>,
    /// QoS 2 packet ids we sent PUBREC for and await PUBREL on, with the
    /// message's fingerprint.
    awaiting_pubrel: HashMap<u16, u64>,
    /// QoS 2 messages finished lately (PUBCOMP sent), by packet id.
    completed_qos2: RecentlyCompleted,
    /// Packet ids the broker will resend after this reconnect because the
    /// application still held them when the connection was resumed.
    expected_copies: HashSet<u16>,
    epoch: u64,
    next_incoming_seq: u64,
    connected: bool,
}

impl SessionState {
    pub fn new(max_inflight: u16, max_waiting: usize) -> Self {
        SessionState {
            next_pkid: 0,
            next_seq: 0,
            metrics: Metrics::default(),
            inflight: BTreeMap::new(),
            inflight_by_pkid: HashMap::new(),
            next_release: 0,
            unsent: 0,
            suspects: 0,
            waiting: VecDeque::new(),
            max_waiting,
            max_inflight: usize::from(max_inflight),
            configured_max_inflight: usize::from(max_inflight),
            reserved_pkids: HashSet::new(),
            incoming: VecDeque::new(),
            awaiting_pubrel: HashMap::new(),
            completed_qos2: RecentlyCompleted::default(),
            expected_copies: HashSet::new(),
            epoch: 0,
            next_incoming_seq: 0,
            connected: false,
        }
    }

    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// Publishes accepted and not finished (sent or waiting).
    pub fn pending_count(&self) -> usize {
        self.inflight.len() + self.waiting.len()
    }

    /// Received QoS 1/2 messages not yet fully acknowledged (our side of the
    /// Receive Maximum, MQTT-3.3.4-9).
    pub fn incoming_unacked(&self) -> usize {
        self.incoming.len() + self.awaiting_pubrel.len()
    }

    /// Accepts a publish for sending; refuses when too many wait (E2 32202).
    pub fn enqueue(&mut self, pending: PendingPublish) -> std::result::Result<(), Finished> {
        if self.waiting.len() >= self.max_waiting {
            let err = MqttError::with_code(
                ErrorKind::State,
                format!(
                    "Too many publishes in progress ({} waiting to be sent)",
                    self.waiting.len()
                ),
                code::MAX_INFLIGHT,
            );
            self.metrics
                .settled(qos_index(pending.publish.qos), Some(&err));
            return Err((pending.done, Err(err)));
        }
        if pending.suspect {
            self.suspects += 1;
        }
        self.waiting.push_back(pending);
        Ok(())
    }

    /// How many QoS 1/2 publishes may await an ack at once: the window, or
    /// one while suspects are re-sent after the broker closed the connection.
    fn window(&self) -> usize {
        if self.suspects > 0 {
            1
        } else {
            self.max_inflight
        }
    }

    /// Publishes sent on this connection and awaiting PUBACK or PUBREC: the
    /// ones a poison message hides among.
    fn awaiting_publish_ack(&self) -> usize {
        self.inflight
            .values()
            .filter(|f| f.sent && f.stage != Awaiting::PubComp)
            .count()
    }

    /// Re-sends in-flight publishes (DUP) and PUBRELs in send order while
    /// the window allows, then moves waiting publishes into flight.
    pub fn take_sendable(&mut self, out: &mut Vec<Outbound>) {
        if !self.connected {
            return;
        }
        if self.unsent > 0 {
            self.resend_inflight(out);
            if self.unsent > 0 {
                return; // the rest go out, in order, as acks free the window
            }
        }
        while let Some(front) = self.waiting.front() {
            if front.publish.qos != WireQoS::AtMostOnce && !self.has_room() {
                break;
            }
            let mut pending = self.waiting.pop_front().expect("front checked above");
            if pending.publish.qos == WireQoS::AtMostOnce {
                pending.publish.pkid = 0;
                let token = DeliveryToken {
                    message_id: 0,
                    topic: pending.topic,
                };
                out.push(Outbound {
                    packet: Packet::Publish(pending.publish),
                    on_written: Some((pending.done, token)),
                });
                continue;
            }
            let pkid = self.allocate_pkid();
            pending.publish.pkid = pkid;
            let stage = if pending.publish.qos == WireQoS::AtLeastOnce {
                Awaiting::PubAck
            } else {
                Awaiting::PubRec
            };
            out.push(Outbound::packet(Packet::Publish(pending.publish.clone())));
            let seq = self.next_seq;
            self.next_seq += 1;
            self.inflight_by_pkid.insert(pkid, seq);
            self.inflight.insert(
                seq,
                InFlight {
                    pending,
                    stage,
                    sent: true,
                    released: 0,
                },
            );
        }
    }

    /// Room for one more publish awaiting its ack.
    fn has_room(&self) -> bool {
        if self.suspects > 0 {
            self.awaiting_publish_ack() < 1
        } else {
            self.inflight.len() < self.max_inflight
        }
    }

    /// Re-sends on a resumed session: first every PUBREL, in the order the
    /// PUBRECs came (MQTT-4.6.0-4) — they are not PUBLISH packets, so no
    /// quota holds them back (MQTT-3.3.4-8) — then the publishes, in the
    /// order they were first sent (MQTT-4.6.0-1), as the window allows.
    fn resend_inflight(&mut self, out: &mut Vec<Outbound>) {
        let mut releases: Vec<(u64, u16)> = self
            .inflight
            .values_mut()
            .filter(|f| !f.sent && f.stage == Awaiting::PubComp)
            .map(|f| {
                f.sent = true;
                (f.released, f.pending.publish.pkid)
            })
            .collect();
        releases.sort_unstable();
        self.unsent -= releases.len();
        for (_, pkid) in releases {
            out.push(Outbound::packet(Packet::PubRel(PubRel::new(pkid, None))));
        }
        let window = self.window();
        // Careful (suspects): only publishes awaiting PUBACK/PUBREC count,
        // so a poison message is sent alone.
        let mut outstanding = if self.suspects > 0 {
            self.awaiting_publish_ack()
        } else {
            self.inflight.len() - self.unsent
        };
        for flight in self.inflight.values_mut() {
            if flight.sent {
                continue;
            }
            if outstanding >= window {
                break; // the rest go out, in order, as acks free the window
            }
            let mut publish = flight.pending.publish.clone();
            publish.dup = true; // a re-delivery (MQTT-3.3.1-1, contract C5)
            out.push(Outbound::packet(Packet::Publish(publish)));
            flight.sent = true;
            self.unsent -= 1;
            outstanding += 1;
        }
    }

    /// A packet identifier not used by any publish or subscription in flight.
    pub fn allocate_pkid(&mut self) -> u16 {
        loop {
            self.next_pkid = self.next_pkid.wrapping_add(1);
            if self.next_pkid == 0 {
                self.next_pkid = 1;
            }
            let id = self.next_pkid;
            if !self.inflight_by_pkid.contains_key(&id) && !self.reserved_pkids.contains(&id) {
                return id;
            }
        }
    }

    /// Reserves an id for a SUBSCRIBE/UNSUBSCRIBE; release it on its ack.
    pub fn reserve_pkid(&mut self) -> u16 {
        let id = self.allocate_pkid();
        self.reserved_pkids.insert(id);
        id
    }

    pub fn release_pkid(&mut self, pkid: u16) {
        self.reserved_pkids.remove(&pkid);
    }

    fn finish(&mut self, pkid: u16) -> Option<InFlight> {
        let seq = self.inflight_by_pkid.remove(&pkid)?;
        let flight = self.inflight.remove(&seq)?;
        if !flight.sent {
            self.unsent -= 1;
        }
        if flight.pending.suspect {
            self.suspects -= 1;
        }
        Some(flight)
    }

    /// Takes a publish out of flight that could not be written (it no longer
    /// fits the Server's limits after a reconnect), to fail it alone (C8).
    pub fn abandon(&mut self, pkid: u16) -> Option<PendingPublish> {
        self.finish(pkid).map(|f| f.pending)
    }

    /// A delivered flight's completion and token (the topic moves into it).
    fn delivered(flight: InFlight) -> Finished {
        let token = DeliveryToken {
            message_id: flight.pending.publish.pkid,
            topic: flight.pending.topic,
        };
        (flight.pending.done, Ok(token))
    }

    pub fn handle_puback(&mut self, ack: &PubAck) -> Option<Finished> {
        let seq = *self.inflight_by_pkid.get(&ack.pkid)?;
        if self.inflight[&seq].stage != Awaiting::PubAck {
            return None;
        }
        let flight = self.finish(ack.pkid)?;
        match ack.reason {
            PubAckReason::Success | PubAckReason::NoMatchingSubscribers => {
                self.metrics.settled(1, None);
                Some(Self::delivered(flight))
            }
            reason => {
                let text = ack
                    .properties
                    .as_ref()
                    .and_then(|p| p.reason_string.as_deref());
                let err = MqttError::broker(
                    format!("Publish to '{}' refused", flight.pending.topic),
                    reasons::puback(reason),
                    text,
                );
                self.metrics.settled(1, Some(&err));
                Some((flight.pending.done, Err(err)))
            }
        }
    }

    /// Returns the PUBREL to send, or the failure when the broker refused.
    pub fn handle_pubrec(&mut self, rec: &PubRec) -> (Option<Packet>, Option<Finished>) {
        let Some(&seq) = self.inflight_by_pkid.get(&rec.pkid) else {
            // Not ours (any more): answer so the broker can free the id.
            let mut rel = PubRel::new(rec.pkid, None);
            rel.reason = rumqttc::v5::mqttbytes::v5::PubRelReason::PacketIdentifierNotFound;
            return (Some(Packet::PubRel(rel)), None);
        };
        match rec.reason {
            PubRecReason::Success | PubRecReason::NoMatchingSubscribers => {
                let flight = self.inflight.get_mut(&seq).expect("indexed above");
                if flight.stage != Awaiting::PubComp {
                    flight.stage = Awaiting::PubComp;
                    flight.released = self.next_release;
                    self.next_release += 1;
                }
                if flight.pending.suspect {
                    // The broker took it: not poison.
                    flight.pending.suspect = false;
                    self.suspects -= 1;
                }
                (Some(Packet::PubRel(PubRel::new(rec.pkid, None))), None)
            }
            reason => {
                let flight = self.finish(rec.pkid).expect("indexed above");
                let text = rec
                    .properties
                    .as_ref()
                    .and_then(|p| p.reason_string.as_deref());
                let err = MqttError::broker(
                    format!("Publish to '{}' refused", flight.pending.topic),
                    reasons::pubrec(reason),
                    text,
                );
                self.metrics.settled(2, Some(&err));
                (None, Some((flight.pending.done, Err(err))))
            }
        }
    }

    pub fn handle_pubcomp(&mut self, comp: &PubComp) -> Option<Finished> {
        let seq = *self.inflight_by_pkid.get(&comp.pkid)?;
        if self.inflight[&seq].stage != Awaiting::PubComp {
            return None;
        }
        let flight = self.finish(comp.pkid)?;
        self.metrics.settled(2, None);
        Some(Self::delivered(flight))
    }

    /// Decides whether a received PUBLISH reaches the application.
    pub fn handle_publish(&mut self, publish: &Publish) -> IncomingAction {
        if publish.qos == WireQoS::AtMostOnce {
            return IncomingAction::Deliver(None);
        }
        if self.incoming.iter().any(|i| i.pkid == publish.pkid) {
            // Still with the application: its ack will answer this copy too.
            return IncomingAction::Duplicate(None);
        }
        if self.expected_copies.remove(&publish.pkid)
            && publish.dup
            && publish.qos == WireQoS::AtLeastOnce
        {
            // The broker's resend of a message the application held across
            // the reconnect and has acked on this connection since: the ack
            // already answered it. (QoS 2 copies are recognised below.)
            return IncomingAction::Duplicate(None);
        }
        let fingerprint = if publish.qos == WireQoS::ExactlyOnce {
            fingerprint(publish)
        } else {
            0
        };
        if publish.qos == WireQoS::ExactlyOnce {
            if let Some(done) = self.completed_qos2.take(publish.pkid) {
                if publish.dup && done == fingerprint {
                    // A copy of a finished message: take it through the
                    // flow again (PUBREC, PUBREL, PUBCOMP), deliver nothing.
                    self.awaiting_pubrel.insert(publish.pkid, fingerprint);
                }
            }
        }
        if publish.qos == WireQoS::ExactlyOnce && self.awaiting_pubrel.contains_key(&publish.pkid) {
            // Received and acked before: deliver once only, repeat the PUBREC.
            let repeat = Packet::PubRec(PubRec::new(publish.pkid, None));
            return IncomingAction::Duplicate(Some(Box::new(repeat)));
        }
        let seq = self.next_incoming_seq;
        self.next_incoming_seq += 1;
        self.incoming.push_back(IncomingAck {
            seq,
            pkid: publish.pkid,
            qos: publish.qos,
            acked: false,
            fingerprint,
        });
        IncomingAction::Deliver(Some(AckId {
            epoch: self.epoch,
            seq,
        }))
    }

    /// The application is done with a message; returns the acks now due, in
    /// arrival order. Acks of a lost session are ignored; acking twice is a no-op.
    pub fn ack(&mut self, id: AckId, out: &mut Vec<Outbound>) {
        if id.epoch != self.epoch {
            return;
        }
        if let Some(entry) = self.incoming.iter_mut().find(|i| i.seq == id.seq) {
            entry.acked = true;
        }
        self.flush_acks(out);
    }

    fn flush_acks(&mut self, out: &mut Vec<Outbound>) {
        if !self.connected {
            return; // sent after the reconnect, in the same order
        }
        while self.incoming.front().is_some_and(|i| i.acked) {
            let entry = self.incoming.pop_front().expect("front checked above");
            let packet = if entry.qos == WireQoS::AtLeastOnce {
                Packet::PubAck(PubAck::new(entry.pkid, None))
            } else {
                self.awaiting_pubrel.insert(entry.pkid, entry.fingerprint);
                Packet::PubRec(PubRec::new(entry.pkid, None))
            };
            out.push(Outbound::packet(packet));
        }
    }

    /// Always answers a PUBREL, known or not, so a restarted session can
    /// never loop on it (R3).
    pub fn handle_pubrel(&mut self, rel: &PubRel) -> Packet {
        let mut comp = PubComp::new(rel.pkid, None);
        match self.awaiting_pubrel.remove(&rel.pkid) {
            Some(fingerprint) => self.completed_qos2.insert(rel.pkid, fingerprint),
            None => comp.reason = PubCompReason::PacketIdentifierNotFound,
        }
        Packet::PubComp(comp)
    }

    /// The connection ended. When the broker closed it (`broker_closed`),
    /// the publishes it had not acknowledged become suspects, re-sent one
    /// at a time; a suspect that was alone in flight when the broker closed
    /// again has one attempt more, and after [`POISON_ATTEMPTS`] it fails
    /// with 32205 so what waits behind it proceeds (C8).
    pub fn connection_lost(&mut self, broker_closed: bool, cause: &MqttError) -> Vec<Finished> {
        self.connected = false;
        self.expected_copies.clear();
        if !broker_closed {
            return Vec::new();
        }
        if self.suspects == 0 {
            for flight in self.inflight.values_mut() {
                if flight.sent && flight.stage != Awaiting::PubComp && !flight.pending.suspect {
                    flight.pending.suspect = true;
                    self.suspects += 1;
                }
            }
            return Vec::new();
        }
        let alone = self
            .inflight
            .values_mut()
            .find(|f| f.sent && f.stage != Awaiting::PubComp && f.pending.suspect);
        let Some(flight) = alone else {
            return Vec::new();
        };
        flight.pending.attempts += 1;
        if flight.pending.attempts < POISON_ATTEMPTS {
            return Vec::new();
        }
        let pkid = flight.pending.publish.pkid;
        let flight = self.finish(pkid).expect("found above");
        let attempts = u32::from(flight.pending.attempts) + 1;
        let error = MqttError::with_code(
            ErrorKind::Broker,
            format!(
                "Publish to '{}' abandoned: the broker closed the connection each of the {attempts} times it was sent, before acknowledging it (last: {})",
                flight.pending.topic,
                cause.message()
            ),
            code::PUBLISH_ABANDONED,
        );
        self.metrics
            .settled(qos_index(flight.pending.publish.qos), Some(&error));
        vec![(flight.pending.done, Err(error))]
    }

    /// After CONNACK: with a session, re-send everything unacked (DUP = 1)
    /// and the acks held back; without one, start a fresh session and
    /// publish again, as new publications (DUP 0), what the broker never
    /// took (C5). Resends and new publishes
    /// keep within the Server's Receive Maximum of this CONNACK. Returns
    /// publishes completed because the broker had already taken them
    /// (PUBREC received).
    pub fn connected(
        &mut self,
        session_present: bool,
        broker_receive_max: u16,
        out: &mut Vec<Outbound>,
    ) -> Vec<Finished> {
        self.connected = true;
        self.max_inflight = usize::from(broker_receive_max)
            .min(self.configured_max_inflight)
            .max(1);
        let mut finished = Vec::new();
        if session_present {
            // The broker resends what we have not acked, possibly after our
            // ack for it is on its way: know those copies when they come.
            self.expected_copies = self.incoming.iter().map(|i| i.pkid).collect();
            for flight in self.inflight.values_mut() {
                flight.sent = false;
            }
            self.unsent = self.inflight.len();
            self.flush_acks(out);
        } else {
            self.epoch += 1;
            self.incoming.clear();
            self.awaiting_pubrel.clear();
            self.completed_qos2.clear();
            self.reserved_pkids.clear();
            self.inflight_by_pkid.clear();
            self.unsent = 0;
            let flights = std::mem::take(&mut self.inflight);
            let mut resend = Vec::new();
            for flight in flights.into_values() {
                if flight.stage == Awaiting::PubComp {
                    self.metrics.settled(2, None);
                    finished.push(Self::delivered(flight));
                } else {
                    // A new publication of the new session, under a new
                    // packet id: its first send has DUP 0 (MQTT-4.3.2-2,
                    // MQTT-4.3.3-2; D1 in docs/conformance.md).
                    let mut pending = flight.pending;
                    pending.publish.dup = false;
                    pending.publish.pkid = 0;
                    resend.push(pending);
                }
            }
            for pending in resend.into_iter().rev() {
                self.waiting.push_front(pending);
            }
        }
        self.take_sendable(out);
        finished
    }

    /// Fails every publish not yet finished (close, or a lost connection
    /// without automatic reconnect).
    pub fn fail_all(&mut self, error: &MqttError) -> Vec<Finished> {
        self.inflight_by_pkid.clear();
        self.unsent = 0;
        self.suspects = 0;
        let flights = std::mem::take(&mut self.inflight);
        let waiting = std::mem::take(&mut self.waiting);
        let metrics = &mut self.metrics;
        flights
            .into_values()
            .map(|f| f.pending)
            .chain(waiting)
            .map(|p| {
                metrics.settled(qos_index(p.publish.qos), Some(error));
                (p.done, Err(error.clone()))
            })
            .collect()
    }

    /// Publishes sent and not yet acknowledged (issue 16 gauge).
    pub fn in_flight_count(&self) -> usize {
        self.inflight.len()
    }

    /// Publishes waiting to be sent (issue 16 gauge).
    pub fn queued_count(&self) -> usize {
        self.waiting.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    type Log = Arc<Mutex<Vec<(String, Result<DeliveryToken>)>>>;

    fn publish(state: &mut SessionState, log: &Log, name: &str, qos: WireQoS) {
        let log = log.clone();
        let name = name.to_string();
        let pending = PendingPublish::new(
            Publish::new("t", qos, name.clone().into_bytes(), None),
            "t".into(),
            Completion::callback(move |r| log.lock().unwrap().push((name, r))),
        );
        assert!(state.enqueue(pending).is_ok());
    }

    fn finish(finished: impl IntoIterator<Item = Finished>) {
        for (done, result) in finished {
            done.complete(result);
        }
    }

    fn sent_publishes(out: &[Outbound]) -> Vec<(u16, bool)> {
        out.iter()
            .filter_map(|o| match &o.packet {
                Packet::Publish(p) => Some((p.pkid, p.dup)),
                _ => None,
            })
            .collect()
    }

    fn lost() -> MqttError {
        MqttError::connection_lost("the broker closed the connection")
    }

    fn connected_state() -> SessionState {
        let mut s = SessionState::new(10, 100);
        s.connected(false, u16::MAX, &mut Vec::new());
        s
    }

    #[test]
    fn each_publish_gets_its_own_token_by_packet_id() {
        let log = Log::default();
        let mut s = connected_state();
        for name in ["a", "b", "c"] {
            publish(&mut s, &log, name, WireQoS::AtLeastOnce);
        }
        let mut out = Vec::new();
        s.take_sendable(&mut out);
        assert_eq!(sent_publishes(&out), [(1, false), (2, false), (3, false)]);
        // Acks out of order still resolve the right calls.
        finish(s.handle_puback(&PubAck::new(3, None)));
        finish(s.handle_puback(&PubAck::new(1, None)));
        let log = log.lock().unwrap();
        assert_eq!(log[0].0, "c");
        assert_eq!(log[0].1.as_ref().unwrap().message_id, 3);
        assert_eq!(log[1].0, "a");
        assert_eq!(log[1].1.as_ref().unwrap().message_id, 1);
    }

    #[test]
    fn qos2_resolves_on_pubcomp_only() {
        let log = Log::default();
        let mut s = connected_state();
        publish(&mut s, &log, "x", WireQoS::ExactlyOnce);
        let mut out = Vec::new();
        s.take_sendable(&mut out);
        let (rel, fail) = s.handle_pubrec(&PubRec::new(1, None));
        assert!(matches!(rel, Some(Packet::PubRel(_))) && fail.is_none());
        assert!(s.handle_puback(&PubAck::new(1, None)).is_none());
        assert!(log.lock().unwrap().is_empty());
        finish(s.handle_pubcomp(&PubComp::new(1, None)));
        assert_eq!(log.lock().unwrap()[0].1.as_ref().unwrap().message_id, 1);
    }

    #[test]
    fn refused_puback_fails_with_broker_reason_code() {
        let log = Log::default();
        let mut s = connected_state();
        publish(&mut s, &log, "x", WireQoS::AtLeastOnce);
        s.take_sendable(&mut Vec::new());
        let mut ack = PubAck::new(1, None);
        ack.reason = PubAckReason::QuotaExceeded;
        finish(s.handle_puback(&ack));
        let err = log.lock().unwrap()[0].1.clone().unwrap_err();
        assert_eq!(err.reason_code(), Some(151));
    }

    #[test]
    fn window_limits_inflight_and_refills_on_ack() {
        let log = Log::default();
        let mut s = SessionState::new(2, 100);
        s.connected(false, 100, &mut Vec::new());
        for name in ["a", "b", "c"] {
            publish(&mut s, &log, name, WireQoS::AtLeastOnce);
        }
        let mut out = Vec::new();
        s.take_sendable(&mut out);
        assert_eq!(out.len(), 2);
        finish(s.handle_puback(&PubAck::new(1, None)));
        let mut out = Vec::new();
        s.take_sendable(&mut out);
        assert_eq!(sent_publishes(&out), [(3, false)]);
    }

    #[test]
    fn waiting_queue_is_bounded_with_code_32202() {
        let log = Log::default();
        let mut s = SessionState::new(1, 1);
        publish(&mut s, &log, "a", WireQoS::AtLeastOnce);
        let pending = PendingPublish::new(
            Publish::new("t", WireQoS::AtLeastOnce, "b", None),
            "t".into(),
            Completion::callback(|_| {}),
        );
        let Err((_, result)) = s.enqueue(pending) else {
            panic!("the second publish must be refused")
        };
        assert_eq!(result.unwrap_err().reason_code(), Some(32202));
    }

    #[test]
    fn resume_with_session_resends_in_order_with_dup_and_pubrel() {
        let log = Log::default();
        let mut s = connected_state();
        publish(&mut s, &log, "a", WireQoS::ExactlyOnce);
        publish(&mut s, &log, "b", WireQoS::AtLeastOnce);
        s.take_sendable(&mut Vec::new());
        s.handle_pubrec(&PubRec::new(1, None));
        s.connection_lost(false, &lost());
        let mut out = Vec::new();
        let done = s.connected(true, u16::MAX, &mut out);
        assert!(done.is_empty());
        assert!(matches!(&out[0].packet, Packet::PubRel(r) if r.pkid == 1));
        assert_eq!(sent_publishes(&out), [(2, true)]);
    }

    #[test]
    fn session_loss_resends_unacked_and_completes_pubrec_ones() {
        let log = Log::default();
        let mut s = connected_state();
        publish(&mut s, &log, "a", WireQoS::ExactlyOnce);
        publish(&mut s, &log, "b", WireQoS::AtLeastOnce);
        publish(&mut s, &log, "c", WireQoS::AtLeastOnce);
        s.take_sendable(&mut Vec::new());
        s.handle_pubrec(&PubRec::new(1, None));
        s.connection_lost(false, &lost());
        let mut out = Vec::new();
        finish(s.connected(false, u16::MAX, &mut out));
        // "a" was taken by the broker (PUBREC): done; "b", "c" go out again in
        // order, as new publications of the new session: DUP 0 (MQTT-4.3.2-2,
        // MQTT-4.3.3-2).
        assert_eq!(log.lock().unwrap()[0].0, "a");
        let payloads: Vec<_> = out
            .iter()
            .filter_map(|o| match &o.packet {
                Packet::Publish(p) => Some((p.payload.clone(), p.dup)),
                _ => None,
            })
            .collect();
        assert_eq!(payloads, [("b".into(), false), ("c".into(), false)]);
        assert_eq!(s.pending_count(), 2);
    }

    /// MQTT-4.3.3-2 as MQTT-4.3.2-2: a QoS 2 publish not yet PUBREC'd when
    /// the session is lost is published again with DUP 0, and a later
    /// resend of it on a resumed session has DUP 1.
    #[test]
    fn a_qos2_publish_of_a_lost_session_goes_out_new_then_resends_with_dup() {
        let log = Log::default();
        let mut s = connected_state();
        publish(&mut s, &log, "a", WireQoS::ExactlyOnce);
        s.take_sendable(&mut Vec::new());
        s.connection_lost(false, &lost());
        let mut out = Vec::new();
        s.connected(false, u16::MAX, &mut out);
        assert_eq!(sent_publishes(&out), [(2, false)], "new id, DUP 0");
        s.connection_lost(false, &lost());
        let mut out = Vec::new();
        s.connected(true, u16::MAX, &mut out);
        assert_eq!(sent_publishes(&out), [(2, true)], "same id, DUP 1");
    }

    fn pubrels(out: &[Outbound]) -> Vec<u16> {
        out.iter()
            .filter_map(|o| match &o.packet {
                Packet::PubRel(r) => Some(r.pkid),
                _ => None,
            })
            .collect()
    }

    /// MQTT-4.6.0-4: on a resumed session the PUBRELs go out in the order
    /// the PUBRECs came, not the order of the publishes; and all of them at
    /// once, whatever the Receive Maximum (MQTT-3.3.4-8: the quota delays
    /// only PUBLISH packets), before the publishes re-sent in their order.
    #[test]
    fn pubrels_are_resent_first_in_the_order_of_their_pubrecs() {
        let log = Log::default();
        let mut s = connected_state();
        for name in ["a", "b", "c"] {
            publish(&mut s, &log, name, WireQoS::ExactlyOnce);
        }
        publish(&mut s, &log, "d", WireQoS::AtLeastOnce);
        s.take_sendable(&mut Vec::new());
        s.handle_pubrec(&PubRec::new(3, None));
        s.handle_pubrec(&PubRec::new(1, None));
        s.handle_pubrec(&PubRec::new(3, None)); // a repeat keeps its place
        s.connection_lost(false, &lost());
        let mut out = Vec::new();
        s.connected(true, u16::MAX, &mut out);
        assert_eq!(pubrels(&out), [3, 1]);
        assert!(
            matches!(&out[0].packet, Packet::PubRel(_))
                && matches!(&out[1].packet, Packet::PubRel(_))
        );
        assert_eq!(sent_publishes(&out), [(2, true), (4, true)]);

        // A Receive Maximum of 1 holds the publishes back, not the PUBRELs.
        s.connection_lost(false, &lost());
        let mut out = Vec::new();
        s.connected(true, 1, &mut out);
        assert_eq!(pubrels(&out), [3, 1]);
        assert!(sent_publishes(&out).is_empty());
        finish(s.handle_pubcomp(&PubComp::new(3, None)));
        finish(s.handle_pubcomp(&PubComp::new(1, None)));
        let mut out = Vec::new();
        s.take_sendable(&mut out);
        assert_eq!(sent_publishes(&out), [(2, true)]);
        assert!(outcome(&log, "c").unwrap().is_ok() && outcome(&log, "a").unwrap().is_ok());
    }

    #[test]
    fn waiting_publishes_are_not_sent_while_disconnected() {
        let log = Log::default();
        let mut s = SessionState::new(10, 10);
        publish(&mut s, &log, "a", WireQoS::AtLeastOnce);
        let mut out = Vec::new();
        s.take_sendable(&mut out);
        assert!(out.is_empty());
        s.connected(false, u16::MAX, &mut out);
        assert_eq!(sent_publishes(&out), [(1, false)]);
    }

    #[test]
    fn fail_all_reports_every_pending_publish() {
        let log = Log::default();
        let mut s = SessionState::new(1, 10);
        s.connected(false, u16::MAX, &mut Vec::new());
        publish(&mut s, &log, "a", WireQoS::AtLeastOnce);
        publish(&mut s, &log, "b", WireQoS::AtLeastOnce);
        s.take_sendable(&mut Vec::new());
        finish(s.fail_all(&MqttError::closed()));
        let log = log.lock().unwrap();
        assert_eq!(log.len(), 2);
        assert!(log
            .iter()
            .all(|(_, r)| r.as_ref().unwrap_err().reason_code() == Some(32111)));
    }

    fn incoming(pkid: u16, qos: WireQoS) -> Publish {
        let mut p = Publish::new("t", qos, "m", None);
        p.pkid = pkid;
        p
    }

    fn ack_id(action: IncomingAction) -> AckId {
        match action {
            IncomingAction::Deliver(Some(id)) => id,
            other => panic!("expected delivery, got {other:?}"),
        }
    }

    fn acks(out: &[Outbound]) -> Vec<(&'static str, u16)> {
        out.iter()
            .map(|o| match &o.packet {
                Packet::PubAck(a) => ("puback", a.pkid),
                Packet::PubRec(r) => ("pubrec", r.pkid),
                _ => ("other", 0),
            })
            .collect()
    }

    #[test]
    fn acks_go_out_in_arrival_order_whatever_the_completion_order() {
        let mut s = connected_state();
        let a = ack_id(s.handle_publish(&incoming(7, WireQoS::AtLeastOnce)));
        let b = ack_id(s.handle_publish(&incoming(3, WireQoS::ExactlyOnce)));
        let c = ack_id(s.handle_publish(&incoming(9, WireQoS::AtLeastOnce)));
        let mut out = Vec::new();
        s.ack(c, &mut out);
        s.ack(b, &mut out);
        assert!(out.is_empty(), "nothing may pass the unacked first message");
        s.ack(a, &mut out);
        assert_eq!(acks(&out), [("puback", 7), ("pubrec", 3), ("puback", 9)]);
        let mut again = Vec::new();
        s.ack(a, &mut again);
        assert!(again.is_empty(), "a second complete is a no-op");
    }

    #[test]
    fn qos2_duplicates_are_not_delivered_twice_and_pubrel_always_answered() {
        let mut s = connected_state();
        let id = ack_id(s.handle_publish(&incoming(5, WireQoS::ExactlyOnce)));
        assert_eq!(
            s.handle_publish(&incoming(5, WireQoS::ExactlyOnce)),
            IncomingAction::Duplicate(None)
        );
        s.ack(id, &mut Vec::new());
        assert!(matches!(
            s.handle_publish(&incoming(5, WireQoS::ExactlyOnce)),
            IncomingAction::Duplicate(Some(p)) if matches!(*p, Packet::PubRec(_))
        ));
        let comp = s.handle_pubrel(&PubRel::new(5, None));
        assert!(matches!(comp, Packet::PubComp(c) if c.reason == PubCompReason::Success));
        // An unknown PUBREL (e.g. after a broker restart) is answered, not an error (R3).
        let comp = s.handle_pubrel(&PubRel::new(42, None));
        assert!(matches!(comp, Packet::PubComp(c) if c.pkid == 42));
        // After the PUBREL the id is free for a new message.
        assert!(matches!(
            s.handle_publish(&incoming(5, WireQoS::ExactlyOnce)),
            IncomingAction::Deliver(Some(_))
        ));
    }

    #[test]
    fn a_resent_copy_of_a_finished_qos2_message_is_not_delivered_again() {
        let mut s = connected_state();
        let id = ack_id(s.handle_publish(&incoming(8, WireQoS::ExactlyOnce)));
        s.ack(id, &mut Vec::new());
        s.handle_pubrel(&PubRel::new(8, None));
        // The broker, restored from its persistence file, resends it with DUP.
        let mut copy = incoming(8, WireQoS::ExactlyOnce);
        copy.dup = true;
        assert!(matches!(
            s.handle_publish(&copy),
            IncomingAction::Duplicate(Some(_))
        ));
        let comp = s.handle_pubrel(&PubRel::new(8, None));
        assert!(matches!(comp, Packet::PubComp(c) if c.reason == PubCompReason::Success));
        // A new message reusing the id, with other content, is delivered even with DUP.
        let mut reused = Publish::new("t", WireQoS::ExactlyOnce, "other", None);
        reused.pkid = 8;
        reused.dup = true;
        assert!(matches!(
            s.handle_publish(&reused),
            IncomingAction::Deliver(Some(_))
        ));
        // And so is the same content under DUP 0, a new message's first send
        // (MQTT-4.3.3-12): only a DUP 1 copy of a finished message is taken
        // for one (D3).
        let mut s = connected_state();
        let id = ack_id(s.handle_publish(&incoming(9, WireQoS::ExactlyOnce)));
        s.ack(id, &mut Vec::new());
        s.handle_pubrel(&PubRel::new(9, None));
        assert!(matches!(
            s.handle_publish(&incoming(9, WireQoS::ExactlyOnce)),
            IncomingAction::Deliver(Some(_))
        ));
    }

    #[test]
    fn a_resent_copy_of_a_message_acked_after_the_reconnect_is_not_delivered() {
        let mut s = connected_state();
        let held = ack_id(s.handle_publish(&incoming(4, WireQoS::AtLeastOnce)));
        s.connection_lost(false, &lost());
        s.connected(true, u16::MAX, &mut Vec::new());
        // The application acks before the broker's copy is read.
        let mut out = Vec::new();
        s.ack(held, &mut out);
        assert_eq!(acks(&out), [("puback", 4)]);
        let mut copy = incoming(4, WireQoS::AtLeastOnce);
        copy.dup = true;
        assert_eq!(s.handle_publish(&copy), IncomingAction::Duplicate(None));
        // Later uses of the id are new messages.
        assert!(matches!(
            s.handle_publish(&copy),
            IncomingAction::Deliver(Some(_))
        ));

        // D3 is that narrow: when the first PUBLISH with the id after our
        // PUBACK has DUP 0, it is a new message (MQTT-4.3.2-5) and delivered.
        let mut s = connected_state();
        let held = ack_id(s.handle_publish(&incoming(4, WireQoS::AtLeastOnce)));
        s.connection_lost(false, &lost());
        s.connected(true, u16::MAX, &mut Vec::new());
        s.ack(held, &mut Vec::new());
        assert!(matches!(
            s.handle_publish(&incoming(4, WireQoS::AtLeastOnce)),
            IncomingAction::Deliver(Some(_))
        ));
    }

    #[test]
    fn acks_wait_for_the_connection_and_die_with_the_session() {
        let mut s = connected_state();
        let a = ack_id(s.handle_publish(&incoming(1, WireQoS::AtLeastOnce)));
        let b = ack_id(s.handle_publish(&incoming(2, WireQoS::AtLeastOnce)));
        s.connection_lost(false, &lost());
        let mut out = Vec::new();
        s.ack(a, &mut out);
        assert!(out.is_empty());
        s.connected(true, u16::MAX, &mut out);
        assert_eq!(acks(&out), [("puback", 1)]);
        s.connection_lost(false, &lost());
        s.connected(false, u16::MAX, &mut Vec::new());
        let mut out = Vec::new();
        s.ack(b, &mut out);
        assert!(out.is_empty(), "an ack of a lost session is void");
    }

    #[test]
    fn packet_ids_skip_those_in_use_and_wrap() {
        let mut s = connected_state();
        s.next_pkid = u16::MAX - 1;
        let reserved = s.reserve_pkid();
        assert_eq!(reserved, u16::MAX);
        assert_eq!(s.allocate_pkid(), 1);
        s.next_pkid = u16::MAX - 1;
        assert_eq!(s.allocate_pkid(), 1, "skips the reserved id and 0");
    }

    fn payloads(out: &[Outbound]) -> Vec<String> {
        out.iter()
            .filter_map(|o| match &o.packet {
                Packet::Publish(p) => Some(String::from_utf8(p.payload.to_vec()).unwrap()),
                _ => None,
            })
            .collect()
    }

    fn outcome(log: &Log, name: &str) -> Option<Result<DeliveryToken>> {
        let log = log.lock().unwrap();
        log.iter().find(|(n, _)| n == name).map(|(_, r)| r.clone())
    }

    /// MQTT-3.3.4-7 / C9: a Receive Maximum smaller in the new CONNACK
    /// limits the resend too; the rest follow as acks come, in order.
    #[test]
    fn a_smaller_receive_maximum_after_a_reconnect_limits_the_resend() {
        let log = Log::default();
        let mut s = connected_state();
        for name in ["a", "b", "c", "d"] {
            publish(&mut s, &log, name, WireQoS::AtLeastOnce);
        }
        s.take_sendable(&mut Vec::new());
        s.connection_lost(false, &lost());
        let mut out = Vec::new();
        s.connected(true, 2, &mut out);
        assert_eq!(sent_publishes(&out), [(1, true), (2, true)]);
        finish(s.handle_puback(&PubAck::new(1, None)));
        let mut out = Vec::new();
        s.take_sendable(&mut out);
        assert_eq!(sent_publishes(&out), [(3, true)]);
        publish(&mut s, &log, "e", WireQoS::AtLeastOnce);
        finish(s.handle_puback(&PubAck::new(2, None)));
        let mut out = Vec::new();
        s.take_sendable(&mut out);
        assert_eq!(payloads(&out), ["d"], "new publishes wait for the resends");
    }

    /// C8: after the broker closes the connection, the publishes it had not
    /// acknowledged are re-sent one at a time; the one that is alone in
    /// flight each time the broker closes is given up with 32205, and the
    /// innocent ones around it are delivered.
    #[test]
    fn a_poison_publish_is_found_among_innocent_ones_and_given_up() {
        let log = Log::default();
        let mut s = connected_state();
        for name in ["a", "poison", "b", "c"] {
            publish(&mut s, &log, name, WireQoS::AtLeastOnce);
        }
        s.take_sendable(&mut Vec::new());
        // The broker closes after "a" but its PUBACK was lost with the connection.
        assert!(s.connection_lost(true, &lost()).is_empty());
        let mut out = Vec::new();
        s.connected(true, u16::MAX, &mut out);
        assert_eq!(payloads(&out), ["a"], "suspects go one at a time");
        finish(s.handle_puback(&PubAck::new(1, None)));
        let mut out = Vec::new();
        s.take_sendable(&mut out);
        assert_eq!(payloads(&out), ["poison"]);
        for attempt in 1..=POISON_ATTEMPTS {
            let finished = s.connection_lost(true, &lost());
            if attempt < POISON_ATTEMPTS {
                assert!(finished.is_empty());
                let mut out = Vec::new();
                s.connected(true, u16::MAX, &mut out);
                assert_eq!(payloads(&out), ["poison"]);
            } else {
                finish(finished);
            }
        }
        let error = outcome(&log, "poison").expect("given up").unwrap_err();
        assert_eq!(error.reason_code(), Some(code::PUBLISH_ABANDONED));
        assert!(
            error.message().contains("'t'") && error.message().contains("3 times"),
            "{error}"
        );
        let mut out = Vec::new();
        s.connected(true, u16::MAX, &mut out);
        assert_eq!(payloads(&out), ["b"]);
        finish(s.handle_puback(&PubAck::new(3, None)));
        let mut out = Vec::new();
        s.take_sendable(&mut out);
        assert_eq!(payloads(&out), ["c"]);
        finish(s.handle_puback(&PubAck::new(4, None)));
        // Once every suspect is cleared, the window is whole again.
        for name in ["d", "e"] {
            publish(&mut s, &log, name, WireQoS::AtLeastOnce);
        }
        let mut out = Vec::new();
        s.take_sendable(&mut out);
        assert_eq!(payloads(&out), ["d", "e"]);
        assert!(outcome(&log, "a").unwrap().is_ok());
        assert!(outcome(&log, "b").unwrap().is_ok());
    }

    /// C5 with C8: a connection that ends without the broker closing it (a
    /// keep-alive timeout) blames nobody, and a suspect acknowledged once
    /// is innocent for good.
    #[test]
    fn losses_not_caused_by_the_broker_and_acked_suspects_blame_nobody() {
        let log = Log::default();
        let mut s = connected_state();
        publish(&mut s, &log, "x", WireQoS::ExactlyOnce);
        s.take_sendable(&mut Vec::new());
        for _ in 0..5 {
            assert!(s.connection_lost(false, &lost()).is_empty());
            s.connected(true, u16::MAX, &mut Vec::new());
        }
        s.connection_lost(true, &lost());
        s.connected(true, u16::MAX, &mut Vec::new());
        let (rel, _) = s.handle_pubrec(&PubRec::new(1, None));
        assert!(rel.is_some());
        for _ in 0..5 {
            assert!(
                s.connection_lost(true, &lost()).is_empty(),
                "past PUBREC: never poison"
            );
            let mut out = Vec::new();
            s.connected(true, u16::MAX, &mut out);
            assert!(matches!(&out[0].packet, Packet::PubRel(r) if r.pkid == 1));
        }
        finish(s.handle_pubcomp(&PubComp::new(1, None)));
        assert!(outcome(&log, "x").unwrap().is_ok());
    }

    /// C8 across a session loss: the suspects keep their marks when they go
    /// back to the queue with new packet ids.
    #[test]
    fn suspects_keep_their_attempts_across_a_lost_session() {
        let log = Log::default();
        let mut s = connected_state();
        publish(&mut s, &log, "poison", WireQoS::AtLeastOnce);
        publish(&mut s, &log, "b", WireQoS::AtLeastOnce);
        s.take_sendable(&mut Vec::new());
        s.connection_lost(true, &lost());
        for _ in 0..POISON_ATTEMPTS {
            let mut out = Vec::new();
            s.connected(false, u16::MAX, &mut out);
            assert_eq!(payloads(&out), ["poison"]);
            finish(s.connection_lost(true, &lost()));
        }
        assert_eq!(
            outcome(&log, "poison").unwrap().unwrap_err().reason_code(),
            Some(code::PUBLISH_ABANDONED)
        );
        let mut out = Vec::new();
        s.connected(false, u16::MAX, &mut out);
        assert_eq!(payloads(&out), ["b"]);
    }
}
