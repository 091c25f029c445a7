//! What the JNI layer needs besides JNI: a registry of handles (the `long`s
//! Java holds), the event queues that Java's two event threads drain, and the
//! per-handle forwarders that move received messages to the event pump's
//! queue under credit (docs/bridge.md). No engine thread ever calls into Java.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::client::Client;
use crate::connection::{ConnectionEvent, Phase};
use crate::error::{MqttError, Result};
use crate::listener::Listener;
use crate::message::{DeliveryToken, Message, Subscription};
use crate::runtime;
use crate::state::AckId;
use crate::wire::{self, Writer};

/// Messages forwarded to Java and not yet given back as credit.
pub const CREDITS: usize = 1024;
/// Largest batch `poll` returns, in bytes (more events wait for the next poll).
const BATCH_BYTES: usize = 4 * 1024 * 1024;

enum Event {
    Completion(i64, Result<u16>),
    Message(i64, Option<AckId>, Message),
    Connection(i64, ConnectionEvent),
    End(i64),
}

/// Which Java thread drains an event (docs/bridge.md, "Threads"). Publish
/// completions have a lane of their own so that Java completes publish
/// futures without a hand-off from the event pump to another thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    /// The event pump: other completions, messages, connection events.
    Events = 0,
    /// The publish completions thread: completions of `publish` requests.
    Published = 1,
}

impl Lane {
    pub fn from_index(index: i32) -> Result<Lane> {
        match index {
            0 => Ok(Lane::Events),
            1 => Ok(Lane::Published),
            _ => Err(MqttError::invalid(format!("Unknown event lane {index}"))),
        }
    }
}

#[derive(Default)]
struct EventQueue {
    events: Mutex<VecDeque<Event>>,
    ready: Condvar,
    /// Pollers blocked in `wait_timeout` (changed only under `events`' lock): `push` signals
    /// only then, since `notify_one` is a futex syscall even when nobody waits.
    waiting: AtomicUsize,
}

fn queue(lane: Lane) -> &'static EventQueue {
    static QUEUES: OnceLock<[EventQueue; 2]> = OnceLock::new();
    &QUEUES.get_or_init(Default::default)[lane as usize]
}

fn push(lane: Lane, event: Event) {
    let q = queue(lane);
    let mut events = q.events.lock().unwrap_or_else(|p| p.into_inner());
    events.push_back(event);
    let wake = q.waiting.load(Ordering::Relaxed) > 0;
    drop(events);
    if wake {
        q.ready.notify_one();
    }
}

fn complete(request_id: i64, result: Result<()>) {
    push(
        Lane::Events,
        Event::Completion(request_id, result.map(|_| 0)),
    );
}

fn complete_publish(request_id: i64, result: Result<DeliveryToken>) {
    let message_id = result.map(|token| token.message_id);
    push(Lane::Published, Event::Completion(request_id, message_id));
}

/// Waits up to `timeout` for events of `lane` and encodes a batch (None when none came).
pub fn poll(lane: Lane, timeout: Duration) -> Option<Vec<u8>> {
    let q = queue(lane);
    let mut events = q.events.lock().unwrap_or_else(|p| p.into_inner());
    if events.is_empty() {
        q.waiting.fetch_add(1, Ordering::Relaxed);
        events = q
            .ready
            .wait_timeout(events, timeout)
            .unwrap_or_else(|p| p.into_inner())
            .0;
        q.waiting.fetch_sub(1, Ordering::Relaxed);
    }
    if events.is_empty() {
        return None;
    }
    let mut body = Writer::default();
    let mut count = 0i32;
    while body.len() < BATCH_BYTES {
        let Some(event) = events.pop_front() else {
            break;
        };
        count += 1;
        match &event {
            Event::Completion(id, result) => body.completion(*id, result),
            Event::Message(handle, ack, message) => {
                body.message(*handle, ack.map(|a| (a.epoch, a.seq)), message)
            }
            Event::Connection(handle, event) => match event {
                ConnectionEvent::ConnectionLost(e) => body.connection(*handle, 1, Some(e), ""),
                ConnectionEvent::Reconnected { session_present } => body.connection(
                    *handle,
                    2,
                    None,
                    if *session_present {
                        "Reconnected; the broker kept the session"
                    } else {
                        "Reconnected with a new session"
                    },
                ),
                ConnectionEvent::SubscriptionRefused(e) => body.connection(*handle, 3, Some(e), ""),
            },
            Event::End(handle) => body.end(*handle),
        }
    }
    drop(events);
    let mut out = Writer::default();
    out.i32(count);
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&body.into_bytes());
    Some(bytes)
}

enum Endpoint {
    Client(Client),
    Listener(Arc<Listener>),
}

struct Entry {
    endpoint: OnceLock<Endpoint>,
    credits: Arc<Semaphore>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// A listener forwards messages from its first `start` on.
    forwarding: AtomicBool,
}

