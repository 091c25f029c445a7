//! Without a connection: reconnecting with backoff (C4), or waiting for
//! `reconnect`/`close` after a disconnect, while still serving commands.

use tokio::time::sleep_until;

use super::*;

impl EventLoop {
    /// Reconnects with backoff, serving commands in between (C4).
    pub(super) async fn reconnect(&mut self) -> std::result::Result<Link, Ended> {
        let mut attempt = 0u32;
        loop {
            let delay = self.backoff.next_delay();
            attempt = attempt.saturating_add(1);
            self.core(|c| c.protocol.metrics_mut().reconnect_attempts += 1);
            self.emit(ConnectionEvent::ReconnectAttempt { attempt, delay });
            let wake = Instant::now() + delay;
            loop {
                tokio::select! {
                    _ = sleep_until(wake) => break,
                    command = self.commands.recv() => {
                        let Some(command) = command else {
                            let (done, _) = oneshot::channel();
                            return Err(Ended::Closed(done));
                        };
                        if let Some(ended) = self.on_command_offline(command) {
                            return Err(ended);
                        }
                        if self.phase() != Phase::Reconnecting {
                            return self.idle().await;
                        }
                    }
                }
            }
            match self.establish().await {
                Ok(link) => {
                    let session_present = self.core(|c| {
                        c.protocol.metrics_mut().reconnects += 1;
                        c.protocol.session_present()
                    });
                    self.emit(ConnectionEvent::Reconnected { session_present });
                    return Ok(link);
                }
                Err(e) => self.core(|c| c.protocol.metrics_mut().error(&e)),
            }
        }
    }

    /// Disconnected without automatic reconnect: waits for `reconnect` or `close`.
    pub(super) async fn idle(&mut self) -> std::result::Result<Link, Ended> {
        loop {
            let Some(command) = self.commands.recv().await else {
                let (done, _) = oneshot::channel();
                return Err(Ended::Closed(done));
            };
            match command {
                Command::Reconnect(done) => match self.establish().await {
                    Ok(link) => {
                        let session_present = self.core(|c| {
                            c.protocol.metrics_mut().reconnects += 1;
                            c.protocol.session_present()
                        });
                        self.emit(ConnectionEvent::Reconnected { session_present });
                        let _ = done.send(Ok(()));
                        return Ok(link);
                    }
                    Err(e) => {
                        self.core(|c| c.protocol.metrics_mut().error(&e));
                        let _ = done.send(Err(e));
                    }
                },
                other => {
                    if let Some(ended) = self.on_command_offline(other) {
                        return Err(ended);
                    }
                }
            }
        }
    }

    /// Lifecycle commands while there is no connection (the core itself
    /// queues publishes while reconnecting, C5, and refuses what needs a
    /// connection).
    fn on_command_offline(&mut self, command: Command) -> Option<Ended> {
        let reconnecting = self.phase() == Phase::Reconnecting;
        match command {
            Command::Disconnect(_, done) if reconnecting => {
                // Stop trying; what waits fails with a word (C5).
                self.set_phase(Phase::Disconnected);
                self.core(|c| {
                    c.protocol.stop_reconnecting(&MqttError::with_code(
                        ErrorKind::State,
                        "Client disconnected",
                        code::CLIENT_DISCONNECTED,
                    ))
                });
                self.emit(ConnectionEvent::Disconnected);
                let _ = done.send(Ok(()));
            }
            Command::Reconnect(done) if reconnecting => {
                let _ = done.send(Err(MqttError::with_code(
                    ErrorKind::State,
                    "A reconnect is already in progress",
                    code::CONNECT_IN_PROGRESS,
                )));
            }
            Command::Close(done) => return Some(Ended::Closed(done)),
            other => reject(other, MqttError::not_connected()),
        }
        None
    }
}
