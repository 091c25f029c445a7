//! The connected state: serving one live connection until it ends.

use super::*;
use futures_util::FutureExt;

impl EventLoop {
    /// Serves one live connection until it ends.
    pub(super) async fn serve(&mut self, mut link: Link) -> Ended {
        let max_in = self.options.max_incoming_packet_size;
        // The broker may send packets right behind CONNACK (a resumed
        // session's PUBRELs and PUBLISHes), read with it: take them now, or
        // they wait for the next read, which may never come.
        if let Err(ended) = parse_read(&mut link, max_in) {
            return ended;
        }
        // One timer for the keep-alive and the disconnect deadlines, moved
        // lazily: re-arming it on every write costs a timer-wheel update per
        // message, so it may fire early, and then only re-arms (a deadline
        // that moves earlier — a PINGREQ sent, a disconnect begun — re-arms
        // it at once).
        let timer = sleep_until(Instant::now() + self.keep_alive.max(Duration::from_secs(1)));
        tokio::pin!(timer);
        loop {
            // Packets parsed and not yet handled (left by the last read, or
            // waiting for room in the receive buffer).
            while self.stalled.is_none() {
                let Some(packet) = link.backlog.pop_front() else {
                    break;
                };
                match self.on_packet(packet, &mut link) {
                    Ok(Some(delivery)) => {
                        let ack = delivery.ack;
                        match self.inbox.deliveries.try_send(delivery) {
                            Ok(()) => self.acked_on_enqueue(ack, &mut link),
                            Err(mpsc::error::TrySendError::Full(delivery)) => {
                                self.stalled = Some(delivery)
                            }
                            Err(mpsc::error::TrySendError::Closed(_)) => {} // nobody listens any more
                        }
                    }
                    Ok(None) => {}
                    Err(ended) => return ended,
                }
            }
            if let Err(e) = self.flush(&mut link).await {
                return Ended::Lost(e);
            }
            if let Some(ended) = self.check_disconnect(&mut link).await {
                return ended;
            }
            let keep_alive_at = self.keep_alive_deadline(&link);
            let disconnect_at = link.disconnecting.as_ref().map(|(at, _)| *at);
            let due = match (keep_alive_at, disconnect_at) {
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
                permit = self.inbox.deliveries.clone().reserve_owned(), if self.stalled.is_some() => Wake::Room(permit.ok()),
                read = link.io.read_buf(&mut link.read_buf), if reading => Wake::Read(read),
                _ = &mut timer, if due.is_some() => Wake::Timer,
            };
            match wake {
                Wake::Command(None) => {
                    // Every handle is gone: leave quietly.
                    let _ = link.io.shutdown().await;
                    let (done, _) = oneshot::channel();
                    return Ended::Closed(done);
                }
                Wake::Command(Some(command)) => {
                    if let Some(ended) = self.take_commands(Some(command), &mut link) {
                        let _ = self.flush(&mut link).await;
                        let _ = link.io.shutdown().await;
                        return ended;
                    }
                    // What the broker has already sent (acks of earlier
                    // publishes) is answered in the same write.
                    if self.stalled.is_none() {
                        if let Err(ended) = read_now(&mut link, max_in) {
                            return ended;
                        }
                    }
                }
                Wake::Room(None) => return Ended::Lost(MqttError::closed()),
                Wake::Room(Some(permit)) => {
                    let delivery = self
                        .stalled
                        .take()
                        .expect("guarded by the branch condition");
                    let ack = delivery.ack;
                    permit.send(delivery);
                    self.acked_on_enqueue(ack, &mut link);
                }
                Wake::Read(Ok(0)) => {
                    return Ended::Lost(MqttError::connection_lost(
                        "the broker closed the connection",
                    ))
                }
                Wake::Read(Err(e)) => return Ended::Lost(MqttError::connection_lost(e)),
                Wake::Read(Ok(_)) => {
                    if let Err(ended) = parse_read(&mut link, max_in) {
                        return ended;
                    }
                    // Publishes queued meanwhile go out in the same write
                    // as the answers to what was read.
                    if let Some(ended) = self.take_commands(None, &mut link) {
                        let _ = self.flush(&mut link).await;
                        let _ = link.io.shutdown().await;
                        return ended;
                    }
                }
                Wake::Timer => {
                    let now = Instant::now();
                    if disconnect_at.is_some_and(|at| at <= now) {
                        // check_disconnect ends the connection at the top of the loop.
                    } else if keep_alive_at.is_some_and(|at| at <= now) {
                        if link.ping_sent.is_some() {
                            return Ended::Lost(MqttError::connection_lost(format!(
                                "no PINGRESP within {:?} (keep-alive {:?})",
                                self.keep_alive / 2,
                                self.keep_alive
                            )));
                        }
                        link.ping_sent = Some(now);
                        self.encode(&Packet::PingReq(PingReq), &mut link);
                    } else if let Some(due) = due {
                        // Fired early: the deadline moved later meanwhile.
                        timer.as_mut().reset(due);
                    }
                }
            }
        }
    }

