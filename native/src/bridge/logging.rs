//! The engine's `log` records, handed to Java: the event pump writes them
//! to `System.Logger` (logger `io.ballerina.lib.mqtt.native.<module>`), so
//! they reach whatever logging the application uses. Nothing of the engine
//! writes to stderr.
//!
//! A record is queued on the event lane like any event, never written from
//! the thread that logs it: that thread may hold a connection's core, and
//! Java logging may block on a file or a lock.

use std::sync::OnceLock;

use log::{Level, LevelFilter, Log, Metadata, Record};

use super::{push, Event, Lane};

struct ToJava;

static LOGGER: ToJava = ToJava;

impl Log for ToJava {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            push(
                Lane::Events,
                Event::Log(
                    record.level(),
                    record.target().to_string(),
                    record.args().to_string(),
                ),
            );
        }
    }

    fn flush(&self) {}
}

/// Routes the engine's records to Java from `level` on, in the numbers of
/// the LOG event (1 error … 5 trace; 0 or less: none); a later call changes
/// the level. A process that already has another `log` logger (a Rust host
/// embedding the engine) keeps it and its level.
pub fn to_java(level: i32) {
    static OURS: OnceLock<bool> = OnceLock::new();
    if *OURS.get_or_init(|| log::set_logger(&LOGGER).is_ok()) {
        log::set_max_level(match level {
            i32::MIN..=0 => LevelFilter::Off,
            1 => LevelFilter::Error,
            2 => LevelFilter::Warn,
            3 => LevelFilter::Info,
            4 => LevelFilter::Debug,
            _ => LevelFilter::Trace,
        });
    }
}

/// The number Java decodes a level from: 1 error … 5 trace.
pub(super) fn level_number(level: Level) -> i8 {
    level as usize as i8
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    /// Polls the event lane until a batch holds `needle` (other events of
    /// this process may come first).
    fn lane_holds(needle: &[u8]) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Some(batch) = super::super::poll(Lane::Events, Duration::from_millis(100)) {
                if batch.windows(needle.len()).any(|w| w == needle) {
                    return true;
                }
            }
        }
        false
    }

    #[test]
    fn records_from_the_level_on_go_to_the_event_lane_as_log_events() {
        to_java(3);
        log::debug!(target: "mqtt_engine::test", "below the level: not sent");
        log::warn!(target: "mqtt_engine::test", "a record for Java");
        // LOG (5), level 2 (warn), then the target and the text as strings.
        let mut expected = vec![5u8, 2];
        for s in ["mqtt_engine::test", "a record for Java"] {
            expected.extend_from_slice(&(s.len() as i32).to_be_bytes());
            expected.extend_from_slice(s.as_bytes());
        }
        assert!(lane_holds(&expected), "the warning reached the lane");
        to_java(4);
        log::debug!(target: "mqtt_engine::test", "now at debug");
        assert!(
            lane_holds(b"now at debug"),
            "a later call changes the level"
        );
        to_java(1);
    }
}
