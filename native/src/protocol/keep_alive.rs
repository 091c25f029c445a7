//! Keep-alive (MQTT 5 §3.1.2.10, contract C2): a PINGREQ after a
//! keep-alive period without writes (MQTT-3.1.2-20), and a connection that
//! does not answer within half a period is dead — a half-open link is found
//! within 1.5 × keep-alive. Pure: the time is given.

use std::time::Duration;

use tokio::time::Instant;

/// What the keep-alive timer asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Nothing yet (the timer fired early).
    Nothing,
    /// Send a PINGREQ now.
    Ping,
    /// No PINGRESP in time: the connection is dead.
    Dead,
}

#[derive(Debug, Clone)]
pub struct KeepAlive {
    /// Zero disables keep-alive.
    interval: Duration,
    last_write: Instant,
    ping_sent: Option<Instant>,
}

impl KeepAlive {
    pub fn new(interval: Duration, now: Instant) -> Self {
        KeepAlive {
            interval,
            last_write: now,
            ping_sent: None,
        }
    }

    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// When the timer must look again; None when keep-alive is off.
    pub fn deadline(&self) -> Option<Instant> {
        if self.interval.is_zero() {
            return None;
        }
        Some(match self.ping_sent {
            Some(sent) => sent + self.interval / 2,
            None => self.last_write + self.interval,
        })
    }

    /// Bytes went out: the period starts again.
    pub fn wrote(&mut self, now: Instant) {
        self.last_write = now;
    }

    /// A PINGRESP came.
    pub fn answered(&mut self) {
        self.ping_sent = None;
    }

    pub fn on_timer(&mut self, now: Instant) -> Due {
        match self.deadline() {
            Some(due) if due <= now => {
                if self.ping_sent.is_some() {
                    Due::Dead
                } else {
                    self.ping_sent = Some(now);
                    Due::Ping
                }
            }
            _ => Due::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERIOD: Duration = Duration::from_secs(10);

    #[test]
    fn a_ping_after_a_quiet_period_and_death_half_a_period_later() {
        let start = Instant::now();
        let mut k = KeepAlive::new(PERIOD, start);
        assert_eq!(k.deadline(), Some(start + PERIOD));
        assert_eq!(k.on_timer(start + PERIOD / 2), Due::Nothing);
        assert_eq!(k.on_timer(start + PERIOD), Due::Ping);
        assert_eq!(k.deadline(), Some(start + PERIOD + PERIOD / 2));
        assert_eq!(k.on_timer(start + PERIOD + PERIOD / 4), Due::Nothing);
        assert_eq!(k.on_timer(start + PERIOD + PERIOD / 2), Due::Dead);
    }

    #[test]
    fn writes_move_the_ping_and_an_answer_clears_it() {
        let start = Instant::now();
        let mut k = KeepAlive::new(PERIOD, start);
        k.wrote(start + PERIOD / 2);
        assert_eq!(
            k.on_timer(start + PERIOD),
            Due::Nothing,
            "written meanwhile"
        );
        assert_eq!(k.on_timer(start + PERIOD + PERIOD / 2), Due::Ping);
        k.answered();
        assert_eq!(k.deadline(), Some(start + PERIOD / 2 + PERIOD));
        // A write after the ping does not cancel the wait for its answer.
        assert_eq!(k.on_timer(start + 2 * PERIOD), Due::Ping);
        k.wrote(start + 2 * PERIOD);
        assert_eq!(k.on_timer(start + 2 * PERIOD + PERIOD / 2), Due::Dead);
    }

    #[test]
    fn zero_disables_keep_alive() {
        let start = Instant::now();
        let mut k = KeepAlive::new(Duration::ZERO, start);
        assert_eq!(k.deadline(), None);
        assert_eq!(k.on_timer(start + Duration::from_secs(3600)), Due::Nothing);
    }
}
