//! The client handle (contract §2.1): publish with a token per call,
//! subscribe, a bounded stream of received messages, and the connection
//! calls of C7. Cheap to clone; every clone talks to the same event loop.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, Mutex};

use crate::config::{self, ConnectOptions, TlsOptions};
use crate::connection::{
    dial_transport, Command, EventLoop, EventReceiver, Inbox, Phase, Queued, Shared,
};
use crate::error::{code, ErrorKind, MqttError, Result};
use crate::message::{DeliveryToken, Message, Subscription};
use crate::protocol::metrics::Snapshot;
use crate::protocol::session::{AckId, Completion, PendingPublish};
use crate::protocol::{codec, limits, ConnectionEvent, Protocol};
use crate::{runtime, tls};

/// How long `disconnect` waits for in-flight QoS 1/2 publishes (C7).
pub const DISCONNECT_WAIT: Duration = Duration::from_secs(10);

/// What clients and listeners are made of: the connection's shared core,
/// which calls go to directly, and the lifecycle channel to its task.
#[derive(Clone)]
pub(crate) struct Handle {
    commands: mpsc::UnboundedSender<Command>,
    shared: Arc<Shared>,
}

impl Handle {
    /// Validates the options, connects (C6) and starts the connection task.
    pub(crate) async fn connect(
        options: ConnectOptions,
        ack_on_enqueue: bool,
    ) -> Result<(Handle, mpsc::Receiver<Queued>, EventReceiver)> {
        let uris = options.validate()?;
        let tls = match &options.tls {
            Some(tls_options) => Some(tls::client_config(tls_options)?),
            // T6: ssl:// or wss:// with nothing configured trusts the
            // operating system's roots.
            None if uris.iter().any(|u| u.is_tls()) => {
                Some(tls::client_config(&TlsOptions::default())?)
            }
            None => None,
        };
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (deliveries, delivery_rx) = mpsc::channel(options.receive_buffer);
        let (events, event_rx) = mpsc::unbounded_channel();
        let inbox = Inbox {
            deliveries,
            ack_on_enqueue,
            events: Some(events),
        };
        let shared = Shared::new(Protocol::new(options));
        let event_loop =
            EventLoop::new(shared.clone(), uris, dial_transport(tls), command_rx, inbox);
        let (connected, connected_rx) = oneshot::channel();
        runtime::spawn(event_loop.run(connected));
        connected_rx
            .await
            .unwrap_or_else(|_| Err(MqttError::closed()))?;
        Ok((Handle { commands, shared }, delivery_rx, event_rx))
    }

    pub(crate) fn phase(&self) -> Phase {
        self.shared.phase()
    }

    pub(crate) fn metrics(&self) -> Snapshot {
        self.shared.metrics()
    }

    /// Sends a lifecycle command that answers on a oneshot; a closed loop answers 32111.
    async fn request<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T>>) -> Command,
    ) -> Result<T> {
        if self.phase() == Phase::Closed {
            return Err(MqttError::closed());
        }
        let (tx, rx) = oneshot::channel();
        if self.commands.send(make(tx)).is_err() {
            return Err(MqttError::closed());
        }
        rx.await.unwrap_or_else(|_| Err(MqttError::closed()))
    }

    /// Validates and queues a publish; `done` is called exactly once, on
    /// this thread when the outcome is known at once (a refusal, a QoS 0
    /// publish written here), else on an engine thread. A field above its
    /// MQTT limit fails here, before anything is queued (P5). Topic and
    /// message are taken by value: they become the packet without a copy.
    pub(crate) fn publish_with(&self, topic: String, message: Message, done: Completion) {
        if let Err(e) = limits::check_publish(&topic, &message) {
            return done.complete(Err(e));
        }
        let pending = PendingPublish::new(codec::to_publish(&topic, message), topic, done);
        self.shared.call(|p| p.publish(pending));
    }

    pub(crate) fn publish(
        &self,
        topic: &str,
        message: &Message,
    ) -> impl Future<Output = Result<DeliveryToken>> {
        let (tx, rx) = oneshot::channel();
        self.publish_with(
            topic.to_owned(),
            message.clone(),
            Completion::callback(move |result| {
                let _ = tx.send(result);
            }),
        );
        async move { rx.await.unwrap_or_else(|_| Err(MqttError::closed())) }
    }

    pub(crate) async fn subscribe(&self, subscriptions: Vec<Subscription>) -> Result<()> {
        if subscriptions.is_empty() {
            return Err(MqttError::invalid("No subscription given"));
        }
        for s in &subscriptions {
            config::validate_subscription(s)?;
        }
        let (tx, rx) = oneshot::channel();
        self.shared.call(|p| p.subscribe(subscriptions, tx));
        rx.await.unwrap_or_else(|_| Err(MqttError::closed()))
    }

    pub(crate) async fn unsubscribe(&self, filters: Vec<String>) -> Result<()> {
        if filters.is_empty() {
            return Ok(());
        }
        for f in &filters {
            limits::check_filter(f)?;
        }
        let (tx, rx) = oneshot::channel();
        self.shared.call(|p| p.unsubscribe(filters, tx));
        rx.await.unwrap_or_else(|_| Err(MqttError::closed()))
    }

    pub(crate) fn ack(&self, id: AckId) {
        self.shared.call(|p| p.ack(id));
    }

    pub(crate) async fn disconnect(&self, wait: Duration) -> Result<()> {
        self.request(|tx| Command::Disconnect(wait, tx)).await
    }

    pub(crate) async fn reconnect(&self) -> Result<()> {
        self.request(Command::Reconnect).await
    }

    /// Stops the connection task whatever its state (no DISCONNECT wait).
    pub(crate) async fn shut_down(&self) {
        let (tx, rx) = oneshot::channel();
        if self.commands.send(Command::Close(tx)).is_ok() {
            let _ = rx.await;
        }
    }

    /// C7: refused while connected (32100); idempotent afterwards.
    pub(crate) async fn close(&self) -> Result<()> {
        match self.phase() {
            Phase::Closed => Ok(()),
            Phase::Connected => Err(MqttError::with_code(
                ErrorKind::State,
                "Client is connected",
                code::CLIENT_CONNECTED,
            )),
            _ => {
                self.shut_down().await;
                Ok(())
            }
        }
    }
}

