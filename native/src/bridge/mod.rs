//! What the JNI layer needs besides JNI: a registry of handles (the `long`s
//! Java holds), the event queues Java's threads drain (`queue`), and the
//! per-handle forwarders that move received messages under credit to the
//! event pump (clients) or to the listener's own dispatch queue
//! (docs/bridge.md). Engine threads reach Java only through the
//! synchronous publish notifier the JNI layer installs (`publish`).

mod logging;
mod publish;
mod queue;

pub use logging::to_java as log_to_java;
pub use publish::{install_notifier, publish};
pub use queue::Lane;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::client::Client;
use crate::connection::Phase;
use crate::error::{MqttError, Result};
use crate::listener::Listener;
use crate::message::{Message, Subscription};
use crate::protocol::session::{AckId, Completion};
use crate::runtime;
use crate::wire;

/// Messages forwarded to Java and not yet given back as credit.
pub const CREDITS: usize = 1024;

use queue::{Event, EventQueue};

fn push(lane: Lane, event: Event) {
    queue::lane(lane).push(event);
}

fn complete(request_id: i64, result: Result<()>) {
    push(
        Lane::Events,
        Event::Completion(request_id, result.map(|_| 0)),
    );
}

/// Waits up to `timeout` for events of `lane` and encodes a batch (None when none came).
pub fn poll(lane: Lane, timeout: Duration) -> Option<Vec<u8>> {
    queue::lane(lane).poll(timeout).map(|batch| batch.bytes)
}

/// A listener's own queue: its messages, connection events and END, drained
/// by its dispatch thread. It outlives the handle until the dispatch thread
/// has taken the END, or will never poll (never started, or stopped).
#[derive(Default)]
struct DispatchQueue {
    queue: EventQueue,
    /// The dispatch thread has polled at least once.
    polled: AtomicBool,
    /// The dispatch thread ended without waiting for END (`end_dispatch`).
    abandoned: AtomicBool,
}

fn dispatch_queues() -> &'static Mutex<HashMap<i64, Arc<DispatchQueue>>> {
    static QUEUES: OnceLock<Mutex<HashMap<i64, Arc<DispatchQueue>>>> = OnceLock::new();
    QUEUES.get_or_init(Default::default)
}

fn dispatch_queue(handle: i64) -> Option<Arc<DispatchQueue>> {
    lock(dispatch_queues()).get(&handle).cloned()
}

fn forget_dispatch_queue(handle: i64) {
    lock(dispatch_queues()).remove(&handle);
}

/// Where a handle's events go: the event pump, or a listener's own queue.
#[derive(Clone)]
enum Route {
    Pump,
    Dispatch(Arc<DispatchQueue>),
}

impl Route {
    fn push(&self, event: Event) {
        match self {
            Route::Pump => push(Lane::Events, event),
            Route::Dispatch(q) => q.queue.push(event),
        }
    }
}

/// A listener's dispatch thread: waits up to `timeout` for the listener's
/// events. A listener that is gone answers with END.
pub fn poll_dispatch(handle: i64, timeout: Duration) -> Option<Vec<u8>> {
    let Some(q) = dispatch_queue(handle) else {
        return Some(queue::end_batch(handle));
    };
    q.polled.store(true, Ordering::Release);
    let batch = q.queue.poll(timeout)?;
    if batch.ended {
        forget_dispatch_queue(handle);
    }
    Some(batch.bytes)
}

/// Makes a listener's dispatch thread return from `poll_dispatch` now (Java
/// queued work for it: a stop, an onComplete).
pub fn wake_dispatch(handle: i64) {
    if let Some(q) = dispatch_queue(handle) {
        q.queue.wake();
    }
}

/// The dispatch thread ended before END (a stop): once the handle is gone
/// too, nobody reads its queue any more.
pub fn end_dispatch(handle: i64) {
    let mut queues = lock(dispatch_queues());
    let registered = lock(registry()).contains_key(&handle);
    if registered {
        if let Some(q) = queues.get(&handle) {
            q.abandoned.store(true, Ordering::Release);
        }
    } else {
        queues.remove(&handle);
    }
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
    /// Where this handle's messages, connection events and END go.
    route: Route,
}

impl Entry {
    fn abort_tasks(&self) {
        for task in lock(&self.tasks).drain(..) {
            task.abort();
        }
    }
}

