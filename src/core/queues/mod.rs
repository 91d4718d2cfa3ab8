//! `queues` (being written).
