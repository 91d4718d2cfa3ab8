//! Test certificates made at test time: a CA, a server certificate for
//! `localhost`, `127.0.0.1` and `::1`, and a client certificate, all signed
//! by the CA and written as PEM files under the build's scratch directory (so loading
//! through `SslOptions` is exercised), plus ready TLS configurations.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use supercell::netutil::{CertReqs, SslOptions, TlsConfig};

/// The PEM files of one set of test certificates.
pub struct TestCerts {
    /// The directory holding the files.
    pub dir: PathBuf,
    /// The CA certificate.
    pub ca_file: PathBuf,
    /// The server's certificate chain and key.
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    /// A client certificate (for client authentication) and its key.
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
    /// The server's certificate and key in DER, for configurations built
    /// without files.
    pub server_cert_der: Vec<u8>,
    pub server_key_der: Vec<u8>,
    pub ca_der: Vec<u8>,
}

fn leaf(
    names: &[&str],
    usage: ExtendedKeyUsagePurpose,
    issuer: &Issuer<'_, KeyPair>,
) -> (rcgen::Certificate, KeyPair) {
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(DnType::CommonName, names[0]);
    params.use_authority_key_identifier_extension = true;
    params.key_usages.push(KeyUsagePurpose::DigitalSignature);
    params.extended_key_usages.push(usage);
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, issuer).unwrap();
    (cert, key)
}

fn make() -> TestCerts {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    // Under the build's own scratch directory, so no files are left in the
    // system's temporary directory.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "supercell-test-certs-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();

    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "supercell test CA");
    ca_params.key_usages.push(KeyUsagePurpose::KeyCertSign);
    ca_params.key_usages.push(KeyUsagePurpose::CrlSign);
    ca_params.key_usages.push(KeyUsagePurpose::DigitalSignature);
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);

    let (server, server_key) = leaf(
        &["localhost", "127.0.0.1", "::1"],
        ExtendedKeyUsagePurpose::ServerAuth,
        &issuer,
    );
    let (client, client_key) = leaf(&["client"], ExtendedKeyUsagePurpose::ClientAuth, &issuer);

    let write = |name: &str, pem: String| {
        let path = dir.join(name);
        std::fs::write(&path, pem).unwrap();
        path
    };
    TestCerts {
        ca_file: write("ca.pem", ca_cert.pem()),
        server_cert: write("server.pem", server.pem()),
        server_key: write("server.key", server_key.serialize_pem()),
        client_cert: write("client.pem", client.pem()),
        client_key: write("client.key", client_key.serialize_pem()),
        server_cert_der: server.der().to_vec(),
        server_key_der: server_key.serialize_der(),
        ca_der: ca_cert.der().to_vec(),
        dir,
    }
}

/// The certificates of this test process (made once).
pub fn certs() -> &'static TestCerts {
    static CERTS: OnceLock<TestCerts> = OnceLock::new();
    CERTS.get_or_init(make)
}

/// Server options: the test server certificate, no client certificate.
pub fn server_options() -> SslOptions {
    let c = certs();
    SslOptions::server(&c.server_cert, &c.server_key)
}

/// Client options trusting the test CA (and only it), hostname checked.
pub fn client_options() -> SslOptions {
    SslOptions {
        ca_certs: Some(certs().ca_file.clone()),
        ..SslOptions::default()
    }
}

/// The server configuration loaded from the PEM files.
pub fn server_config() -> TlsConfig {
    server_options().server_config().unwrap().into()
}

/// The client configuration trusting the test CA, loaded from the PEM file.
pub fn client_config() -> TlsConfig {
    client_options().client_config().unwrap().into()
}

/// A server configuration built directly with rustls from DER (Tornado's
/// `SSLContext` variant).
pub fn server_config_direct() -> TlsConfig {
    let c = certs();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![c.server_cert_der.clone().into()],
            rustls::pki_types::PrivateKeyDer::try_from(c.server_key_der.clone()).unwrap(),
        )
        .unwrap();
    TlsConfig::from(config)
}

/// A client configuration built directly with rustls, trusting the test CA.
pub fn client_config_direct() -> TlsConfig {
    let c = certs();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(c.ca_der.clone().into()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConfig::from(config)
}

/// Server options that require a client certificate signed by the test CA.
pub fn server_options_requiring_client_cert(reqs: CertReqs) -> SslOptions {
    SslOptions {
        ca_certs: Some(certs().ca_file.clone()),
        cert_reqs: reqs,
        ..server_options()
    }
}

/// Client options presenting the test client certificate.
pub fn client_options_with_cert() -> SslOptions {
    let c = certs();
    SslOptions {
        certfile: Some(c.client_cert.clone()),
        keyfile: Some(c.client_key.clone()),
        ..client_options()
    }
}
