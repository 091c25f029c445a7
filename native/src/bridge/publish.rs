//! Publishes from Java, completed where it costs the fewest thread wake-ups.
//!
//! - Completed while the caller is still in the engine (a QoS 0 publish
//!   written at once on an idle connection, or a refusal): the outcome is
//!   returned from the native call itself and Java completes the future on
//!   the calling thread — no other thread is woken.
//! - A synchronous publish (`MqttClient.publish`, `Caller.respond`)
//!   completed later by an engine thread (the PUBACK or PUBCOMP read, a
//!   reconnect's resend): the JNI layer's [`Notifier`] hands the outcome
//!   straight to the waiting Java thread, one wake-up. Java's side of a
//!   synchronous request has no dependent actions, so no user code runs on
//!   the engine thread.
//! - An asynchronous publish completed later: the publish lane, whose
//!   thread runs the future's dependent actions (docs/bridge.md).
//!
//! Without a notifier, or when it fails, a synchronous outcome takes the
//! publish lane too; Java completes it from there.

use std::cell::RefCell;
use std::sync::OnceLock;

use super::{push, start_publish, Event, Lane};
use crate::error::Result;
use crate::message::{DeliveryToken, Message};
use crate::protocol::session::Completion;

/// Delivers a synchronous publish's outcome (its message id) to the
/// waiting Java thread, from whatever thread completes it; false when it
/// could not.
pub type Notifier = fn(i64, &Result<u16>) -> bool;

static NOTIFIER: OnceLock<Notifier> = OnceLock::new();

thread_local! {
    /// The publish this thread is making, and its outcome once it completed
    /// before the call returned.
    static INLINE: RefCell<Option<(i64, Option<Result<u16>>)>> = const { RefCell::new(None) };
}

/// Installs the notifier once; later calls keep the first.
pub fn install_notifier(notifier: Notifier) {
    let _ = NOTIFIER.set(notifier);
}

/// Starts a publish: `Some(outcome)` when it completed during the call,
/// None when the notifier (`waiting`) or the publish lane will carry it.
/// `waiting`: the caller blocks until it completes.
pub fn publish(
    handle: i64,
    topic: String,
    message: Message,
    request_id: i64,
    waiting: bool,
) -> Option<Result<u16>> {
    INLINE.with(|slot| *slot.borrow_mut() = Some((request_id, None)));
    let complete = if waiting {
        complete_waited
    } else {
        complete_async
    };
    start_publish(
        handle,
        topic,
        message,
        Completion::Request(complete, request_id),
    );
    INLINE.with(|slot| slot.borrow_mut().take().and_then(|(_, outcome)| outcome))
}

/// The outcome, unless it belongs to the call this thread is making: then
/// it is kept for that call's return.
fn unless_inline(request_id: i64, result: Result<DeliveryToken>) -> Option<Result<u16>> {
    let outcome = result.map(|token| token.message_id);
    INLINE.with(|slot| match &mut *slot.borrow_mut() {
        Some((id, kept @ None)) if *id == request_id => {
            *kept = Some(outcome);
            None
        }
        _ => Some(outcome),
    })
}

fn complete_waited(request_id: i64, result: Result<DeliveryToken>) {
    let Some(outcome) = unless_inline(request_id, result) else {
        return;
    };
    if !NOTIFIER
        .get()
        .is_some_and(|notify| notify(request_id, &outcome))
    {
        push(Lane::Published, Event::Completion(request_id, outcome));
    }
}

fn complete_async(request_id: i64, result: Result<DeliveryToken>) {
    if let Some(outcome) = unless_inline(request_id, result) {
        push(Lane::Published, Event::Completion(request_id, outcome));
    }
}
