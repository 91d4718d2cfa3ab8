//! [`cold_path`]: a mark on a rarely taken branch.

/// Marks the branch it is called on as rarely taken, as
/// `std::hint::cold_path` does from Rust 1.95: the compiler lays that
/// branch's code out away from the usual path's, which then fits in fewer
/// cache lines. Calling it does nothing else.
#[cold]
#[inline(never)]
pub(crate) fn cold_path() {}
