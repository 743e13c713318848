//! The multi-process tests of haydi-contexts in one binary (`harness = false`): distributed runs
//! under faults, the SPMD program model, hosts in network namespaces, trust, reports, pool
//! faults, checkpoints and the monitor. Every case runs in a process tree of its own (see
//! `support`); run one with `cargo test -p haydi-contexts --test distributed -- NAME`.

mod support;

mod distributed_checkpoint;
mod distributed_faults;
mod distributed_monitor;
mod distributed_reports;
mod distributed_trust;
mod hosts;
mod pool_faults;
mod spmd;

fn main() {
    let subjects: [&[support::Case]; 8] = [
        distributed_faults::CASES,
        spmd::CASES,
        hosts::CASES,
        distributed_trust::CASES,
        distributed_reports::CASES,
        pool_faults::CASES,
        distributed_checkpoint::CASES,
        distributed_monitor::CASES,
    ];
    support::main("distributed", &subjects.concat());
}