impl Entry {
    fn abort_tasks(&self) {
        for task in self
            .tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            task.abort();
        }
    }
}

fn registry() -> &'static Mutex<HashMap<i64, Arc<Entry>>> {
    static HANDLES: OnceLock<Mutex<HashMap<i64, Arc<Entry>>>> = OnceLock::new();
    HANDLES.get_or_init(Default::default)
}

fn lookup(handle: i64) -> Result<Arc<Entry>> {
    registry()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&handle)
        .cloned()
        .filter(|e| e.endpoint.get().is_some())
        .ok_or_else(MqttError::closed)
}

fn unregister(handle: i64) -> Option<Arc<Entry>> {
    let entry = registry()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&handle)?;
    entry.abort_tasks();
    push(Lane::Events, Event::End(handle));
    Some(entry)
}

/// Starts connecting; the handle is returned at once, the outcome arrives
/// as the completion of `request_id`.
pub fn connect(
    options: &[u8],
    listener: bool,
    manual_acks: bool,
    subscriptions: &[u8],
    request_id: i64,
) -> Result<i64> {
    let options = wire::decode_options(options)?;
    let subscriptions = if listener {
        wire::decode_subscriptions(subscriptions)?
    } else {
        Vec::new()
    };
    static NEXT: AtomicI64 = AtomicI64::new(1);
    let handle = NEXT.fetch_add(1, Ordering::Relaxed);
    let entry = Arc::new(Entry {
        endpoint: OnceLock::new(),
        credits: Arc::new(Semaphore::new(CREDITS)),
        tasks: Mutex::new(Vec::new()),
        forwarding: AtomicBool::new(false),
    });
    registry()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(handle, entry.clone());
    runtime::spawn(async move {
        let connected = if listener {
            Listener::connect(options, subscriptions, manual_acks)
                .await
                .map(|l| Endpoint::Listener(Arc::new(l)))
        } else {
            Client::connect(options).await.map(Endpoint::Client)
        };
        match connected {
            Ok(endpoint) => {
                let _ = entry.endpoint.set(endpoint);
                forward_events(handle, &entry);
                if let Some(Endpoint::Client(client)) = entry.endpoint.get() {
                    // A client buffers from its first subscribe on (R1).
                    forward_client_messages(handle, &entry, client.clone());
                }
                complete(request_id, Ok(()));
            }
            Err(e) => {
                registry()
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&handle);
                complete(request_id, Err(e));
            }
        }
    });
    Ok(handle)
}

fn forward_events(handle: i64, entry: &Arc<Entry>) {
    let task = match entry.endpoint.get() {
        Some(Endpoint::Client(client)) => {
            let client = client.clone();
            runtime::spawn(async move {
                while let Some(event) = client.next_event().await {
                    push(Lane::Events, Event::Connection(handle, event));
                }
            })
        }
        Some(Endpoint::Listener(listener)) => {
            let listener = listener.clone();
            runtime::spawn(async move {
                while let Some(event) = listener.next_event().await {
                    push(Lane::Events, Event::Connection(handle, event));
                }
            })
        }
        None => return,
    };
    entry
        .tasks
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(task);
}

fn forward_client_messages(handle: i64, entry: &Arc<Entry>, client: Client) {
    let credits = entry.credits.clone();
    let task = runtime::spawn(async move {
        let mut stream = client.receive();
        loop {
            let Ok(permit) = credits.acquire().await else {
                break;
            };
            permit.forget();
            match stream.next().await {
                Ok(Some(message)) => push(Lane::Events, Event::Message(handle, None, message)),
                _ => break,
            }
        }
        push(Lane::Events, Event::End(handle));
    });
    entry
        .tasks
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(task);
}

fn forward_listener_messages(handle: i64, entry: &Arc<Entry>, listener: Arc<Listener>) {
    let credits = entry.credits.clone();
    let task = runtime::spawn(async move {
        loop {
            let Ok(permit) = credits.acquire().await else {
                break;
            };
            permit.forget();
            match listener.next().await {
                Some(received) => push(
                    Lane::Events,
                    Event::Message(handle, received.ack_id(), received.message),
                ),
                None => break,
            }
        }
        push(Lane::Events, Event::End(handle));
    });
    entry
        .tasks
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(task);
}

