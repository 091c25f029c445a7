//! PEM private keys (contract T2): PKCS#1 (`RSA PRIVATE KEY`), SEC1
//! (`EC PRIVATE KEY`) and PKCS#8 (`PRIVATE KEY`), each plain or encrypted
//! with `keyPassword`: encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`, PBES2 or
//! PBES1) and the traditional OpenSSL form (`Proc-Type: 4,ENCRYPTED` with
//! `DEK-Info: AES-128-CBC|AES-192-CBC|AES-256-CBC|DES-EDE3-CBC,<iv>`).
//!
//! Errors name the file and the cause; never the password or key bytes (E3).

use std::path::Path;

use aes::{Aes128, Aes192, Aes256};
use base64ct::{Base64, Encoding};
use cbc::cipher::{block_padding::Pkcs7, BlockModeDecrypt, KeyIvInit};
use des::TdesEde3;
use md5::{Digest, Md5};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer};

use crate::error::{MqttError, Result};

/// One PEM block: label, `Name: value` headers and the decoded body.
pub(crate) struct PemBlock {
    pub label: String,
    pub headers: Vec<(String, String)>,
    pub der: Vec<u8>,
}

/// Every PEM block of `text`, in order. `None` when a block is malformed
/// (no END line, bad base64): the caller names the file.
pub(crate) fn pem_blocks(text: &str) -> Option<Vec<PemBlock>> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let end = format!("-----END {label}-----");
        let mut headers = Vec::new();
        let mut body = String::new();
        let mut closed = false;
        for line in lines.by_ref() {
            if line == end {
                closed = true;
                break;
            }
            if body.is_empty() {
                if let Some((name, value)) = line.split_once(':') {
                    headers.push((name.trim().to_string(), value.trim().to_string()));
                    continue;
                }
            }
            body.push_str(line);
        }
        if !closed {
            return None;
        }
        let der = Base64::decode_vec(&body).ok()?;
        blocks.push(PemBlock {
            label: label.to_string(),
            headers,
            der,
        });
    }
    Some(blocks)
}

/// The first private key of the PEM file at `path` (read as `pem`).
pub fn parse_private_key(
    path: &Path,
    pem: &[u8],
    password: Option<&str>,
) -> Result<PrivateKeyDer<'static>> {
    let name = path.display();
    let text = std::str::from_utf8(pem)
        .map_err(|_| MqttError::tls(format!("Key file '{name}' is not a PEM file")))?;
    let blocks = pem_blocks(text).ok_or_else(|| {
        MqttError::tls(format!(
            "Key file '{name}' is not valid PEM (damaged or truncated)"
        ))
    })?;
    let block = blocks
        .into_iter()
        .find(|b| b.label.ends_with("PRIVATE KEY"))
        .ok_or_else(|| {
            MqttError::tls(format!(
                "Key file '{name}' holds no PEM private key (PKCS#1, PKCS#8 or SEC1)"
            ))
        })?;
    let need_password = || {
        MqttError::tls(format!(
            "Key file '{name}' is encrypted: give its password as keyPassword"
        ))
    };
    let wrong_password = || {
        MqttError::tls(format!(
            "Cannot decrypt key file '{name}': wrong keyPassword or damaged file"
        ))
    };
    let encrypted = block
        .headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("Proc-Type") && v.contains("ENCRYPTED"));
    match block.label.as_str() {
        "ENCRYPTED PRIVATE KEY" => {
            let password = password.ok_or_else(need_password)?;
            let info = pkcs8::EncryptedPrivateKeyInfoOwned::try_from(block.der.as_slice())
                .map_err(|_| {
                    if contains(&block.der, PKCS12_PBE_OID_PREFIX) {
                        MqttError::tls(format!(
                            "Key file '{name}' is encrypted with a PKCS#12 PBE algorithm (like PBE-SHA1-3DES), which is not supported for PEM keys; convert it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`"
                        ))
                    } else {
                        MqttError::tls(format!(
                            "Key file '{name}' is not a valid encrypted PKCS#8 key"
                        ))
                    }
                })?;
            let doc = info.decrypt(password).map_err(|e| match e {
                pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::UnsupportedAlgorithm {
                    ..
                }) => MqttError::tls(format!(
                    "Key file '{name}' uses an unsupported encryption algorithm"
                )),
                _ => wrong_password(),
            })?;
            Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                doc.as_bytes().to_vec(),
            )))
        }
        label @ ("RSA PRIVATE KEY" | "EC PRIVATE KEY" | "PRIVATE KEY") => {
            let der = if encrypted {
                let password = password.ok_or_else(need_password)?;
                let dek = block
                    .headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("DEK-Info"))
                    .map(|(_, v)| v.as_str())
                    .ok_or_else(|| {
                        MqttError::tls(format!("Key file '{name}' is encrypted but has no DEK-Info"))
                    })?;
                decrypt_traditional(dek, password, &block.der).map_err(|e| match e {
                    Traditional::Unsupported(cipher) => MqttError::tls(format!(
                        "Key file '{name}' uses the unsupported cipher '{cipher}' (use AES-128/192/256-CBC or DES-EDE3-CBC)"
                    )),
                    Traditional::BadHeader => {
                        MqttError::tls(format!("Key file '{name}' has an invalid DEK-Info header"))
                    }
                    Traditional::Decrypt => wrong_password(),
                })?
            } else {
                block.der
            };
            // A wrong password may still unpad by chance: a key must be a DER SEQUENCE.
            if encrypted && !looks_like_der_sequence(&der) {
                return Err(wrong_password());
            }
            Ok(match label {
                "RSA PRIVATE KEY" => PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(der)),
                "EC PRIVATE KEY" => PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(der)),
                _ => PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der)),
            })
        }
        other => Err(MqttError::tls(format!(
            "Key file '{name}' holds a '{other}', which is not supported (use PKCS#1, PKCS#8 or SEC1)"
        ))),
    }
}

