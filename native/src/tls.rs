//! TLS client configuration from the user's files (contract §6), or with
//! default trust when no file names what to trust (T6, `trust.rs`).
//!
//! One crypto provider (ring) is chosen explicitly: rustls panics at first
//! use when two are linked and none is installed (R13). Error messages name
//! the file and the cause, never a password or key bytes (E3).

mod keys;
mod pkcs12;
mod trust;
mod verify;

use std::fs;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{
    AlertDescription, CertificateError, ClientConfig, Error as TlsError, InconsistentKeys,
    SupportedProtocolVersion,
};

use crate::config::TlsOptions;
use crate::error::{MqttError, Result};

/// Builds the rustls configuration for one client.
pub fn client_config(options: &TlsOptions) -> Result<Arc<ClientConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions = protocol_versions(options.protocol.as_ref())?;
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .map_err(|e| MqttError::tls(format!("TLS protocol versions not usable: {e}")))?;
    let trust = trust::trusted_certificates(options)?;
    let verifier = verify::PinningVerifier::new(trust, provider.clone())
        .map_err(|e| MqttError::tls(format!("The certificates to trust cannot be used: {e}")))?;
    let builder = builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    let identity = match (&options.cert_key, &options.key_store) {
        (Some((cert_file, key_file, password)), _) => {
            let chain = read_certificates(cert_file)?;
            let key = read_private_key(key_file, password.as_deref())?;
            let what = format!(
                "client certificate '{}' and key '{}'",
                cert_file.display(),
                key_file.display()
            );
            Some((chain, key, what, key_file.display().to_string()))
        }
        (None, Some((path, password))) => {
            let data = read_file(path, "PKCS#12 key store")?;
            let (chain, key) = pkcs12::key_store_identity(path, &data, password)?;
            let what = format!("PKCS#12 key store '{}'", path.display());
            Some((chain, key, what, path.display().to_string()))
        }
        (None, None) => None,
    };
    let config = match identity {
        Some((chain, key, what, key_name)) => {
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| match e {
                    TlsError::InconsistentKeys(InconsistentKeys::KeyMismatch) => MqttError::tls(
                        format!("The private key does not match the certificate in the {what}"),
                    ),
                    _ => MqttError::tls(format!(
                        "The private key in '{key_name}' cannot be used (not an RSA, ECDSA or Ed25519 key, or damaged)"
                    )),
                })?
        }
        None => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

fn protocol_versions(
    protocol: Option<&(String, String)>,
) -> Result<Vec<&'static SupportedProtocolVersion>> {
    let Some((name, version)) = protocol else {
        return Ok(vec![&rustls::version::TLS13, &rustls::version::TLS12]);
    };
    if !name.eq_ignore_ascii_case("TLS") {
        return Err(MqttError::tls(format!(
            "Protocol '{name}' is not supported: use TLS with version 1.2 or 1.3"
        )));
    }
    match version.trim() {
        "1.2" => Ok(vec![&rustls::version::TLS12]),
        "1.3" => Ok(vec![&rustls::version::TLS13]),
        other => Err(MqttError::tls(format!(
            "TLS version '{other}' is not supported: use 1.2 or 1.3"
        ))),
    }
}

fn read_file(path: &Path, what: &str) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        MqttError::tls(format!(
            "Cannot read {what} file '{}': {why}",
            path.display()
        ))
    })
}

/// Every certificate of a PEM file; an error names the file when it has none.
pub fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let pem = read_file(path, "certificate")?;
    let blocks = std::str::from_utf8(&pem)
        .ok()
        .and_then(keys::pem_blocks)
        .ok_or_else(|| {
            MqttError::tls(format!(
                "Certificate file '{}' is not valid PEM (damaged or truncated)",
                path.display()
            ))
        })?;
    let certs: Vec<CertificateDer<'static>> = blocks
        .into_iter()
        .filter(|b| b.label == "CERTIFICATE" || b.label == "TRUSTED CERTIFICATE")
        .map(|b| CertificateDer::from(b.der))
        .collect();
    if certs.is_empty() {
        return Err(MqttError::tls(format!(
            "Certificate file '{}' holds no PEM certificate",
            path.display()
        )));
    }
    for cert in &certs {
        if x509_parser::parse_x509_certificate(cert.as_ref()).is_err() {
            return Err(MqttError::tls(format!(
                "Certificate file '{}' holds a damaged certificate",
                path.display()
            )));
        }
    }
    Ok(certs)
}

