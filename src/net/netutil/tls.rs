//! TLS configuration from Tornado-style options.
//!
//! Tornado takes an `ssl_options` dict (or an `ssl.SSLContext`); supercell
//! takes [`SslOptions`], a struct with the same keys, and turns it into a
//! rustls configuration with [`SslOptions::server_config`] or
//! [`SslOptions::client_config`]. Ready rustls configurations can be used
//! directly too: [`TlsConfig`] is what `IoStream::start_tls`, `TcpServer`
//! and `TcpClient` take.
//!
//! The defaults are secure: a client verifies the server's certificate chain
//! (against `ca_certs` if given, else the Mozilla roots of `webpki-roots`)
//! and checks that the certificate names the host it connected to. Turning
//! verification off takes an explicit [`CertReqs::None`].
//!
//! All configurations use rustls' `ring` crypto provider, passed explicitly:
//! nothing has to be installed process-wide.
//!
//! Tornado's `ciphers` and `ssl_version` keys are deliberately absent:
//! rustls offers only TLS 1.2 and 1.3 with cipher suites it considers safe,
//! and chooses among them itself. Other suites or versions take a rustls
//! configuration built by hand (for instance with
//! `rustls::ServerConfig::builder_with_provider` and
//! `with_protocol_versions`) and given directly as a [`TlsConfig`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig,
    SignatureScheme,
};

/// Whether certificates of the other end are asked for and verified
/// (Python's `ssl.CERT_NONE`, `CERT_OPTIONAL`, `CERT_REQUIRED`).
///
/// For a client, `Optional` and `Required` both verify the server (as in
/// Python) and `None` turns verification off. For a server, `None` asks no
/// certificate of clients, `Optional` verifies one if the client sends it and
/// `Required` refuses clients without a valid one; both need `ca_certs`.
/// Left at [`SideDefault`](CertReqs::SideDefault), each side takes its own
/// default, as Tornado's `ssl_options` without a `cert_reqs` key: a client
/// verifies the server, a server asks no client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CertReqs {
    /// The default of the side the options configure: [`Required`] for a
    /// client, [`None`] for a server. The default.
    ///
    /// [`Required`]: CertReqs::Required
    /// [`None`]: CertReqs::None
    #[default]
    SideDefault,
    /// Ask for no certificate; as a client, accept any server certificate.
    /// **Dangerous for clients**: anyone on the path can impersonate the
    /// server.
    None,
    /// Verify a certificate if the other end sends one.
    Optional,
    /// Require a valid certificate from the other end.
    Required,
}

impl CertReqs {
    /// What a client does: [`SideDefault`](CertReqs::SideDefault) is
    /// `Required`.
    fn for_client(self) -> CertReqs {
        match self {
            CertReqs::SideDefault => CertReqs::Required,
            reqs => reqs,
        }
    }

    /// What a server does: [`SideDefault`](CertReqs::SideDefault) is
    /// `None`.
    fn for_server(self) -> CertReqs {
        match self {
            CertReqs::SideDefault => CertReqs::None,
            reqs => reqs,
        }
    }
}

/// Tornado's `ssl_options` dict as a struct.
///
/// It has no `ciphers` or `ssl_version` key: the versions (TLS 1.2 and
/// 1.3) and cipher suites are rustls' safe defaults. Other choices take a
/// rustls configuration built by hand, given as a [`TlsConfig`].
///
/// [`Default`] is the secure client configuration: verify the server's
/// chain against the webpki roots and check its hostname. A server needs
/// only `certfile` and `keyfile` ([`SslOptions::server`] sets them); it
/// then asks no client certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SslOptions {
    /// PEM file with the certificate chain (leaf first). Required for a
    /// server; for a client, its certificate for client authentication.
    /// Default: none.
    pub certfile: Option<PathBuf>,
    /// PEM file with the private key matching `certfile`. Default: none
    /// (the key is then read from `certfile`).
    pub keyfile: Option<PathBuf>,
    /// PEM file with the CA certificates to trust. For a client, replaces
    /// the webpki roots; for a server, the CAs client certificates must
    /// chain to. Default: none.
    pub ca_certs: Option<PathBuf>,
    /// Which certificates of the other end are required. Default:
    /// [`CertReqs::SideDefault`] (a client verifies the server, a server
    /// asks no client certificate).
    pub cert_reqs: CertReqs,
    /// Whether a client checks that the server certificate names the host
    /// it connects to. Default: `true`.
    pub check_hostname: bool,
}

