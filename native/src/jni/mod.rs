//! The JNI exports of `io.ballerina.lib.mqtt.engine.Native` — the only
//! module that imports the `jni` crate (docs/bridge.md).
//!
//! Every export goes through [`guard`]: it catches panics (an unwinding
//! panic out of an `extern "system"` function aborts the JVM since Rust
//! 1.81) and turns every error into one Java exception type,
//! `MqttException`. `upcall` is the one call from engine threads into
//! Java (a synchronous publish's completion). Nothing here blocks except `poll` (Java's event pump and
//! publish completions threads) and `pollDispatch` (listener dispatch threads).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use jni::objects::{JByteArray, JClass, JObjectArray, JString, JThrowable, JValue};
use jni::sys::{jboolean, jbyteArray, jint, jlong, JNI_FALSE, JNI_TRUE};
use jni::JNIEnv;

use crate::bridge;
use crate::error::MqttError;
use crate::message::Message;
use crate::wire;

mod upcall;

const EXCEPTION_CLASS: &str = "io/ballerina/lib/mqtt/engine/MqttException";

type JniResult<T> = std::result::Result<T, MqttError>;

fn jni_error(e: jni::errors::Error) -> MqttError {
    MqttError::invalid(format!("JNI call failed: {e}"))
}

/// Runs `body`, turning an error or a panic into a thrown `MqttException`
/// (with the error's reason code when it has one).
fn guard<'local, T>(
    env: &mut JNIEnv<'local>,
    fallback: T,
    body: impl FnOnce(&mut JNIEnv<'local>) -> JniResult<T>,
) -> T {
    let outcome = catch_unwind(AssertUnwindSafe(|| body(env)));
    let (message, code) = match outcome {
        Ok(Ok(value)) => return value,
        Ok(Err(error)) => (error.message().to_string(), error.reason_code()),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            (format!("Internal error in the MQTT engine: {what}"), None)
        }
    };
    // A pending Java exception (e.g. from a failed JNI call) is left as it is.
    if !env.exception_check().unwrap_or(true) {
        throw(env, message, code);
    }
    fallback
}

fn throw(env: &mut JNIEnv<'_>, message: String, code: Option<i32>) {
    let with_code = |env: &mut JNIEnv<'_>, code: i32| -> jni::errors::Result<()> {
        let text = env.new_string(&message)?;
        let exception = env.new_object(
            EXCEPTION_CLASS,
            "(Ljava/lang/String;I)V",
            &[JValue::Object(&text), JValue::Int(code)],
        )?;
        env.throw(JThrowable::from(exception))
    };
    let thrown = match code {
        Some(code) => with_code(env, code),
        None => env.throw_new(EXCEPTION_CLASS, &message),
    };
    if thrown.is_err() && !env.exception_check().unwrap_or(true) {
        let _ = env.throw_new(EXCEPTION_CLASS, &message);
    }
}

fn bytes(env: &mut JNIEnv<'_>, array: &JByteArray<'_>, what: &str) -> JniResult<Vec<u8>> {
    if array.is_null() {
        return Err(MqttError::invalid(format!("{what} must not be null")));
    }
    env.convert_byte_array(array).map_err(jni_error)
}

fn string(env: &mut JNIEnv<'_>, value: &JString<'_>, what: &str) -> JniResult<String> {
    if value.is_null() {
        return Err(MqttError::invalid(format!("{what} must not be null")));
    }
    // `get_string` looks up java.lang.String (FindClass) on every call to
    // check the type, about 1 µs; the native method's declared parameter
    // type already guarantees it.
    // SAFETY: `value` is a non-null reference passed for a `String` parameter.
    let java = unsafe { env.get_string_unchecked(value) }.map_err(jni_error)?;
    // jni's own conversion replaces what is not valid (an unpaired UTF-16
    // surrogate) with U+FFFD; a topic changed silently would go elsewhere.
    cesu8::from_java_cesu8(java.to_bytes())
        .map(|s| s.into_owned())
        .map_err(|_| {
            MqttError::invalid(format!(
                "{what} is not valid Unicode (an unpaired UTF-16 surrogate)"
            ))
        })
}

#[no_mangle]
pub extern "system" fn Java_io_ballerina_lib_mqtt_engine_Native_connect<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    options: JByteArray<'local>,
    kind: jint,
    subscriptions: JByteArray<'local>,
    request_id: jlong,
) -> jlong {
    guard(&mut env, 0, |env| {
        let options = bytes(env, &options, "options")?;
        let listener = kind == 1;
        let subscriptions = if listener {
            bytes(env, &subscriptions, "subscriptions")?
        } else {
            Vec::new()
        };
        bridge::connect(&options, listener, &subscriptions, request_id)
    })
}

