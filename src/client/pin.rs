//! Certificate pinning: the back office must present a certificate whose
//! SHA-256 (of its SubjectPublicKeyInfo, or of the whole DER certificate)
//! the application named, on top of the usual chain check against the
//! roots it trusts.
//!
//! ureq has no hook for a certificate verifier of our own, so a pinned
//! client puts its own TLS step in ureq's connector chain (CONNECT proxy,
//! then TCP, then this): rustls with the roots' verifier, wrapped by one
//! that also demands a pinned certificate. An unpinned client keeps
//! ureq's own chain.

use std::fmt;
use std::io::{Read, Write};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, StreamOwned};
use sha2::{Digest, Sha256};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, Transport,
    TransportAdapter,
};

use super::transport::Roots;
use crate::{Error, Result};

/// Parses a pin: the SHA-256 of a certificate's SPKI or of its DER, as 64
/// hex digits (colons allowed, as `openssl x509 -fingerprint -sha256`
/// prints them) or as standard base64 (44 characters, as HPKP's
/// `pin-sha256` and `openssl ... | base64` give it).
pub fn parse_pin(text: &str) -> Result<[u8; 32]> {
    use base64::Engine as _;
    let text = text.trim();
    let hex: String = text.chars().filter(|c| *c != ':').collect();
    let bytes = if hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        crate::hex::decode(&hex, "pin")?
    } else {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| {
                Error::InvalidArgument(format!(
                    "pin '{text}': expected the SHA-256 as 64 hex digits or 44 base64 characters"
                ))
            })?
    };
    bytes
        .try_into()
        .map_err(|_| Error::InvalidArgument(format!("pin '{text}': a SHA-256 is 32 bytes")))
}

/// The pins a certificate answers to: SHA-256 of its SPKI, and of its DER.
fn hashes(cert: &CertificateDer<'_>) -> Vec<[u8; 32]> {
    let mut out = vec![Sha256::digest(cert.as_ref()).into()];
    if let Ok(parsed) = webpki::EndEntityCert::try_from(cert) {
        out.push(Sha256::digest(parsed.subject_public_key_info().as_ref()).into());
    }
    out
}

/// The roots' verifier, then the pins.
#[derive(Debug)]
struct PinnedVerifier {
    inner: Arc<WebPkiServerVerifier>,
    pins: Vec<[u8; 32]>,
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let verified = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )?;
        let pinned = std::iter::once(end_entity)
            .chain(intermediates)
            .flat_map(hashes)
            .any(|h| self.pins.contains(&h));
        if pinned {
            Ok(verified)
        } else {
            Err(rustls::Error::General(
                "the server's certificate is not the pinned one".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The TLS step of a pinned client's connector chain.
pub(crate) struct PinnedTls {
    config: Arc<ClientConfig>,
}

impl fmt::Debug for PinnedTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PinnedTls").finish_non_exhaustive()
    }
}

impl PinnedTls {
    /// TLS trusting `roots`, and only certificates with one of `pins`.
    pub(crate) fn new(roots: &Roots, pins: Vec<[u8; 32]>) -> Result<PinnedTls> {
        let mut store = RootCertStore::empty();
        match roots {
            Roots::WebPki => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            Roots::Pem(certs) => {
                store.add_parsable_certificates(
                    certs
                        .iter()
                        .map(|c| CertificateDer::from(c.der()).into_owned()),
                );
            }
        }
        // The provider ureq's own TLS step uses (ring, no aws-lc build): its
        // deprecation is about post-quantum key exchange, which ureq's
        // unpinned connections lack as well.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider.clone())
            .build()
            .map_err(|e| Error::InvalidArgument(format!("trusted roots: {e}")))?;
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::InvalidArgument(format!("TLS: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(PinnedVerifier { inner, pins }))
            .with_no_client_auth();
        Ok(PinnedTls {
            config: Arc::new(config),
        })
    }

    /// ureq's chain with this TLS step in place of its own.
    pub(crate) fn chain(self) -> impl Connector {
        use ureq::unversioned::transport::{ConnectProxyConnector, TcpConnector};
        ().chain(ConnectProxyConnector::default())
            .chain(TcpConnector::default())
            .chain(self)
    }
}

impl<In: Transport> Connector<In> for PinnedTls {
    type Out = Either<In, PinnedTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> std::result::Result<Option<Self::Out>, ureq::Error> {
        let Some(transport) = chained else {
            return Ok(None);
        };
        if !details.needs_tls() || transport.is_tls() {
            return Ok(Some(Either::A(transport)));
        }
        let host = details
            .uri
            .authority()
            .map(|a| a.host())
            .ok_or(ureq::Error::Tls("no host to check the certificate against"))?;
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let name = ServerName::try_from(host.to_owned())
            .map_err(|_| ureq::Error::Tls("the server's name is not a DNS name or address"))?;
        let mut conn = ClientConnection::new(self.config.clone(), name)
            .map_err(|e| ureq::Error::Io(std::io::Error::other(e)))?;
        let mut sock = TransportAdapter::new(transport.boxed(), details.current_time.clone());
        sock.set_timeout(details.timeout);
        conn.complete_io(&mut sock)?;
        let buffers = LazyBuffers::new(
            details.config.input_buffer_size(),
            details.config.output_buffer_size(),
        );
        Ok(Some(Either::B(PinnedTransport {
            buffers,
            stream: StreamOwned { conn, sock },
        })))
    }
}

/// A connection through the pinned TLS step.
pub(crate) struct PinnedTransport {
    buffers: LazyBuffers,
    stream: StreamOwned<ClientConnection, TransportAdapter>,
}

impl fmt::Debug for PinnedTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PinnedTransport").finish_non_exhaustive()
    }
}

impl Transport for PinnedTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(
        &mut self,
        amount: usize,
        timeout: NextTimeout,
    ) -> std::result::Result<(), ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let output = &self.buffers.output()[..amount];
        self.stream.write_all(output)?;
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> std::result::Result<bool, ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let input = self.buffers.input_append_buf();
        let amount = self.stream.read(input)?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.stream.get_mut().get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_read_as_hex_or_base64_and_nothing_else() {
        let hex = "ab".repeat(32);
        assert_eq!(parse_pin(&hex).unwrap(), [0xab; 32]);
        let colons = vec!["AB"; 32].join(":");
        assert_eq!(parse_pin(&colons).unwrap(), [0xab; 32]);
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        assert_eq!(parse_pin(&b64).unwrap(), [7; 32]);
        for bad in ["", "abc", &"ab".repeat(31), "not base64!", "AAAA"] {
            assert!(
                matches!(parse_pin(bad), Err(Error::InvalidArgument(_))),
                "{bad}"
            );
        }
    }
}
