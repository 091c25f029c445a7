//! The connection of one client: the protocol core (`protocol::Protocol`),
//! which makes every MQTT decision, shared by the API handles and one tokio
//! task that drives the I/O.
//!
//! A handle calls the core directly (publish, subscribe, ack) and, when the
//! connection is plain TCP, writes the core's output to the socket itself
//! without waiting (`try_write`): a publish costs no hand-off to another
//! thread. The task reads packets into the core, wakes it on time, writes
//! what a handle could not (a full socket; TLS and WebSocket streams, which
//! only the task touches), hands messages to the application's buffer, and
//! runs the lifecycle: connect, disconnect, reconnect with backoff over
//! every server URI (C3, C4) and close. Completions run after the core is
//! released: they may run user code.

use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::BytesMut;
use rumqttc::v5::mqttbytes::v5::Packet;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::{mpsc, oneshot, Notify};
use tokio::time::{timeout, Instant};

use crate::backoff::Backoff;
use crate::config::ServerUri;
use crate::error::{code, ErrorKind, MqttError, Result};
use crate::protocol::subscriptions::Reply;
use crate::protocol::{self, ConnectionEvent, Delivery, Ending, Protocol};
use crate::transport::{self, Stream};

mod live;
mod offline;

#[cfg(test)]
mod tests;

/// Lifecycle requests from the API handles to the connection task.
pub enum Command {
    Disconnect(Duration, Reply),
    Reconnect(Reply),
    Close(oneshot::Sender<()>),
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

/// A received message on its way to the application, boxed: tokio's channel
/// allocates its slots 32 at a time when it is made, and 32 deliveries of
/// 208 bytes each would be 6.5 KiB of every idle connection (issue 14).
pub type Queued = Box<Delivery>;

/// Connection events travel boxed as deliveries do (`Queued`): 32 slots of
/// 48-byte events would be 1.5 KiB of every connection, for rare events.
pub type EventSender = mpsc::UnboundedSender<Box<ConnectionEvent>>;
pub type EventReceiver = mpsc::UnboundedReceiver<Box<ConnectionEvent>>;

/// How the application takes received messages.
pub struct Inbox {
    pub deliveries: mpsc::Sender<Queued>,
    /// Ack QoS 1/2 messages once they are in the buffer (the client's
    /// stream) instead of waiting for `Command::Ack` (the listener).
    pub ack_on_enqueue: bool,
    pub events: Option<EventSender>,
}

/// Opens the byte stream to one server URI (TCP, TLS, WebSocket: see
/// `transport`); a parameter so the driver's tests can hand it an in-memory
/// stream instead.
pub type Dial =
    Box<dyn Fn(ServerUri) -> Pin<Box<dyn Future<Output = Result<Stream>> + Send>> + Send + Sync>;

/// The protocol core of one connection, and the socket handles may write to.
pub struct Core {
    pub protocol: Protocol,
    /// The live connection's plain TCP socket (None: not connected, or a
    /// stream only the task may write).
    direct: Option<Arc<OwnedWriteHalf>>,
}

/// What a direct write left to do.
enum Written {
    /// Nothing is left to write.
    All,
    /// The task must write the rest (no direct socket, or it is full).
    Rest,
    Failed(io::Error),
}

impl Core {
    /// Writes the core's output to the live plain TCP socket without
    /// waiting; `Rest` when there is none (the task writes it).
    fn write_directly(&mut self) -> Written {
        match &self.direct {
            Some(tcp) => write_to(&mut self.protocol, tcp),
            None if self.protocol.has_output() => Written::Rest,
            None => Written::All,
        }
    }
}

/// Writes the core's output to `tcp` without waiting.
fn write_to(protocol: &mut Protocol, tcp: &OwnedWriteHalf) -> Written {
    while protocol.has_output() {
        match tcp.try_write(protocol.output()) {
            Ok(n) => protocol.advance_output(n, Instant::now()),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Written::Rest,
            Err(e) => return Written::Failed(e),
        }
    }
    Written::All
}

/// What the handles and the task share.
pub struct Shared {
    core: Mutex<Core>,
    /// Output a handle could not write: the task takes it.
    wake: Notify,
    status: Status,
}

impl Shared {
    pub fn new(protocol: Protocol) -> Arc<Shared> {
        Arc::new(Shared {
            core: Mutex::new(Core {
                protocol,
                direct: None,
            }),
            wake: Notify::new(),
            status: Status::default(),
        })
    }

    /// The core, poisoned or not: a panic caught on one call must not make
    /// every later call panic too.
    fn lock(&self) -> MutexGuard<'_, Core> {
        self.core.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn phase(&self) -> Phase {
        self.status.get()
    }

