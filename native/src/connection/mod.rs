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

mod handshake;
mod live;
mod offline;

use handshake::connect_once;

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
    /// The keep-alive or disconnect deadline (or an early, lazy wake-up).
    Timer,
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
}

fn complete(finished: Vec<Finished>) {
    for (done, result) in finished {
        done.complete(result);
    }
}

fn reject(command: Command, error: MqttError) {
    match command {
        Command::Publish(pending) => pending.done.complete(Err(error)),
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
