//! The event loop of one client: a tokio task that owns the socket and the
//! session state, and serves the API handles through a command channel.
//!
//! Connected, it waits on four things at once: a command, a packet from the
//! broker (only while the receive buffer has room: back-pressure, R1), room
//! in the receive buffer for a stalled message, and the keep-alive timer.
//! Lost, it reconnects with backoff over every server URI (C3, C4) while it
//! keeps serving commands, so no call ever waits on a dead socket.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use rumqttc::v5::mqttbytes::v5::{
    ConnAck, ConnectReturnCode, Packet, PingReq, SubAck, Subscribe, SubscribeReasonCode, UnsubAck,
    Unsubscribe,
};
use rumqttc::v5::mqttbytes::QoS as WireQoS;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{sleep_until, timeout, Instant};

use crate::backoff::Backoff;
use crate::codec;
use crate::config::{ConnectOptions, ServerUri};
use crate::error::{code, ErrorKind, MqttError, Result};
use crate::message::{DeliveryToken, Message, Subscription};
use crate::state::{
    AckId, Completion, Finished, IncomingAction, Outbound, PendingPublish, SessionState,
};
use crate::transport::{self, BoxedIo};

/// Requests from the API handles to the event loop.
pub enum Command {
    Publish(Box<PendingPublish>),
    Subscribe(Vec<Subscription>, oneshot::Sender<Result<()>>),
    Unsubscribe(Vec<String>, oneshot::Sender<Result<()>>),
    Ack(AckId),
    Disconnect(Duration, oneshot::Sender<Result<()>>),
    Reconnect(oneshot::Sender<Result<()>>),
    Close(oneshot::Sender<()>),
}

/// A received message and the id to ack it with (None: QoS 0 or already acked).
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
}

/// Connection status shared with the handles (`is_connected`).
#[derive(Debug, Default)]
pub struct Status(AtomicU8);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    Connecting = 0,
    Connected = 1,
    Reconnecting = 2,
    Disconnected = 3,
    Closed = 4,
}

impl Status {
    pub fn get(&self) -> Phase {
        match self.0.load(Ordering::Acquire) {
            1 => Phase::Connected,
            2 => Phase::Reconnecting,
            3 => Phase::Disconnected,
            4 => Phase::Closed,
            _ => Phase::Connecting,
        }
    }

    fn set(&self, phase: Phase) {
        self.0.store(phase as u8, Ordering::Release);
    }
}

/// How the application takes received messages.
pub struct Inbox {
    pub deliveries: mpsc::Sender<Delivery>,
    /// Ack QoS 1/2 messages once they are in the buffer (the client's
    /// stream) instead of waiting for `Command::Ack` (the listener).
    pub ack_on_enqueue: bool,
    pub events: Option<mpsc::UnboundedSender<ConnectionEvent>>,
}

struct SubRequest {
    subscriptions: Vec<Subscription>,
    done: Option<oneshot::Sender<Result<()>>>,
}

struct UnsubRequest {
    filters: Vec<String>,
    done: oneshot::Sender<Result<()>>,
}

/// What woke the connected loop.
enum Wake {
    Command(Option<Command>),
    Room(Option<mpsc::OwnedPermit<Delivery>>),
    Read(std::io::Result<usize>),
    KeepAlive,
    DisconnectDue,
}

/// Why serving a connection ended.
enum Ended {
    Lost(MqttError),
    Disconnected(oneshot::Sender<Result<()>>, Result<()>),
    Closed(oneshot::Sender<()>),
}

pub struct EventLoop {
    options: ConnectOptions,
    uris: Vec<ServerUri>,
    tls: Option<Arc<rustls::ClientConfig>>,
    commands: mpsc::UnboundedReceiver<Command>,
    inbox: Inbox,
    status: Arc<Status>,
    state: SessionState,
    /// Granted subscriptions, restored when the broker has no session (C4).
    subscriptions: BTreeMap<String, Subscription>,
    sub_requests: HashMap<u16, SubRequest>,
    unsub_requests: HashMap<u16, UnsubRequest>,
    /// The broker's Maximum Packet Size (P3).
    broker_max_packet: Option<u32>,
    keep_alive: Duration,
    backoff: Backoff,
    session_present: bool,
    /// A received message waiting for room in the receive buffer. It is
    /// kept across reconnects: the session state counts it as delivered, so
    /// the broker's copy after a reconnect is not handed out again.
    stalled: Option<Delivery>,
}

