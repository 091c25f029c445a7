//! The byte format between the Java bridge and the engine
//! (docs/bridge.md): options, messages and subscriptions coming in, event
//! batches going out. Pure code, no JNI, so it is unit-tested and fuzzed.

use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;

use crate::config::{self, ConnectOptions, TlsOptions, Will};
use crate::error::{MqttError, Result};
use crate::message::{Message, MessageProperties, RetainHandling, Subscription};

/// Reads the big-endian primitives of the format; every read is bounds-checked.
pub struct Reader<'a> {
    data: &'a [u8],
    /// The buffer `data` lies in, when it is shared: byte fields are then
    /// slices of it rather than copies (a publish's payload).
    shared: Option<&'a Bytes>,
    what: &'static str,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8], what: &'static str) -> Self {
        Reader {
            data,
            shared: None,
            what,
        }
    }

    pub fn shared(data: &'a Bytes, what: &'static str) -> Self {
        Reader {
            data,
            shared: Some(data),
            what,
        }
    }

    fn malformed(&self, why: &str) -> MqttError {
        MqttError::invalid(format!(
            "Malformed {} from the Java bridge: {why}",
            self.what
        ))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.data.len() < n {
            return Err(self.malformed("truncated"));
        }
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        Ok(head)
    }

    pub fn i8(&mut self) -> Result<i8> {
        Ok(self.take(1)?[0] as i8)
    }

    pub fn i32(&mut self) -> Result<i32> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn i64(&mut self) -> Result<i64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(i64::from_be_bytes(a))
    }

    fn len(&mut self) -> Result<Option<usize>> {
        match self.i32()? {
            -1 => Ok(None),
            n if n < 0 => Err(self.malformed("negative length")),
            n => Ok(Some(n as usize)),
        }
    }

    pub fn bytes(&mut self) -> Result<Option<Bytes>> {
        match self.len()? {
            None => Ok(None),
            Some(n) => {
                let raw = self.take(n)?;
                Ok(Some(match self.shared {
                    Some(whole) => whole.slice_ref(raw),
                    None => Bytes::copy_from_slice(raw),
                }))
            }
        }
    }

    pub fn str(&mut self) -> Result<Option<String>> {
        match self.len()? {
            None => Ok(None),
            Some(n) => {
                let raw = self.take(n)?;
                String::from_utf8(raw.to_vec())
                    .map(Some)
                    .map_err(|_| self.malformed("string is not UTF-8"))
            }
        }
    }

    pub fn flag(&mut self) -> Result<bool> {
        match self.i8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(self.malformed("flag is neither 0 nor 1")),
        }
    }

    pub fn opt_bool(&mut self) -> Result<Option<bool>> {
        match self.i8()? {
            -1 => Ok(None),
            0 => Ok(Some(false)),
            1 => Ok(Some(true)),
            _ => Err(self.malformed("optional boolean out of range")),
        }
    }

    /// `-1` is absent; any other negative value is the caller's error to name.
    pub fn opt_int(&mut self) -> Result<Option<i64>> {
        match self.i64()? {
            -1 => Ok(None),
            n => Ok(Some(n)),
        }
    }

    pub fn count(&mut self) -> Result<usize> {
        let n = self.len()?.ok_or_else(|| self.malformed("missing count"))?;
        // Each element takes at least one byte: refuse counts the data cannot hold.
        if n > self.data.len() {
            return Err(self.malformed("count larger than the data"));
        }
        Ok(n)
    }

    /// A count that may be absent (`-1`).
    pub fn opt_count(&mut self) -> Result<Option<usize>> {
        match self.len()? {
            None => Ok(None),
            Some(n) if n > self.data.len() => Err(self.malformed("count larger than the data")),
            Some(n) => Ok(Some(n)),
        }
    }

    pub fn finish(&self) -> Result<()> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(self.malformed("trailing bytes"))
        }
    }
}

fn non_negative(value: Option<i64>, field: &str, unit: &str) -> Result<Option<u64>> {
    match value {
        None => Ok(None),
        Some(n) if n < 0 => Err(MqttError::invalid(format!(
            "{field} must not be negative (got {n} {unit})"
        ))),
        Some(n) => Ok(Some(n as u64)),
    }
}

