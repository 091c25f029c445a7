//! The event queues that Java's threads drain with `Native.poll` and
//! `Native.pollDispatch`: two shared lanes (the event pump's and the publish
//! completions thread's) and one queue per listener, drained by that
//! listener's dispatch thread, so a received message goes from the engine to
//! the thread that runs the handler without a hand-off in between.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::Duration;

use super::lock;
use crate::error::{MqttError, Result};
use crate::message::Message;
use crate::protocol::session::AckId;
use crate::protocol::ConnectionEvent;
use crate::wire::{connection as kind, ConnectionDetail, Writer};

/// Largest batch `poll` returns, in bytes (more events wait for the next poll).
const BATCH_BYTES: usize = 4 * 1024 * 1024;

pub(super) enum Event {
    Completion(i64, Result<u16>),
    Message(i64, Option<AckId>, Message),
    Connection(i64, ConnectionEvent),
    End(i64),
    /// A `log` record of the engine: level, target, text (`logging`).
    Log(log::Level, String, String),
}

/// The shared queues, each drained by one Java thread (docs/bridge.md,
/// "Threads"). Publish completions have a lane of their own so that Java
/// completes publish futures without a hand-off from the event pump.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    /// The event pump: other completions, client messages, connection events.
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

pub(super) fn lane(lane: Lane) -> &'static EventQueue {
    static QUEUES: OnceLock<[EventQueue; 2]> = OnceLock::new();
    &QUEUES.get_or_init(Default::default)[lane as usize]
}

/// An encoded batch, and whether it holds an END event (nothing follows it).
pub(super) struct Batch {
    pub bytes: Vec<u8>,
    pub ended: bool,
}

#[derive(Default)]
struct Pending {
    events: VecDeque<Event>,
    /// `wake` was called: the poller returns (an empty batch) to look at Java's own work.
    woken: bool,
    /// Pollers blocked in `wait_timeout`: `push` signals only then, since `notify_one` is a
    /// futex syscall even when nobody waits.
    waiting: usize,
    /// A signal is on its way to the waiting poller: the events pushed until it runs (a burst
    /// of acks read in one go) need no signal of their own.
    signalled: bool,
}

#[derive(Default)]
pub(super) struct EventQueue {
    pending: Mutex<Pending>,
    ready: Condvar,
}

impl EventQueue {
    pub(super) fn push(&self, event: Event) {
        let mut pending = lock(&self.pending);
        pending.events.push_back(event);
        self.signal(pending);
    }

    /// Makes the poller return now, with an empty batch if nothing is queued.
    pub(super) fn wake(&self) {
        let mut pending = lock(&self.pending);
        pending.woken = true;
        self.signal(pending);
    }

    fn signal(&self, mut pending: std::sync::MutexGuard<'_, Pending>) {
        let wake = pending.waiting > 0 && !pending.signalled;
        pending.signalled |= wake;
        drop(pending);
        if wake {
            self.ready.notify_one();
        }
    }

    /// Waits up to `timeout` for events and encodes a batch (None when none came).
    pub(super) fn poll(&self, timeout: Duration) -> Option<Batch> {
        let mut pending = lock(&self.pending);
        if pending.events.is_empty() && !pending.woken {
            pending.waiting += 1;
            pending = self
                .ready
                .wait_timeout(pending, timeout)
                .unwrap_or_else(|p| p.into_inner())
                .0;
            pending.waiting -= 1;
            pending.signalled = false;
        }
        let woken = std::mem::take(&mut pending.woken);
        if pending.events.is_empty() && !woken {
            return None;
        }
        // Take the batch's events under the lock, encode them after it: the
        // engine's workers push onto this queue while Java encodes.
        let mut taken = Vec::new();
        let mut size = 0;
        while size < BATCH_BYTES {
            let Some(event) = pending.events.pop_front() else {
                break;
            };
            size += encoded_size(&event);
            taken.push(event);
        }
        drop(pending);
        let mut body = Writer::default();
        body.i32(taken.len() as i32);
        let mut ended = false;
        for event in &taken {
            ended |= matches!(event, Event::End(_));
            encode(&mut body, event);
        }
        let bytes = body.into_bytes();
        Some(Batch { bytes, ended })
    }
}

/// About how many bytes `event` encodes to: a message's topic and payload
/// dominate; the rest is bounded (properties are counted by their values).
fn encoded_size(event: &Event) -> usize {
    const FIXED: usize = 64;
    match event {
        Event::Message(_, _, m) => {
            let p = &m.properties;
            FIXED
                + m.payload.len()
                + m.topic.as_ref().map_or(0, String::len)
                + p.correlation_data.as_ref().map_or(0, |c| c.len())
                + p.response_topic.as_ref().map_or(0, String::len)
                + p.content_type.as_ref().map_or(0, String::len)
                + p.user_properties
                    .iter()
                    .map(|(k, v)| 8 + k.len() + v.len())
                    .sum::<usize>()
        }
        Event::Log(_, target, text) => FIXED + target.len() + text.len(),
        _ => FIXED,
    }
}

/// A batch of one END event: what polling a finished listener's queue returns.
pub(super) fn end_batch(handle: i64) -> Vec<u8> {
    let mut out = Writer::default();
    out.i32(1);
    encode(&mut out, &Event::End(handle));
    out.into_bytes()
}