struct Link {
    io: BoxedIo,
    read_buf: BytesMut,
    write_buf: BytesMut,
    /// Parsed packets not yet processed because the receive buffer is full.
    backlog: VecDeque<Packet>,
    last_write: Instant,
    /// QoS 0 publishes in `write_buf`: complete once flushed (P1).
    written: Vec<(Completion, DeliveryToken)>,
    ping_sent: Option<Instant>,
    disconnecting: Option<(Instant, oneshot::Sender<Result<()>>)>,
}

impl EventLoop {
    pub fn new(
        options: ConnectOptions,
        uris: Vec<ServerUri>,
        tls: Option<Arc<rustls::ClientConfig>>,
        commands: mpsc::UnboundedReceiver<Command>,
        inbox: Inbox,
        status: Arc<Status>,
    ) -> Self {
        let state = SessionState::new(options.max_inflight, options.max_pending_publishes);
        let backoff = Backoff::new(options.max_reconnect_delay);
        let keep_alive = options.keep_alive;
        EventLoop {
            options,
            uris,
            tls,
            commands,
            inbox,
            status,
            state,
            subscriptions: BTreeMap::new(),
            sub_requests: HashMap::new(),
            unsub_requests: HashMap::new(),
            broker_max_packet: None,
            keep_alive,
            backoff,
            session_present: false,
            stalled: None,
        }
    }

    /// Connects once over the server URIs, reports the outcome on
    /// `connected`, then serves until closed (C6: connect before returning).
    pub async fn run(mut self, connected: oneshot::Sender<Result<()>>) {
        self.status.set(Phase::Connecting);
        match self.establish().await {
            Ok(link) => {
                let _ = connected.send(Ok(()));
                self.serve_from(Some(link)).await;
            }
            Err(e) => {
                self.status.set(Phase::Closed);
                let _ = connected.send(Err(e));
            }
        }
    }

    async fn serve_from(&mut self, mut link: Option<Link>) {
        loop {
            let ended = match link.take() {
                Some(l) => self.serve(l).await,
                None if self.status.get() == Phase::Reconnecting => match self.reconnect().await {
                    Ok(l) => {
                        link = Some(l);
                        continue;
                    }
                    Err(ended) => ended,
                },
                None => match self.idle().await {
                    Ok(l) => {
                        link = Some(l);
                        continue;
                    }
                    Err(ended) => ended,
                },
            };
            match ended {
                Ended::Lost(error) => {
                    self.lose_connection(&error);
                    if self.options.automatic_reconnect {
                        self.status.set(Phase::Reconnecting);
                    } else {
                        self.status.set(Phase::Disconnected);
                        complete(self.state.fail_all(&error));
                    }
                    self.emit(ConnectionEvent::ConnectionLost(error));
                }
                Ended::Disconnected(done, result) => {
                    self.lose_connection(&MqttError::with_code(
                        ErrorKind::State,
                        "Client disconnected",
                        code::CLIENT_DISCONNECTED,
                    ));
                    self.status.set(Phase::Disconnected);
                    let error = MqttError::with_code(
                        ErrorKind::State,
                        "Client disconnected before the publish was acknowledged",
                        code::CLIENT_DISCONNECTED,
                    );
                    complete(self.state.fail_all(&error));
                    let _ = done.send(result);
                }
                Ended::Closed(done) => {
                    self.shut_down();
                    let _ = done.send(());
                    return;
                }
            }
        }
    }

    fn emit(&self, event: ConnectionEvent) {
        if let Some(events) = &self.inbox.events {
            let _ = events.send(event);
        }
    }

    fn lose_connection(&mut self, error: &MqttError) {
        self.state.connection_lost();
        for (pkid, request) in self.sub_requests.drain() {
            self.state.release_pkid(pkid);
            if let Some(done) = request.done {
                let _ = done.send(Err(error.clone()));
            }
        }
        for (pkid, request) in self.unsub_requests.drain() {
            self.state.release_pkid(pkid);
            let _ = request.done.send(Err(error.clone()));
        }
    }

