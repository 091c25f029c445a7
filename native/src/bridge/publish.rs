//! Synchronous publishes (`MqttClient.publish`): the caller waits for its
//! own publish, so its completion goes straight to it instead of through
//! the publish completions thread.
//!
//! - Completed while the caller is still in the engine (QoS 0 written at
//!   once on an idle connection, or refused): the result is returned from
//!   the call itself — no thread is woken at all.
//! - Completed later by an engine thread (the ack of a QoS 1/2 publish, a
//!   full socket, a reconnect): the JNI layer's [`Notifier`] hands it to the
//!   waiting Java thread directly, one wake-up. Java's side of a
//!   synchronous request has no dependent actions, so no user code runs on
//!   the engine thread.
//!
//! Without a notifier, or when it fails, the result goes on the publish
//! lane like an asynchronous one; Java completes it from there.

use std::cell::RefCell;
use std::sync::OnceLock;

use super::{push, start_publish, Event, Lane};
use crate::error::Result;
use crate::message::DeliveryToken;
use crate::protocol::session::Completion;

/// Delivers a synchronous publish's outcome (its message id) to the
/// waiting Java thread, from whatever thread completes it; false when it
/// could not.
pub type Notifier = fn(i64, &Result<u16>) -> bool;

static NOTIFIER: OnceLock<Notifier> = OnceLock::new();

thread_local! {
    /// The synchronous publish this thread is making, and its outcome once
    /// it completed before the call returned.
    static INLINE: RefCell<Option<(i64, Option<Result<u16>>)>> = const { RefCell::new(None) };
}

/// Installs the notifier once; later calls keep the first.
pub fn install_notifier(notifier: Notifier) {
    let _ = NOTIFIER.set(notifier);
}

/// Starts a synchronous publish: `Some(outcome)` when it completed during
/// the call, None when the notifier (or the publish lane) will carry it.
pub fn publish_sync(
    handle: i64,
    topic: String,
    message: Vec<u8>,
    request_id: i64,
) -> Option<Result<u16>> {
    INLINE.with(|slot| *slot.borrow_mut() = Some((request_id, None)));
    start_publish(
        handle,
        topic,
        message,
        Completion::Request(complete_sync, request_id),
    );
    INLINE.with(|slot| slot.borrow_mut().take().and_then(|(_, outcome)| outcome))
}

fn complete_sync(request_id: i64, result: Result<DeliveryToken>) {
    let outcome = result.map(|token| token.message_id);
    // On the caller's own thread, during its call: keep it for the return.
    let outcome = INLINE.with(|slot| match &mut *slot.borrow_mut() {
        Some((id, kept @ None)) if *id == request_id => {
            *kept = Some(outcome);
            None
        }
        _ => Some(outcome),
    });
    let Some(outcome) = outcome else {
        return;
    };
    if !NOTIFIER
        .get()
        .is_some_and(|notify| notify(request_id, &outcome))
    {
        push(Lane::Published, Event::Completion(request_id, outcome));
    }
}
