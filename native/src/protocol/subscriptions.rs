//! Subscription bookkeeping: SUBSCRIBE and UNSUBSCRIBE requests awaiting
//! their acks, what SUBACK and UNSUBACK mean for each filter, and the
//! granted subscriptions restored when the broker has no session (C4, L4).

use std::collections::{BTreeMap, HashMap};

use rumqttc::v5::mqttbytes::v5::{
    Packet, SubAck, Subscribe, SubscribeReasonCode, UnsubAck, UnsubAckReason, Unsubscribe,
};
use tokio::sync::oneshot;

use super::codec::{self, Violation};
use super::reasons;
use crate::error::{MqttError, Result};
use crate::message::Subscription;

/// Where the outcome of a request goes; None for a restore (its refusal is
/// a connection event instead).
pub type Reply = oneshot::Sender<Result<()>>;

struct SubRequest {
    subscriptions: Vec<Subscription>,
    done: Option<Reply>,
}

struct UnsubRequest {
    filters: Vec<String>,
    done: Reply,
}

/// What a SUBACK or UNSUBACK settled.
pub struct Settled {
    /// The caller to answer, None for a restore.
    pub done: Option<Reply>,
    pub result: Result<()>,
}

#[derive(Default)]
pub struct Subscriptions {
    /// Granted subscriptions by filter, restored on a CONNACK without session.
    granted: BTreeMap<String, Subscription>,
    subscribing: HashMap<u16, SubRequest>,
    unsubscribing: HashMap<u16, UnsubRequest>,
}

impl Subscriptions {
    /// What to subscribe to again when the broker lost the session.
    pub fn to_restore(&self) -> Vec<Subscription> {
        self.granted.values().cloned().collect()
    }

    /// The SUBSCRIBE for `subscriptions`; [`Subscriptions::subscribing`]
    /// records it once it is written whole.
    pub fn subscribe_packet(pkid: u16, subscriptions: &[Subscription]) -> Packet {
        Packet::Subscribe(Subscribe {
            pkid,
            filters: subscriptions.iter().map(codec::to_filter).collect(),
            properties: None,
        })
    }

    pub fn subscribing(
        &mut self,
        pkid: u16,
        subscriptions: Vec<Subscription>,
        done: Option<Reply>,
    ) {
        self.subscribing.insert(
            pkid,
            SubRequest {
                subscriptions,
                done,
            },
        );
    }

    /// The UNSUBSCRIBE for `filters` (at least one).
    pub fn unsubscribe_packet(pkid: u16, filters: &[String]) -> Packet {
        let mut unsubscribe = Unsubscribe::new(filters[0].clone(), None);
        unsubscribe.filters = filters.to_vec();
        unsubscribe.pkid = pkid;
        Packet::Unsubscribe(unsubscribe)
    }

    pub fn unsubscribing(&mut self, pkid: u16, filters: Vec<String>, done: Reply) {
        self.unsubscribing
            .insert(pkid, UnsubRequest { filters, done });
    }

    /// Grants and refusals per filter, in the order of the SUBSCRIBE
    /// (MQTT-3.9.3-1). A SUBACK for no SUBSCRIBE of ours (MQTT-2.2.1-6) or
    /// with another number of reason codes (MQTT-3.8.4-6) is the broker's
    /// protocol error.
    pub fn on_suback(&mut self, ack: SubAck) -> std::result::Result<Settled, Violation> {
        let Some(request) = self.subscribing.remove(&ack.pkid) else {
            return Err(unknown("SUBACK", "SUBSCRIBE", ack.pkid));
        };
        if ack.return_codes.len() != request.subscriptions.len() {
            return Err(Violation::protocol(format!(
                "a SUBACK with {} reason codes for a SUBSCRIBE of {} filters",
                ack.return_codes.len(),
                request.subscriptions.len()
            )));
        }
        let mut refused = Vec::new();
        for (subscription, code) in request.subscriptions.into_iter().zip(&ack.return_codes) {
            match code {
                SubscribeReasonCode::Success(_) => {
                    self.granted
                        .insert(subscription.topic.clone(), subscription);
                }
                failure => refused.push((subscription.topic, reasons::suback(*failure))),
            }
        }
        let text = ack
            .properties
            .as_ref()
            .and_then(|p| p.reason_string.as_deref());
        Ok(Settled {
            done: request.done,
            result: refusal("Subscription", &refused, text),
        })
    }