/// An MQTT 5 client: publishes, and receives the messages of its
/// subscriptions through [`MessageStream`]s.
#[derive(Clone)]
pub struct Client {
    handle: Handle,
    inbox: Arc<Mutex<mpsc::Receiver<Queued>>>,
    events: Arc<Mutex<EventReceiver>>,
}

impl Client {
    /// Connects before returning (C6).
    pub async fn connect(options: ConnectOptions) -> Result<Client> {
        let (handle, inbox, events) = Handle::connect(options, true).await?;
        Ok(Client {
            handle,
            inbox: Arc::new(Mutex::new(inbox)),
            events: Arc::new(Mutex::new(events)),
        })
    }

    /// Publishes and returns once delivered as the QoS promises (P1).
    pub fn publish(
        &self,
        topic: &str,
        message: &Message,
    ) -> impl Future<Output = Result<DeliveryToken>> {
        self.handle.publish(topic, message)
    }

    /// Publishes and calls `done` with the outcome, from an engine thread.
    pub fn publish_with(&self, topic: String, message: Message, done: Completion) {
        self.handle.publish_with(topic, message, done)
    }

    /// Subscribes; messages are buffered from now on (R1).
    pub async fn subscribe(&self, subscriptions: Vec<Subscription>) -> Result<()> {
        self.handle.subscribe(subscriptions).await
    }

    pub async fn unsubscribe(&self, filters: Vec<String>) -> Result<()> {
        self.handle.unsubscribe(filters).await
    }

    /// A stream over the received messages; several streams share them.
    pub fn receive(&self) -> MessageStream {
        MessageStream {
            inbox: self.inbox.clone(),
        }
    }

    /// Connection events (lost, reconnected, refused restored subscription).
    pub fn try_next_event(&self) -> Option<ConnectionEvent> {
        let mut events = self.events.try_lock().ok()?;
        loop {
            match *events.try_recv().ok()? {
                event if event.is_lifecycle() => continue,
                event => return Some(event),
            }
        }
    }

    /// Waits for the next connection event; None once the client is closed.
    pub async fn next_event(&self) -> Option<ConnectionEvent> {
        next_reported_event(&self.events).await
    }

    /// The next connection event including the lifecycle notifications
    /// (connected, reconnect attempt, subscriptions restored,
    /// disconnected); None once closed.
    pub async fn next_any_event(&self) -> Option<ConnectionEvent> {
        self.events.lock().await.recv().await.map(|event| *event)
    }

    /// Where the connection is (connecting, connected, reconnecting, ...).
    pub fn phase(&self) -> Phase {
        self.handle.phase()
    }

    /// Counters and gauges of this client's connection (issue 16).
    pub fn metrics(&self) -> Snapshot {
        self.handle.metrics()
    }

    pub fn is_connected(&self) -> Result<bool> {
        match self.handle.phase() {
            Phase::Closed => Err(MqttError::closed()),
            phase => Ok(phase == Phase::Connected),
        }
    }

    pub async fn disconnect(&self) -> Result<()> {
        self.handle.disconnect(DISCONNECT_WAIT).await
    }

    /// Like `disconnect`, waiting at most `wait` for in-flight publishes.
    pub async fn disconnect_within(&self, wait: Duration) -> Result<()> {
        self.handle.disconnect(wait).await
    }

    pub async fn reconnect(&self) -> Result<()> {
        self.handle.reconnect().await
    }

    pub async fn close(&self) -> Result<()> {
        self.handle.close().await
    }

    /// Disconnects if needed and releases everything (for owners that are
    /// going away, e.g. a garbage-collected Java object).
    pub async fn shut_down(&self) {
        self.handle.shut_down().await
    }
}

/// The messages of a client's subscriptions, in arrival order (R1). Every
/// stream of a client takes from the same buffer, so each message reaches one
/// of them. Closing a stream (R2) is the host's rule: it lives in Java's
/// `ClientInbox` (docs/design.md).
pub struct MessageStream {
    inbox: Arc<Mutex<mpsc::Receiver<Queued>>>,
}

impl MessageStream {
    /// The next message; `None` once the client is closed.
    pub async fn next(&mut self) -> Option<Message> {
        self.inbox.lock().await.recv().await.map(|d| d.message)
    }
}

/// The next connection event a Rust caller is told of (lost, reconnected,
/// refused subscription): the lifecycle notifications, which the Java
/// bridge forwards, are skipped.
pub(crate) async fn next_reported_event(events: &Mutex<EventReceiver>) -> Option<ConnectionEvent> {
    let mut events = events.lock().await;
    loop {
        match events.recv().await {
            Some(event) if event.is_lifecycle() => continue,
            other => return other.map(|event| *event),
        }
    }
}