pub fn read_properties(r: &mut Reader<'_>) -> Result<MessageProperties> {
    let response_topic = r.str()?;
    let correlation_data = r.bytes()?;
    let content_type = r.str()?;
    let expiry = non_negative(r.opt_int()?, "messageExpiryInterval", "s")?;
    let message_expiry_interval = match expiry {
        Some(s) if s > u64::from(u32::MAX) => {
            return Err(MqttError::invalid(format!(
                "messageExpiryInterval {s} s is above the MQTT maximum of {} s",
                u32::MAX
            )))
        }
        other => other.map(|s| s as u32),
    };
    let payload_format_indicator = r.opt_bool()?;
    let count = r.count()?;
    let mut user_properties = Vec::with_capacity(count);
    for _ in 0..count {
        let key = r.str()?.unwrap_or_default();
        let value = r.str()?.unwrap_or_default();
        user_properties.push((key, value));
    }
    if let Some(topic) = &response_topic {
        config::validate_topic(topic)
            .map_err(|e| MqttError::invalid(format!("Invalid responseTopic: {}", e.message())))?;
    }
    Ok(MessageProperties {
        response_topic,
        correlation_data,
        user_properties,
        content_type,
        message_expiry_interval,
        payload_format_indicator,
    })
}

pub fn read_message(r: &mut Reader<'_>) -> Result<Message> {
    let payload = r.bytes()?.unwrap_or_default();
    let qos = config::parse_qos(i64::from(r.i8()?))?;
    let retained = r.flag()?;
    let properties = if r.flag()? {
        read_properties(r)?
    } else {
        MessageProperties::default()
    };
    Ok(Message::new(payload)
        .with_qos(qos)
        .with_retained(retained)
        .with_properties(properties))
}

/// A publish's message from its own JNI arguments: the payload as copied
/// out of the Java array (taken over, not copied again), the QoS, the
/// RETAIN flag and the encoded properties (None: none). The payload has no
/// framing of its own, so Java need not copy it into an encoded array.
pub fn publish_message(
    payload: Vec<u8>,
    qos: i32,
    retained: bool,
    properties: Option<&[u8]>,
) -> Result<Message> {
    let qos = config::parse_qos(i64::from(qos))?;
    let properties = match properties {
        None => MessageProperties::default(),
        Some(data) => {
            let mut r = Reader::new(data, "message properties");
            let properties = read_properties(&mut r)?;
            r.finish()?;
            properties
        }
    };
    Ok(Message::new(payload)
        .with_qos(qos)
        .with_retained(retained)
        .with_properties(properties))
}

pub fn decode_subscriptions(data: &[u8]) -> Result<Vec<Subscription>> {
    let mut r = Reader::new(data, "subscriptions");
    let count = r.count()?;
    let mut subscriptions = Vec::with_capacity(count);
    for _ in 0..count {
        let topic = r
            .str()?
            .ok_or_else(|| MqttError::invalid("Subscription topic must not be null"))?;
        config::validate_filter(&topic)?;
        let qos = config::parse_qos(i64::from(r.i8()?))?;
        let no_local = r.flag()?;
        let retain_as_published = r.flag()?;
        let retain_handling = match r.i8()? {
            0 => RetainHandling::SendAtSubscribe,
            1 => RetainHandling::SendAtNewSubscribe,
            2 => RetainHandling::DoNotSend,
            n => {
                return Err(MqttError::invalid(format!(
                    "Invalid retainHandling {n}: must be 0, 1 or 2"
                )))
            }
        };
        subscriptions.push(Subscription {
            topic,
            qos,
            no_local,
            retain_as_published,
            retain_handling,
        });
    }
    r.finish()?;
    Ok(subscriptions)
}

fn path(value: Option<String>) -> Option<PathBuf> {
    value.map(PathBuf::from)
}

