//! TLS client configuration from the user's files (contract §6).
//!
//! One crypto provider (ring) is chosen explicitly: rustls panics at first
//! use when two are linked and none is installed (R13). Error messages name
//! the file and the cause, never a password or key bytes (E3).

use std::fs;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore, SupportedProtocolVersion};

use crate::config::TlsOptions;
use crate::error::{MqttError, Result};

/// Builds the rustls configuration for one client.
pub fn client_config(options: &TlsOptions) -> Result<Arc<ClientConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions = protocol_versions(options.protocol.as_ref())?;
    let builder = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions)
        .map_err(|e| MqttError::tls(format!("TLS protocol versions not usable: {e}")))?;
    let roots = root_store(options)?;
    let builder = builder.with_root_certificates(roots);
    let config = match (&options.cert_key, &options.key_store) {
        (Some((cert_file, key_file, password)), _) => {
            let chain = read_certificates(cert_file)?;
            let key = read_private_key(key_file, password.as_deref())?;
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                MqttError::tls(format!(
                    "Client certificate '{}' and key '{}' cannot be used together: {e}",
                    cert_file.display(),
                    key_file.display()
                ))
            })?
        }
        (None, Some((path, _))) => {
            return Err(MqttError::tls(format!(
                "PKCS#12 key store '{}' is not supported yet; use a PEM certificate and key",
                path.display()
            )))
        }
        (None, None) => builder.with_no_client_auth(),
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

fn root_store(options: &TlsOptions) -> Result<RootCertStore> {
    let mut roots = RootCertStore::empty();
    if let Some(ca_file) = &options.ca_file {
        for cert in read_certificates(ca_file)? {
            roots.add(cert).map_err(|e| {
                MqttError::tls(format!(
                    "Certificate in '{}' cannot be trusted: {e}",
                    ca_file.display()
                ))
            })?;
        }
    }
    if let Some((path, _)) = &options.trust_store {
        return Err(MqttError::tls(format!(
            "PKCS#12 trust store '{}' is not supported yet; use a PEM CA file",
            path.display()
        )));
    }
    if roots.is_empty() {
        return Err(MqttError::tls(
            "No certificate to trust: give secureSocket.cert (a PEM CA file)",
        ));
    }
    Ok(roots)
}

fn read_file(path: &Path, what: &str) -> Result<Vec<u8>> {
    fs::read(path)
        .map_err(|e| MqttError::tls(format!("Cannot read {what} file '{}': {e}", path.display())))
}

/// Every certificate of a PEM file; an error names the file when it has none.
pub fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let pem = read_file(path, "certificate")?;
    let certs = rustls_pemfile::certs(&mut pem.as_slice())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| {
            MqttError::tls(format!(
                "Certificate file '{}' is not valid PEM",
                path.display()
            ))
        })?;
    if certs.is_empty() {
        return Err(MqttError::tls(format!(
            "Certificate file '{}' holds no PEM certificate",
            path.display()
        )));
    }
    Ok(certs)
}

/// The first private key of a PEM file (PKCS#1, PKCS#8 or SEC1).
pub fn read_private_key(path: &Path, password: Option<&str>) -> Result<PrivateKeyDer<'static>> {
    let pem = read_file(path, "key")?;
    if password.is_some() {
        return Err(MqttError::tls(format!(
            "Encrypted private key '{}' is not supported yet; give an unencrypted key",
            path.display()
        )));
    }
    rustls_pemfile::private_key(&mut pem.as_slice())
        .map_err(|_| MqttError::tls(format!("Key file '{}' is not valid PEM", path.display())))?
        .ok_or_else(|| {
            MqttError::tls(format!(
                "Key file '{}' holds no PEM private key (PKCS#1, PKCS#8 or SEC1)",
                path.display()
            ))
        })
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