    fn shut_down(&mut self) {
        self.status.set(Phase::Closed);
        complete(self.state.fail_all(&MqttError::closed()));
        self.commands.close();
        while let Ok(command) = self.commands.try_recv() {
            reject(command, MqttError::closed());
        }
    }

    /// Tries every server URI in order within the connection timeout.
    async fn establish(&mut self) -> Result<Link> {
        let deadline = (!self.options.connection_timeout.is_zero())
            .then(|| Instant::now() + self.options.connection_timeout);
        let mut failure = None;
        for uri in self.uris.clone() {
            let attempt = connect_once(&uri, self.tls.as_ref(), &self.options);
            let outcome = match deadline {
                Some(deadline) => {
                    match timeout(deadline.saturating_duration_since(Instant::now()), attempt).await
                    {
                        Ok(outcome) => outcome,
                        Err(_) => Err(MqttError::timeout(format!(
                            "the connection to {}",
                            uri.original
                        ))),
                    }
                }
                None => attempt.await,
            };
            match outcome {
                Ok((io, connack, read_buf)) => return Ok(self.on_connack(io, connack, read_buf)),
                // A broker's refusal says more than a later network error.
                Err(e)
                    if failure
                        .as_ref()
                        .is_some_and(|f: &MqttError| f.kind() == ErrorKind::Broker) =>
                {
                    let _ = e;
                }
                Err(e) => failure = Some(e),
            }
        }
        Err(failure.unwrap_or_else(|| MqttError::invalid("No server URI given")))
    }

    fn on_connack(&mut self, io: BoxedIo, connack: ConnAck, read_buf: BytesMut) -> Link {
        let props = connack.properties.as_ref();
        self.broker_max_packet = props.and_then(|p| p.max_packet_size);
        if let Some(server_keep_alive) = props.and_then(|p| p.server_keep_alive) {
            self.keep_alive = Duration::from_secs(u64::from(server_keep_alive));
        }
        let receive_max = props.and_then(|p| p.receive_max);
        let mut link = Link {
            io,
            read_buf,
            write_buf: BytesMut::with_capacity(8 * 1024),
            backlog: VecDeque::new(),
            last_write: Instant::now(),
            written: Vec::new(),
            ping_sent: None,
            disconnecting: None,
        };
        let mut out = Vec::new();
        self.session_present = connack.session_present;
        let finished = self
            .state
            .connected(connack.session_present, receive_max, &mut out);
        complete(finished);
        if !connack.session_present && !self.subscriptions.is_empty() {
            let restore: Vec<Subscription> = self.subscriptions.values().cloned().collect();
            self.send_subscribe(restore, None, &mut out);
        }
        self.encode_all(out, &mut link);
        self.status.set(Phase::Connected);
        self.backoff.reset();
        link
    }

