//! haydi-domains' integration tests: every domain against brute-force oracles and properties.
//!
//! One test binary for the crate (one link instead of one per file); each module is one subject.

mod common;

mod big_domains;
mod fingerprints;
mod materialize;
mod names_ratios;
mod oracles;
mod props;
