//! A non-blocking HTTP server (Tornado's `tornado.httpserver`).
