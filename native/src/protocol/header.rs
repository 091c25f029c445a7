//! What rumqttc's decoder does not check in a received packet's first
//! bytes: the flags the standard fixes for each packet type in the fixed
//! header (MQTT-2.1.3-1; rumqttc reads the type nibble only), and the
//! reserved bits of the CONNACK's Acknowledge Flags (MQTT-3.2.2-1; rumqttc
//! reads bit 0 only). A packet that breaks either is malformed: the
//! connection ends with DISCONNECT 0x81 (contract P5).

use super::codec::Violation;

/// The packet types by their fixed-header nibble, with the flags each
/// must carry; PUBLISH (3) carries DUP, QoS and RETAIN instead, which
/// rumqttc checks (QoS 3 is malformed).
const TYPES: [(&str, Option<u8>); 16] = [
    ("reserved type 0", None),
    ("CONNECT", Some(0b0000)),
    ("CONNACK", Some(0b0000)),
    ("PUBLISH", None),
    ("PUBACK", Some(0b0000)),
    ("PUBREC", Some(0b0000)),
    ("PUBREL", Some(0b0010)),
    ("PUBCOMP", Some(0b0000)),
    ("SUBSCRIBE", Some(0b0010)),
    ("SUBACK", Some(0b0000)),
    ("UNSUBSCRIBE", Some(0b0010)),
    ("UNSUBACK", Some(0b0000)),
    ("PINGREQ", Some(0b0000)),
    ("PINGRESP", Some(0b0000)),
    ("DISCONNECT", Some(0b0000)),
    ("AUTH", Some(0b0000)),
];

const CONNACK: u8 = 2;

/// Checks one whole received packet (`packet` holds exactly its bytes).
pub fn check(packet: &[u8]) -> Result<(), Violation> {
    let kind = packet[0] >> 4;
    let flags = packet[0] & 0x0F;
    let (name, fixed) = TYPES[usize::from(kind)];
    if kind == 0 {
        return Err(Violation::malformed("a packet of the reserved type 0"));
    }
    if let Some(fixed) = fixed.filter(|fixed| *fixed != flags) {
        return Err(Violation::malformed(format!(
            "a {name} with fixed-header flags {flags:04b}; they must be {fixed:04b} (MQTT-2.1.3-1)"
        )));
    }
    if kind == CONNACK {
        // The Acknowledge Flags follow the Remaining Length (1 to 4 bytes).
        let length_bytes = packet[1..].iter().take_while(|b| *b & 0x80 != 0).count() + 1;
        if let Some(ack_flags) = packet.get(1 + length_bytes) {
            if ack_flags & 0xFE != 0 {
                return Err(Violation::malformed(format!(
                    "a CONNACK with Acknowledge Flags {ack_flags:08b}; bits 7-1 are reserved and must be 0 (MQTT-3.2.2-1)"
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::reasons;

    fn malformed(packet: &[u8]) -> String {
        let v = check(packet).expect_err("malformed");
        assert_eq!(reasons::disconnect(v.reason), 0x81, "{packet:02x?}");
        v.detail
    }

    /// MQTT-2.1.3-1: every packet type a Server sends, with its fixed flags
    /// and with a wrong bit; PUBLISH flags are its own.
    #[test]
    fn fixed_header_flags_other_than_the_standards_are_malformed() {
        let right: [&[u8]; 9] = [
            &[0x20, 0x03, 0x00, 0x00, 0x00],       // CONNACK
            &[0x40, 0x02, 0x00, 0x01],             // PUBACK
            &[0x50, 0x02, 0x00, 0x01],             // PUBREC
            &[0x62, 0x02, 0x00, 0x01],             // PUBREL
            &[0x70, 0x02, 0x00, 0x01],             // PUBCOMP
            &[0x90, 0x04, 0x00, 0x01, 0x00, 0x00], // SUBACK
            &[0xB0, 0x04, 0x00, 0x01, 0x00, 0x00], // UNSUBACK
            &[0xD0, 0x00],                         // PINGRESP
            &[0xE0, 0x00],                         // DISCONNECT
        ];
        for packet in right {
            assert!(check(packet).is_ok(), "{packet:02x?}");
            for bit in [0x01, 0x02, 0x04, 0x08] {
                let mut wrong = packet.to_vec();
                wrong[0] ^= bit;
                let detail = malformed(&wrong);
                assert!(detail.contains("MQTT-2.1.3-1"), "{detail}");
            }
        }
        assert!(
            malformed(&[0x60, 0x02, 0x00, 0x01]).contains("a PUBREL with fixed-header flags 0000")
        );
        assert!(malformed(&[0x91, 0x03, 0x00, 0x01, 0x00]).contains("SUBACK"));
        assert!(malformed(&[0xF1, 0x00]).contains("AUTH"));
        assert!(malformed(&[0x00, 0x00]).contains("reserved type 0"));
        for publish_flags in 0..=0x0F {
            let publish = [0x30 | publish_flags, 0x04, 0x00, 0x01, b't', 0x00];
            assert!(
                check(&publish).is_ok(),
                "PUBLISH flags are DUP, QoS, RETAIN"
            );
        }
    }

    /// MQTT-3.2.2-1: only bit 0 (Session Present) of the Acknowledge Flags
    /// may be set, whatever the length of the Remaining Length.
    #[test]
    fn connack_acknowledge_flags_with_reserved_bits_are_malformed() {
        assert!(check(&[0x20, 0x03, 0x01, 0x00, 0x00]).is_ok());
        for flags in [0x02u8, 0x80, 0xFF] {
            let detail = malformed(&[0x20, 0x03, flags, 0x00, 0x00]);
            assert!(detail.contains("MQTT-3.2.2-1"), "{detail}");
        }
        let mut long = vec![0x20, 0x83, 0x01, 0x02];
        long.extend([0u8; 130]);
        assert!(malformed(&long).contains("Acknowledge Flags 00000010"));
    }
}