    /// Removes the filters the broker unsubscribed (0x00, and 0x11: there
    /// was none); a refusal (>= 0x80) keeps the subscription and fails the
    /// call. As for SUBACK, an UNSUBACK for no request of ours is a protocol
    /// error (MQTT-2.2.1-6).
    pub fn on_unsuback(&mut self, ack: UnsubAck) -> std::result::Result<Settled, Violation> {
        let Some(request) = self.unsubscribing.remove(&ack.pkid) else {
            return Err(unknown("UNSUBACK", "UNSUBSCRIBE", ack.pkid));
        };
        if ack.reasons.len() != request.filters.len() {
            return Err(Violation::protocol(format!(
                "an UNSUBACK with {} reason codes for an UNSUBSCRIBE of {} filters",
                ack.reasons.len(),
                request.filters.len()
            )));
        }
        let mut refused = Vec::new();
        for (filter, reason) in request.filters.into_iter().zip(&ack.reasons) {
            match reason {
                UnsubAckReason::Success | UnsubAckReason::NoSubscriptionExisted => {
                    self.granted.remove(&filter);
                }
                failure => refused.push((filter, reasons::unsuback(*failure))),
            }
        }
        let text = ack
            .properties
            .as_ref()
            .and_then(|p| p.reason_string.as_deref());
        Ok(Settled {
            done: Some(request.done),
            result: refusal("Unsubscribe from", &refused, text),
        })
    }

    /// Whether a SUBSCRIBE or UNSUBSCRIBE with `pkid` awaits its ack.
    #[cfg(test)]
    fn is_waiting(&self, pkid: u16) -> bool {
        self.subscribing.contains_key(&pkid) || self.unsubscribing.contains_key(&pkid)
    }

    /// The connection ended: every request still waiting fails with
    /// `error`; returns their packet ids to release.
    pub fn fail_requests(&mut self, error: &MqttError) -> Vec<u16> {
        let mut pkids = Vec::new();
        for (pkid, request) in self.subscribing.drain() {
            pkids.push(pkid);
            if let Some(done) = request.done {
                let _ = done.send(Err(error.clone()));
            }
        }
        for (pkid, request) in self.unsubscribing.drain() {
            pkids.push(pkid);
            let _ = request.done.send(Err(error.clone()));
        }
        pkids
    }
}

/// An ack whose packet id answers no request of ours: a request is never
/// carried over to another connection, so the Server made the id up or
/// answered twice.
fn unknown(ack: &str, request: &str, pkid: u16) -> Violation {
    Violation::protocol(format!(
        "a {ack} with packet id {pkid}, for which no {request} is waiting"
    ))
}

