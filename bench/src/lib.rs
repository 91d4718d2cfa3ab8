//! Benchmarks comparing supercell with its peers. The peers are dependencies
//! of this crate only, never of the library. See `BENCHMARKS.md` at the
//! repository root for the commands and the recorded medians.
