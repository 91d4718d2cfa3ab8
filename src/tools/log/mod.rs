//! `log` (layer 5: tools).