/// DER of OID 1.2.840.113549.1.12.1 (pkcs-12PbeIds), without the last arc.
const PKCS12_PBE_OID_PREFIX: &[u8] = &[
    0x06, 0x0A, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x01,
];

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn looks_like_der_sequence(der: &[u8]) -> bool {
    if der.len() < 2 || der[0] != 0x30 {
        return false;
    }
    let (len, header) = match der[1] {
        n if n < 0x80 => (usize::from(n), 2),
        0x81 if der.len() > 2 => (usize::from(der[2]), 3),
        0x82 if der.len() > 3 => ((usize::from(der[2]) << 8) | usize::from(der[3]), 4),
        _ => return false,
    };
    header + len == der.len()
}

enum Traditional {
    Unsupported(String),
    BadHeader,
    Decrypt,
}

/// OpenSSL's traditional PEM encryption: key = EVP_BytesToKey(MD5, password,
/// salt = IV[0..8], 1 round), CBC with PKCS#7 padding.
fn decrypt_traditional(
    dek_info: &str,
    password: &str,
    data: &[u8],
) -> std::result::Result<Vec<u8>, Traditional> {
    let (cipher, iv_hex) = dek_info.split_once(',').ok_or(Traditional::BadHeader)?;
    let cipher = cipher.trim().to_ascii_uppercase();
    let iv = hex(iv_hex.trim()).ok_or(Traditional::BadHeader)?;
    let (key_len, iv_len) = match cipher.as_str() {
        "AES-128-CBC" => (16, 16),
        "AES-192-CBC" => (24, 16),
        "AES-256-CBC" => (32, 16),
        "DES-EDE3-CBC" => (24, 8),
        _ => return Err(Traditional::Unsupported(cipher)),
    };
    if iv.len() != iv_len {
        return Err(Traditional::BadHeader);
    }
    let key = bytes_to_key(password.as_bytes(), &iv[..8], key_len);
    let out = match cipher.as_str() {
        "AES-128-CBC" => cbc::Decryptor::<Aes128>::new_from_slices(&key, &iv)
            .map_err(|_| Traditional::BadHeader)?
            .decrypt_padded_vec::<Pkcs7>(data),
        "AES-192-CBC" => cbc::Decryptor::<Aes192>::new_from_slices(&key, &iv)
            .map_err(|_| Traditional::BadHeader)?
            .decrypt_padded_vec::<Pkcs7>(data),
        "AES-256-CBC" => cbc::Decryptor::<Aes256>::new_from_slices(&key, &iv)
            .map_err(|_| Traditional::BadHeader)?
            .decrypt_padded_vec::<Pkcs7>(data),
        _ => cbc::Decryptor::<TdesEde3>::new_from_slices(&key, &iv)
            .map_err(|_| Traditional::BadHeader)?
            .decrypt_padded_vec::<Pkcs7>(data),
    };
    out.map_err(|_| Traditional::Decrypt)
}

/// EVP_BytesToKey with MD5 and one iteration.
fn bytes_to_key(password: &[u8], salt: &[u8], len: usize) -> Vec<u8> {
    let mut key = Vec::with_capacity(len + 16);
    let mut prev: Vec<u8> = Vec::new();
    while key.len() < len {
        let mut md = Md5::new();
        md.update(&prev);
        md.update(password);
        md.update(salt);
        prev = md.finalize().to_vec();
        key.extend_from_slice(&prev);
    }
    key.truncate(len);
    key
}

fn hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evp_bytes_to_key_matches_openssl() {
        // `openssl enc -aes-128-cbc -P -md md5 -S 0001020304050607 -pass pass:pw`
        // prints key=A55F79AA00E8DD0E7D3CE26ED40D7CD3 (OpenSSL 3.0).
        let key = bytes_to_key(b"pw", &[0, 1, 2, 3, 4, 5, 6, 7], 16);
        assert_eq!(key, hex("A55F79AA00E8DD0E7D3CE26ED40D7CD3").unwrap());
        // Deterministic and password-dependent.
        assert_ne!(key, bytes_to_key(b"px", &[0, 1, 2, 3, 4, 5, 6, 7], 16));
        assert_eq!(bytes_to_key(b"pw", &[0; 8], 40).len(), 40);
    }

    #[test]
    fn pem_blocks_with_headers() {
        let text = "junk\n-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAEC\n-----END RSA PRIVATE KEY-----\n";
        let blocks = pem_blocks(text).unwrap();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].headers.len(), 2);
        assert_eq!(blocks[0].der, vec![0, 1, 2]);
        assert!(pem_blocks("-----BEGIN X-----\nAAEC\n").is_none());
    }

    #[test]
    fn der_sequence_check() {
        assert!(looks_like_der_sequence(&[0x30, 0x01, 0x00]));
        assert!(!looks_like_der_sequence(&[0x30, 0x05, 0x00]));
        assert!(!looks_like_der_sequence(&[0x31, 0x00]));
    }
}