impl Default for SslOptions {
    fn default() -> Self {
        SslOptions {
            certfile: None,
            keyfile: None,
            ca_certs: None,
            cert_reqs: CertReqs::SideDefault,
            check_hostname: true,
        }
    }
}

/// A TLS configuration for one end of a connection. The variant is
/// Tornado's `server_side`.
#[derive(Debug, Clone)]
pub enum TlsConfig {
    /// Accept TLS connections as a server.
    Server(Arc<ServerConfig>),
    /// Open TLS connections as a client.
    Client(Arc<ClientConfig>),
}

impl From<Arc<ServerConfig>> for TlsConfig {
    fn from(config: Arc<ServerConfig>) -> Self {
        TlsConfig::Server(config)
    }
}

impl From<Arc<ClientConfig>> for TlsConfig {
    fn from(config: Arc<ClientConfig>) -> Self {
        TlsConfig::Client(config)
    }
}

impl From<ServerConfig> for TlsConfig {
    fn from(config: ServerConfig) -> Self {
        TlsConfig::Server(Arc::new(config))
    }
}

impl From<ClientConfig> for TlsConfig {
    fn from(config: ClientConfig) -> Self {
        TlsConfig::Client(Arc::new(config))
    }
}

/// Why [`SslOptions`] could not become a rustls configuration.
#[derive(Debug, thiserror::Error)]
pub enum TlsConfigError {
    /// A file named in the options could not be read or parsed as PEM.
    #[error("cannot load {path}: {source}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: rustls::pki_types::pem::Error,
    },
    /// A PEM file held no certificate.
    #[error("no certificate found in {0}")]
    NoCertificates(PathBuf),
    /// A server configuration needs `certfile`.
    #[error("a TLS server needs a certfile")]
    MissingCertfile,
    /// Verifying client certificates needs `ca_certs`.
    #[error("verifying client certificates needs ca_certs")]
    MissingCaCerts,
    /// rustls refused a certificate, key or CA.
    #[error("TLS configuration rejected: {0}")]
    Rustls(#[from] rustls::Error),
    /// The certificate verifier could not be built.
    #[error("cannot build the certificate verifier: {0}")]
    Verifier(#[from] rustls::server::VerifierBuilderError),
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsConfigError> {
    let pem_error = |source| TlsConfigError::Pem {
        path: path.to_owned(),
        source,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(pem_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem_error)?;
    if certs.is_empty() {
        return Err(TlsConfigError::NoCertificates(path.to_owned()));
    }
    Ok(certs)
}

fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsConfigError> {
    PrivateKeyDer::from_pem_file(path).map_err(|source| TlsConfigError::Pem {
        path: path.to_owned(),
        source,
    })
}

fn load_roots(path: &Path) -> Result<RootCertStore, TlsConfigError> {
    let mut roots = RootCertStore::empty();
    for cert in load_certs(path)? {
        roots.add(cert)?;
    }
    Ok(roots)
}

impl SslOptions {
    /// Options for a server presenting the chain in `certfile` with the key
    /// in `keyfile`, asking no client certificate.
    pub fn server(certfile: impl Into<PathBuf>, keyfile: impl Into<PathBuf>) -> SslOptions {
        SslOptions {
            certfile: Some(certfile.into()),
            keyfile: Some(keyfile.into()),
            ..SslOptions::default()
        }
    }

    /// The certificate chain and key of this end, if `certfile` is set.
    fn identity(
        &self,
    ) -> Result<Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>, TlsConfigError>
    {
        let Some(certfile) = &self.certfile else {
            return Ok(None);
        };
        let chain = load_certs(certfile)?;
        let key = load_key(self.keyfile.as_deref().unwrap_or(certfile))?;
        Ok(Some((chain, key)))
    }

    /// A rustls server configuration: `certfile`/`keyfile` as the server's
    /// identity, client certificates per `cert_reqs` (by default none are
    /// asked for) against `ca_certs`.
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, TlsConfigError> {
        let (chain, key) = self.identity()?.ok_or(TlsConfigError::MissingCertfile)?;
        let provider = provider();
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()?;
        let builder = match self.cert_reqs.for_server() {
            CertReqs::None | CertReqs::SideDefault => builder.with_no_client_auth(),
            reqs => {
                let ca_certs = self
                    .ca_certs
                    .as_ref()
                    .ok_or(TlsConfigError::MissingCaCerts)?;
                let roots = Arc::new(load_roots(ca_certs)?);
                let verifier = WebPkiClientVerifier::builder_with_provider(roots, provider);
                let verifier = if reqs == CertReqs::Optional {
                    verifier.allow_unauthenticated()
                } else {
                    verifier
                };
                builder.with_client_cert_verifier(verifier.build()?)
            }
        };
        Ok(Arc::new(builder.with_single_cert(chain, key)?))
    }

    /// A rustls client configuration: the server verified against
    /// `ca_certs` (default: the webpki roots) unless `cert_reqs` is
    /// [`CertReqs::None`], its hostname checked if `check_hostname`, and
    /// `certfile`/`keyfile` (if set) sent as the client certificate.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, TlsConfigError> {
        let provider = provider();
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()?;
        let verifier: Arc<dyn ServerCertVerifier> = if self.cert_reqs.for_client() == CertReqs::None
        {
            Arc::new(NoServerVerification::new(&provider))
        } else {
            let roots = match &self.ca_certs {
                Some(path) => load_roots(path)?,
                None => RootCertStore {
                    roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
                },
            };
            let webpki =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider).build()?;
            if self.check_hostname {
                webpki
            } else {
                Arc::new(AnyHostname(webpki))
            }
        };
        let builder = builder
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        let config = match self.identity()? {
            Some((chain, key)) => builder.with_client_auth_cert(chain, key)?,
            None => builder.with_no_client_auth(),
        };
        Ok(Arc::new(config))
    }
}

/// **Danger**: accepts every server certificate, so the peer is not
/// authenticated and anyone on the path can read and change the traffic.
/// Only [`CertReqs::None`] selects it (Python's `CERT_NONE`). The
/// handshake signatures are still checked against the presented
/// certificate.
struct NoServerVerification {
    algorithms: WebPkiSupportedAlgorithms,
}

impl NoServerVerification {
    fn new(provider: &CryptoProvider) -> Self {
        NoServerVerification {
            algorithms: provider.signature_verification_algorithms,
        }
    }
}

impl fmt::Debug for NoServerVerification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NoServerVerification")
    }
}

