//! haydi-gpu's integration tests in one binary: kernel checks, the accelerator context and
//! device actions on a real device (feature `wgpu`; lavapipe in CI), and the stub build's
//! behaviour without it.

mod common;

mod check;
mod context;
mod device_actions;
mod stub;
