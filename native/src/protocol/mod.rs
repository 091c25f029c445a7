//! The protocol core of one client: every MQTT decision for one
//! connection and the session it carries, with no I/O. It is fed packets,
//! commands and time; it answers with bytes to write (`output`), messages
//! for the application, connection events, and completions it calls.
//! The connection task (`connection/`) only moves bytes and waits.
//!
//! * `session`       — publishes and acks, resends, poison publishes (P1, P2, C5, C8, L3).
//! * `subscriptions` — SUBSCRIBE / UNSUBSCRIBE bookkeeping and restore (C4, L4).
//! * `limits`        — field limits (P5) and the Server's CONNACK limits (C9).
//! * `keep_alive`    — PINGREQ timing and half-open detection (C2).
//! * `codec`         — our types to and from rumqttc's packets; framing.
//! * `header`        — the fixed flags of a received packet's first bytes.
//! * `reasons`       — every MQTT reason code and its name.

#[cfg(test)]
mod boundaries;
pub mod codec;
mod header;
pub mod keep_alive;
pub mod limits;
pub mod metrics;
pub mod reasons;
pub mod session;
pub mod subscriptions;

use std::time::Duration;

use bytes::BytesMut;
use rumqttc::v5::mqttbytes::v5::{
    ConnAck, ConnectReturnCode, Disconnect, DisconnectReasonCode, Packet, PingReq,
};
use tokio::time::Instant;

use crate::config::ConnectOptions;
use crate::error::{code, ErrorKind, MqttError, Result};
use crate::message::{DeliveryToken, Message, Subscription};
use codec::Violation;
use keep_alive::{Due, KeepAlive};
use limits::ServerLimits;
use session::{
    AckId, Completion, Finished, IncomingAction, Outbound, PendingPublish, SessionState,
};
use subscriptions::{Reply, Subscriptions};

/// QoS 1/2 messages from the broker we hold unacknowledged at most: the
/// Receive Maximum we announce by announcing none (MQTT-3.3.4-9).
pub const RECEIVE_MAXIMUM: usize = 65_535;

/// Bytes taken for writing, and the QoS 0 publishes among them, which
/// complete once the bytes are written (P1).
pub struct Output {
    pub bytes: BytesMut,
    written: Vec<(Completion, DeliveryToken)>,
}

/// A received message and the id to ack it with (None: QoS 0).
#[derive(Debug)]
pub struct Delivery {
    pub message: Message,
    pub ack: Option<AckId>,
}

/// Things the owner of a connection hears about besides messages (L4).
#[derive(Debug, Clone)]
pub enum ConnectionEvent {
    ConnectionLost(MqttError),
    Reconnected {
        session_present: bool,
    },
    /// A subscription restored after a session loss was refused.
    SubscriptionRefused(MqttError),
    /// Lifecycle: the first connection is up (C6).
    Connected {
        session_present: bool,
    },
    /// Lifecycle: automatic reconnect attempt `attempt` (from 1 after each
    /// loss) starts after `delay` (C4).
    ReconnectAttempt {
        attempt: u32,
        delay: Duration,
    },
    /// Lifecycle: the subscriptions re-sent after a CONNACK without session
    /// were all granted (C4).
    SubscriptionsRestored,
    /// Lifecycle: `disconnect` ended the connection.
    Disconnected,
}

impl ConnectionEvent {
    /// A lifecycle notification (connected, reconnect attempt, subscriptions
    /// restored, disconnected), which the Java host API hands to a client's
    /// connection listener. `Client::next_event` and `Listener::next_event`
    /// skip them: they report lost, reconnected and refused only (L4).
    pub fn is_lifecycle(&self) -> bool {
        matches!(
            self,
            ConnectionEvent::Connected { .. }
                | ConnectionEvent::ReconnectAttempt { .. }
                | ConnectionEvent::SubscriptionsRestored
                | ConnectionEvent::Disconnected
        )
    }
}

/// Why a connection must end, and whether the broker ended it (which
/// makes the publishes it left unacknowledged suspects, C8).
#[derive(Debug, Clone)]
pub struct Ending {
    pub error: MqttError,
    pub broker_closed: bool,
}

