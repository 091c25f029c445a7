//! The listener (contract §2.2, L1–L6): a connection whose messages go to
//! one service in arrival order, acked after the service returns or, with
//! manual acks, when it calls `complete` — in MQTT's order either way.
//!
//! The engine hands messages out one by one ([`Listener::next`]); the
//! dispatch loop (Java's, or [`Listener::dispatch`] here) calls the service.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, Mutex};

use crate::client::{Handle, DISCONNECT_WAIT};
use crate::config::{self, ConnectOptions};
use crate::connection::Phase;
use crate::error::{ErrorKind, MqttError, Result};
use crate::message::{DeliveryToken, Message, Subscription};
use crate::protocol::session::{AckId, Completion};
use crate::protocol::{ConnectionEvent, Delivery};

pub const RESPONSE_TOPIC_NOT_SET: &str = "Response topic is not set";

pub struct Listener {
    handle: Handle,
    subscriptions: Vec<Subscription>,
    manual_acks: bool,
    inbox: Mutex<mpsc::Receiver<Delivery>>,
    events: Mutex<mpsc::UnboundedReceiver<ConnectionEvent>>,
    subscribed: AtomicBool,
    /// Set by a stop: no message reaches the service after it (L6).
    stopped: AtomicBool,
}

impl Listener {
    /// Connects before returning (C6, L1); subscriptions are made by `start`.
    pub async fn connect(
        options: ConnectOptions,
        subscriptions: Vec<Subscription>,
        manual_acks: bool,
    ) -> Result<Listener> {
        if subscriptions.is_empty() {
            return Err(MqttError::invalid(
                "A listener needs at least one subscription",
            ));
        }
        for s in &subscriptions {
            config::validate_subscription(s)?;
        }
        let (handle, inbox, events) = Handle::connect(options, false).await?;
        Ok(Listener {
            handle,
            subscriptions,
            manual_acks,
            inbox: Mutex::new(inbox),
            events: Mutex::new(events),
            subscribed: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
        })
    }

    pub fn manual_acks(&self) -> bool {
        self.manual_acks
    }

    /// Subscribes to the listener's subscriptions (L1). A refused
    /// subscription (SUBACK reason >= 0x80) is returned with its code (L4).
    pub async fn start(&self) -> Result<()> {
        self.check_open()?;
        self.handle.subscribe(self.subscriptions.clone()).await?;
        self.subscribed.store(true, Ordering::Release);
        Ok(())
    }

    fn check_open(&self) -> Result<()> {
        if self.stopped.load(Ordering::Acquire) || self.handle.phase() == Phase::Closed {
            return Err(MqttError::closed());
        }
        Ok(())
    }

    /// The next message in arrival order (L2); `None` once stopped or closed.
    pub async fn next(&self) -> Option<Received> {
        let delivery = self.next_delivery().await?;
        Some(self.received(delivery))
    }

    /// The next message and what acks it, as the Java bridge forwards it
    /// (its caller lives in Java: no `Received` to build and drop).
    pub(crate) async fn next_delivery(&self) -> Option<Delivery> {
        if self.stopped.load(Ordering::Acquire) {
            return None;
        }
        let delivery = self.inbox.lock().await.recv().await?;
        if self.stopped.load(Ordering::Acquire) {
            return None;
        }
        Some(delivery)
    }