/// A publish's arguments as Java passes them (`Native.publish`): the topic
/// as UTF-8 (Java checked it is well-formed, and this skips the JVM's
/// modified-UTF-8 copy that a String argument costs), the payload array
/// itself (copied once, here, and never again before the socket), the QoS,
/// the RETAIN flag and the encoded properties or null.
struct PublishArgs<'local> {
    handle: jlong,
    topic: JByteArray<'local>,
    payload: JByteArray<'local>,
    qos: jint,
    retained: jboolean,
    properties: JByteArray<'local>,
    request_id: jlong,
}

fn publish_message(env: &mut JNIEnv<'_>, args: &PublishArgs<'_>) -> JniResult<(String, Message)> {
    let topic = String::from_utf8(bytes(env, &args.topic, "topic")?)
        .map_err(|_| MqttError::invalid("topic is not valid UTF-8"))?;
    let payload = bytes(env, &args.payload, "Message payload")?;
    let properties = if args.properties.is_null() {
        None
    } else {
        Some(bytes(env, &args.properties, "message properties")?)
    };
    let message = wire::publish_message(
        payload,
        args.qos,
        args.retained != JNI_FALSE,
        properties.as_deref(),
    )?;
    Ok((topic, message))
}

/// A publish: the message id when it completed during the call, -1 when its
/// outcome comes later; a failure during the call is thrown. `waiting`:
/// the caller blocks for it (`publishSync`), so a later outcome comes
/// through `Native.publishCompleted`; else on the publish lane.
fn publish<'local>(
    env: &mut JNIEnv<'local>,
    class: &JClass<'local>,
    args: PublishArgs<'local>,
    waiting: bool,
) -> jlong {
    guard(env, -1, |env| {
        if waiting {
            upcall::prepare(env, class)?;
        }
        let (topic, message) = publish_message(env, &args)?;
        match bridge::publish(args.handle, topic, message, args.request_id, waiting) {
            None => Ok(-1),
            Some(outcome) => outcome.map(jlong::from),
        }
    })
}

#[no_mangle]
#[allow(clippy::too_many_arguments)] // one per Java parameter
pub extern "system" fn Java_io_ballerina_lib_mqtt_engine_Native_publish<'local>(
    mut env: JNIEnv<'local>,
    class: JClass<'local>,
    handle: jlong,
    topic: JByteArray<'local>,
    payload: JByteArray<'local>,
    qos: jint,
    retained: jboolean,
    properties: JByteArray<'local>,
    request_id: jlong,
) -> jlong {
    let args = PublishArgs {
        handle,
        topic,
        payload,
        qos,
        retained,
        properties,
        request_id,
    };
    publish(&mut env, &class, args, false)
}

#[no_mangle]
#[allow(clippy::too_many_arguments)] // one per Java parameter
pub extern "system" fn Java_io_ballerina_lib_mqtt_engine_Native_publishSync<'local>(
    mut env: JNIEnv<'local>,
    class: JClass<'local>,
    handle: jlong,
    topic: JByteArray<'local>,
    payload: JByteArray<'local>,
    qos: jint,
    retained: jboolean,
    properties: JByteArray<'local>,
    request_id: jlong,
) -> jlong {
    let args = PublishArgs {
        handle,
        topic,
        payload,
        qos,
        retained,
        properties,
        request_id,
    };
    publish(&mut env, &class, args, true)
}