    /// Handles `first` and what else is queued (at most 256 more), so one
    /// write carries many packets; stops at a command that ends the link.
    fn take_commands(&mut self, first: Option<Command>, link: &mut Link) -> Option<Ended> {
        if let Some(command) = first {
            if let Some(ended) = self.on_command(command, link) {
                return Some(ended);
            }
        }
        for _ in 0..256 {
            let Ok(command) = self.commands.try_recv() else {
                break;
            };
            if let Some(ended) = self.on_command(command, link) {
                return Some(ended);
            }
        }
        None
    }

    pub(super) fn keep_alive_deadline(&self, link: &Link) -> Option<Instant> {
        if self.keep_alive.is_zero() {
            return None;
        }
        Some(match link.ping_sent {
            // Half-open connections are found within 1.5 x keep-alive.
            Some(sent) => sent + self.keep_alive / 2,
            None => link.last_write + self.keep_alive,
        })
    }

    /// The client's stream acks a message once it is buffered (R1).
    pub(super) fn acked_on_enqueue(&mut self, ack: Option<AckId>, link: &mut Link) {
        if let (true, Some(id)) = (self.inbox.ack_on_enqueue, ack) {
            let mut out = Vec::new();
            self.state.ack(id, &mut out);
            self.encode_all(out, link);
        }
    }

    /// Finishes a requested disconnect once nothing is in flight or time is up (C7).
    pub(super) async fn check_disconnect(&mut self, link: &mut Link) -> Option<Ended> {
        let (deadline, _) = link.disconnecting.as_ref()?;
        if self.state.pending_count() > 0 && Instant::now() < *deadline {
            return None;
        }
        let (_, done) = link.disconnecting.take().expect("checked above");
        self.encode(&codec::disconnect_packet(), link);
        let result = match self.flush(link).await {
            Ok(()) => Ok(()),
            Err(e) => Err(e),
        };
        let _ = link.io.shutdown().await;
        Some(Ended::Disconnected(done, result))
    }