/// The first private key of a PEM file (PKCS#1, PKCS#8 or SEC1), decrypted
/// with `password` when it is encrypted.
pub fn read_private_key(path: &Path, password: Option<&str>) -> Result<PrivateKeyDer<'static>> {
    let pem = read_file(path, "key")?;
    keys::parse_private_key(path, &pem, password)
}

/// A plain sentence for a TLS failure seen while connecting to `host`
/// (certificate checks, alerts from the broker, version mismatch).
pub fn describe_error(e: &TlsError, host: &str) -> String {
    match e {
        TlsError::InvalidCertificate(c) => describe_certificate_error(c, host),
        TlsError::AlertReceived(alert) => describe_alert(*alert),
        TlsError::PeerIncompatible(p) => format!(
            "the broker and the client have no TLS version or cipher suite in common ({p:?}); check secureSocket.protocol"
        ),
        other => other.to_string(),
    }
}

fn describe_certificate_error(e: &CertificateError, host: &str) -> String {
    let what = "the broker's certificate";
    match e {
        CertificateError::UnknownIssuer => trust::UnknownIssuer(trust::Source::Given).to_string(),
        CertificateError::Other(o) if o.0.downcast_ref::<trust::UnknownIssuer>().is_some() => {
            o.0.to_string()
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            format!("{what} has expired")
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            format!("{what} is not valid yet")
        }
        CertificateError::NotValidForName => {
            format!("{what} is not valid for the host name '{host}'")
        }
        CertificateError::NotValidForNameContext { presented, .. } => format!(
            "{what} is not valid for the host name '{host}' (it names {})",
            presented.join(", ")
        ),
        CertificateError::BadSignature => format!("{what} has an invalid signature"),
        CertificateError::BadEncoding => format!("{what} cannot be parsed"),
        CertificateError::Revoked => format!("{what} is revoked"),
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            format!("{what} is not meant for a TLS server")
        }
        CertificateError::Other(o) if format!("{o:?}").contains("CaUsedAsEndEntity") => format!(
            "{what} is not trusted: it is a CA certificate used as the server's own; give exactly that certificate as secureSocket.cert to pin it"
        ),
        other => format!("{what} was refused ({other:?})"),
    }
}

fn describe_alert(alert: AlertDescription) -> String {
    match alert {
        AlertDescription::CertificateRequired => {
            "the broker requires a client certificate: give one as secureSocket.key (TLS alert certificate_required)".into()
        }
        AlertDescription::HandshakeFailure => {
            "the broker refused the TLS handshake (alert handshake_failure): it may require a client certificate (secureSocket.key), or no TLS version or cipher suite is shared".into()
        }
        AlertDescription::ProtocolVersion => {
            "the broker does not accept the TLS version offered (alert protocol_version); check secureSocket.protocol".into()
        }
        AlertDescription::BadCertificate
        | AlertDescription::UnsupportedCertificate
        | AlertDescription::CertificateUnknown
        | AlertDescription::UnknownCA
        | AlertDescription::CertificateRevoked
        | AlertDescription::AccessDenied => format!(
            "the broker refused the client certificate (TLS alert {alert:?})"
        ),
        AlertDescription::CertificateExpired => {
            "the broker refused the client certificate: it has expired".into()
        }
        other => format!("the broker sent the TLS alert {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_pinning() {
        let p = |n: &str, v: &str| Some((n.to_string(), v.to_string()));
        assert_eq!(
            protocol_versions(p("TLS", "1.2").as_ref()).unwrap().len(),
            1
        );
        assert_eq!(protocol_versions(None).unwrap().len(), 2);
        let e = protocol_versions(p("SSL", "1.2").as_ref()).unwrap_err();
        assert!(e.message().contains("SSL"));
        let e = protocol_versions(p("TLS", "1.1").as_ref()).unwrap_err();
        assert!(e.message().contains("1.1"));
    }

    #[test]
    fn missing_files_are_named() {
        let e = read_certificates(Path::new("/nonexistent/ca.pem")).unwrap_err();
        assert!(e.message().contains("/nonexistent/ca.pem"));
    }
}
