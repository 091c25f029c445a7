//! The connection task of one client: a thin I/O driver over the protocol
//! core (`protocol::Protocol`), which makes every MQTT decision. The task
//! owns the socket and moves bytes: it writes what the core produced,
//! reads packets into it, wakes it on time, and hands messages to the
//! application's buffer.
//!
//! Connected, it waits on four things at once: a command, a packet from the
//! broker (only while the receive buffer has room: back-pressure, R1), room
//! in the receive buffer for a stalled message, and a timer (keep-alive, a
//! disconnect's deadline). Lost, it reconnects with backoff over every
//! server URI (C3, C4) while it keeps serving commands, so no call ever
//! waits on a dead socket.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use rumqttc::v5::mqttbytes::v5::Packet;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{timeout, Instant};

use crate::backoff::Backoff;
use crate::config::ServerUri;
use crate::error::{code, ErrorKind, MqttError, Result};
use crate::message::Subscription;
use crate::protocol::session::{AckId, PendingPublish};
use crate::protocol::subscriptions::Reply;
use crate::protocol::{ConnectionEvent, Delivery, Ending, Protocol};
use crate::transport::{self, BoxedIo};

mod live;
mod offline;

#[cfg(test)]
mod tests;

/// Requests from the API handles to the event loop.
pub enum Command {
    Publish(Box<PendingPublish>),
    Subscribe(Vec<Subscription>, Reply),
    Unsubscribe(Vec<String>, Reply),
    Ack(AckId),
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

/// How the application takes received messages.
pub struct Inbox {
    pub deliveries: mpsc::Sender<Delivery>,
    /// Ack QoS 1/2 messages once they are in the buffer (the client's
    /// stream) instead of waiting for `Command::Ack` (the listener).
    pub ack_on_enqueue: bool,
    pub events: Option<mpsc::UnboundedSender<ConnectionEvent>>,
}

/// Opens the byte stream to one server URI (TCP, TLS, WebSocket: see
/// `transport`); a parameter so the driver's tests can hand it an in-memory
/// stream instead.
pub type Dial =
    Box<dyn Fn(ServerUri) -> Pin<Box<dyn Future<Output = Result<BoxedIo>> + Send>> + Send + Sync>;

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
    status: Arc<Status>,
    protocol: Protocol,
    backoff: Backoff,
    /// A received message waiting for room in the receive buffer. It is
    /// kept across reconnects: the session state counts it as delivered, so
    /// the broker's copy after a reconnect is not handed out again.
    stalled: Option<Delivery>,
}

/// One open connection.
struct Link {
    io: BoxedIo,
    read_buf: BytesMut,
    /// Parsed packets not yet handled because the receive buffer is full.
    backlog: VecDeque<Packet>,
    disconnecting: Option<(Instant, Reply)>,
}

impl EventLoop {
    pub fn new(
        protocol: Protocol,
        uris: Vec<ServerUri>,
        dial: Dial,
        commands: mpsc::UnboundedReceiver<Command>,
        inbox: Inbox,
        status: Arc<Status>,
    ) -> Self {
        let backoff = Backoff::new(protocol.options().max_reconnect_delay);
        EventLoop {
            uris,
            dial,
            commands,
            inbox,
            status,
            protocol,
            backoff,
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
            self.emit_protocol_events();
            match ended {
                Ended::Lost(ending) => {
                    let reconnect = self.protocol.options().automatic_reconnect;
                    self.protocol.connection_lost(&ending, reconnect);
                    self.status.set(if reconnect {
                        Phase::Reconnecting
                    } else {
                        Phase::Disconnected
                    });
                    self.emit(ConnectionEvent::ConnectionLost(ending.error));
                }
                Ended::Disconnected(done, result) => {
                    self.protocol.disconnected();
                    self.status.set(Phase::Disconnected);
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

    fn emit_protocol_events(&mut self) {
        for event in self.protocol.take_events() {
            self.emit(event);
        }
    }

    fn shut_down(&mut self) {
        self.status.set(Phase::Closed);
        self.protocol.close();
        self.commands.close();
        while let Ok(command) = self.commands.try_recv() {
            reject(command, MqttError::closed());
        }
    }

    /// Tries every server URI in order within the connection timeout.
    async fn establish(&mut self) -> Result<Link> {
        let limit = self.protocol.options().connection_timeout;
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
                    self.status.set(Phase::Connected);
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

    /// Opens the transport, sends CONNECT and lets the core judge the CONNACK.
    async fn connect_once(&mut self, uri: &ServerUri) -> Result<Link> {
        let mut io = (self.dial)(uri.clone()).await?;
        let unable = |e: std::io::Error| {
            MqttError::with_code(
                ErrorKind::Io,
                format!("Unable to connect to {}: {e}", uri.original),
                code::SERVER_CONNECT_ERROR,
            )
        };
        let connect = self.protocol.connect_bytes()?;
        io.write_all(&connect).await.map_err(unable)?;
        io.flush().await.map_err(unable)?;
        let mut read_buf = BytesMut::with_capacity(4096);
        let connack = loop {
            match self.protocol.read_packet(&mut read_buf) {
                Ok(Some(Packet::ConnAck(connack))) => break connack,
                Ok(Some(other)) => {
                    return Err(MqttError::new(
                        ErrorKind::Protocol,
                        format!("Expected CONNACK from {}, got {other:?}", uri.original),
                    ))
                }
                Ok(None) => {}
                Err(ending) => {
                    self.write_best_effort(&mut io).await;
                    return Err(ending.error);
                }
            }
            if io.read_buf(&mut read_buf).await.map_err(unable)? == 0 {
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
        if let Err(e) = self
            .protocol
            .on_connack(connack, &uri.original, Instant::now())
        {
            self.write_best_effort(&mut io).await;
            return Err(e);
        }
        Ok(Link {
            io,
            read_buf,
            backlog: VecDeque::new(),
            disconnecting: None,
        })
    }

    /// Writes what the core queued (a DISCONNECT before we close), ignoring
    /// failure: the connection is being abandoned anyway.
    async fn write_best_effort(&mut self, io: &mut BoxedIo) {
        if self.protocol.has_output() {
            let output = self.protocol.take_output();
            let result = io.write_all(&output).await;
            let _ = io.shutdown().await;
            let result = result.map_err(MqttError::connection_lost);
            self.protocol.written(&result, Instant::now());
        }
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
