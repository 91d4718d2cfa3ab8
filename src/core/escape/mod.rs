//! `escape` (being written).
