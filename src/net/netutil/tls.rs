//! TLS configuration from Tornado-style options.