    fn received(&self, delivery: Delivery) -> Received {
        Received {
            message: delivery.message,
            ack: delivery.ack,
            handle: self.handle.clone(),
            manual_acks: self.manual_acks,
            acked: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The next connection event (lost, reconnected, refused subscription).
    pub async fn next_event(&self) -> Option<ConnectionEvent> {
        crate::client::next_reported_event(&self.events).await
    }

    /// The next connection event including the lifecycle notifications
    /// (connected, reconnect attempt, subscriptions restored,
    /// disconnected); None once closed.
    pub async fn next_any_event(&self) -> Option<ConnectionEvent> {
        self.events.lock().await.recv().await
    }

    pub fn try_next_event(&self) -> Option<ConnectionEvent> {
        let mut events = self.events.try_lock().ok()?;
        loop {
            match events.try_recv().ok()? {
                event if event.is_lifecycle() => continue,
                event => return Some(event),
            }
        }
    }

    pub fn is_connected(&self) -> bool {
        self.handle.phase() == Phase::Connected
    }

    pub fn phase(&self) -> Phase {
        self.handle.phase()
    }

    /// Counters and gauges of this listener's connection (issue 16).
    pub fn metrics(&self) -> crate::protocol::metrics::Snapshot {
        self.handle.metrics()
    }

    /// Acks a message by id, as `Received::complete` does (the bridge keeps ids, not `Received`s).
    pub fn ack(&self, id: AckId) {
        self.handle.ack(id)
    }

    /// Publishes on the listener's connection (responses, L5).
    pub fn publish_with(&self, topic: String, message: Message, done: Completion) {
        self.handle.publish_with(topic, message, done)
    }

    /// Unsubscribes; the listener can `start` again later (L6).
    pub async fn detach(&self) -> Result<()> {
        self.check_open()?;
        if self.subscribed.swap(false, Ordering::AcqRel) {
            let filters = self.subscriptions.iter().map(|s| s.topic.clone()).collect();
            self.handle.unsubscribe(filters).await?;
        }
        Ok(())
    }

    /// Stops taking messages, sends the acks already due, disconnects and
    /// frees the connection (L6). The caller lets the running handler finish first.
    pub async fn graceful_stop(&self) -> Result<()> {
        self.stop(DISCONNECT_WAIT).await
    }

    /// Disconnects at once (L6).
    pub async fn immediate_stop(&self) -> Result<()> {
        self.stop(Duration::ZERO).await
    }

    async fn stop(&self, wait: Duration) -> Result<()> {
        if self.stopped.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let result = match self.handle.phase() {
            Phase::Connected => self.handle.disconnect(wait).await,
            _ => Ok(()),
        };
        self.handle.shut_down().await;
        result
    }

    /// Runs `service` on every message in order until the listener stops;
    /// in automatic mode each message is acked when `service` returns (L3).
    pub async fn dispatch<F: FnMut(&Received)>(&self, mut service: F) {
        while let Some(received) = self.next().await {
            service(&received);
            received.acknowledge_after_service();
        }
    }
}

/// A message handed to the service, with what the `Caller` can do with it.
pub struct Received {
    pub message: Message,
    ack: Option<AckId>,
    handle: Handle,
    manual_acks: bool,
    acked: Arc<AtomicBool>,
}

impl Received {
    /// The id that acks this message; None for QoS 0.
    pub fn ack_id(&self) -> Option<AckId> {
        self.ack
    }

    /// `caller->complete()`: acks in manual mode; a no-op in automatic mode
    /// and on a second call (L3).
    pub fn complete(&self) -> Result<()> {
        if self.manual_acks {
            self.send_ack();
        }
        Ok(())
    }

    /// Called by the dispatch loop once the service returned.
    pub fn acknowledge_after_service(&self) {
        if !self.manual_acks {
            self.send_ack();
        }
    }

    fn send_ack(&self) {
        if let Some(id) = self.ack {
            if !self.acked.swap(true, Ordering::AcqRel) {
                self.handle.ack(id);
            }
        }
    }

    /// The response publish for `response` (L5): to the request's
    /// responseTopic, with its correlationData.
    fn response(&self, response: &Message) -> Result<(String, Message)> {
        let topic = self
            .message
            .properties
            .response_topic
            .clone()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| MqttError::new(ErrorKind::InvalidInput, RESPONSE_TOPIC_NOT_SET))?;
        let mut response = response.clone();
        if let Some(data) = &self.message.properties.correlation_data {
            response.properties.correlation_data = Some(Bytes::clone(data));
        }
        Ok((topic, response))
    }

    pub async fn respond(&self, response: &Message) -> Result<DeliveryToken> {
        let (topic, response) = self.response(response)?;
        self.handle.publish(&topic, &response).await
    }
}