    /// Serves one live connection until it ends.
    async fn serve(&mut self, mut link: Link) -> Ended {
        let max_in = self.options.max_incoming_packet_size;
        // The broker may send packets right behind CONNACK (a resumed
        // session's PUBRELs and PUBLISHes), read with it: take them now, or
        // they wait for the next read, which may never come.
        loop {
            match codec::read_packet(&mut link.read_buf, max_in) {
                Ok(Some(packet)) => link.backlog.push_back(packet),
                Ok(None) => break,
                Err(e) => return Ended::Lost(MqttError::connection_lost(e)),
            }
        }
        loop {
            // Packets parsed and not yet handled (left by the last read, or
            // waiting for room in the receive buffer).
            while self.stalled.is_none() {
                let Some(packet) = link.backlog.pop_front() else {
                    break;
                };
                match self.on_packet(packet, &mut link) {
                    Ok(Some(delivery)) => {
                        let ack = delivery.ack;
                        match self.inbox.deliveries.try_send(delivery) {
                            Ok(()) => self.acked_on_enqueue(ack, &mut link),
                            Err(mpsc::error::TrySendError::Full(delivery)) => {
                                self.stalled = Some(delivery)
                            }
                            Err(mpsc::error::TrySendError::Closed(_)) => {} // nobody listens any more
                        }
                    }
                    Ok(None) => {}
                    Err(ended) => return ended,
                }
            }
            if let Err(e) = self.flush(&mut link).await {
                return Ended::Lost(e);
            }
            if let Some(ended) = self.check_disconnect(&mut link).await {
                return ended;
            }
            let keep_alive_at = self.keep_alive_deadline(&link);
            let disconnect_at = link.disconnecting.as_ref().map(|(at, _)| *at);
            let reading = self.stalled.is_none() && link.backlog.is_empty();
            let wake = tokio::select! {
                command = self.commands.recv() => Wake::Command(command),
                permit = self.inbox.deliveries.clone().reserve_owned(), if self.stalled.is_some() => Wake::Room(permit.ok()),
                read = link.io.read_buf(&mut link.read_buf), if reading => Wake::Read(read),
                _ = sleep_until(keep_alive_at.unwrap_or_else(far_future)), if keep_alive_at.is_some() => Wake::KeepAlive,
                _ = sleep_until(disconnect_at.unwrap_or_else(far_future)), if disconnect_at.is_some() => Wake::DisconnectDue,
            };
            match wake {
                Wake::Command(None) => {
                    // Every handle is gone: leave quietly.
                    let _ = link.io.shutdown().await;
                    let (done, _) = oneshot::channel();
                    return Ended::Closed(done);
                }
                Wake::Command(Some(command)) => {
                    let mut ended = self.on_command(command, &mut link);
                    // Take what else is queued so one write carries many packets.
                    for _ in 0..256 {
                        if ended.is_some() {
                            break;
                        }
                        let Ok(command) = self.commands.try_recv() else {
                            break;
                        };
                        ended = self.on_command(command, &mut link);
                    }
                    if let Some(ended) = ended {
                        let _ = self.flush(&mut link).await;
                        let _ = link.io.shutdown().await;
                        return ended;
                    }
                }
                Wake::Room(None) => return Ended::Lost(MqttError::closed()),
                Wake::Room(Some(permit)) => {
                    let delivery = self
                        .stalled
                        .take()
                        .expect("guarded by the branch condition");
                    let ack = delivery.ack;
                    permit.send(delivery);
                    self.acked_on_enqueue(ack, &mut link);
                }
                Wake::Read(Ok(0)) => {
                    return Ended::Lost(MqttError::connection_lost(
                        "the broker closed the connection",
                    ))
                }
                Wake::Read(Err(e)) => return Ended::Lost(MqttError::connection_lost(e)),
                Wake::Read(Ok(_)) => loop {
                    match codec::read_packet(&mut link.read_buf, max_in) {
                        Ok(Some(packet)) => link.backlog.push_back(packet),
                        Ok(None) => break,
                        Err(e) => return Ended::Lost(MqttError::connection_lost(e)),
                    }
                },
                Wake::KeepAlive => {
                    if link.ping_sent.is_some() {
                        return Ended::Lost(MqttError::connection_lost(format!(
                            "no PINGRESP within {:?} (keep-alive {:?})",
                            self.keep_alive / 2,
                            self.keep_alive
                        )));
                    }
                    link.ping_sent = Some(Instant::now());
                    self.encode(&Packet::PingReq(PingReq), &mut link);
                }
                Wake::DisconnectDue => {}
            }
        }
    }

    fn keep_alive_deadline(&self, link: &Link) -> Option<Instant> {
        if self.keep_alive.is_zero() {
            return None;
        }
        Some(match link.ping_sent {
            // Half-open connections are found within 1.5 x keep-alive.
            Some(sent) => sent + self.keep_alive / 2,
            None => link.last_write + self.keep_alive,
        })
    }

    /// The client's stream acks a message once it is buffered (R1).
    fn acked_on_enqueue(&mut self, ack: Option<AckId>, link: &mut Link) {
        if let (true, Some(id)) = (self.inbox.ack_on_enqueue, ack) {
            let mut out = Vec::new();
            self.state.ack(id, &mut out);
            self.encode_all(out, link);
        }
    }

    /// Finishes a requested disconnect once nothing is in flight or time is up (C7).
    async fn check_disconnect(&mut self, link: &mut Link) -> Option<Ended> {
        let (deadline, _) = link.disconnecting.as_ref()?;
        if self.state.pending_count() > 0 && Instant::now() < *deadline {
            return None;
        }
        let (_, done) = link.disconnecting.take().expect("checked above");
        self.encode(&codec::disconnect_packet(), link);
        let result = match self.flush(link).await {
            Ok(()) => Ok(()),
            Err(e) => Err(e),
        };
        let _ = link.io.shutdown().await;
        Some(Ended::Disconnected(done, result))
    }

