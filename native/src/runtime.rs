//! The one tokio runtime of the process, shared by every client and
//! listener: a few worker threads serve any number of connections (no
//! thread per client, none per message).

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Runtime};

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// Worker threads: the machine's cores, at most 4 — the engine spends its
/// time waiting on sockets, and the broker is the bottleneck long before.
fn worker_count() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 4)
}

pub fn runtime() -> &'static Runtime {
    RUNTIME.get_or_init(|| {
        Builder::new_multi_thread()
            .worker_threads(worker_count())
            .thread_name("mqtt-engine")
            .enable_io()
            .enable_time()
            .build()
            .expect("the tokio runtime could not start (out of threads or file descriptors)")
    })
}

/// Starts `future` on the shared runtime.
pub fn spawn<F>(future: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    runtime().spawn(future)
}