    pub(super) fn on_command(&mut self, command: Command, link: &mut Link) -> Option<Ended> {
        match command {
            Command::Publish(pending) => {
                if let Some(error) = self.too_large(&pending) {
                    pending.done.complete(Err(error));
                    return None;
                }
                if let Err((done, result)) = self.state.enqueue(*pending) {
                    done.complete(result);
                }
                let mut out = Vec::new();
                self.state.take_sendable(&mut out);
                self.encode_all(out, link);
            }
            Command::Subscribe(subscriptions, done) => {
                let mut out = Vec::new();
                self.send_subscribe(subscriptions, Some(done), &mut out);
                self.encode_all(out, link);
            }
            Command::Unsubscribe(filters, done) => {
                let pkid = self.state.reserve_pkid();
                let mut unsubscribe = Unsubscribe::new(filters[0].clone(), None);
                unsubscribe.filters = filters.clone();
                unsubscribe.pkid = pkid;
                self.unsub_requests
                    .insert(pkid, UnsubRequest { filters, done });
                self.encode(&Packet::Unsubscribe(unsubscribe), link);
            }
            Command::Ack(id) => {
                let mut out = Vec::new();
                self.state.ack(id, &mut out);
                self.encode_all(out, link);
            }
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
                self.encode(&codec::disconnect_packet(), link);
                return Some(Ended::Closed(done));
            }
        }
        None
    }

    pub(super) fn too_large(&self, pending: &PendingPublish) -> Option<MqttError> {
        let max = self.broker_max_packet?;
        // The packet id (2 bytes) is only set when the publish is sent.
        let id_bytes = if pending.publish.qos == WireQoS::AtMostOnce {
            0
        } else {
            2
        };
        let size = pending.publish.size() + id_bytes;
        (size > max as usize).then(|| {
            MqttError::invalid(format!(
                "Message to '{}' is {size} bytes as a packet; the broker's Maximum Packet Size is {max}",
                pending.topic
            ))
        })
    }

    pub(super) fn send_subscribe(
        &mut self,
        subscriptions: Vec<Subscription>,
        done: Option<oneshot::Sender<Result<()>>>,
        out: &mut Vec<Outbound>,
    ) {
        let pkid = self.state.reserve_pkid();
        let filters = subscriptions.iter().map(codec::to_filter).collect();
        let subscribe = Subscribe {
            pkid,
            filters,
            properties: None,
        };
        self.sub_requests.insert(
            pkid,
            SubRequest {
                subscriptions,
                done,
            },
        );
        out.push(Outbound {
            packet: Packet::Subscribe(subscribe),
            on_written: None,
        });
    }

    /// Handles one packet from the broker; a publish for the application is returned.
    pub(super) fn on_packet(
        &mut self,
        packet: Packet,
        link: &mut Link,
    ) -> std::result::Result<Option<Delivery>, Ended> {
        let mut out = Vec::new();
        let mut delivery = None;
        match packet {
            Packet::Publish(publish) => match self.state.handle_publish(&publish) {
                IncomingAction::Deliver(ack) => match codec::from_publish(publish) {
                    Ok(message) => delivery = Some(Delivery { message, ack }),
                    Err(e) => return Err(Ended::Lost(e)),
                },
                IncomingAction::Duplicate(reply) => {
                    if let Some(packet) = reply {
                        out.push(Outbound {
                            packet: *packet,
                            on_written: None,
                        });
                    }
                }
            },
            Packet::PubAck(ack) => {
                if let Some(finished) = self.state.handle_puback(&ack) {
                    complete(vec![finished]);
                }
                self.state.take_sendable(&mut out);
            }
            Packet::PubRec(rec) => {
                let (reply, finished) = self.state.handle_pubrec(&rec);
                if let Some(packet) = reply {
                    out.push(Outbound {
                        packet,
                        on_written: None,
                    });
                }
                complete(finished.into_iter().collect());
                self.state.take_sendable(&mut out);
            }
            Packet::PubComp(comp) => {
                if let Some(finished) = self.state.handle_pubcomp(&comp) {
                    complete(vec![finished]);
                }
                self.state.take_sendable(&mut out);
            }
            Packet::PubRel(rel) => {
                let packet = self.state.handle_pubrel(&rel);
                out.push(Outbound {
                    packet,
                    on_written: None,
                });
            }
            Packet::SubAck(ack) => self.on_suback(ack),
            Packet::UnsubAck(ack) => self.on_unsuback(ack),
            Packet::PingResp(_) => link.ping_sent = None,
            Packet::Disconnect(disconnect) => {
                let reason = disconnect.reason_code as u8;
                let text = disconnect
                    .properties
                    .as_ref()
                    .and_then(|p| p.reason_string.clone());
                let described =
                    MqttError::broker("The broker closed the connection", reason, text.as_deref());
                // Keep the broker's reason code when it is an error (E2).
                let code = if reason >= 0x80 {
                    i32::from(reason)
                } else {
                    code::CONNECTION_LOST
                };
                return Err(Ended::Lost(MqttError::with_code(
                    ErrorKind::Broker,
                    described.message(),
                    code,
                )));
            }
            other => {
                return Err(Ended::Lost(MqttError::connection_lost(format!(
                    "unexpected packet from the broker: {other:?}"
                ))))
            }
        }
        self.encode_all(out, link);
        Ok(delivery)
    }

    pub(super) fn on_suback(&mut self, ack: SubAck) {
        self.state.release_pkid(ack.pkid);
        let Some(request) = self.sub_requests.remove(&ack.pkid) else {
            return;
        };
        let mut refused = Vec::new();
        for (subscription, code) in request
            .subscriptions
            .into_iter()
            .zip(ack.return_codes.iter())
        {
            match code {
                SubscribeReasonCode::Success(_) => {
                    self.subscriptions
                        .insert(subscription.topic.clone(), subscription);
                }
                failure => refused.push((subscription.topic, suback_code(*failure))),
            }
        }
        let result = match refused.first() {
            None => Ok(()),
            Some((topic, reason)) => {
                let text = ack
                    .properties
                    .as_ref()
                    .and_then(|p| p.reason_string.as_deref());
                let what = if refused.len() == 1 {
                    format!("Subscription to '{topic}' refused")
                } else {
                    let topics: Vec<&str> = refused.iter().map(|(t, _)| t.as_str()).collect();
                    format!("Subscriptions to {topics:?} refused")
                };
                Err(MqttError::broker(what, *reason, text))
            }
        };
        match request.done {
            Some(done) => {
                let _ = done.send(result);
            }
            None => {
                if let Err(e) = result {
                    self.emit(ConnectionEvent::SubscriptionRefused(e));
                }
            }
        }
    }

    pub(super) fn on_unsuback(&mut self, ack: UnsubAck) {
        self.state.release_pkid(ack.pkid);
        let Some(request) = self.unsub_requests.remove(&ack.pkid) else {
            return;
        };
        for filter in &request.filters {
            self.subscriptions.remove(filter);
        }
        let _ = request.done.send(Ok(()));
    }

    pub(super) fn encode(&mut self, packet: &Packet, link: &mut Link) {
        if let Err(e) = self.try_encode(packet, link) {
            // Our own packets are validated before they get here (topics,
            // sizes via `too_large`); say so loudly rather than lose it quietly.
            eprintln!("mqtt-engine: an outgoing packet could not be encoded: {e}");
        }
    }

    pub(super) fn try_encode(&mut self, packet: &Packet, link: &mut Link) -> Result<()> {
        codec::write_packet(packet, &mut link.write_buf, self.broker_max_packet)
    }

    pub(super) fn encode_all(&mut self, out: Vec<Outbound>, link: &mut Link) {
        for outbound in out {
            match (outbound.on_written, self.try_encode(&outbound.packet, link)) {
                (Some(written), Ok(())) => link.written.push(written),
                (Some((done, _)), Err(e)) => done.complete(Err(e)),
                (None, Err(e)) => {
                    eprintln!("mqtt-engine: an outgoing packet could not be encoded: {e}")
                }
                (None, Ok(())) => {}
            }
        }
    }

    pub(super) async fn flush(&mut self, link: &mut Link) -> Result<()> {
        if link.write_buf.is_empty() {
            return Ok(());
        }
        let result = async {
            link.io.write_all(&link.write_buf).await?;
            link.io.flush().await
        }
        .await;
        link.write_buf.clear();
        link.last_write = Instant::now();
        let result = result.map_err(MqttError::connection_lost);
        for (done, token) in link.written.drain(..) {
            done.complete(result.clone().map(|()| token));
        }
        result
    }
}