    fn on_command(&mut self, command: Command, link: &mut Link) -> Option<Ended> {
        match command {
            Command::Publish(pending) => {
                if let Some(error) = self.too_large(&pending) {
                    (pending.done)(Err(error));
                    return None;
                }
                if let Err((done, result)) = self.state.enqueue(*pending) {
                    done(result);
                }
                let mut out = Vec::new();
                self.state.take_sendable(&mut out);
                self.encode_all(out, link);
            }
            Command::Subscribe(subscriptions, done) => {
                let mut out = Vec::new();
                self.send_subscribe(subscriptions, Some(done), &mut out);
                self.encode_all(out, link);
            }
            Command::Unsubscribe(filters, done) => {
                let pkid = self.state.reserve_pkid();
                let mut unsubscribe = Unsubscribe::new(filters[0].clone(), None);
                unsubscribe.filters = filters.clone();
                unsubscribe.pkid = pkid;
                self.unsub_requests
                    .insert(pkid, UnsubRequest { filters, done });
                self.encode(&Packet::Unsubscribe(unsubscribe), link);
            }
            Command::Ack(id) => {
                let mut out = Vec::new();
                self.state.ack(id, &mut out);
                self.encode_all(out, link);
            }
            Command::Disconnect(wait, done) => {
                if link.disconnecting.is_some() {
                    let _ = done.send(Err(MqttError::with_code(
                        ErrorKind::State,
                        "A disconnect is already in progress",
                        code::CLIENT_DISCONNECTED,
                    )));
                } else {
                    link.disconnecting = Some((Instant::now() + wait, done));
                }
            }
            Command::Reconnect(done) => {
                let _ = done.send(Err(MqttError::with_code(
                    ErrorKind::State,
                    "Client is connected",
                    code::CLIENT_CONNECTED,
                )));
            }
            Command::Close(done) => {
                // The handle refuses close while connected (C7); a close that
                // still arrives here (handle dropped) leaves without a word.
                self.encode(&codec::disconnect_packet(), link);
                return Some(Ended::Closed(done));
            }
        }
        None
    }

    fn too_large(&self, pending: &PendingPublish) -> Option<MqttError> {
        let max = self.broker_max_packet?;
        // The packet id (2 bytes) is only set when the publish is sent.
        let id_bytes = if pending.publish.qos == WireQoS::AtMostOnce {
            0
        } else {
            2
        };
        let size = pending.publish.size() + id_bytes;
        (size > max as usize).then(|| {
            MqttError::invalid(format!(
                "Message to '{}' is {size} bytes as a packet; the broker's Maximum Packet Size is {max}",
                pending.topic
            ))
        })
    }

    fn send_subscribe(
        &mut self,
        subscriptions: Vec<Subscription>,
        done: Option<oneshot::Sender<Result<()>>>,
        out: &mut Vec<Outbound>,
    ) {
        let pkid = self.state.reserve_pkid();
        let filters = subscriptions.iter().map(codec::to_filter).collect();
        let subscribe = Subscribe {
            pkid,
            filters,
            properties: None,
        };
        self.sub_requests.insert(
            pkid,
            SubRequest {
                subscriptions,
                done,
            },
        );
        out.push(Outbound {
            packet: Packet::Subscribe(subscribe),
            on_written: None,
        });
    }

