//! haydi-canon's integration tests: canonical forms and generation against brute force, OEIS and geng.
//!
//! One test binary for the crate (one link instead of one per file); each module is one subject.

mod common;

mod acceptance;
mod automata_classes;
mod cnf_values;
mod domains;
mod functional;
mod graph_classes;
mod oracle;
mod printing_and_decoding;
mod sequences;
mod strict_filter;
mod typed;
mod uset_order;
