//! The number of processors.

use crate::util::log_target::GEN_LOG;

/// The number of processors this process may run on (Tornado's
/// `cpu_count`), from [`std::thread::available_parallelism`]; 1, with an
/// error on the general log, when it cannot be found out.
pub fn cpu_count() -> usize {
    std::thread::available_parallelism()
        .map(std::num::NonZeroUsize::get)
        .unwrap_or_else(|_| {
            tracing::error!(target: GEN_LOG, "Could not detect number of processors; assuming 1");
            1
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_count_matches_available_parallelism() {
        let expected = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(cpu_count(), expected);
    }
}