    /// Handles one packet from the broker; a publish for the application is returned.
    fn on_packet(
        &mut self,
        packet: Packet,
        link: &mut Link,
    ) -> std::result::Result<Option<Delivery>, Ended> {
        let mut out = Vec::new();
        let mut delivery = None;
        match packet {
            Packet::Publish(publish) => match self.state.handle_publish(&publish) {
                IncomingAction::Deliver(ack) => match codec::from_publish(publish) {
                    Ok(message) => delivery = Some(Delivery { message, ack }),
                    Err(e) => return Err(Ended::Lost(e)),
                },
                IncomingAction::Duplicate(reply) => {
                    if let Some(packet) = reply {
                        out.push(Outbound {
                            packet: *packet,
                            on_written: None,
                        });
                    }
                }
            },
            Packet::PubAck(ack) => {
                if let Some(finished) = self.state.handle_puback(&ack) {
                    complete(vec![finished]);
                }
                self.state.take_sendable(&mut out);
            }
            Packet::PubRec(rec) => {
                let (reply, finished) = self.state.handle_pubrec(&rec);
                if let Some(packet) = reply {
                    out.push(Outbound {
                        packet,
                        on_written: None,
                    });
                }
                complete(finished.into_iter().collect());
                self.state.take_sendable(&mut out);
            }
            Packet::PubComp(comp) => {
                if let Some(finished) = self.state.handle_pubcomp(&comp) {
                    complete(vec![finished]);
                }
                self.state.take_sendable(&mut out);
            }
            Packet::PubRel(rel) => {
                let packet = self.state.handle_pubrel(&rel);
                out.push(Outbound {
                    packet,
                    on_written: None,
                });
            }
            Packet::SubAck(ack) => self.on_suback(ack),
            Packet::UnsubAck(ack) => self.on_unsuback(ack),
            Packet::PingResp(_) => link.ping_sent = None,
            Packet::Disconnect(disconnect) => {
                let reason = disconnect.reason_code as u8;
                let text = disconnect
                    .properties
                    .as_ref()
                    .and_then(|p| p.reason_string.clone());
                let described =
                    MqttError::broker("The broker closed the connection", reason, text.as_deref());
                // Keep the broker's reason code when it is an error (E2).
                let code = if reason >= 0x80 {
                    i32::from(reason)
                } else {
                    code::CONNECTION_LOST
                };
                return Err(Ended::Lost(MqttError::with_code(
                    ErrorKind::Broker,
                    described.message(),
                    code,
                )));
            }
            other => {
                return Err(Ended::Lost(MqttError::connection_lost(format!(
                    "unexpected packet from the broker: {other:?}"
                ))))
            }
        }
        self.encode_all(out, link);
        Ok(delivery)
    }

    fn on_suback(&mut self, ack: SubAck) {
        self.state.release_pkid(ack.pkid);
        let Some(request) = self.sub_requests.remove(&ack.pkid) else {
            return;
        };
        let mut refused = Vec::new();
        for (subscription, code) in request
            .subscriptions
            .into_iter()
            .zip(ack.return_codes.iter())
        {
            match code {
                SubscribeReasonCode::Success(_) => {
                    self.subscriptions
                        .insert(subscription.topic.clone(), subscription);
                }
                failure => refused.push((subscription.topic, suback_code(*failure))),
            }
        }
        let result = match refused.first() {
            None => Ok(()),
            Some((topic, reason)) => {
                let text = ack
                    .properties
                    .as_ref()
                    .and_then(|p| p.reason_string.as_deref());
                let what = if refused.len() == 1 {
                    format!("Subscription to '{topic}' refused")
                } else {
                    let topics: Vec<&str> = refused.iter().map(|(t, _)| t.as_str()).collect();
                    format!("Subscriptions to {topics:?} refused")
                };
                Err(MqttError::broker(what, *reason, text))
            }
        };
        match request.done {
            Some(done) => {
                let _ = done.send(result);
            }
            None => {
                if let Err(e) = result {
                    self.emit(ConnectionEvent::SubscriptionRefused(e));
                }
            }
        }
    }

    fn on_unsuback(&mut self, ack: UnsubAck) {
        self.state.release_pkid(ack.pkid);
        let Some(request) = self.unsub_requests.remove(&ack.pkid) else {
            return;
        };
        for filter in &request.filters {
            self.subscriptions.remove(filter);
        }
        let _ = request.done.send(Ok(()));
    }

    fn encode(&mut self, packet: &Packet, link: &mut Link) {
        if let Err(e) = self.try_encode(packet, link) {
            // Our own packets are validated before they get here (topics,
            // sizes via `too_large`); say so loudly rather than lose it quietly.
            eprintln!("mqtt-engine: an outgoing packet could not be encoded: {e}");
        }
    }

    fn try_encode(&mut self, packet: &Packet, link: &mut Link) -> Result<()> {
        codec::write_packet(packet, &mut link.write_buf, self.broker_max_packet)
    }

