//! Testing support (Tornado's `tornado.testing`).