#[no_mangle]
pub extern "system" fn Java_io_ballerina_lib_mqtt_engine_Native_subscribe<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    subscriptions: JByteArray<'local>,
    request_id: jlong,
) {
    guard(&mut env, (), |env| {
        let subscriptions = bytes(env, &subscriptions, "subscriptions")?;
        bridge::subscribe(handle, &subscriptions, request_id);
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_io_ballerina_lib_mqtt_engine_Native_unsubscribe<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    filters: JObjectArray<'local>,
    request_id: jlong,
) {
    guard(&mut env, (), |env| {
        if filters.is_null() {
            return Err(MqttError::invalid("filters must not be null"));
        }
        let count = env.get_array_length(&filters).map_err(jni_error)?;
        let mut list = Vec::with_capacity(count as usize);
        for i in 0..count {
            let element = env
                .get_object_array_element(&filters, i)
                .map_err(jni_error)?;
            let filter = string(env, &JString::from(element), "filter")?;
            list.push(filter);
        }
        bridge::unsubscribe(handle, list, request_id);
        Ok(())
    })
}

/// Exports the calls whose arguments are plain numbers and which return
/// nothing: each one is a bridge call behind the guard.
macro_rules! void_exports {
    ($($name:ident($($arg:ident: $ty:ty),*) => $call:expr;)*) => {$(
        #[no_mangle]
        pub extern "system" fn $name<'local>(
            mut env: JNIEnv<'local>,
            _class: JClass<'local>,
            $($arg: $ty),*
        ) {
            guard(&mut env, (), |_| {
                $call;
                Ok(())
            })
        }
    )*};
}

void_exports! {
    Java_io_ballerina_lib_mqtt_engine_Native_disconnect(handle: jlong, request_id: jlong) => bridge::disconnect(handle, request_id);
    Java_io_ballerina_lib_mqtt_engine_Native_reconnect(handle: jlong, request_id: jlong) => bridge::reconnect(handle, request_id);
    Java_io_ballerina_lib_mqtt_engine_Native_disconnectWithin(handle: jlong, wait_millis: jlong, request_id: jlong) =>
        bridge::disconnect_within(handle, Duration::from_millis(wait_millis.max(0) as u64), request_id);
    Java_io_ballerina_lib_mqtt_engine_Native_close(handle: jlong, request_id: jlong) => bridge::close(handle, request_id);
    Java_io_ballerina_lib_mqtt_engine_Native_start(handle: jlong, request_id: jlong) => bridge::start(handle, request_id);
    Java_io_ballerina_lib_mqtt_engine_Native_detach(handle: jlong, request_id: jlong) => bridge::detach(handle, request_id);
    Java_io_ballerina_lib_mqtt_engine_Native_release(handle: jlong) => bridge::release(handle);
    Java_io_ballerina_lib_mqtt_engine_Native_stop(handle: jlong, graceful: jboolean, request_id: jlong) =>
        bridge::stop(handle, graceful == JNI_TRUE, request_id);
    Java_io_ballerina_lib_mqtt_engine_Native_ack(handle: jlong, ack_epoch: jlong, ack_seq: jlong, credit: jint) =>
        bridge::ack(handle, ack_epoch, ack_seq, credit);
    Java_io_ballerina_lib_mqtt_engine_Native_credit(handle: jlong, n: jint) => bridge::credit(handle, n);
    Java_io_ballerina_lib_mqtt_engine_Native_wakeDispatch(handle: jlong) => bridge::wake_dispatch(handle);
    Java_io_ballerina_lib_mqtt_engine_Native_endDispatch(handle: jlong) => bridge::end_dispatch(handle);
}

/// Sends the engine's log records from `level` (1 error … 5 trace) on to
/// Java's event pump, which logs them through `System.Logger`; 0 turns
/// them off.
#[no_mangle]
pub extern "system" fn Java_io_ballerina_lib_mqtt_engine_Native_logLevel<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    level: jint,
) {
    guard(&mut env, (), |_| {
        bridge::log_to_java(level);
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_io_ballerina_lib_mqtt_engine_Native_status<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jint {
    guard(&mut env, 4, |_| Ok(bridge::status(handle)))
}

fn timeout(millis: jlong) -> Duration {
    Duration::from_millis(millis.clamp(0, 60_000) as u64)
}

/// A batch as a new Java byte[], or null when none came.
fn batch_array(env: &mut JNIEnv<'_>, batch: Option<Vec<u8>>) -> JniResult<jbyteArray> {
    match batch {
        None => Ok(std::ptr::null_mut()),
        Some(batch) => Ok(env
            .byte_array_from_slice(&batch)
            .map_err(jni_error)?
            .into_raw()),
    }
}

#[no_mangle]
pub extern "system" fn Java_io_ballerina_lib_mqtt_engine_Native_poll<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    lane: jint,
    timeout_millis: jlong,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let lane = bridge::Lane::from_index(lane)?;
        let batch = bridge::poll(lane, timeout(timeout_millis));
        batch_array(env, batch)
    })
}

#[no_mangle]
pub extern "system" fn Java_io_ballerina_lib_mqtt_engine_Native_pollDispatch<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    timeout_millis: jlong,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let batch = bridge::poll_dispatch(handle, timeout(timeout_millis));
        batch_array(env, batch)
    })
}

#[no_mangle]
pub extern "system" fn Java_io_ballerina_lib_mqtt_engine_Native_metrics<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        batch_array(env, bridge::metrics(handle))
    })
}