impl Ending {
    /// The network failed or the broker closed the socket.
    pub fn lost(error: MqttError) -> Self {
        Ending {
            error,
            broker_closed: true,
        }
    }

    /// We end it (keep-alive timeout, the broker broke the protocol).
    pub fn ours(error: MqttError) -> Self {
        Ending {
            error,
            broker_closed: false,
        }
    }
}

/// DISCONNECT reasons that say the broker could not take what it read: the
/// publishes it left unacknowledged may be the cause. Others (shutting
/// down, session taken over, administrative action …) blame nobody.
fn blames_what_was_sent(reason: u8) -> bool {
    matches!(
        reason,
        0x80 | 0x81 | 0x82 | 0x83 | 0x87 | 0x90 | 0x93 | 0x95 | 0x97 | 0x99 | 0x9A | 0x9B
    )
}

pub struct Protocol {
    options: ConnectOptions,
    session: SessionState,
    subscriptions: Subscriptions,
    server: ServerLimits,
    keep_alive: KeepAlive,
    /// The Client Identifier the Server assigned, kept for every later
    /// CONNECT of this client (C9).
    assigned_client_id: Option<String>,
    session_present: bool,
    /// Reconnecting automatically: publishes wait instead of failing.
    reconnecting: bool,
    /// Closed for good: every call fails with 32111.
    closed: bool,
    /// Bytes to write, whole packets only.
    out: BytesMut,
    /// QoS 0 publishes in `out`: complete once it is written (P1).
    written: Vec<(Completion, DeliveryToken)>,
    /// Completions due, called by the owner once it no longer holds the
    /// core ([`Protocol::take_finished`]): a completion may run user code.
    finished: Vec<Finished>,
    events: Vec<ConnectionEvent>,
}

impl Protocol {
    pub fn new(options: ConnectOptions) -> Self {
        let session = SessionState::new(options.max_inflight, options.max_pending_publishes);
        let keep_alive = KeepAlive::new(options.keep_alive, Instant::now());
        Protocol {
            options,
            session,
            subscriptions: Subscriptions::default(),
            server: ServerLimits::default(),
            keep_alive,
            assigned_client_id: None,
            session_present: false,
            reconnecting: false,
            closed: false,
            // Grows with what is written and keeps that room (a busy
            // connection stops allocating); an idle one holds a few bytes.
            out: BytesMut::new(),
            written: Vec::new(),
            finished: Vec::new(),
            events: Vec::new(),
        }
    }

    pub fn options(&self) -> &ConnectOptions {
        &self.options
    }

    pub fn is_connected(&self) -> bool {
        self.session.is_connected()
    }

    pub fn session_present(&self) -> bool {
        self.session_present
    }

    /// The client id the next CONNECT carries: the one the Server assigned
    /// to this client, if any, else the configured one (C9).
    pub fn client_id(&self) -> &str {
        self.assigned_client_id
            .as_deref()
            .unwrap_or(&self.options.client_id)
    }

    /// The encoded CONNECT of the next attempt.
    pub fn connect_bytes(&self) -> Result<BytesMut> {
        codec::connect_bytes(&self.options, self.client_id())
    }

    /// The largest packet we take from the broker.
    pub fn max_incoming(&self) -> u32 {
        self.options
            .max_incoming_packet_size
            .min(limits::MAX_PACKET)
    }

    /// Reads the next packet from `buf`; a broken one ends the connection
    /// with the DISCONNECT its break calls for (already in `output`).
    pub fn read_packet(
        &mut self,
        buf: &mut BytesMut,
    ) -> std::result::Result<Option<Packet>, Ending> {
        let before = buf.len();
        let packet = codec::read_packet(buf, self.max_incoming()).map_err(|v| self.violated(v));
        self.session.metrics.bytes_in += (before - buf.len().min(before)) as u64;
        packet
    }

