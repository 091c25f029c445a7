//! The listener (contract §2.2, L1–L6): a connection whose messages go to
//! one service in arrival order. The engine hands them out one by one
//! ([`Listener::next`]) and sends each ack when told ([`Listener::ack`]), in
//! MQTT's order whatever order the acks come in. When an ack is due —
//! after the service returns, or at `caller->complete()` with manual acks
//! (L3) — and what `caller->respond` sends (L5) are the dispatcher's rules:
//! they live once, in Java's `ListenerCaller` (docs/design.md).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, Mutex};

use crate::client::{Handle, DISCONNECT_WAIT};
use crate::config::{self, ConnectOptions};
use crate::connection::{EventReceiver, Phase, Queued};
use crate::error::{MqttError, Result};
use crate::message::{Message, Subscription};
use crate::protocol::session::{AckId, Completion};
use crate::protocol::{ConnectionEvent, Delivery};

pub struct Listener {
    handle: Handle,
    subscriptions: Vec<Subscription>,
    inbox: Mutex<mpsc::Receiver<Queued>>,
    events: Mutex<EventReceiver>,
    subscribed: AtomicBool,
    /// Set by a stop: no message reaches the service after it (L6).
    stopped: AtomicBool,
}

impl Listener {
    /// Connects before returning (C6, L1); subscriptions are made by `start`.
    pub async fn connect(
        options: ConnectOptions,
        subscriptions: Vec<Subscription>,
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
            inbox: Mutex::new(inbox),
            events: Mutex::new(events),
            subscribed: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
        })
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

    /// The next message in arrival order and the id that acks it (L2);
    /// `None` once stopped or closed.
    pub async fn next(&self) -> Option<Delivery> {
        if self.stopped.load(Ordering::Acquire) {
            return None;
        }
        let delivery = self.inbox.lock().await.recv().await?;
        if self.stopped.load(Ordering::Acquire) {
            return None;
        }
        Some(*delivery)
    }

    /// The next connection event (lost, reconnected, refused subscription).
    pub async fn next_event(&self) -> Option<ConnectionEvent> {
        crate::client::next_reported_event(&self.events).await
    }

    /// The next connection event including the lifecycle notifications
    /// (connected, reconnect attempt, subscriptions restored,
    /// disconnected); None once closed.
    pub async fn next_any_event(&self) -> Option<ConnectionEvent> {
        self.events.lock().await.recv().await.map(|event| *event)
    }

    pub fn try_next_event(&self) -> Option<ConnectionEvent> {
        let mut events = self.events.try_lock().ok()?;
        loop {
            match *events.try_recv().ok()? {
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

    /// Acks a received QoS 1/2 message; the acks go out in arrival order
    /// (MQTT-4.6.0-2), an id acked before is ignored.
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
}
