//! `ioloop` (being written).