    /// The answer to our CONNECT, before the connection counts as up. A
    /// refusal is the broker's reason code (E2); a CONNACK that breaks the
    /// protocol is answered with DISCONNECT (in `output`). A success reads
    /// the Server's limits again (C9) and resumes or restarts the session.
    pub fn on_connack(&mut self, connack: ConnAck, server: &str, now: Instant) -> Result<()> {
        if connack.code != ConnectReturnCode::Success {
            let text = connack
                .properties
                .as_ref()
                .and_then(|p| p.reason_string.clone());
            return Err(MqttError::broker(
                format!("Connection to {server} refused"),
                reasons::connack(connack.code),
                text.as_deref(),
            ));
        }
        let limits = match ServerLimits::from_connack(&connack) {
            Ok(limits) => limits,
            Err(why) => return Err(self.violated(Violation::protocol(why)).error),
        };
        if connack.session_present && self.options.clean_start {
            // MQTT-3.2.2-4: we started clean, so we have no session to resume.
            let why = "a CONNACK with Session Present to a CONNECT with Clean Start";
            return Err(self.violated(Violation::protocol(why)).error);
        }
        if let Some(assigned) = &limits.assigned_client_id {
            self.assigned_client_id = Some(assigned.clone());
        }
        let interval = limits.keep_alive.map_or(self.options.keep_alive, |s| {
            Duration::from_secs(u64::from(s))
        });
        self.keep_alive = KeepAlive::new(interval, now);
        self.server = limits;
        self.session_present = connack.session_present;
        self.reconnecting = false;
        self.session.metrics.up(now);
        // A new session gets its subscriptions back before the publishes
        // queued or re-sent go out: the broker handles a connection's
        // packets in order, so a publish to a filter of our own is then
        // delivered to us too (C4).
        if !connack.session_present {
            let restore = self.subscriptions.to_restore();
            if !restore.is_empty() {
                self.send_subscribe(restore, None);
            }
        }
        let mut out = Vec::new();
        let finished = self.session.connected(
            connack.session_present,
            self.server.receive_maximum,
            &mut out,
        );
        self.finished.extend(finished);
        self.send_all(out);
        Ok(())
    }

    /// The Server's first packet was not CONNACK (MQTT-3.2.0-1): the attempt
    /// fails. A DISCONNECT, which may not come before CONNACK either
    /// (MQTT-3.14.0-1), is the Server ending the connection: the error
    /// carries its reason and nothing is sent back. Anything else is a
    /// protocol error, answered with DISCONNECT 0x82 (in `output`).
    pub fn before_connack(&mut self, packet: Packet, server: &str) -> MqttError {
        if let Packet::Disconnect(disconnect) = &packet {
            let what = format!(
                "Connection to {server} refused: the broker sent DISCONNECT before CONNACK"
            );
            return server_disconnect(disconnect, &what, code::SERVER_CONNECT_ERROR);
        }
        let why = format!("a {} before CONNACK", packet_name(&packet));
        self.violated(Violation::protocol(why)).error
    }

    /// The keep-alive interval in force (the Server's, when it sent one).
    pub fn keep_alive(&self) -> Duration {
        self.keep_alive.interval()
    }

    // ------------------------------------------------------------ commands

    /// Accepts a publish: refused at once when the Server's limits forbid
    /// it or nobody will send it (disconnected without automatic
    /// reconnect); otherwise queued and sent as the window allows.
    pub fn publish(&mut self, pending: PendingPublish) {
        let index = metrics::qos_index(pending.publish.qos);
        self.session.metrics.published[index] += 1;
        if self.closed {
            return self.refuse(index, pending.done, MqttError::closed());
        }
        if !self.is_connected() && !self.reconnecting {
            return self.refuse(index, pending.done, MqttError::not_connected());
        }
        let qos = codec::engine_qos(pending.publish.qos);
        let refused = self
            .server
            .refuse_publish(&pending.topic, qos, pending.publish.retain)
            .or_else(|| {
                limits::packet_too_large(
                    &format!("Message to '{}'", pending.topic),
                    codec::publish_size(&pending.publish),
                    &self.server,
                )
            });
        if let Some(error) = refused {
            return self.refuse(index, pending.done, error);
        }
        if let Err((done, result)) = self.session.enqueue(pending) {
            return self.finished.push((done, result));
        }
        self.send_ready();
    }

    /// A publish failed before it was queued (counted, issue 16).
    fn refuse(&mut self, qos: usize, done: Completion, error: MqttError) {
        self.session.metrics.settled(qos, Some(&error));
        self.finished.push((done, Err(error)));
    }