    fn encode_all(&mut self, out: Vec<Outbound>, link: &mut Link) {
        for outbound in out {
            match (outbound.on_written, self.try_encode(&outbound.packet, link)) {
                (Some(written), Ok(())) => link.written.push(written),
                (Some((done, _)), Err(e)) => done(Err(e)),
                (None, Err(e)) => {
                    eprintln!("mqtt-engine: an outgoing packet could not be encoded: {e}")
                }
                (None, Ok(())) => {}
            }
        }
    }

    async fn flush(&mut self, link: &mut Link) -> Result<()> {
        if link.write_buf.is_empty() {
            return Ok(());
        }
        let result = async {
            link.io.write_all(&link.write_buf).await?;
            link.io.flush().await
        }
        .await;
        link.write_buf.clear();
        link.last_write = Instant::now();
        let result = result.map_err(MqttError::connection_lost);
        for (done, token) in link.written.drain(..) {
            done(result.clone().map(|()| token));
        }
        result
    }

    /// Reconnects with backoff, serving commands in between (C4).
    async fn reconnect(&mut self) -> std::result::Result<Link, Ended> {
        loop {
            let delay = self.backoff.next_delay();
            let wake = Instant::now() + delay;
            loop {
                tokio::select! {
                    _ = sleep_until(wake) => break,
                    command = self.commands.recv() => {
                        let Some(command) = command else {
                            let (done, _) = oneshot::channel();
                            return Err(Ended::Closed(done));
                        };
                        if let Some(ended) = self.on_command_offline(command) {
                            return Err(ended);
                        }
                        if self.status.get() != Phase::Reconnecting {
                            return self.idle().await;
                        }
                    }
                }
            }
            match self.establish().await {
                Ok(link) => {
                    self.emit(ConnectionEvent::Reconnected {
                        session_present: self.session_present,
                    });
                    return Ok(link);
                }
                Err(_) => continue,
            }
        }
    }

    /// Disconnected without automatic reconnect: waits for `reconnect` or `close`.
    async fn idle(&mut self) -> std::result::Result<Link, Ended> {
        loop {
            let Some(command) = self.commands.recv().await else {
                let (done, _) = oneshot::channel();
                return Err(Ended::Closed(done));
            };
            match command {
                Command::Reconnect(done) => match self.establish().await {
                    Ok(link) => {
                        let _ = done.send(Ok(()));
                        return Ok(link);
                    }
                    Err(e) => {
                        let _ = done.send(Err(e));
                    }
                },
                other => {
                    if let Some(ended) = self.on_command_offline(other) {
                        return Err(ended);
                    }
                }
            }
        }
    }

    /// Commands while there is no connection.
    fn on_command_offline(&mut self, command: Command) -> Option<Ended> {
        let reconnecting = self.status.get() == Phase::Reconnecting;
        match command {
            // While reconnecting, publishes wait for the connection (C5).
            Command::Publish(pending) if reconnecting => {
                if let Err((done, result)) = self.state.enqueue(*pending) {
                    done(result);
                }
            }
            Command::Ack(id) => self.state.ack(id, &mut Vec::new()),
            Command::Disconnect(_, done) if reconnecting => {
                // Stop trying; what waits fails with a word (C5).
                self.status.set(Phase::Disconnected);
                let error = MqttError::with_code(
                    ErrorKind::State,
                    "Client disconnected",
                    code::CLIENT_DISCONNECTED,
                );
                complete(self.state.fail_all(&error));
                let _ = done.send(Ok(()));
            }
            Command::Reconnect(done) if reconnecting => {
                let _ = done.send(Err(MqttError::with_code(
                    ErrorKind::State,
                    "A reconnect is already in progress",
                    code::CONNECT_IN_PROGRESS,
                )));
            }
            Command::Close(done) => return Some(Ended::Closed(done)),
            other => reject(other, MqttError::not_connected()),
        }
        None
    }
}

fn complete(finished: Vec<Finished>) {
    for (done, result) in finished {
        done(result);
    }
}

