//! HTTP/1.1 (Tornado's `tornado.http1connection`): one sans-IO codec for
//! both roles and the connection driving it over an
//! [`IoStream`](crate::iostream::IoStream).

pub mod codec;