    /// The connection's counters with the in-flight and queued gauges (issue 16).
    pub fn metrics(&self, now: Instant) -> metrics::Snapshot {
        let gauges = metrics::Gauges {
            in_flight: self.session.in_flight_count() as u64,
            queued: self.session.queued_count() as u64,
        };
        self.session.metrics.snapshot(gauges, now)
    }

    /// The counters, for the connection driver (reconnect attempts, errors).
    pub fn metrics_mut(&mut self) -> &mut metrics::Metrics {
        &mut self.session.metrics
    }

    pub fn subscribe(&mut self, subscriptions: Vec<Subscription>, done: Reply) {
        if self.closed || !self.is_connected() {
            let _ = done.send(Err(self.offline_error()));
            return;
        }
        if let Some(error) = subscriptions
            .iter()
            .find_map(|s| self.server.refuse_subscription(s))
        {
            let _ = done.send(Err(error));
            return;
        }
        self.send_subscribe(subscriptions, Some(done));
    }

    fn send_subscribe(&mut self, subscriptions: Vec<Subscription>, done: Option<Reply>) {
        let pkid = self.session.reserve_pkid();
        let packet = Subscriptions::subscribe_packet(pkid, &subscriptions);
        match self.encode(&packet, || "SUBSCRIBE".into()) {
            Ok(()) => self.subscriptions.subscribing(pkid, subscriptions, done),
            Err(error) => {
                self.session.release_pkid(pkid);
                match done {
                    Some(done) => {
                        let _ = done.send(Err(error));
                    }
                    None => self
                        .events
                        .push(ConnectionEvent::SubscriptionRefused(error)),
                }
            }
        }
    }

    pub fn unsubscribe(&mut self, filters: Vec<String>, done: Reply) {
        if self.closed || !self.is_connected() {
            let _ = done.send(Err(self.offline_error()));
            return;
        }
        let pkid = self.session.reserve_pkid();
        let packet = Subscriptions::unsubscribe_packet(pkid, &filters);
        match self.encode(&packet, || "UNSUBSCRIBE".into()) {
            Ok(()) => self.subscriptions.unsubscribing(pkid, filters, done),
            Err(error) => {
                self.session.release_pkid(pkid);
                let _ = done.send(Err(error));
            }
        }
    }

    /// The application is done with a received message (L3).
    pub fn ack(&mut self, id: AckId) {
        let mut out = Vec::new();
        self.session.ack(id, &mut out);
        self.send_all(out);
    }

    /// Publishes accepted and not finished.
    pub fn pending_count(&self) -> usize {
        self.session.pending_count()
    }

    /// Our DISCONNECT (normal) into the output.
    pub fn disconnect(&mut self) {
        let packet = codec::disconnect_packet(DisconnectReasonCode::NormalDisconnection);
        self.encode_or_log(&packet);
    }

    // ------------------------------------------------------------ the broker

