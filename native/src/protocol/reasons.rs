//! Every MQTT 5 reason code the engine reads or names (MQTT 5 §2.4), in one
//! place: the codec's enums to their numbers, and numbers to the names that
//! error messages show.

use rumqttc::v5::mqttbytes::v5::{
    ConnectReturnCode, DisconnectReasonCode, PubAckReason, PubRecReason, SubscribeReasonCode,
    UnsubAckReason,
};

/// Human name of an MQTT 5 reason code (§2.4).
pub fn name(code: u8) -> &'static str {
    match code {
        0x00 => "Success",
        0x04 => "Disconnect with will message",
        0x10 => "No matching subscribers",
        0x11 => "No subscription existed",
        0x80 => "Unspecified error",
        0x81 => "Malformed packet",
        0x82 => "Protocol error",
        0x83 => "Implementation specific error",
        0x84 => "Unsupported protocol version",
        0x85 => "Client identifier not valid",
        0x86 => "Bad user name or password",
        0x87 => "Not authorized",
        0x88 => "Server unavailable",
        0x89 => "Server busy",
        0x8A => "Banned",
        0x8B => "Server shutting down",
        0x8C => "Bad authentication method",
        0x8D => "Keep alive timeout",
        0x8E => "Session taken over",
        0x8F => "Topic filter invalid",
        0x90 => "Topic name invalid",
        0x91 => "Packet identifier in use",
        0x92 => "Packet identifier not found",
        0x93 => "Receive maximum exceeded",
        0x94 => "Topic alias invalid",
        0x95 => "Packet too large",
        0x96 => "Message rate too high",
        0x97 => "Quota exceeded",
        0x98 => "Administrative action",
        0x99 => "Payload format invalid",
        0x9A => "Retain not supported",
        0x9B => "QoS not supported",
        0x9C => "Use another server",
        0x9D => "Server moved",
        0x9E => "Shared subscriptions not supported",
        0x9F => "Connection rate exceeded",
        0xA0 => "Maximum connect time",
        0xA1 => "Subscription identifiers not supported",
        0xA2 => "Wildcard subscriptions not supported",
        _ => "Unknown reason",
    }
}

pub fn connack(code: ConnectReturnCode) -> u8 {
    use ConnectReturnCode::*;
    match code {
        Success => 0x00,
        RefusedProtocolVersion | UnsupportedProtocolVersion => 0x84,
        BadClientId | ClientIdentifierNotValid => 0x85,
        ServiceUnavailable | ServerUnavailable => 0x88,
        UnspecifiedError => 0x80,
        MalformedPacket => 0x81,
        ProtocolError => 0x82,
        ImplementationSpecificError => 0x83,
        BadUserNamePassword => 0x86,
        NotAuthorized => 0x87,
        ServerBusy => 0x89,
        Banned => 0x8A,
        BadAuthenticationMethod => 0x8C,
        TopicNameInvalid => 0x90,
        PacketTooLarge => 0x95,
        QuotaExceeded => 0x97,
        PayloadFormatInvalid => 0x99,
        RetainNotSupported => 0x9A,
        QoSNotSupported => 0x9B,
        UseAnotherServer => 0x9C,
        ServerMoved => 0x9D,
        ConnectionRateExceeded => 0x9F,
    }
}

pub fn suback(code: SubscribeReasonCode) -> u8 {
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

pub fn unsuback(code: UnsubAckReason) -> u8 {
    use UnsubAckReason::*;
    match code {
        Success => 0x00,
        NoSubscriptionExisted => 0x11,
        UnspecifiedError => 0x80,
        ImplementationSpecificError => 0x83,
        NotAuthorized => 0x87,
        TopicFilterInvalid => 0x8F,
        PacketIdentifierInUse => 0x91,
    }
}

pub fn puback(reason: PubAckReason) -> u8 {
    use PubAckReason::*;
    match reason {
        Success => 0x00,
        NoMatchingSubscribers => 0x10,
        UnspecifiedError => 0x80,
        ImplementationSpecificError => 0x83,
        NotAuthorized => 0x87,
        TopicNameInvalid => 0x90,
        PacketIdentifierInUse => 0x91,
        QuotaExceeded => 0x97,
        PayloadFormatInvalid => 0x99,
    }
}

pub fn pubrec(reason: PubRecReason) -> u8 {
    use PubRecReason::*;
    match reason {
        Success => 0x00,
        NoMatchingSubscribers => 0x10,
        UnspecifiedError => 0x80,
        ImplementationSpecificError => 0x83,
        NotAuthorized => 0x87,
        TopicNameInvalid => 0x90,
        PacketIdentifierInUse => 0x91,
        QuotaExceeded => 0x97,
        PayloadFormatInvalid => 0x99,
    }
}

/// The codec's DISCONNECT reasons are their numbers (`#[repr(u8)]`).
pub fn disconnect(reason: DisconnectReasonCode) -> u8 {
    reason as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_the_codec_can_give_has_a_name() {
        for code in 0..=u8::MAX {
            let known = DisconnectReasonCode::try_from(code).is_ok();
            if known {
                assert_ne!(name(code), "Unknown reason", "{code:#x}");
                assert_eq!(
                    disconnect(DisconnectReasonCode::try_from(code).unwrap()),
                    code
                );
            }
        }
        for c in [
            ConnectReturnCode::BadUserNamePassword,
            ConnectReturnCode::NotAuthorized,
            ConnectReturnCode::QuotaExceeded,
        ] {
            assert_ne!(name(connack(c)), "Unknown reason");
        }
        assert_eq!(connack(ConnectReturnCode::BadUserNamePassword), 134);
        assert_eq!(suback(SubscribeReasonCode::NotAuthorized), 0x87);
        assert_eq!(unsuback(UnsubAckReason::NoSubscriptionExisted), 0x11);
        assert_eq!(puback(PubAckReason::QuotaExceeded), 151);
        assert_eq!(pubrec(PubRecReason::NotAuthorized), 0x87);
    }
}