    /// The connection's counters and gauges, read under the core's lock (issue 16).
    pub fn metrics(&self) -> protocol::metrics::Snapshot {
        self.lock().protocol.metrics(Instant::now())
    }

    /// Runs `op` on the core from a handle's thread, writes what it
    /// produced straight to the socket when that can be done without
    /// waiting (else the task is woken to), and calls the completions due
    /// once the core is released.
    pub fn call<R>(&self, op: impl FnOnce(&mut Protocol) -> R) -> R {
        let (result, finished, rest) = {
            let mut core = self.lock();
            let result = op(&mut core.protocol);
            let rest = !matches!(core.write_directly(), Written::All);
            (result, core.protocol.take_finished(), rest)
        };
        if rest {
            self.wake.notify_one();
        }
        protocol::complete(finished);
        result
    }
}

/// The production [`Dial`]: the transport the URI names, with `tls` for
/// `ssl://` and `wss://`.
pub fn dial_transport(tls: Option<Arc<rustls::ClientConfig>>) -> Dial {
    Box::new(move |uri| {
        let tls = tls.clone();
        Box::pin(async move { transport::open(&uri, tls.as_ref()).await })
    })
}

/// Why serving a connection ended.
enum Ended {
    Lost(Ending),
    Disconnected(Reply, Result<()>),
    Closed(oneshot::Sender<()>),
}

pub struct EventLoop {
    uris: Vec<ServerUri>,
    dial: Dial,
    commands: mpsc::UnboundedReceiver<Command>,
    inbox: Inbox,
    shared: Arc<Shared>,
    backoff: Backoff,
    /// A received message waiting for room in the receive buffer. It is
    /// kept across reconnects: the session state counts it as delivered, so
    /// the broker's copy after a reconnect is not handed out again.
    stalled: Option<Queued>,
}

/// One open connection.
struct Link {
    stream: Stream,
    read_buf: BytesMut,
    /// Parsed packets not yet handled because the receive buffer is full.
    backlog: VecDeque<Packet>,
    disconnecting: Option<(Instant, Reply)>,
}

impl EventLoop {
    pub fn new(
        shared: Arc<Shared>,
        uris: Vec<ServerUri>,
        dial: Dial,
        commands: mpsc::UnboundedReceiver<Command>,
        inbox: Inbox,
    ) -> Self {
        let backoff = Backoff::new(shared.lock().protocol.options().max_reconnect_delay);
        EventLoop {
            uris,
            dial,
            commands,
            inbox,
            shared,
            backoff,
            stalled: None,
        }
    }

    /// Runs `op` on the core from the task; completions are called, and
    /// events emitted, once the core is released.
    fn core<R>(&self, op: impl FnOnce(&mut Core) -> R) -> R {
        let (result, finished, events) = {
            let mut core = self.shared.lock();
            let result = op(&mut core);
            let finished = core.protocol.take_finished();
            (result, finished, core.protocol.take_events())
        };
        protocol::complete(finished);
        for event in events {
            self.emit(event);
        }
        result
    }

    fn set_phase(&self, phase: Phase) {
        self.shared.status.set(phase);
    }

    fn phase(&self) -> Phase {
        self.shared.status.get()
    }

    /// Connects once over the server URIs, reports the outcome on
    /// `connected`, then serves until closed (C6: connect before returning).
    pub async fn run(mut self, connected: oneshot::Sender<Result<()>>) {
        self.set_phase(Phase::Connecting);
        match self.establish().await {
            Ok(link) => {
                let session_present = self.core(|c| c.protocol.session_present());
                self.emit(ConnectionEvent::Connected { session_present });
                let _ = connected.send(Ok(()));
                self.serve_from(Some(link)).await;
            }
            Err(e) => {
                self.set_phase(Phase::Closed);
                self.core(|c| c.protocol.close());
                let _ = connected.send(Err(e));
            }
        }
    }