    /// Handles one packet from the broker: returns a message for the
    /// application, or why the connection must end.
    pub fn handle(&mut self, packet: Packet) -> std::result::Result<Option<Delivery>, Ending> {
        let mut out = Vec::new();
        let mut delivery = None;
        match packet {
            Packet::Publish(publish) => {
                let topic = codec::incoming_topic(&publish).map_err(|v| self.violated(v))?;
                match self.session.handle_publish(&publish) {
                    IncomingAction::Deliver(ack) => {
                        if ack.is_some() && self.session.incoming_unacked() > RECEIVE_MAXIMUM {
                            let v = Violation::new(
                                DisconnectReasonCode::ReceiveMaximumExceeded,
                                format!(
                                    "more than {RECEIVE_MAXIMUM} QoS 1/2 messages unacknowledged"
                                ),
                            );
                            return Err(self.violated(v));
                        }
                        self.session.metrics.received[metrics::qos_index(publish.qos)] += 1;
                        let message = codec::to_message(publish, topic);
                        delivery = Some(Delivery { message, ack });
                    }
                    IncomingAction::Duplicate(reply) => {
                        self.session.metrics.duplicates_received += 1;
                        if let Some(packet) = reply {
                            out.push(Outbound::packet(*packet));
                        }
                    }
                }
            }
            Packet::PubAck(ack) => {
                if let Some(finished) = self.session.handle_puback(&ack) {
                    self.finished.push(finished);
                }
                self.session.take_sendable(&mut out);
            }
            Packet::PubRec(rec) => {
                let (reply, finished) = self.session.handle_pubrec(&rec);
                if let Some(packet) = reply {
                    out.push(Outbound::packet(packet));
                }
                self.finished.extend(finished);
                self.session.take_sendable(&mut out);
            }
            Packet::PubComp(comp) => {
                if let Some(finished) = self.session.handle_pubcomp(&comp) {
                    self.finished.push(finished);
                }
                self.session.take_sendable(&mut out);
            }
            Packet::PubRel(rel) => out.push(Outbound::packet(self.session.handle_pubrel(&rel))),
            Packet::SubAck(ack) => {
                let pkid = ack.pkid;
                let settled = self
                    .subscriptions
                    .on_suback(ack)
                    .map_err(|v| self.violated(v))?;
                self.session.release_pkid(pkid);
                match (settled.done, settled.result) {
                    (Some(done), result) => {
                        let _ = done.send(result);
                    }
                    (None, Err(e)) => self.events.push(ConnectionEvent::SubscriptionRefused(e)),
                    (None, Ok(())) => self.events.push(ConnectionEvent::SubscriptionsRestored),
                }
            }
            Packet::UnsubAck(ack) => {
                let pkid = ack.pkid;
                let settled = self
                    .subscriptions
                    .on_unsuback(ack)
                    .map_err(|v| self.violated(v))?;
                self.session.release_pkid(pkid);
                if let Some(done) = settled.done {
                    let _ = done.send(settled.result);
                }
            }
            Packet::PingResp(_) => self.keep_alive.answered(),
            Packet::Disconnect(disconnect) => {
                let reason = reasons::disconnect(disconnect.reason_code);
                return Err(Ending {
                    error: server_disconnect(
                        &disconnect,
                        "The broker closed the connection",
                        code::CONNECTION_LOST,
                    ),
                    broker_closed: blames_what_was_sent(reason),
                });
            }
            other => {
                // CONNECT, SUBSCRIBE, UNSUBSCRIBE and PINGREQ never come from a
                // Server, nor a second CONNACK (MQTT-3.2.0-2), nor AUTH, since
                // we never offer enhanced authentication (MQTT-4.12.0-6).
                let v = Violation::protocol(format!("an unexpected {}", packet_name(&other)));
                return Err(self.violated(v));
            }
        }
        self.send_all(out);
        Ok(delivery)
    }

    // ------------------------------------------------------------ time

    /// When `on_timer` must run next (keep-alive); None when off.
    pub fn next_timer(&self) -> Option<Instant> {
        self.keep_alive.deadline()
    }

    pub fn on_timer(&mut self, now: Instant) -> std::result::Result<(), Ending> {
        match self.keep_alive.on_timer(now) {
            Due::Nothing => Ok(()),
            Due::Ping => {
                self.encode_or_log(&Packet::PingReq(PingReq));
                Ok(())
            }
            Due::Dead => Err(Ending::ours(MqttError::connection_lost(format!(
                "no PINGRESP within {:?} (keep-alive {:?})",
                self.keep_alive.interval() / 2,
                self.keep_alive.interval()
            )))),
        }
    }

    // ------------------------------------------------------------ output

    /// Takes the bytes to write (whole packets) with the QoS 0 publishes
    /// they carry; give the batch back to [`Protocol::wrote`] once written.
    /// The buffer's spare capacity stays for the next packets.
    pub fn take_output(&mut self) -> Output {
        Output {
            bytes: self.out.split(),
            written: std::mem::take(&mut self.written),
        }
    }

    /// A batch of [`Protocol::take_output`] was written (or failed).
    pub fn wrote(&mut self, output: Output, result: &Result<()>, now: Instant) {
        if !output.bytes.is_empty() {
            self.keep_alive.wrote(now);
        }
        if result.is_ok() {
            self.session.metrics.bytes_out += output.bytes.len() as u64;
        }
        for (done, token) in output.written {
            self.session.metrics.settled(0, result.as_ref().err());
            self.finished.push((done, result.clone().map(|()| token)));
        }
    }