/// Runs `work` on the endpoint and completes `request_id` with its outcome.
fn run<F, Fut>(handle: i64, request_id: i64, work: F)
where
    F: FnOnce(i64, Arc<Entry>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<()>> + Send + 'static,
{
    match lookup(handle) {
        Ok(entry) => {
            runtime::spawn(async move { complete(request_id, work(handle, entry).await) });
        }
        Err(e) => complete(request_id, Err(e)),
    }
}

fn listener_of(entry: &Entry) -> Result<Arc<Listener>> {
    match entry.endpoint.get() {
        Some(Endpoint::Listener(l)) => Ok(l.clone()),
        _ => Err(MqttError::invalid("This operation needs a listener handle")),
    }
}

fn client_of(entry: &Entry) -> Result<Client> {
    match entry.endpoint.get() {
        Some(Endpoint::Client(c)) => Ok(c.clone()),
        _ => Err(MqttError::invalid("This operation needs a client handle")),
    }
}

pub fn publish(handle: i64, topic: &str, message: &[u8], request_id: i64) -> Result<()> {
    let message = match wire::decode_message(message) {
        Ok(m) => m,
        Err(e) => {
            complete_publish(request_id, Err(e));
            return Ok(());
        }
    };
    let entry = match lookup(handle) {
        Ok(entry) => entry,
        Err(e) => {
            complete_publish(request_id, Err(e));
            return Ok(());
        }
    };
    let done = Box::new(move |result: Result<DeliveryToken>| complete_publish(request_id, result));
    match entry.endpoint.get() {
        Some(Endpoint::Client(c)) => c.publish_with(topic, &message, done),
        Some(Endpoint::Listener(l)) => l.publish_with(topic, &message, done),
        None => done(Err(MqttError::closed())),
    }
    Ok(())
}

pub fn subscribe(handle: i64, subscriptions: &[u8], request_id: i64) {
    let subscriptions: Result<Vec<Subscription>> = wire::decode_subscriptions(subscriptions);
    run(handle, request_id, move |_, entry| async move {
        client_of(&entry)?.subscribe(subscriptions?).await
    });
}

pub fn unsubscribe(handle: i64, filters: Vec<String>, request_id: i64) {
    run(handle, request_id, move |_, entry| async move {
        client_of(&entry)?.unsubscribe(filters).await
    });
}

pub fn disconnect(handle: i64, request_id: i64) {
    run(handle, request_id, |_, entry| async move {
        match entry.endpoint.get() {
            Some(Endpoint::Client(c)) => c.disconnect().await,
            _ => listener_of(&entry)?.immediate_stop().await,
        }
    });
}

pub fn reconnect(handle: i64, request_id: i64) {
    run(handle, request_id, |_, entry| async move {
        client_of(&entry)?.reconnect().await
    });
}

/// C7: refused while connected; otherwise releases the handle.
pub fn close(handle: i64, request_id: i64) {
    run(handle, request_id, |handle, entry| async move {
        match entry.endpoint.get() {
            Some(Endpoint::Client(c)) => c.close().await?,
            _ => listener_of(&entry)?.immediate_stop().await?,
        }
        unregister(handle);
        Ok(())
    });
}

/// Releases the handle whatever its state (Java's Cleaner, final stops).
pub fn release(handle: i64) {
    if let Some(entry) = unregister(handle) {
        runtime::spawn(async move {
            match entry.endpoint.get() {
                Some(Endpoint::Client(c)) => c.shut_down().await,
                Some(Endpoint::Listener(l)) => {
                    let _ = l.immediate_stop().await;
                }
                None => {}
            }
        });
    }
}

pub fn status(handle: i64) -> i32 {
    let Ok(entry) = lookup(handle) else {
        return Phase::Closed as i32;
    };
    let phase = match entry.endpoint.get() {
        Some(Endpoint::Client(c)) => c.phase(),
        Some(Endpoint::Listener(l)) => l.phase(),
        None => Phase::Connecting,
    };
    phase as i32
}

pub fn start(handle: i64, request_id: i64) {
    run(handle, request_id, |handle, entry| async move {
        let listener = listener_of(&entry)?;
        listener.start().await?;
        if !entry.forwarding.swap(true, Ordering::AcqRel) {
            forward_listener_messages(handle, &entry, listener);
        }
        Ok(())
    });
}

pub fn detach(handle: i64, request_id: i64) {
    run(handle, request_id, |_, entry| async move {
        listener_of(&entry)?.detach().await
    });
}

pub fn stop(handle: i64, graceful: bool, request_id: i64) {
    run(handle, request_id, move |handle, entry| async move {
        let listener = listener_of(&entry)?;
        let result = if graceful {
            listener.graceful_stop().await
        } else {
            listener.immediate_stop().await
        };
        unregister(handle);
        result
    });
}

pub fn ack(handle: i64, epoch: i64, seq: i64) {
    if seq < 0 {
        return;
    }
    if let Ok(entry) = lookup(handle) {
        if let Ok(listener) = listener_of(&entry) {
            listener.ack(AckId {
                epoch: epoch as u64,
                seq: seq as u64,
            });
        }
    }
}

pub fn credit(handle: i64, n: i32) {
    if let (Ok(entry), true) = (lookup(handle), n > 0) {
        entry.credits.add_permits(n as usize);
    }
}