fn reject(command: Command, error: MqttError) {
    match command {
        Command::Publish(pending) => (pending.done)(Err(error)),
        Command::Subscribe(_, done) | Command::Unsubscribe(_, done) => {
            let _ = done.send(Err(error));
        }
        Command::Disconnect(_, done) => {
            let _ = done.send(Err(MqttError::with_code(
                ErrorKind::State,
                "Client is already disconnected",
                code::CLIENT_DISCONNECTED,
            )));
        }
        Command::Reconnect(done) => {
            let _ = done.send(Err(error));
        }
        Command::Close(done) => {
            let _ = done.send(());
        }
        Command::Ack(_) => {}
    }
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(86_400 * 365)
}

/// Opens the transport, sends CONNECT and waits for CONNACK.
async fn connect_once(
    uri: &ServerUri,
    tls: Option<&Arc<rustls::ClientConfig>>,
    options: &ConnectOptions,
) -> Result<(BoxedIo, ConnAck, BytesMut)> {
    let mut io = transport::open(uri, tls).await?;
    let mut buf = BytesMut::new();
    codec::write_packet(&codec::connect_packet(options), &mut buf, None)?;
    let lost = |e: std::io::Error| {
        MqttError::with_code(
            ErrorKind::Io,
            format!("Unable to connect to {}: {e}", uri.original),
            code::SERVER_CONNECT_ERROR,
        )
    };
    io.write_all(&buf).await.map_err(lost)?;
    io.flush().await.map_err(lost)?;
    let mut read_buf = BytesMut::with_capacity(4096);
    loop {
        if let Some(packet) = codec::read_packet(&mut read_buf, options.max_incoming_packet_size)? {
            return match packet {
                Packet::ConnAck(connack) if connack.code == ConnectReturnCode::Success => {
                    Ok((io, connack, read_buf))
                }
                Packet::ConnAck(connack) => {
                    let text = connack
                        .properties
                        .as_ref()
                        .and_then(|p| p.reason_string.clone());
                    Err(MqttError::broker(
                        format!("Connection to {} refused", uri.original),
                        connack_code(connack.code),
                        text.as_deref(),
                    ))
                }
                other => Err(MqttError::new(
                    ErrorKind::Protocol,
                    format!("Expected CONNACK from {}, got {other:?}", uri.original),
                )),
            };
        }
        if io.read_buf(&mut read_buf).await.map_err(lost)? == 0 {
            return Err(MqttError::with_code(
                ErrorKind::Io,
                format!(
                    "Unable to connect to {}: the broker closed the connection before CONNACK",
                    uri.original
                ),
                code::SERVER_CONNECT_ERROR,
            ));
        }
    }
}

fn connack_code(code: ConnectReturnCode) -> u8 {
    use ConnectReturnCode::*;
    match code {
        Success => 0x00,
        RefusedProtocolVersion | UnsupportedProtocolVersion => 0x84,
        BadClientId | ClientIdentifierNotValid => 0x85,
        ServiceUnavailable | ServerUnavailable => 0x88,
        UnspecifiedError => 0x80,
        MalformedPacket => 0x81,
        ProtocolError => 0x82,
        ImplementationSpecificError => 0x83,
        BadUserNamePassword => 0x86,
        NotAuthorized => 0x87,
        ServerBusy => 0x89,
        Banned => 0x8A,
        BadAuthenticationMethod => 0x8C,
        TopicNameInvalid => 0x90,
        PacketTooLarge => 0x95,
        QuotaExceeded => 0x97,
        PayloadFormatInvalid => 0x99,
        RetainNotSupported => 0x9A,
        QoSNotSupported => 0x9B,
        UseAnotherServer => 0x9C,
        ServerMoved => 0x9D,
        ConnectionRateExceeded => 0x9F,
    }
}

fn suback_code(code: SubscribeReasonCode) -> u8 {
    use SubscribeReasonCode::*;
    match code {
        Success(qos) => qos as u8,
        Failure | Unspecified => 0x80,
        ImplementationSpecific => 0x83,
        NotAuthorized => 0x87,
        TopicFilterInvalid => 0x8F,
        PkidInUse => 0x91,
        QuotaExceeded => 0x97,
        SharedSubscriptionsNotSupported => 0x9E,
        SubscriptionIdNotSupported => 0xA1,
        WildcardSubscriptionsNotSupported => 0xA2,
    }
}