    /// The bytes to write, for a writer that may take only part of them
    /// ([`Protocol::advance_output`]).
    pub fn output(&self) -> &[u8] {
        &self.out
    }

    /// `n` bytes of the output were written; once none are left it counts
    /// as [`Protocol::written`].
    pub fn advance_output(&mut self, n: usize, now: Instant) {
        bytes::Buf::advance(&mut self.out, n);
        self.session.metrics.bytes_out += n as u64;
        if self.out.is_empty() {
            self.written(&Ok(()), now);
        }
    }

    pub fn has_output(&self) -> bool {
        !self.out.is_empty()
    }

    /// All the output was written (or failed): QoS 0 publishes complete (P1).
    fn written(&mut self, result: &Result<()>, now: Instant) {
        self.keep_alive.wrote(now);
        for (done, token) in self.written.drain(..) {
            self.session.metrics.settled(0, result.as_ref().err());
            self.finished.push((done, result.clone().map(|()| token)));
        }
    }

    /// Completions due since the last call; call them without the core held.
    pub fn take_finished(&mut self) -> Vec<Finished> {
        std::mem::take(&mut self.finished)
    }

    /// Connection events since the last call.
    pub fn take_events(&mut self) -> Vec<ConnectionEvent> {
        std::mem::take(&mut self.events)
    }

    // ------------------------------------------------------------ endings

    /// The connection ended. Publishes the broker keeps refusing are given
    /// up (C8); waiting requests fail; with `reconnect` the rest wait for
    /// the next connection, else they fail with `ending`'s error (C5).
    pub fn connection_lost(&mut self, ending: &Ending, reconnect: bool) {
        self.session.metrics.down(Instant::now());
        self.session.metrics.error(&ending.error);
        let abandoned = self
            .session
            .connection_lost(ending.broker_closed, &ending.error);
        self.finished.extend(abandoned);
        for pkid in self.subscriptions.fail_requests(&ending.error) {
            self.session.release_pkid(pkid);
        }
        // QoS 0 publishes still in `out` never reached the socket.
        self.out.clear();
        self.written(&Err(ending.error.clone()), Instant::now());
        self.reconnecting = reconnect;
        if !reconnect {
            let failed = self.session.fail_all(&ending.error);
            self.finished.extend(failed);
        }
    }

    /// A disconnect the application asked for: what waits fails with 32101.
    pub fn disconnected(&mut self) {
        let ending = Ending::ours(MqttError::with_code(
            ErrorKind::State,
            "Client disconnected before the publish was acknowledged",
            code::CLIENT_DISCONNECTED,
        ));
        // A clean disconnect is no error of its own; publishes it fails are.
        let last = self.session.metrics.last_error.clone();
        let failed: u64 = self.session.metrics.failed.iter().sum();
        self.connection_lost(&ending, false);
        if self.session.metrics.failed.iter().sum::<u64>() == failed {
            self.session.metrics.last_error = last;
        }
    }

    /// Reconnecting stopped (a disconnect while down): what waits fails.
    pub fn stop_reconnecting(&mut self, error: &MqttError) {
        self.reconnecting = false;
        let failed = self.session.fail_all(error);
        self.finished.extend(failed);
    }

    /// Why a call that needs the connection cannot be made now.
    fn offline_error(&self) -> MqttError {
        if self.closed {
            MqttError::closed()
        } else {
            MqttError::not_connected()
        }
    }

    /// The client is closed: everything pending fails with 32111.
    pub fn close(&mut self) {
        self.session.metrics.down(Instant::now());
        self.closed = true;
        self.reconnecting = false;
        self.out.clear();
        let failed = self.session.fail_all(&MqttError::closed());
        self.finished.extend(failed);
    }

    // ------------------------------------------------------------ encoding

    /// Writes DISCONNECT with the violation's reason and says why the
    /// connection ends (P5: the reason code the standard names).
    fn violated(&mut self, violation: Violation) -> Ending {
        let error = violation.to_error();
        // The one place a broken broker is seen: operators want it in the
        // log even when nobody reads the connection-lost error.
        log::warn!("{}", error.message());
        self.encode_or_log(&codec::disconnect_packet(violation.reason));
        Ending::ours(error)
    }