fn encode(body: &mut Writer, event: &Event) {
    match event {
        Event::Completion(id, result) => body.completion(*id, result),
        Event::Message(handle, ack, message) => {
            body.message(*handle, ack.map(|a| (a.epoch, a.seq)), message)
        }
        Event::Connection(handle, event) => encode_connection(body, *handle, event),
        Event::End(handle) => body.end(*handle),
        Event::Log(level, target, text) => {
            body.log(super::logging::level_number(*level), target, text)
        }
    }
}

/// CONNECTION kinds: 1 lost, 2 reconnected, 3 subscription refused,
/// 4 connected, 5 reconnect attempt, 6 subscriptions restored, 7 disconnected.
fn encode_connection(body: &mut Writer, handle: i64, event: &ConnectionEvent) {
    let session = |session_present: bool| ConnectionDetail {
        session_present,
        ..ConnectionDetail::default()
    };
    let session_text = |session_present: bool| {
        if session_present {
            "the broker kept the session"
        } else {
            "with a new session"
        }
    };
    match event {
        ConnectionEvent::ConnectionLost(e) => body.connection(handle, kind::LOST, Some(e), ""),
        ConnectionEvent::Reconnected { session_present } => body.connection_detail(
            handle,
            kind::RECONNECTED,
            None,
            if *session_present {
                "Reconnected; the broker kept the session"
            } else {
                "Reconnected with a new session"
            },
            session(*session_present),
        ),
        ConnectionEvent::SubscriptionRefused(e) => {
            body.connection(handle, kind::SUBSCRIPTION_REFUSED, Some(e), "")
        }
        ConnectionEvent::Connected { session_present } => body.connection_detail(
            handle,
            kind::CONNECTED,
            None,
            &format!("Connected, {}", session_text(*session_present)),
            session(*session_present),
        ),
        ConnectionEvent::ReconnectAttempt { attempt, delay } => body.connection_detail(
            handle,
            kind::RECONNECT_ATTEMPT,
            None,
            &format!("Reconnect attempt {attempt} in {} ms", delay.as_millis()),
            ConnectionDetail {
                session_present: false,
                attempt: *attempt,
                delay: *delay,
            },
        ),
        ConnectionEvent::SubscriptionsRestored => body.connection(
            handle,
            kind::SUBSCRIPTIONS_RESTORED,
            None,
            "Subscriptions restored",
        ),
        ConnectionEvent::Disconnected => {
            body.connection(handle, kind::DISCONNECTED, None, "Disconnected")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A poll timeout no wake-up comes near: returning after it means nobody woke the poller.
    const LONG: Duration = Duration::from_secs(20);

    fn count(batch: &Batch) -> i32 {
        i32::from_be_bytes(batch.bytes[..4].try_into().unwrap())
    }

    #[test]
    fn poll_times_out_empty_and_returns_pushed_events_in_order() {
        let q = EventQueue::default();
        assert!(q.poll(Duration::from_millis(1)).is_none());
        q.push(Event::Completion(1, Ok(0)));
        q.push(Event::End(7));
        let batch = q.poll(Duration::from_millis(1)).expect("two events");
        assert_eq!(count(&batch), 2);
        assert!(batch.ended, "the END event is reported");
        assert!(q.poll(Duration::from_millis(1)).is_none(), "drained");
    }

    #[test]
    fn wake_returns_an_empty_batch_once() {
        let q = EventQueue::default();
        q.wake();
        let batch = q.poll(Duration::from_secs(5)).expect("woken");
        assert_eq!(count(&batch), 0);
        assert!(!batch.ended);
        assert!(
            q.poll(Duration::from_millis(1)).is_none(),
            "the wake is consumed"
        );
    }

    #[test]
    fn wake_from_another_thread_ends_a_blocked_poll() {
        let q = std::sync::Arc::new(EventQueue::default());
        let waker = q.clone();
        let t = std::thread::spawn(move || {
            while waker.pending.lock().unwrap().waiting == 0 {
                std::thread::yield_now();
            }
            waker.wake();
        });
        let started = std::time::Instant::now();
        assert!(q.poll(LONG).is_some());
        assert!(started.elapsed() < LONG, "woken, not timed out");
        t.join().unwrap();
    }

    /// The once-per-wake-up signal is re-armed when the poller returns: a
    /// push after the first wake-up must wake the next wait too.
    #[test]
    fn every_wait_is_woken_by_a_later_push() {
        let q = std::sync::Arc::new(EventQueue::default());
        let pusher = q.clone();
        let t = std::thread::spawn(move || {
            for round in 0..3 {
                // The poller took everything and waits again.
                while {
                    let p = pusher.pending.lock().unwrap();
                    p.waiting == 0 || !p.events.is_empty()
                } {
                    std::thread::yield_now();
                }
                // A burst: only the first push of it needs to signal.
                pusher.push(Event::Completion(round, Ok(0)));
                pusher.push(Event::Completion(round + 100, Ok(0)));
            }
        });
        let mut received = 0;
        while received < 6 {
            let started = std::time::Instant::now();
            let batch = q.poll(LONG).expect("events");
            assert!(
                started.elapsed() < LONG,
                "woken, not timed out, after {received} events"
            );
            received += count(&batch);
        }
        t.join().unwrap();
    }

    #[test]
    fn end_batch_holds_one_end_event() {
        let bytes = end_batch(9);
        assert_eq!(&bytes[..4], &1i32.to_be_bytes());
        assert_eq!(bytes[4], 4, "END type");
    }

    #[test]
    fn lanes_are_known_by_index() {
        assert_eq!(Lane::from_index(0).unwrap(), Lane::Events);
        assert_eq!(Lane::from_index(1).unwrap(), Lane::Published);
        assert!(Lane::from_index(2).is_err());
    }
}
