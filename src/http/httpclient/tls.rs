//! The TLS configurations of requests, built once per set of options.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::error::FetchError;
use super::request::HttpRequest;
use crate::netutil::{CertReqs, SslOptions};

/// The request options a TLS configuration depends on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct TlsKey {
    validate_cert: bool,
    ca_certs: Option<PathBuf>,
    client_cert: Option<PathBuf>,
    client_key: Option<PathBuf>,
}

/// A cache of client TLS configurations: building one (loading the roots)
/// is not free, and a pooled connection is matched to requests by the
/// identity of its configuration.
#[derive(Default)]
pub(crate) struct TlsConfigs {
    cache: Mutex<HashMap<TlsKey, Arc<rustls::ClientConfig>>>,
}

impl TlsConfigs {
    /// The configuration for `request` (with the client's defaults
    /// applied): its `ssl_options`, or one made from `validate_cert`,
    /// `ca_certs`, `client_cert` and `client_key`.
    pub(crate) fn config_for(
        &self,
        request: &HttpRequest,
    ) -> Result<Arc<rustls::ClientConfig>, FetchError> {
        if let Some(config) = &request.ssl_options {
            return Ok(config.clone());
        }
        let key = TlsKey {
            validate_cert: request.validate_cert.unwrap_or(true),
            ca_certs: request.ca_certs.clone(),
            client_cert: request.client_cert.clone(),
            client_key: request.client_key.clone(),
        };
        if let Some(config) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(config);
        }
        let options = SslOptions {
            certfile: key.client_cert.clone(),
            keyfile: key.client_key.clone(),
            ca_certs: key.ca_certs.clone(),
            cert_reqs: if key.validate_cert {
                CertReqs::Required
            } else {
                CertReqs::None
            },
            check_hostname: key.validate_cert,
        };
        let config = options
            .client_config()
            .map_err(|error| FetchError::Tls(Arc::new(error)))?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(key, config.clone());
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configurations_are_shared_per_options() {
        let configs = TlsConfigs::default();
        let a = configs.config_for(&HttpRequest::new("https://a/")).unwrap();
        let b = configs.config_for(&HttpRequest::new("https://b/")).unwrap();
        let c = configs
            .config_for(&HttpRequest::new("https://c/").validate_cert(false))
            .unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        let missing = HttpRequest::new("https://d/").ca_certs("/nonexistent/ca.pem");
        assert!(matches!(
            configs.config_for(&missing),
            Err(FetchError::Tls(_))
        ));
    }
}
