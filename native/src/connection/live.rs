//! The connected state: the task's side of one live connection until it ends.

use tokio::time::sleep_until;

use super::*;

/// What woke the connected loop.
enum Wake {
    Command(Option<Command>),
    Room(Option<mpsc::OwnedPermit<Queued>>),
    Read(io::Result<usize>),
    /// A handle left output it could not write.
    Output,
    /// A deadline (keep-alive, disconnect) or an early, lazy wake-up.
    Timer,
}

impl EventLoop {
    /// Serves one live connection until it ends.
    pub(super) async fn serve(&mut self, mut link: Link) -> Ended {
        // The broker may send packets right behind CONNACK (a resumed
        // session's PUBRELs and PUBLISHes), read with it: take them now, or
        // they wait for the next read, which may never come.
        if let Err(ending) = self.parse_read(&mut link) {
            return self.end(link, ending).await;
        }
        // One timer for the keep-alive and the disconnect deadlines, moved
        // lazily: re-arming it on every write costs a timer-wheel update per
        // message, so it may fire early, and then only re-arms (a deadline
        // that moves earlier — a PINGREQ sent, a disconnect begun — re-arms
        // it at once).
        let keep_alive = self.core(|c| c.protocol.keep_alive());
        let timer = sleep_until(Instant::now() + keep_alive.max(Duration::from_secs(1)));
        tokio::pin!(timer);
        loop {
            if let Err(ending) = self.handle_backlog(&mut link) {
                return self.end(link, ending).await;
            }
            if let Err(e) = self.flush(&mut link).await {
                return Ended::Lost(Ending::lost(e));
            }
            if let Some(ended) = self.check_disconnect(&mut link).await {
                return ended;
            }
            let disconnect_at = link.disconnecting.as_ref().map(|(at, _)| *at);
            let due = match (self.core(|c| c.protocol.next_timer()), disconnect_at) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if let Some(due) = due {
                if due < timer.deadline() {
                    timer.as_mut().reset(due);
                }
            }
            let reading = self.stalled.is_none() && link.backlog.is_empty();
            let wake = tokio::select! {
                command = self.commands.recv() => Wake::Command(command),
                _ = self.shared.wake.notified() => Wake::Output,
                permit = self.inbox.deliveries.clone().reserve_owned(), if self.stalled.is_some() => Wake::Room(permit.ok()),
                read = link.stream.read_into(&mut link.read_buf), if reading => Wake::Read(read),
                _ = &mut timer, if due.is_some() => Wake::Timer,
            };
            match wake {
                Wake::Command(None) => {
                    // Every handle is gone: leave quietly.
                    link.stream.shutdown().await;
                    let (done, _) = oneshot::channel();
                    return Ended::Closed(done);
                }
                Wake::Command(Some(command)) => {
                    if let Some(ended) = self.on_command(command, &mut link) {
                        return self.close_with(link, ended).await;
                    }
                }
                Wake::Output => {
                    // What the broker has already sent (acks of earlier
                    // publishes) is answered in the same write.
                    if self.stalled.is_none() {
                        if let Err(ending) = self.read_now(&mut link) {
                            return self.end(link, ending).await;
                        }
                    }
                }
                Wake::Room(None) => return Ended::Lost(Ending::ours(MqttError::closed())),
                Wake::Room(Some(permit)) => {
                    let delivery = self
                        .stalled
                        .take()
                        .expect("guarded by the branch condition");
                    let ack = delivery.ack;
                    permit.send(delivery);
                    self.acked_on_enqueue(ack);
                }
                Wake::Read(Ok(0)) => {
                    return Ended::Lost(Ending::lost(MqttError::connection_lost(
                        "the broker closed the connection",
                    )))
                }
                Wake::Read(Err(e)) => {
                    return Ended::Lost(Ending::lost(MqttError::connection_lost(e)))
                }
                Wake::Read(Ok(_)) => {
                    if let Err(ending) = self.parse_read(&mut link) {
                        return self.end(link, ending).await;
                    }
                }
                Wake::Timer => {
                    let now = Instant::now();
                    if disconnect_at.is_some_and(|at| at <= now) {
                        // check_disconnect ends the connection at the top of the loop.
                    } else if let Err(ending) = self.core(|c| c.protocol.on_timer(now)) {
                        return Ended::Lost(ending);
                    } else if let Some(next) = self.core(|c| c.protocol.next_timer()) {
                        // Fired early, or a PINGREQ went out: look again then.
                        timer.as_mut().reset(next);
                    }
                }
            }
        }
    }

    /// Hands parsed packets to the core while the receive buffer has room.
    fn handle_backlog(&mut self, link: &mut Link) -> std::result::Result<(), Ending> {
        while self.stalled.is_none() {
            let Some(packet) = link.backlog.pop_front() else {
                break;
            };
            if let Some(delivery) = self.core(|c| c.protocol.handle(packet))? {
                let ack = delivery.ack;
                match self.inbox.deliveries.try_send(Box::new(delivery)) {
                    Ok(()) => self.acked_on_enqueue(ack),
                    Err(mpsc::error::TrySendError::Full(delivery)) => self.stalled = Some(delivery),
                    Err(mpsc::error::TrySendError::Closed(_)) => {} // nobody listens any more
                }
            }
        }
        Ok(())
    }

