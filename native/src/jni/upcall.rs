//! The one call from engine threads into Java: the completion of a
//! synchronous publish, handed to `Native.publishCompleted`, which completes
//! the future the publishing thread waits on (and nothing else: that future
//! has no dependent actions, so no user code runs here).
//!
//! An engine (tokio) thread attaches itself as a daemon on its first such
//! call and stays attached until it exits (jni-rs detaches it then): one
//! attach per thread, not per message, and a daemon never keeps the JVM
//! alive. docs/bridge.md, "Threads", has the numbers behind this choice.

use std::sync::OnceLock;

use jni::objects::{GlobalRef, JClass, JObject, JStaticMethodID};
use jni::signature::{Primitive, ReturnType};
use jni::sys::jvalue;
use jni::{JNIEnv, JavaVM};

use super::{jni_error, JniResult};
use crate::bridge;
use crate::error::Result;

struct Upcall {
    vm: JavaVM,
    native_class: GlobalRef,
    completed: JStaticMethodID,
}

static UPCALL: OnceLock<Upcall> = OnceLock::new();

/// Resolves `Native.publishCompleted` once, on a Java thread, from the
/// class the JVM passed in: an engine thread's FindClass would search the
/// system class loader, which need not know an application's classes.
pub(super) fn prepare(env: &mut JNIEnv<'_>, native_class: &JClass<'_>) -> JniResult<()> {
    if UPCALL.get().is_some() {
        return Ok(());
    }
    let upcall = Upcall {
        vm: env.get_java_vm().map_err(jni_error)?,
        native_class: env.new_global_ref(native_class).map_err(jni_error)?,
        completed: env
            .get_static_method_id(native_class, "publishCompleted", "(JIILjava/lang/String;)V")
            .map_err(jni_error)?,
    };
    let _ = UPCALL.set(upcall);
    bridge::install_notifier(notify);
    Ok(())
}

/// Hands a synchronous publish's outcome to Java; false when it could not
/// (the bridge then queues it for the publish completions thread).
fn notify(request_id: i64, outcome: &Result<u16>) -> bool {
    let Some(upcall) = UPCALL.get() else {
        return false;
    };
    let mut env = match upcall.vm.attach_current_thread_as_daemon() {
        Ok(env) => env,
        Err(e) => {
            log::warn!("mqtt engine: cannot attach to the JVM to complete a publish: {e}");
            return false;
        }
    };
    // A frame: this thread never returns to Java, so local references made
    // here would otherwise live as long as the thread.
    let called = env.with_local_frame(2, |env| -> jni::errors::Result<()> {
        let (message_id, code, error) = match outcome {
            Ok(id) => (i32::from(*id), -1, JObject::null()),
            Err(e) => (
                -1,
                e.reason_code().unwrap_or(-1),
                JObject::from(env.new_string(e.message())?),
            ),
        };
        let class: &JClass<'_> = upcall.native_class.as_obj().into();
        let args = [
            jvalue { j: request_id },
            jvalue { i: message_id },
            jvalue { i: code },
            jvalue { l: error.as_raw() },
        ];
        // SAFETY: the method id was resolved on this class with the
        // signature (JIILjava/lang/String;)V, which `args` follows.
        unsafe {
            env.call_static_method_unchecked(
                class,
                upcall.completed,
                ReturnType::Primitive(Primitive::Void),
                &args,
            )
        }?;
        Ok(())
    });
    if env.exception_check().unwrap_or(false) {
        let _ = env.exception_clear();
    }
    match called {
        Ok(()) => true,
        Err(e) => {
            log::warn!("mqtt engine: completing a publish in Java failed: {e}");
            false
        }
    }
}
