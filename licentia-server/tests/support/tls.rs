//! A test certificate authority of the test's own (rcgen) and what the
//! tests need from it: PEM files for `licentia serve --tls-cert --tls-key`
//! and for the server under test to trust (`webhook_ca_file`,
//! `smtp_ca_file`), an HTTPS client trusting only it, and an HTTPS listener
//! for the tests' own receivers.

#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use tokio_rustls::rustls;

/// A CA of its own, and a certificate for `localhost` and 127.0.0.1 it signed.
pub struct TestCa {
    /// The CA's certificate, PEM.
    pub ca_pem: String,
    /// The server certificate, PEM.
    pub cert_pem: String,
    /// The server certificate's private key, PEM.
    pub key_pem: String,
}

impl TestCa {
    pub fn new() -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "licentia test CA");
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        let key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap()
            .signed_by(&key, &ca)
            .unwrap();
        TestCa {
            ca_pem: ca.pem(),
            cert_pem: leaf.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    /// Writes the CA certificate, the server certificate and its key into
    /// `dir`; returns their paths.
    pub fn write(&self, dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
        let paths = ["ca.pem", "cert.pem", "key.pem"].map(|name| dir.join(name));
        for (path, pem) in paths
            .iter()
            .zip([&self.ca_pem, &self.cert_pem, &self.key_pem])
        {
            std::fs::write(path, pem).unwrap();
        }
        let [ca, cert, key] = paths;
        (ca, cert, key)
    }

    /// A rustls server configuration presenting the server certificate.
    pub fn server_config(&self) -> Arc<rustls::ServerConfig> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let certs = vec![CertificateDer::from_pem_slice(self.cert_pem.as_bytes()).unwrap()];
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes()).unwrap();
        // rustls is built with ring only: it is the default provider.
        let config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        Arc::new(config)
    }

    /// Serves `app` over HTTPS on 127.0.0.1:0; returns the port.
    pub async fn serve_https(&self, app: axum::Router) -> u16 {
        let acceptor = tokio_rustls::TlsAcceptor::from(self.server_config());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let (acceptor, app) = (acceptor.clone(), app.clone());
                tokio::spawn(async move {
                    // A client that refuses our certificate just goes away.
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = hyper_util::service::TowerToHyperService::new(app);
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        port
    }
}

/// The files of one test PKI, as `licentia serve` reads them.
pub struct TestPki {
    /// The CA's certificate (what clients trust).
    pub ca: PathBuf,
    /// The server's certificate.
    pub cert: PathBuf,
    /// The server's private key, mode 0600.
    pub key: PathBuf,
}

/// Makes a CA and a server certificate in `dir`.
pub fn make_pki(dir: &Path) -> TestPki {
    let (ca, cert, key) = TestCa::new().write(dir);
    set_mode(&key, 0o600);
    TestPki { ca, cert, key }
}

/// A server on a fresh data directory (and `backend`) serving HTTPS with a
/// new test PKI; returns it, its `https://localhost:PORT` base URL, and the
/// CA file. Its own `base` and `client` speak HTTPS, so every step works.
pub async fn https_server_on(backend: super::Backend) -> (super::Server, String, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let pki = make_pki(dir.path());
    let (url, pg) = match backend {
        super::Backend::Sqlite => (None, None),
        super::Backend::Postgres(db) => (Some(db.url()), Some(db)),
    };
    let config = licentia_server::Config {
        tls_cert: Some(pki.cert.clone()),
        tls_key: Some(pki.key.clone()),
        ..super::config(dir.path(), url)
    };
    let mut srv = super::Server::start_with(config, dir, pg).await;
    let port = srv.running.as_ref().unwrap().addr.port();
    srv.base = format!("https://localhost:{port}");
    srv.client = client_trusting(&pki.ca);
    let base = srv.base.clone();
    (srv, base, pki.ca)
}

/// [`https_server_on`] SQLite.
pub async fn https_server() -> (super::Server, String, PathBuf) {
    https_server_on(super::Backend::Sqlite).await
}

/// Sets a file's permission bits.
pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// An HTTPS client trusting only the CA at `ca`.
pub fn client_trusting(ca: &Path) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(&std::fs::read(ca).unwrap()).unwrap();
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .build()
        .unwrap()
}