/// Locks a bridge mutex, poisoned or not: a panic caught on one JNI call
/// must not make every later call on the maps and queues panic too.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

fn registry() -> &'static Mutex<HashMap<i64, Arc<Entry>>> {
    static HANDLES: OnceLock<Mutex<HashMap<i64, Arc<Entry>>>> = OnceLock::new();
    HANDLES.get_or_init(Default::default)
}

fn lookup(handle: i64) -> Result<Arc<Entry>> {
    lock(registry())
        .get(&handle)
        .cloned()
        .filter(|e| e.endpoint.get().is_some())
        .ok_or_else(MqttError::closed)
}

fn unregister(handle: i64) -> Option<Arc<Entry>> {
    let entry = lock(registry()).remove(&handle)?;
    entry.abort_tasks();
    entry.route.push(Event::End(handle));
    if let Route::Dispatch(q) = &entry.route {
        // Nobody polls a listener that never started or whose dispatch ended.
        let mut queues = lock(dispatch_queues());
        if !q.polled.load(Ordering::Acquire) || q.abandoned.load(Ordering::Acquire) {
            queues.remove(&handle);
        }
    }
    Some(entry)
}

/// Starts connecting; the handle is returned at once, the outcome arrives
/// as the completion of `request_id`.
pub fn connect(
    options: &[u8],
    listener: bool,
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
    let route = if listener {
        let q = Arc::new(DispatchQueue::default());
        lock(dispatch_queues()).insert(handle, q.clone());
        Route::Dispatch(q)
    } else {
        Route::Pump
    };
    let entry = Arc::new(Entry {
        endpoint: OnceLock::new(),
        credits: Arc::new(Semaphore::new(CREDITS)),
        tasks: Mutex::new(Vec::new()),
        forwarding: AtomicBool::new(false),
        route,
    });
    lock(registry()).insert(handle, entry.clone());
    runtime::spawn(async move {
        let connected = if listener {
            Listener::connect(options, subscriptions)
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
                lock(registry()).remove(&handle);
                forget_dispatch_queue(handle);
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
                // Every kind, lifecycle included: a Java client's connection listener gets them all.
                while let Some(event) = client.next_any_event().await {
                    push(Lane::Events, Event::Connection(handle, event));
                }
            })
        }
        Some(Endpoint::Listener(listener)) => {
            let listener = listener.clone();
            let route = entry.route.clone();
            runtime::spawn(async move {
                while let Some(event) = listener.next_event().await {
                    route.push(Event::Connection(handle, event));
                }
            })
        }
        None => return,
    };
    lock(&entry.tasks).push(task);
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
                Some(message) => push(Lane::Events, Event::Message(handle, None, message)),
                None => break,
            }
        }
        push(Lane::Events, Event::End(handle));
    });
    lock(&entry.tasks).push(task);
}