impl ServerCertVerifier for NoServerVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Verifies the chain as webpki does but accepts a certificate issued for
/// another name (`check_hostname = false`).
#[derive(Debug)]
struct AnyHostname(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyHostname {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_options_verify_and_check_hostname() {
        let options = SslOptions::default();
        assert_eq!(options.cert_reqs, CertReqs::SideDefault);
        assert_eq!(options.cert_reqs.for_client(), CertReqs::Required);
        assert_eq!(options.cert_reqs.for_server(), CertReqs::None);
        assert!(options.check_hostname);
        assert!(options.client_config().is_ok());
    }

    #[test]
    fn server_without_certfile_is_an_error() {
        let err = SslOptions::default().server_config().unwrap_err();
        assert!(matches!(err, TlsConfigError::MissingCertfile), "{err}");
    }

    #[test]
    fn missing_file_names_the_path() {
        let options = SslOptions::server("/nonexistent/cert.pem", "/nonexistent/key.pem");
        let err = options.server_config().unwrap_err();
        assert!(err.to_string().contains("/nonexistent/cert.pem"), "{err}");
    }

    #[test]
    fn client_with_missing_ca_file_is_an_error() {
        let options = SslOptions {
            ca_certs: Some("/nonexistent/ca.pem".into()),
            ..SslOptions::default()
        };
        assert!(matches!(
            options.client_config(),
            Err(TlsConfigError::Pem { .. })
        ));
    }

    #[test]
    fn client_without_verification_builds() {
        let options = SslOptions {
            cert_reqs: CertReqs::None,
            ..SslOptions::default()
        };
        assert!(options.client_config().is_ok());
    }
}