fn refusal(what: &str, refused: &[(String, u8)], text: Option<&str>) -> Result<()> {
    let Some((topic, reason)) = refused.first() else {
        return Ok(());
    };
    let what = if refused.len() == 1 {
        format!("{what} '{topic}' refused")
    } else {
        let topics: Vec<&str> = refused.iter().map(|(t, _)| t.as_str()).collect();
        format!("{what} {topics:?} refused")
    };
    Err(MqttError::broker(what, *reason, text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::QoS;
    use rumqttc::v5::mqttbytes::QoS as WireQoS;

    fn subs(filters: &[&str]) -> Vec<Subscription> {
        filters
            .iter()
            .map(|f| Subscription::new(*f, QoS::AtLeastOnce))
            .collect()
    }

    fn suback(pkid: u16, codes: Vec<SubscribeReasonCode>) -> SubAck {
        SubAck {
            pkid,
            return_codes: codes,
            properties: None,
        }
    }

    #[test]
    fn granted_filters_are_kept_for_a_restore_and_refused_ones_named() {
        let mut s = Subscriptions::default();
        let (tx, mut rx) = oneshot::channel();
        s.subscribing(1, subs(&["a", "b", "c"]), Some(tx));
        let settled = s
            .on_suback(suback(
                1,
                vec![
                    SubscribeReasonCode::Success(WireQoS::AtLeastOnce),
                    SubscribeReasonCode::NotAuthorized,
                    SubscribeReasonCode::Success(WireQoS::AtMostOnce),
                ],
            ))
            .unwrap();
        settled.done.unwrap().send(settled.result).unwrap();
        let error = rx.try_recv().unwrap().unwrap_err();
        assert_eq!(error.reason_code(), Some(0x87));
        assert!(error.message().contains("'b'"), "{error}");
        let restore: Vec<String> = s.to_restore().into_iter().map(|s| s.topic).collect();
        assert_eq!(restore, ["a", "c"]);
    }

    #[test]
    fn an_ack_with_the_wrong_number_of_codes_is_a_protocol_error() {
        let mut s = Subscriptions::default();
        s.subscribing(1, subs(&["a", "b"]), None);
        let v = s
            .on_suback(suback(
                1,
                vec![SubscribeReasonCode::Success(WireQoS::AtMostOnce)],
            ))
            .err()
            .unwrap();
        assert_eq!(reasons::disconnect(v.reason), 0x82);
        let (tx, _rx) = oneshot::channel();
        s.unsubscribing(2, vec!["a".into(), "b".into()], tx);
        let ack = UnsubAck {
            pkid: 2,
            reasons: vec![UnsubAckReason::Success],
            properties: None,
        };
        assert!(s.on_unsuback(ack).is_err());
    }

    /// MQTT-2.2.1-6: an ack carries the id of the request it answers; one
    /// for no waiting request (made up, or a second ack) is the Server's
    /// protocol error, DISCONNECT 0x82, and leaves real requests waiting.
    #[test]
    fn an_ack_for_no_waiting_request_is_a_protocol_error() {
        let mut s = Subscriptions::default();
        s.subscribing(1, subs(&["a"]), None);
        let v = s.on_suback(suback(9, vec![])).err().unwrap();
        assert_eq!(reasons::disconnect(v.reason), 0x82);
        assert!(v.detail.contains("packet id 9"), "{}", v.detail);
        assert!(s.is_waiting(1), "the real request still waits");
        let granted = vec![SubscribeReasonCode::Success(WireQoS::AtMostOnce)];
        assert!(s.on_suback(suback(1, granted.clone())).is_ok());
        let again = s.on_suback(suback(1, granted)).err().unwrap();
        assert_eq!(reasons::disconnect(again.reason), 0x82, "a second SUBACK");
        let unsuback = UnsubAck {
            pkid: 1,
            reasons: vec![UnsubAckReason::Success],
            properties: None,
        };
        let v = s.on_unsuback(unsuback).err().unwrap();
        assert_eq!(reasons::disconnect(v.reason), 0x82);
        assert!(v.detail.contains("UNSUBACK"), "{}", v.detail);
    }

    #[test]
    fn unsubscribe_removes_what_the_broker_removed_and_keeps_refusals() {
        let mut s = Subscriptions::default();
        s.subscribing(1, subs(&["a", "b"]), None);
        s.on_suback(suback(
            1,
            vec![
                SubscribeReasonCode::Success(WireQoS::AtLeastOnce),
                SubscribeReasonCode::Success(WireQoS::AtLeastOnce),
            ],
        ))
        .unwrap();
        let (tx, mut rx) = oneshot::channel();
        s.unsubscribing(2, vec!["a".into(), "b".into()], tx);
        let settled = s
            .on_unsuback(UnsubAck {
                pkid: 2,
                reasons: vec![
                    UnsubAckReason::NoSubscriptionExisted,
                    UnsubAckReason::NotAuthorized,
                ],
                properties: None,
            })
            .unwrap();
        settled.done.unwrap().send(settled.result).unwrap();
        assert_eq!(
            rx.try_recv().unwrap().unwrap_err().reason_code(),
            Some(0x87)
        );
        let restore: Vec<String> = s.to_restore().into_iter().map(|s| s.topic).collect();
        assert_eq!(restore, ["b"]);
    }

    #[test]
    fn requests_waiting_when_the_connection_ends_fail_and_free_their_ids() {
        let mut s = Subscriptions::default();
        let (tx, mut rx) = oneshot::channel();
        s.subscribing(4, subs(&["a"]), Some(tx));
        let (tx2, mut rx2) = oneshot::channel();
        s.unsubscribing(5, vec!["a".into()], tx2);
        let mut pkids = s.fail_requests(&MqttError::connection_lost("cut"));
        pkids.sort();
        assert_eq!(pkids, [4, 5]);
        assert_eq!(
            rx.try_recv().unwrap().unwrap_err().reason_code(),
            Some(32109)
        );
        assert!(rx2.try_recv().unwrap().is_err());
    }
}
