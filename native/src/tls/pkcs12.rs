//! PKCS#12 trust and key stores (contract T1, T2): legacy (RC2/3DES with a
//! SHA-1 MAC, `openssl pkcs12 -legacy`) and modern (PBES2/AES-256, OpenSSL 3's
//! default) encryptions; certificate-only stores as Java's keytool writes them
//! (with the Oracle trusted-certificate attribute) and as OpenSSL writes them
//! (`-nokeys`, no such attribute): every certificate of a trust store is trusted.
//!
//! Errors name the file and the cause, never the password (E3).

use std::path::Path;

use p12_keystore::error::Error as P12Error;
use p12_keystore::Pkcs12Archive;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::error::{MqttError, Result};

fn open(path: &Path, data: &[u8], password: &str, what: &str) -> Result<Pkcs12Archive> {
    let name = path.display();
    Pkcs12Archive::from_pkcs12(data, password).map_err(|e| {
        MqttError::tls(match e {
            P12Error::MacError(_) => {
                format!("Cannot open {what} '{name}': wrong password (or the file is damaged)")
            }
            P12Error::UnpadError | P12Error::Pkcs5Error(_) | P12Error::InvalidPrivateKey => {
                format!("Cannot decrypt {what} '{name}': wrong password or damaged file")
            }
            P12Error::UnsupportedEncryptionScheme | P12Error::UnsupportedMacAlgorithm => {
                format!("{what} '{name}' uses an unsupported PKCS#12 encryption or MAC algorithm")
            }
            _ => format!("{what} '{name}' is not a valid PKCS#12 file ({e})"),
        })
    })
}

/// Every certificate of a PKCS#12 trust store.
pub fn trust_store_certificates(
    path: &Path,
    data: &[u8],
    password: &str,
) -> Result<Vec<CertificateDer<'static>>> {
    let archive = open(path, data, password, "PKCS#12 trust store")?;
    let certs: Vec<_> = archive
        .certs
        .iter()
        .map(|bag| CertificateDer::from(bag.cert.as_der().to_vec()))
        .collect();
    if certs.is_empty() {
        return Err(MqttError::tls(format!(
            "PKCS#12 trust store '{}' holds no certificate",
            path.display()
        )));
    }
    Ok(certs)
}

/// The client certificate chain (leaf first) and its private key.
pub fn key_store_identity(
    path: &Path,
    data: &[u8],
    password: &str,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    let name = path.display();
    let archive = open(path, data, password, "PKCS#12 key store")?;
    let Some(key) = archive.keys.first() else {
        return Err(MqttError::tls(format!(
            "PKCS#12 key store '{name}' holds no private key"
        )));
    };
    // The leaf is the certificate with the key's localKeyId (OpenSSL and
    // keytool both set it); else the only certificate that is not a CA's
    // issuer of another one, else the first.
    let leaf_index = key
        .local_key_id
        .as_ref()
        .and_then(|id| {
            archive
                .certs
                .iter()
                .position(|c| c.local_key_id.as_deref() == Some(id.0.as_slice()))
        })
        .or_else(|| {
            archive.certs.iter().position(|c| {
                !archive
                    .certs
                    .iter()
                    .any(|o| o.cert.issuer() == c.cert.subject() && !std::ptr::eq(o, c))
            })
        })
        .or(if archive.certs.is_empty() {
            None
        } else {
            Some(0)
        })
        .ok_or_else(|| {
            MqttError::tls(format!(
                "PKCS#12 key store '{name}' holds no certificate for its key"
            ))
        })?;
    // Chain: the leaf, then its issuers as far as the store has them.
    let mut chain = vec![&archive.certs[leaf_index].cert];
    while let Some(last) = chain.last() {
        if last.issuer() == last.subject() {
            break;
        }
        match archive
            .certs
            .iter()
            .map(|b| &b.cert)
            .find(|c| c.subject() == last.issuer() && !chain.contains(c))
        {
            Some(issuer) => chain.push(issuer),
            None => break,
        }
    }
    let chain = chain
        .into_iter()
        .map(|c| CertificateDer::from(c.as_der().to_vec()))
        .collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.key.as_der().to_vec()));
    Ok((chain, key))
}
