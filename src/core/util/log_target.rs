//! The `tracing` targets of supercell's three logs, named as Tornado's:
//! `access` (one line per request), `application` (errors in user code:
//! callbacks, handlers) and `general` (everything else the library reports).

/// Target of the per-request access log (Tornado's `tornado.access`).
pub const ACCESS_LOG: &str = "supercell::access";
/// Target of errors raised by application code (Tornado's `tornado.application`).
pub const APP_LOG: &str = "supercell::application";
/// Target of the library's own notices (Tornado's `tornado.general`).
pub const GEN_LOG: &str = "supercell::general";