fn suback_code(code: SubscribeReasonCode) -> u8 {
    use SubscribeReasonCode::*;
    match code {
        Success(qos) => qos as u8,
        Failure | Unspecified => 0x80,
        ImplementationSpecific => 0x83,
        NotAuthorized => 0x87,
        TopicFilterInvalid => 0x8F,
        PkidInUse => 0x91,
        QuotaExceeded => 0x97,
        SharedSubscriptionsNotSupported => 0x9E,
        SubscriptionIdNotSupported => 0xA1,
        WildcardSubscriptionsNotSupported => 0xA2,
    }
}

/// Parses the complete packets in the read buffer into the backlog.
fn parse_read(link: &mut Link, max_in: u32) -> std::result::Result<(), Ended> {
    loop {
        match codec::read_packet(&mut link.read_buf, max_in) {
            Ok(Some(packet)) => link.backlog.push_back(packet),
            Ok(None) => return Ok(()),
            Err(e) => return Err(Ended::Lost(MqttError::connection_lost(e))),
        }
    }
}

/// Reads what the socket already holds, without waiting. tokio remembers
/// whether the socket is readable, so when it is not this costs no syscall;
/// the next `select!` registers the task's waker again.
fn read_now(link: &mut Link, max_in: u32) -> std::result::Result<(), Ended> {
    match link.io.read_buf(&mut link.read_buf).now_or_never() {
        None => Ok(()),
        Some(Ok(0)) => Err(Ended::Lost(MqttError::connection_lost(
            "the broker closed the connection",
        ))),
        Some(Ok(_)) => parse_read(link, max_in),
        Some(Err(e)) => Err(Ended::Lost(MqttError::connection_lost(e))),
    }
}
