//! Reconnect delays (contract C4): start at 1 s, double, cap at
//! maxReconnectDelay, and spread clients with jitter so a broker restart is
//! not met by every client in the same millisecond.

use std::time::Duration;

const FIRST_DELAY: Duration = Duration::from_secs(1);

#[derive(Debug, Clone)]
pub struct Backoff {
    cap: Duration,
    next: Duration,
}

impl Backoff {
    pub fn new(cap: Duration) -> Self {
        Backoff {
            cap,
            next: FIRST_DELAY.min(cap),
        }
    }

    /// The delay before the next attempt: the nominal delay scaled by a
    /// random factor in [0.75, 1.0], so it never exceeds the cap.
    pub fn next_delay(&mut self) -> Duration {
        self.next_delay_with(fastrand::f64())
    }

    /// Same as [`next_delay`](Self::next_delay) with the random draw given (for tests).
    pub fn next_delay_with(&mut self, random_unit: f64) -> Duration {
        let nominal = self.next;
        self.next = (self.next * 2).min(self.cap);
        nominal.mul_f64(0.75 + 0.25 * random_unit.clamp(0.0, 1.0))
    }

    /// Called after a successful connect.
    pub fn reset(&mut self) {
        self.next = FIRST_DELAY.min(self.cap);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_one_second_up_to_the_cap() {
        let mut b = Backoff::new(Duration::from_secs(10));
        let nominal: Vec<u64> = (0..6).map(|_| b.next_delay_with(1.0).as_secs()).collect();
        assert_eq!(nominal, [1, 2, 4, 8, 10, 10]);
    }

    #[test]
    fn jitter_stays_within_a_quarter_below_nominal() {
        let mut b = Backoff::new(Duration::from_secs(4));
        assert_eq!(b.next_delay_with(0.0), Duration::from_millis(750));
        b.next_delay();
        b.next_delay(); // now at the cap
        for _ in 0..100 {
            let d = b.next_delay();
            assert!(
                d <= Duration::from_secs(4) && d >= Duration::from_secs(3),
                "{d:?}"
            );
        }
    }

    #[test]
    fn small_cap_bounds_the_first_delay_and_reset_restarts() {
        let mut b = Backoff::new(Duration::from_millis(200));
        assert!(b.next_delay_with(1.0) <= Duration::from_millis(200));
        let mut b = Backoff::new(Duration::from_secs(60));
        b.next_delay_with(1.0);
        b.next_delay_with(1.0);
        b.reset();
        assert_eq!(b.next_delay_with(1.0), Duration::from_secs(1));
    }
}
