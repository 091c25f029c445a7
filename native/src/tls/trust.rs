//! What a client trusts (contract T1, T4, T6).
//!
//! * `cert` given (a PEM file or a PKCS#12 trust store): exactly those
//!   certificates, each also pinned (T4).
//! * No `cert`, and the caller passed default roots (the Java bridge passes
//!   what the JVM trusts by default, docs/bridge.md): those certificates,
//!   pinned as well, as the JVM's PKIX trust manager accepts a server that
//!   presents a trust anchor itself.
//! * Neither (the Rust API): the operating system's roots, loaded by
//!   `rustls-native-certs` at first use and kept for the process.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;

use super::{pkcs12, read_certificates, read_file};
use crate::config::TlsOptions;
use crate::error::{MqttError, Result};

/// Where the trust anchors of a client come from; named in the error when a
/// broker's certificate has an unknown issuer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `secureSocket.cert` / `TlsOptions::ca_file` / `TlsOptions::trust_store`.
    Given,
    /// `TlsOptions::default_roots`: what the JVM trusts by default.
    Jvm,
    /// The operating system's store.
    System,
}

/// The anchors, the pins and their source.
pub struct Trust {
    pub roots: Arc<RootCertStore>,
    pub pinned: Vec<CertificateDer<'static>>,
    pub source: Source,
}

/// The verifier's error for a chain that ends at no trusted certificate:
/// a sentence that says what was trusted, so the user knows where to add
/// the broker's CA.
#[derive(Debug)]
pub struct UnknownIssuer(pub Source);

impl fmt::Display for UnknownIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = "the broker's certificate is not trusted (certificate verification failed)";
        match self.0 {
            Source::Given => write!(
                f,
                "{what}: it is not signed by a certificate given as secureSocket.cert"
            ),
            Source::Jvm => write!(
                f,
                "{what}: it is not signed by a CA that the JVM trusts by default (its cacerts, \
                 or the trust store named by javax.net.ssl.trustStore); give the broker's CA as \
                 secureSocket.cert"
            ),
            Source::System => write!(
                f,
                "{what}: it is not signed by a CA of the operating system's trust store; give \
                 the broker's CA as TlsOptions::ca_file (secureSocket.cert)"
            ),
        }
    }
}

impl std::error::Error for UnknownIssuer {}

pub fn trusted_certificates(options: &TlsOptions) -> Result<Trust> {
    if options.ca_file.is_some() || options.trust_store.is_some() {
        return given(options);
    }
    match &options.default_roots {
        Some(ders) => jvm(ders),
        None => system(),
    }
}

fn given(options: &TlsOptions) -> Result<Trust> {
    let mut roots = RootCertStore::empty();
    let mut pinned = Vec::new();
    let mut add = |certs: Vec<CertificateDer<'static>>, path: &Path| -> Result<()> {
        for cert in certs {
            roots.add(cert.clone()).map_err(|e| {
                MqttError::tls(format!(
                    "A certificate in '{}' cannot be trusted: {e}",
                    path.display()
                ))
            })?;
            pinned.push(cert);
        }
        Ok(())
    };
    if let Some(ca_file) = &options.ca_file {
        add(read_certificates(ca_file)?, ca_file)?;
    }
    if let Some((path, password)) = &options.trust_store {
        let data = read_file(path, "PKCS#12 trust store")?;
        add(
            pkcs12::trust_store_certificates(path, &data, password)?,
            path,
        )?;
    }
    Ok(Trust {
        roots: Arc::new(roots),
        pinned,
        source: Source::Given,
    })
}

fn jvm(ders: &[Vec<u8>]) -> Result<Trust> {
    let certs: Vec<CertificateDer<'static>> = ders
        .iter()
        .map(|d| CertificateDer::from(d.clone()))
        .collect();
    let mut roots = RootCertStore::empty();
    let (added, ignored) = roots.add_parsable_certificates(certs.iter().cloned());
    if ignored > 0 {
        log::debug!("{ignored} of the JVM's default trusted certificates cannot be used as TLS trust anchors");
    }
    if added == 0 {
        return Err(MqttError::tls(
            "The JVM's default trust store holds no usable certificate (see javax.net.ssl.trustStore); give the broker's CA as secureSocket.cert",
        ));
    }
    Ok(Trust {
        roots: Arc::new(roots),
        pinned: certs,
        source: Source::Jvm,
    })
}

/// The operating system's roots, loaded once per process (a failed load is
/// tried again at the next connect).
static SYSTEM_ROOTS: Mutex<Option<Arc<RootCertStore>>> = Mutex::new(None);

fn system() -> Result<Trust> {
    let mut cached = SYSTEM_ROOTS.lock().unwrap_or_else(|e| e.into_inner());
    let roots = match &*cached {
        Some(roots) => roots.clone(),
        None => {
            let roots = Arc::new(load_system_roots()?);
            *cached = Some(roots.clone());
            roots
        }
    };
    Ok(Trust {
        roots,
        pinned: Vec::new(),
        source: Source::System,
    })
}

fn load_system_roots() -> Result<RootCertStore> {
    let loaded = rustls_native_certs::load_native_certs();
    for e in &loaded.errors {
        log::warn!("Reading the operating system's trusted certificates: {e}");
    }
    let mut roots = RootCertStore::empty();
    let (added, ignored) = roots.add_parsable_certificates(loaded.certs);
    log::debug!("{added} trusted certificates of the operating system loaded ({ignored} unusable)");
    if added == 0 {
        let why = loaded
            .errors
            .first()
            .map_or_else(|| "none found".to_string(), |e| e.to_string());
        return Err(MqttError::tls(format!(
            "The operating system's trust store holds no usable certificate ({why}); give the broker's CA as TlsOptions::ca_file (secureSocket.cert)"
        )));
    }
    Ok(roots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_jvm_trust_is_refused_by_name() {
        let e = jvm(&[]).err().expect("no anchors must fail");
        assert!(e.message().contains("javax.net.ssl.trustStore"), "{e}");
    }

    #[test]
    fn unknown_issuer_names_what_was_trusted() {
        assert!(UnknownIssuer(Source::Jvm)
            .to_string()
            .contains("trusts by default"));
        assert!(UnknownIssuer(Source::System)
            .to_string()
            .contains("operating system"));
        assert!(UnknownIssuer(Source::Given)
            .to_string()
            .contains("secureSocket.cert"));
    }
}