    /// The core ended the connection: its DISCONNECT (if any) goes out first.
    async fn end(&mut self, mut link: Link, ending: Ending) -> Ended {
        self.write_best_effort(&mut link.stream).await;
        Ended::Lost(ending)
    }

    /// A command ended the connection (close): write what is due, then go.
    async fn close_with(&mut self, mut link: Link, ended: Ended) -> Ended {
        let _ = self.flush(&mut link).await;
        link.stream.shutdown().await;
        ended
    }

    /// The client's stream acks a message once it is buffered (R1).
    pub(super) fn acked_on_enqueue(&mut self, ack: Option<crate::protocol::session::AckId>) {
        if let (true, Some(id)) = (self.inbox.ack_on_enqueue, ack) {
            self.core(|c| c.protocol.ack(id));
        }
    }

    /// Finishes a requested disconnect once nothing is in flight or time is up (C7).
    async fn check_disconnect(&mut self, link: &mut Link) -> Option<Ended> {
        let (deadline, _) = link.disconnecting.as_ref()?;
        let deadline = *deadline;
        if self.core(|c| c.protocol.pending_count()) > 0 && Instant::now() < deadline {
            return None;
        }
        let (_, done) = link.disconnecting.take().expect("checked above");
        self.core(|c| {
            // Nothing more from the handles goes out on this connection.
            c.direct = None;
            c.protocol.disconnect();
        });
        let result = self.flush(link).await;
        link.stream.shutdown().await;
        Some(Ended::Disconnected(done, result))
    }

    fn on_command(&mut self, command: Command, link: &mut Link) -> Option<Ended> {
        match command {
            Command::Disconnect(wait, done) => {
                if link.disconnecting.is_some() {
                    let _ = done.send(Err(MqttError::with_code(
                        ErrorKind::State,
                        "A disconnect is already in progress",
                        code::CLIENT_DISCONNECTED,
                    )));
                } else {
                    link.disconnecting = Some((Instant::now() + wait, done));
                }
            }
            Command::Reconnect(done) => {
                let _ = done.send(Err(MqttError::with_code(
                    ErrorKind::State,
                    "Client is connected",
                    code::CLIENT_CONNECTED,
                )));
            }
            Command::Close(done) => {
                // The handle refuses close while connected (C7); a close that
                // still arrives here (handle dropped) leaves without a word.
                self.core(|c| {
                    c.direct = None;
                    c.protocol.disconnect();
                });
                return Some(Ended::Closed(done));
            }
        }
        None
    }

    /// Writes what the core has queued. On plain TCP the task writes the
    /// way handles do, waiting only for room; other streams take the batch
    /// and write it whole while handles queue more.
    async fn flush(&mut self, link: &mut Link) -> Result<()> {
        match &mut link.stream {
            Stream::Tcp(tcp) => loop {
                // The link's own socket: handles lose theirs once a
                // disconnect begins, the task still writes the DISCONNECT.
                match self.core(|c| write_to(&mut c.protocol, &tcp.write)) {
                    Written::All => return Ok(()),
                    Written::Rest => tcp
                        .write
                        .writable()
                        .await
                        .map_err(MqttError::connection_lost)?,
                    Written::Failed(e) => return Err(MqttError::connection_lost(e)),
                }
            },
            Stream::Other(_) => {
                if !self.core(|c| c.protocol.has_output()) {
                    return Ok(());
                }
                let output = self.core(|c| c.protocol.take_output());
                let result = link
                    .stream
                    .write_all(&output.bytes)
                    .await
                    .map_err(MqttError::connection_lost);
                self.core(|c| c.protocol.wrote(output, &result, Instant::now()));
                result
            }
        }
    }

    /// Parses the complete packets in the read buffer into the backlog.
    fn parse_read(&mut self, link: &mut Link) -> std::result::Result<(), Ending> {
        while let Some(packet) = self.core(|c| c.protocol.read_packet(&mut link.read_buf))? {
            link.backlog.push_back(packet);
        }
        crate::transport::release_if_empty(&mut link.read_buf);
        Ok(())
    }

    /// Reads what the socket already holds, without waiting.
    fn read_now(&mut self, link: &mut Link) -> std::result::Result<(), Ending> {
        match link.stream.read_ready(&mut link.read_buf) {
            None => Ok(()),
            Some(Ok(0)) => Err(Ending::lost(MqttError::connection_lost(
                "the broker closed the connection",
            ))),
            Some(Ok(_)) => self.parse_read(link),
            Some(Err(e)) => Err(Ending::lost(MqttError::connection_lost(e))),
        }
    }
}