    fn encode(&mut self, packet: &Packet, what: impl FnOnce() -> String) -> Result<()> {
        codec::write_packet(packet, &mut self.out, &self.server, what)
    }

    /// Our own small packets (acks, PINGREQ, PUBREL, DISCONNECT) only fail
    /// to encode if the Server announced an absurd Maximum Packet Size.
    fn encode_or_log(&mut self, packet: &Packet) {
        if let Err(e) = self.encode(packet, || packet_name(packet).into()) {
            log::warn!("an outgoing {} was not sent: {e}", packet_name(packet));
        }
    }

    fn send_ready(&mut self) {
        let mut out = Vec::new();
        self.session.take_sendable(&mut out);
        self.send_all(out);
    }

    /// Encodes what the session released; a publish that no longer fits
    /// the Server's limits fails alone, the others go on (C8).
    fn send_all(&mut self, out: Vec<Outbound>) {
        for outbound in out {
            let refused = match &outbound.packet {
                Packet::Publish(p) => self.server.refuse_publish(
                    &String::from_utf8_lossy(&p.topic),
                    codec::engine_qos(p.qos),
                    p.retain,
                ),
                _ => None,
            };
            let result = match refused {
                Some(error) => Err(error),
                None => {
                    let what = || match &outbound.packet {
                        Packet::Publish(p) => {
                            format!("Message to '{}'", String::from_utf8_lossy(&p.topic))
                        }
                        other => packet_name(other).into(),
                    };
                    self.encode(&outbound.packet, what)
                }
            };
            match (outbound.on_written, result) {
                (Some(written), Ok(())) => self.written.push(written),
                (Some((done, _)), Err(e)) => self.refuse(0, done, e),
                (None, Ok(())) => {}
                (None, Err(e)) => match &outbound.packet {
                    Packet::Publish(p) => {
                        if let Some(pending) = self.session.abandon(p.pkid) {
                            self.refuse(metrics::qos_index(p.qos), pending.done, e);
                        }
                    }
                    other => log::warn!("an outgoing {} was not sent: {e}", packet_name(other)),
                },
            }
        }
        // Freed window (an abandoned publish) lets the next ones go.
        if self.session.is_connected() {
            let mut more = Vec::new();
            self.session.take_sendable(&mut more);
            if !more.is_empty() {
                self.send_all(more);
            }
        }
    }
}

/// What the application hears of a Server's DISCONNECT: `what`, the reason
/// and reason string; the reason code is the error's when it is an error
/// (0x80 or more, contract E2), else `otherwise`.
fn server_disconnect(disconnect: &Disconnect, what: &str, otherwise: i32) -> MqttError {
    let reason = reasons::disconnect(disconnect.reason_code);
    let text = disconnect
        .properties
        .as_ref()
        .and_then(|p| p.reason_string.as_deref());
    let described = MqttError::broker(what, reason, text);
    let code = if reason >= 0x80 {
        i32::from(reason)
    } else {
        otherwise
    };
    MqttError::with_code(ErrorKind::Broker, described.message(), code)
}

/// Calls the completions a [`Protocol`] produced (outside its lock).
pub fn complete(finished: Vec<Finished>) {
    for (done, result) in finished {
        done.complete(result);
    }
}

fn packet_name(packet: &Packet) -> &'static str {
    match packet {
        Packet::Auth(_) => "AUTH",
        Packet::Connect(..) => "CONNECT",
        Packet::ConnAck(_) => "CONNACK",
        Packet::Publish(_) => "PUBLISH",
        Packet::PubAck(_) => "PUBACK",
        Packet::PingReq(_) => "PINGREQ",
        Packet::PingResp(_) => "PINGRESP",
        Packet::Subscribe(_) => "SUBSCRIBE",
        Packet::SubAck(_) => "SUBACK",
        Packet::PubRec(_) => "PUBREC",
        Packet::PubRel(_) => "PUBREL",
        Packet::PubComp(_) => "PUBCOMP",
        Packet::Unsubscribe(_) => "UNSUBSCRIBE",
        Packet::UnsubAck(_) => "UNSUBACK",
        Packet::Disconnect(_) => "DISCONNECT",
    }
}