fn forward_listener_messages(handle: i64, entry: &Arc<Entry>, listener: Arc<Listener>) {
    let credits = entry.credits.clone();
    let route = entry.route.clone();
    let task = runtime::spawn(async move {
        loop {
            let Ok(permit) = credits.acquire().await else {
                break;
            };
            permit.forget();
            match listener.next().await {
                Some(delivery) => {
                    route.push(Event::Message(handle, delivery.ack, delivery.message))
                }
                None => break,
            }
        }
        route.push(Event::End(handle));
    });
    lock(&entry.tasks).push(task);
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

/// Hands a publish to the handle's connection; `done` gets every outcome,
/// a message Java encoded wrongly or a released handle included.
fn start_publish(handle: i64, topic: String, message: Message, done: Completion) {
    let entry = match lookup(handle) {
        Ok(entry) => entry,
        Err(e) => return done.complete(Err(e)),
    };
    match entry.endpoint.get() {
        Some(Endpoint::Client(c)) => c.publish_with(topic, message, done),
        Some(Endpoint::Listener(l)) => l.publish_with(topic, message, done),
        None => done.complete(Err(MqttError::closed())),
    }
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

/// `disconnect` waiting at most `wait` for in-flight publishes (Java's `disconnect(Duration)`).
pub fn disconnect_within(handle: i64, wait: Duration, request_id: i64) {
    run(handle, request_id, move |_, entry| async move {
        match entry.endpoint.get() {
            Some(Endpoint::Client(c)) => c.disconnect_within(wait).await,
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

/// The handle's metrics snapshot, encoded (`wire::encode_metrics`); None
/// for an unknown or closed handle (issue 16).
pub fn metrics(handle: i64) -> Option<Vec<u8>> {
    let entry = lookup(handle).ok()?;
    let (phase, snapshot) = match entry.endpoint.get()? {
        Endpoint::Client(c) => (c.phase(), c.metrics()),
        Endpoint::Listener(l) => (l.phase(), l.metrics()),
    };
    Some(wire::encode_metrics(phase as i8, &snapshot))
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

/// Acknowledges a listener's message (`seq` < 0: none) and gives back
/// `credit` messages: one call at the end of a dispatch.
pub fn ack(handle: i64, epoch: i64, seq: i64, credit: i32) {
    let Ok(entry) = lookup(handle) else {
        return;
    };
    if seq >= 0 {
        if let Ok(listener) = listener_of(&entry) {
            listener.ack(AckId {
                epoch: epoch as u64,
                seq: seq as u64,
            });
        }
    }
    if credit > 0 {
        entry.credits.add_permits(credit as usize);
    }
}

pub fn credit(handle: i64, n: i32) {
    if let (Ok(entry), true) = (lookup(handle), n > 0) {
        entry.credits.add_permits(n as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A listener handle as `connect` registers it, without a connection.
    fn listener_entry() -> i64 {
        static NEXT: AtomicI64 = AtomicI64::new(-1_000_000);
        let handle = NEXT.fetch_sub(1, Ordering::Relaxed);
        let q = Arc::new(DispatchQueue::default());
        dispatch_queues().lock().unwrap().insert(handle, q.clone());
        let entry = Arc::new(Entry {
            endpoint: OnceLock::new(),
            credits: Arc::new(Semaphore::new(CREDITS)),
            tasks: Mutex::new(Vec::new()),
            forwarding: AtomicBool::new(false),
            route: Route::Dispatch(q),
        });
        registry().lock().unwrap().insert(handle, entry);
        handle
    }

    fn has_queue(handle: i64) -> bool {
        dispatch_queues().lock().unwrap().contains_key(&handle)
    }

    const NO_WAIT: Duration = Duration::from_millis(1);

    #[test]
    fn a_listener_never_polled_leaves_no_queue_behind() {
        let handle = listener_entry();
        assert!(unregister(handle).is_some());
        assert!(!has_queue(handle));
        let end = poll_dispatch(handle, NO_WAIT).expect("a gone listener answers END");
        assert_eq!(end, queue::end_batch(handle));
    }

    #[test]
    fn a_polling_dispatch_thread_gets_end_and_the_queue_goes_with_it() {
        let handle = listener_entry();
        assert!(poll_dispatch(handle, NO_WAIT).is_none(), "nothing yet");
        unregister(handle);
        assert!(
            has_queue(handle),
            "kept until the dispatch thread takes END"
        );
        assert_eq!(
            poll_dispatch(handle, NO_WAIT),
            Some(queue::end_batch(handle))
        );
        assert!(!has_queue(handle));
    }

    #[test]
    fn a_dispatch_thread_that_stopped_first_lets_the_queue_go_at_unregister() {
        let handle = listener_entry();
        let _ = poll_dispatch(handle, NO_WAIT);
        end_dispatch(handle);
        assert!(has_queue(handle), "the handle is still registered");
        unregister(handle);
        assert!(!has_queue(handle));
    }

    #[test]
    fn a_dispatch_thread_that_stops_after_unregister_removes_the_queue() {
        let handle = listener_entry();
        let _ = poll_dispatch(handle, NO_WAIT);
        unregister(handle);
        end_dispatch(handle);
        assert!(!has_queue(handle));
    }

    #[test]
    fn wake_dispatch_returns_an_empty_batch() {
        let handle = listener_entry();
        wake_dispatch(handle);
        let batch = poll_dispatch(handle, Duration::from_secs(5)).expect("woken");
        assert_eq!(batch, 0i32.to_be_bytes().to_vec());
        unregister(handle);
        let _ = poll_dispatch(handle, NO_WAIT);
        assert!(!has_queue(handle));
    }
}
