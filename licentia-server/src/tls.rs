//! HTTPS for `licentia serve`: the certificate chain and private key named
//! by `tls_cert` and `tls_key`, served with rustls (TLS 1.2 and 1.3, HTTP/1.1).

use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

use crate::config::Config;

/// The TLS acceptor `config` asks for; `None` for plain HTTP.
///
/// The key file is refused when group or others may read or write it, as
/// the signing keys are; a certificate that does not match the key is
/// refused at start, not at the first handshake.
pub fn acceptor(config: &Config) -> Result<Option<TlsAcceptor>, String> {
    let (Some(cert), Some(key)) = (&config.tls_cert, &config.tls_key) else {
        return Ok(None);
    };
    licentia::keys::check_private_permissions(key).map_err(|e| format!("tls_key: {e}"))?;
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| pem_error("tls_cert", cert, e))?;
    if chain.is_empty() {
        return Err(format!(
            "tls_cert: {}: no certificate in it",
            cert.display()
        ));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| pem_error("tls_key", key, e))?;
    // ring, as reqwest's rustls uses: one crypto library in the build, and
    // no C toolchain beyond cc. rustls deprecates it for lacking the
    // post-quantum key exchange, which aws-lc-rs would add.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| format!("tls_cert and tls_key: {e}"))?;
    // HTTP/1.1 only, as over plain TCP (see `serve`).
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Some(TlsAcceptor::from(Arc::new(server))))
}

fn pem_error(setting: &str, path: &Path, e: rustls_pki_types::pem::Error) -> String {
    match e {
        rustls_pki_types::pem::Error::Io(e) => format!("{setting}: {}: {e}", path.display()),
        e => format!(
            "{setting}: {}: not a PEM file of the right kind ({e})",
            path.display()
        ),
    }
}