    async fn serve_from(&mut self, mut link: Option<Link>) {
        loop {
            let ended = match link.take() {
                Some(l) => self.serve(l).await,
                None if self.phase() == Phase::Reconnecting => match self.reconnect().await {
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
                Ended::Lost(ending) => {
                    let reconnect = self.core(|c| {
                        c.direct = None;
                        let reconnect = c.protocol.options().automatic_reconnect;
                        c.protocol.connection_lost(&ending, reconnect);
                        reconnect
                    });
                    self.set_phase(if reconnect {
                        Phase::Reconnecting
                    } else {
                        Phase::Disconnected
                    });
                    self.emit(ConnectionEvent::ConnectionLost(ending.error));
                }
                Ended::Disconnected(done, result) => {
                    self.core(|c| {
                        c.direct = None;
                        c.protocol.disconnected();
                    });
                    self.set_phase(Phase::Disconnected);
                    self.emit(ConnectionEvent::Disconnected);
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
            let _ = events.send(Box::new(event));
        }
    }

    fn shut_down(&mut self) {
        self.set_phase(Phase::Closed);
        self.core(|c| {
            c.direct = None;
            c.protocol.close();
        });
        self.commands.close();
        while let Ok(command) = self.commands.try_recv() {
            reject(command, MqttError::closed());
        }
    }

    /// Tries every server URI in order within the connection timeout.
    async fn establish(&mut self) -> Result<Link> {
        let limit = self.core(|c| c.protocol.options().connection_timeout);
        let deadline = (!limit.is_zero()).then(|| Instant::now() + limit);
        let mut failure = None;
        for uri in self.uris.clone() {
            let outcome = match deadline {
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    match timeout(left, self.connect_once(&uri)).await {
                        Ok(outcome) => outcome,
                        Err(_) => Err(MqttError::timeout(format!(
                            "the connection to {}",
                            uri.original
                        ))),
                    }
                }
                None => self.connect_once(&uri).await,
            };
            match outcome {
                Ok(link) => {
                    self.set_phase(Phase::Connected);
                    self.backoff.reset();
                    return Ok(link);
                }
                // A broker's refusal says more than a later network error.
                Err(_)
                    if failure
                        .as_ref()
                        .is_some_and(|f: &MqttError| f.kind() == ErrorKind::Broker) => {}
                Err(e) => failure = Some(e),
            }
        }
        Err(failure.unwrap_or_else(|| MqttError::invalid("No server URI given")))
    }

    /// Opens the transport, sends CONNECT and lets the core judge the
    /// CONNACK; on success the link goes live (handles may write to it).
    async fn connect_once(&mut self, uri: &ServerUri) -> Result<Link> {
        let mut stream = (self.dial)(uri.clone()).await?;
        let unable = |e: io::Error| {
            MqttError::with_code(
                ErrorKind::Io,
                format!("Unable to connect to {}: {e}", uri.original),
                code::SERVER_CONNECT_ERROR,
            )
        };
        let connect = self.core(|c| c.protocol.connect_bytes())?;
        stream.write_all(&connect).await.map_err(unable)?;
        self.core(|c| c.protocol.metrics_mut().bytes_out += connect.len() as u64);
        let mut read_buf = BytesMut::new();
        let connack = loop {
            match self.core(|c| c.protocol.read_packet(&mut read_buf)) {
                Ok(Some(Packet::ConnAck(connack))) => break connack,
                Ok(Some(other)) => {
                    let error = self.core(|c| c.protocol.before_connack(other, &uri.original));
                    self.write_best_effort(&mut stream).await;
                    return Err(error);
                }
                Ok(None) => {}
                Err(ending) => {
                    self.write_best_effort(&mut stream).await;
                    return Err(ending.error);
                }
            }
            if stream.read_into(&mut read_buf).await.map_err(unable)? == 0 {
                return Err(MqttError::with_code(
                    ErrorKind::Io,
                    format!(
                        "Unable to connect to {}: the broker closed the connection before CONNACK",
                        uri.original
                    ),
                    code::SERVER_CONNECT_ERROR,
                ));
            }
        };
        let accepted = self.core(|c| {
            let accepted = c
                .protocol
                .on_connack(connack, &uri.original, Instant::now());
            if accepted.is_ok() {
                if let Stream::Tcp(tcp) = &stream {
                    c.direct = Some(tcp.write.clone());
                }
            }
            accepted
        });
        if let Err(e) = accepted {
            self.write_best_effort(&mut stream).await;
            return Err(e);
        }
        Ok(Link {
            stream,
            read_buf,
            backlog: VecDeque::new(),
            disconnecting: None,
        })
    }

    /// Writes what the core queued (a DISCONNECT before we close), ignoring
    /// failure: the connection is being abandoned anyway.
    async fn write_best_effort(&mut self, stream: &mut Stream) {
        let output = self.core(|c| c.protocol.take_output());
        let result = stream.write_all(&output.bytes).await;
        stream.shutdown().await;
        let result = result.map_err(MqttError::connection_lost);
        self.core(|c| c.protocol.wrote(output, &result, Instant::now()));
    }
}

fn reject(command: Command, error: MqttError) {
    match command {
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
    }
}
