//! A non-blocking HTTP client (Tornado's `tornado.httpclient` and
//! `tornado.simple_httpclient`).
