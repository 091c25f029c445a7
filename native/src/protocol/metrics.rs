//! Counters of one connection (issue 16): plain integers kept in the
//! protocol core, under the core's mutex that every change already holds,
//! read in one snapshot for Java's `metrics()` and its JMX MBean.

use std::time::Duration;

use rumqttc::v5::mqttbytes::QoS as WireQoS;
use tokio::time::Instant;

use crate::error::MqttError;

/// The index of a wire QoS in the per-QoS counters.
pub(crate) fn qos_index(qos: WireQoS) -> usize {
    match qos {
        WireQoS::AtMostOnce => 0,
        WireQoS::AtLeastOnce => 1,
        WireQoS::ExactlyOnce => 2,
    }
}

/// The counters of a [`crate::protocol::Protocol`]; indexes are QoS 0, 1, 2.
#[derive(Debug, Default, Clone)]
pub struct Metrics {
    /// Publish calls that reached the core (after the handle's field checks).
    pub published: [u64; 3],
    /// Publishes delivered as their QoS promises (QoS 0 written, 1 PUBACK, 2 PUBCOMP).
    pub acked: [u64; 3],
    /// Publishes that completed with an error.
    pub failed: [u64; 3],
    /// Messages handed to the application (duplicates not counted).
    pub received: [u64; 3],
    /// Copies of a message already received that were not delivered again.
    pub duplicates_received: u64,
    /// Bytes of whole packets read from the broker.
    pub bytes_in: u64,
    /// Bytes written to the broker.
    pub bytes_out: u64,
    /// Automatic reconnect attempts (C4).
    pub reconnect_attempts: u64,
    /// Reconnects that succeeded, automatic or by `reconnect`.
    pub reconnects: u64,
    /// Connected time of the connections that ended.
    connected_before: Duration,
    /// When the live connection came up.
    connected_since: Option<Instant>,
    /// The last failure: a lost connection, a failed connect or publish.
    pub last_error: Option<(Option<i32>, String)>,
}

/// What [`Metrics::snapshot`] adds from the rest of the core.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gauges {
    pub in_flight: u64,
    pub queued: u64,
}

/// One consistent reading of the counters and gauges.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub metrics: Metrics,
    pub gauges: Gauges,
    /// Time connected, the live connection included.
    pub connected_for: Duration,
}

impl Metrics {
    pub(crate) fn settled(&mut self, qos: usize, error: Option<&MqttError>) {
        let qos = qos.min(2);
        match error {
            None => self.acked[qos] += 1,
            Some(e) => {
                self.failed[qos] += 1;
                self.error(e);
            }
        }
    }

    pub fn error(&mut self, e: &MqttError) {
        self.last_error = Some((e.reason_code(), e.message().to_owned()));
    }

    pub(crate) fn up(&mut self, now: Instant) {
        self.down(now);
        self.connected_since = Some(now);
    }

    pub(crate) fn down(&mut self, now: Instant) {
        if let Some(since) = self.connected_since.take() {
            self.connected_before += now.saturating_duration_since(since);
        }
    }

    pub fn snapshot(&self, gauges: Gauges, now: Instant) -> Snapshot {
        let live = self
            .connected_since
            .map_or(Duration::ZERO, |since| now.saturating_duration_since(since));
        Snapshot {
            metrics: self.clone(),
            gauges,
            connected_for: self.connected_before + live,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connected_time_adds_up_over_connections() {
        let start = Instant::now();
        let mut m = Metrics::default();
        m.up(start);
        m.down(start + Duration::from_secs(3));
        m.up(start + Duration::from_secs(10));
        let s = m.snapshot(Gauges::default(), start + Duration::from_secs(12));
        assert_eq!(s.connected_for, Duration::from_secs(5));
        m.down(start + Duration::from_secs(14));
        let s = m.snapshot(Gauges::default(), start + Duration::from_secs(100));
        assert_eq!(s.connected_for, Duration::from_secs(7));
    }

    #[test]
    fn settled_counts_by_qos_and_keeps_the_last_error() {
        let mut m = Metrics::default();
        m.settled(1, None);
        m.settled(2, Some(&MqttError::not_connected()));
        m.settled(0, None);
        assert_eq!(m.acked, [1, 1, 0]);
        assert_eq!(m.failed, [0, 0, 1]);
        assert_eq!(
            m.last_error,
            Some((Some(32104), "Client is not connected".to_owned()))
        );
    }
}