fn read_tls(r: &mut Reader<'_>) -> Result<TlsOptions> {
    let ca_file = path(r.str()?);
    let trust_store = (r.str()?, r.str()?);
    let cert_key = (r.str()?, r.str()?, r.str()?);
    let key_store = (r.str()?, r.str()?);
    let protocol = (r.str()?, r.str()?);
    let trust_store = match trust_store {
        (Some(p), password) => Some((PathBuf::from(p), password.unwrap_or_default())),
        (None, _) => None,
    };
    let cert_key = match cert_key {
        (Some(cert), Some(key), password) => {
            Some((PathBuf::from(cert), PathBuf::from(key), password))
        }
        (None, None, _) => None,
        _ => {
            return Err(MqttError::invalid(
                "CertKey needs both certFile and keyFile",
            ))
        }
    };
    let key_store = match key_store {
        (Some(p), password) => Some((PathBuf::from(p), password.unwrap_or_default())),
        (None, _) => None,
    };
    let protocol = match protocol {
        (Some(name), Some(version)) => Some((name, version)),
        (None, None) => None,
        _ => return Err(MqttError::invalid("protocol needs both name and version")),
    };
    let default_roots = match r.opt_count()? {
        None => None,
        Some(count) => {
            let mut ders = Vec::with_capacity(count);
            for _ in 0..count {
                let der = r
                    .bytes()?
                    .ok_or_else(|| r.malformed("a default trusted certificate is null"))?;
                ders.push(der.to_vec());
            }
            Some(ders)
        }
    };
    Ok(TlsOptions {
        ca_file,
        trust_store,
        cert_key,
        key_store,
        protocol,
        default_roots,
    })
}

/// The options of `Native.connect`, with contract C2 defaults for absent fields.
pub fn decode_options(data: &[u8]) -> Result<ConnectOptions> {
    let mut r = Reader::new(data, "options");
    let uri_count = r.count()?;
    let mut uris = Vec::with_capacity(uri_count);
    for _ in 0..uri_count {
        uris.push(
            r.str()?
                .ok_or_else(|| MqttError::invalid("Server URI must not be null"))?,
        );
    }
    let client_id = r.str()?.unwrap_or_default();
    let mut options = ConnectOptions::new(String::new(), client_id);
    options.server_uris = uris;
    options.username = r.str()?;
    options.password = r.str()?;
    if let Some(s) = non_negative(r.opt_int()?, "keepAliveInterval", "s")? {
        options.keep_alive = Duration::from_secs(s);
    }
    if let Some(s) = non_negative(r.opt_int()?, "connectionTimeout", "s")? {
        options.connection_timeout = Duration::from_secs(s.min(u64::from(u32::MAX)));
    }
    if let Some(clean) = r.opt_bool()? {
        options.clean_start = clean;
    }
    if let Some(auto) = r.opt_bool()? {
        options.automatic_reconnect = auto;
    }
    if let Some(ms) = non_negative(r.opt_int()?, "maxReconnectDelay", "ms")? {
        if ms == 0 {
            return Err(MqttError::invalid(
                "maxReconnectDelay must be positive (got 0 ms)",
            ));
        }
        options.max_reconnect_delay = Duration::from_millis(ms);
    }
    if let Some(s) = non_negative(r.opt_int()?, "sessionExpiryInterval", "s")? {
        options.session_expiry_interval = u32::try_from(s).map_err(|_| {
            MqttError::invalid(format!(
                "sessionExpiryInterval {s} s is above the MQTT maximum of {} s",
                u32::MAX
            ))
        })?;
    }
    if r.flag()? {
        options.tls = Some(read_tls(&mut r)?);
    }
    if r.flag()? {
        let topic = r
            .str()?
            .ok_or_else(|| MqttError::invalid("Will destinationTopic must not be null"))?;
        let message = read_message(&mut r)?;
        options.will = Some(Will { topic, message });
    }
    r.finish()?;
    Ok(options)
}

/// The event tags of a poll batch (Java: `Wire.EVENT_*`; `tools/check_wire_tags.py` keeps
/// the two equal).
pub mod event {
    pub const COMPLETION: i8 = 1;
    pub const MESSAGE: i8 = 2;
    pub const CONNECTION: i8 = 3;
    pub const END: i8 = 4;
    pub const LOG: i8 = 5;
}

