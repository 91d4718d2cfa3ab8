//! `locks` (being written).
