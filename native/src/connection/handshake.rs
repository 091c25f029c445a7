//! Opening a connection: transport, CONNECT, CONNACK.

use super::*;

/// Opens the transport, sends CONNECT and waits for CONNACK.
pub(super) async fn connect_once(
    uri: &ServerUri,
    tls: Option<&Arc<rustls::ClientConfig>>,
    options: &ConnectOptions,
) -> Result<(BoxedIo, ConnAck, BytesMut)> {
    let mut io = transport::open(uri, tls).await?;
    let mut buf = BytesMut::new();
    codec::write_packet(&codec::connect_packet(options), &mut buf, None)?;
    let lost = |e: std::io::Error| {
        MqttError::with_code(
            ErrorKind::Io,
            format!("Unable to connect to {}: {e}", uri.original),
            code::SERVER_CONNECT_ERROR,
        )
    };
    io.write_all(&buf).await.map_err(lost)?;
    io.flush().await.map_err(lost)?;
    let mut read_buf = BytesMut::with_capacity(4096);
    loop {
        if let Some(packet) = codec::read_packet(&mut read_buf, options.max_incoming_packet_size)? {
            return match packet {
                Packet::ConnAck(connack) if connack.code == ConnectReturnCode::Success => {
                    Ok((io, connack, read_buf))
                }
                Packet::ConnAck(connack) => {
                    let text = connack
                        .properties
                        .as_ref()
                        .and_then(|p| p.reason_string.clone());
                    Err(MqttError::broker(
                        format!("Connection to {} refused", uri.original),
                        connack_code(connack.code),
                        text.as_deref(),
                    ))
                }
                other => Err(MqttError::new(
                    ErrorKind::Protocol,
                    format!("Expected CONNACK from {}, got {other:?}", uri.original),
                )),
            };
        }
        if io.read_buf(&mut read_buf).await.map_err(lost)? == 0 {
            return Err(MqttError::with_code(
                ErrorKind::Io,
                format!(
                    "Unable to connect to {}: the broker closed the connection before CONNACK",
                    uri.original
                ),
                code::SERVER_CONNECT_ERROR,
            ));
        }
    }
}

fn connack_code(code: ConnectReturnCode) -> u8 {
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