/// The kinds of a CONNECTION event (Java: `Wire.CONNECTION_*`).
pub mod connection {
    pub const LOST: i8 = 1;
    pub const RECONNECTED: i8 = 2;
    pub const SUBSCRIPTION_REFUSED: i8 = 3;
    pub const CONNECTED: i8 = 4;
    pub const RECONNECT_ATTEMPT: i8 = 5;
    pub const SUBSCRIPTIONS_RESTORED: i8 = 6;
    pub const DISCONNECTED: i8 = 7;
}

/// Writes event batches for `Native.poll`.
#[derive(Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    pub fn i8(&mut self, v: i8) {
        self.buf.push(v as u8);
    }

    pub fn i32(&mut self, v: i32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub fn bytes(&mut self, v: Option<&[u8]>) {
        match v {
            None => self.i32(-1),
            Some(b) => {
                self.i32(b.len() as i32);
                self.buf.extend_from_slice(b);
            }
        }
    }

    pub fn str(&mut self, v: Option<&str>) {
        self.bytes(v.map(str::as_bytes))
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    pub fn properties(&mut self, p: &MessageProperties) {
        self.str(p.response_topic.as_deref());
        self.bytes(p.correlation_data.as_deref());
        self.str(p.content_type.as_deref());
        self.i64(p.message_expiry_interval.map_or(-1, i64::from));
        self.i8(p.payload_format_indicator.map_or(-1, i8::from));
        self.i32(p.user_properties.len() as i32);
        for (k, v) in &p.user_properties {
            self.str(Some(k));
            self.str(Some(v));
        }
    }

    /// A request's outcome: the packet identifier for a publish (0 for QoS 0
    /// and for every other request), or the error. Java knows the topic.
    pub fn completion(&mut self, request_id: i64, result: &Result<u16>) {
        self.i8(event::COMPLETION);
        self.i64(request_id);
        match result {
            Ok(message_id) => {
                self.i8(1);
                self.i32(i32::from(*message_id));
            }
            Err(e) => {
                self.i8(0);
                self.i32(e.reason_code().unwrap_or(-1));
                self.str(Some(e.message()));
            }
        }
    }

    /// `ack` is (epoch, seq), or None when there is nothing to ack.
    pub fn message(&mut self, handle: i64, ack: Option<(u64, u64)>, m: &Message) {
        self.i8(event::MESSAGE);
        self.i64(handle);
        let (epoch, seq) = ack.map_or((-1, -1), |(e, s)| (e as i64, s as i64));
        self.i64(epoch);
        self.i64(seq);
        self.str(m.topic.as_deref());
        self.bytes(Some(&m.payload));
        self.i8(m.qos.as_u8() as i8);
        self.i8(i8::from(m.retained));
        self.i8(i8::from(m.duplicate));
        self.i32(i32::from(m.message_id));
        self.properties(&m.properties);
    }

    pub fn connection(&mut self, handle: i64, kind: i8, error: Option<&MqttError>, text: &str) {
        self.connection_detail(handle, kind, error, text, ConnectionDetail::default());
    }

    /// A CONNECTION event with its detail fields (session present, reconnect
    /// attempt and delay; zero where they do not apply).
    pub fn connection_detail(
        &mut self,
        handle: i64,
        kind: i8,
        error: Option<&MqttError>,
        text: &str,
        detail: ConnectionDetail,
    ) {
        self.i8(event::CONNECTION);
        self.i64(handle);
        self.i8(kind);
        self.i32(error.and_then(MqttError::reason_code).unwrap_or(-1));
        self.str(Some(error.map_or(text, MqttError::message)));
        self.i8(i8::from(detail.session_present));
        self.i32(i32::try_from(detail.attempt).unwrap_or(i32::MAX));
        self.i64(i64::try_from(detail.delay.as_millis()).unwrap_or(i64::MAX));
    }

    pub fn end(&mut self, handle: i64) {
        self.i8(event::END);
        self.i64(handle);
    }

    /// An engine log record: level 1 (error) … 5 (trace), target, text.
    pub fn log(&mut self, level: i8, target: &str, text: &str) {
        self.i8(event::LOG);
        self.i8(level);
        self.str(Some(target));
        self.str(Some(text));
    }
}

/// A metrics snapshot (docs/bridge.md, "metrics"): `int8 state`, then
/// int64 × 3 published, acked, failed and received (QoS 0, 1, 2),
/// duplicatesReceived, bytesIn, bytesOut, inFlight, queued,
/// reconnectAttempts, reconnects, connectedMillis, then `int32` last error
/// code (-1 none) and `str` last error message (null none).
pub fn encode_metrics(state: i8, s: &crate::protocol::metrics::Snapshot) -> Vec<u8> {
    let mut w = Writer::default();
    let m = &s.metrics;
    w.i8(state);
    for counters in [&m.published, &m.acked, &m.failed, &m.received] {
        for n in counters {
            w.i64(saturate(*n));
        }
    }
    for n in [
        m.duplicates_received,
        m.bytes_in,
        m.bytes_out,
        s.gauges.in_flight,
        s.gauges.queued,
        m.reconnect_attempts,
        m.reconnects,
        u64::try_from(s.connected_for.as_millis()).unwrap_or(u64::MAX),
    ] {
        w.i64(saturate(n));
    }
    match &m.last_error {
        Some((code, message)) => {
            w.i32(code.unwrap_or(-1));
            w.str(Some(message));
        }
        None => {
            w.i32(-1);
            w.str(None);
        }
    }
    w.into_bytes()
}

fn saturate(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The detail fields of a CONNECTION event (docs/bridge.md).
#[derive(Debug, Default, Clone, Copy)]
pub struct ConnectionDetail {
    pub session_present: bool,
    pub attempt: u32,
    pub delay: std::time::Duration,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::QoS;

    fn properties_bytes(w: &mut Writer, p: &MessageProperties) {
        w.properties(p);
    }

    fn encoded_properties(p: &MessageProperties) -> Vec<u8> {
        let mut w = Writer::default();
        properties_bytes(&mut w, p);
        w.into_bytes()
    }

    #[test]
    fn publish_message_round_trip() {
        let mut m = Message::new(&b"hi"[..])
            .with_qos(QoS::ExactlyOnce)
            .with_retained(true);
        m.properties.response_topic = Some("r".into());
        m.properties.correlation_data = Some(Bytes::from_static(b"\x01"));
        m.properties.user_properties = vec![("a".into(), "b".into())];
        m.properties.message_expiry_interval = Some(5);
        m.properties.payload_format_indicator = Some(false);
        let properties = encoded_properties(&m.properties);
        let decoded = publish_message(b"hi".to_vec(), 2, true, Some(&properties)).unwrap();
        assert_eq!(decoded, m);
        let plain = publish_message(Vec::new(), 0, false, None).unwrap();
        assert_eq!(plain, Message::new(Bytes::new()).with_qos(QoS::AtMostOnce));
    }

    #[test]
    fn bad_qos_and_truncation_are_named() {
        for qos in [3, -1, i32::MAX] {
            let e = publish_message(b"x".to_vec(), qos, false, None).unwrap_err();
            assert!(e.message().contains(&format!("QoS {qos}")), "{e}");
        }
        let properties = encoded_properties(&MessageProperties::default());
        let e = publish_message(
            b"x".to_vec(),
            1,
            false,
            Some(&properties[..properties.len() - 1]),
        )
        .unwrap_err();
        assert!(e.message().contains("truncated"), "{e}");
        assert!(e.message().contains("message properties"), "{e}");
        let mut trailing = properties.clone();
        trailing.push(0);
        let e = publish_message(b"x".to_vec(), 1, false, Some(&trailing)).unwrap_err();
        assert!(e.message().contains("trailing"), "{e}");
    }

    fn options_bytes(keep_alive: i64, max_delay: i64) -> Vec<u8> {
        options_bytes_with_roots(keep_alive, max_delay, None)
    }

    fn options_bytes_with_roots(
        keep_alive: i64,
        max_delay: i64,
        roots: Option<&[&[u8]]>,
    ) -> Vec<u8> {
        let mut w = Writer::default();
        w.i32(2);
        w.str(Some("tcp://a:1"));
        w.str(Some("tcp://b:2"));
        w.str(Some("id"));
        w.str(Some("user"));
        w.str(Some("secret"));
        w.i64(keep_alive);
        w.i64(-1);
        w.i8(0);
        w.i8(1);
        w.i64(max_delay);
        w.i64(3600);
        w.i8(1);
        for v in [
            Some("ca.pem"),
            None,
            None,
            Some("c.pem"),
            Some("k.pem"),
            None,
            None,
            None,
            Some("TLS"),
            Some("1.3"),
        ] {
            w.str(v);
        }
        match roots {
            None => w.i32(-1),
            Some(roots) => {
                w.i32(roots.len() as i32);
                for der in roots {
                    w.bytes(Some(der));
                }
            }
        }
        w.i8(1);
        w.str(Some("will/topic"));
        w.bytes(Some(b"bye"));
        w.i8(1);
        w.i8(0);
        w.i8(0);
        w.into_bytes()
    }

    #[test]
    fn options_with_defaults_tls_and_will() {
        let o = decode_options(&options_bytes(-1, 5000)).unwrap();
        assert_eq!(o.server_uris, ["tcp://a:1", "tcp://b:2"]);
        assert_eq!(
            o.keep_alive,
            Duration::from_secs(60),
            "absent keeps the C2 default"
        );
        assert_eq!(o.connection_timeout, Duration::from_secs(30));
        assert!(!o.clean_start && o.automatic_reconnect);
        assert_eq!(o.max_reconnect_delay, Duration::from_millis(5000));
        assert_eq!(o.session_expiry_interval, 3600);
        let tls = o.tls.unwrap();
        assert_eq!(tls.ca_file, Some(PathBuf::from("ca.pem")));
        assert_eq!(tls.protocol, Some(("TLS".into(), "1.3".into())));
        assert_eq!(tls.default_roots, None, "-1: no default trust sent");
        assert_eq!(o.will.unwrap().topic, "will/topic");
    }

    #[test]
    fn default_trusted_certificates_are_read() {
        let roots: [&[u8]; 2] = [b"der-1", b"der-22"];
        let o = decode_options(&options_bytes_with_roots(-1, 5000, Some(&roots))).unwrap();
        let tls = o.tls.unwrap();
        assert_eq!(
            tls.default_roots,
            Some(vec![b"der-1".to_vec(), b"der-22".to_vec()])
        );
        assert_eq!(o.will.unwrap().topic, "will/topic", "nothing left unread");
        let mut bytes = options_bytes_with_roots(-1, 5000, Some(&[]));
        // The count comes before the will: hasWill (1), topic (4 + 10),
        // payload (4 + 3), qos, retained, hasProperties (3).
        let at = bytes.len() - 25 - 4;
        bytes[at..at + 4].copy_from_slice(&i32::MAX.to_be_bytes());
        let e = decode_options(&bytes).unwrap_err();
        assert!(e.message().contains("count larger than the data"), "{e}");
    }

    #[test]
    fn negative_durations_are_refused_by_name() {
        let e = decode_options(&options_bytes(-5, 1000)).unwrap_err();
        assert!(e.message().contains("keepAliveInterval"), "{e}");
        let e = decode_options(&options_bytes(0, 0)).unwrap_err();
        assert!(e.message().contains("maxReconnectDelay"), "{e}");
    }

    #[test]
    fn subscriptions_are_validated() {
        let mut w = Writer::default();
        w.i32(1);
        w.str(Some("a/#/b"));
        w.i8(1);
        w.i8(0);
        w.i8(0);
        w.i8(0);
        assert!(decode_subscriptions(&w.into_bytes()).is_err());
        let mut w = Writer::default();
        w.i32(1);
        w.str(Some("$share/g/a/+"));
        w.i8(2);
        w.i8(1);
        w.i8(0);
        w.i8(2);
        let subs = decode_subscriptions(&w.into_bytes()).unwrap();
        assert_eq!(subs[0].qos, QoS::ExactlyOnce);
        assert!(subs[0].no_local);
        assert_eq!(subs[0].retain_handling, RetainHandling::DoNotSend);
    }

    #[test]
    fn absurd_counts_do_not_allocate() {
        let mut w = Writer::default();
        w.i32(i32::MAX);
        assert!(decode_subscriptions(&w.into_bytes()).is_err());
    }
}
