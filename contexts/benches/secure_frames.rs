//! The cost of frame integrity: messages through sealed connections (HKDF keys,
//! ChaCha20-Poly1305 per 1 MiB piece) against the same messages as plain length-delimited
//! frames, over an in-memory duplex, side by side in one run.
//!
//! `cargo bench -p haydi-contexts --bench secure_frames`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use haydi_contexts::distributed::auth::Secret;
use haydi_contexts::distributed::frame::{framed, read_frame, write_frame};
use haydi_contexts::distributed::secure::{SessionKeys, PIECE};
use std::time::Duration;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

/// Sends `count` messages of `size` bytes from one end to the other, plain or sealed.
fn transfer(rt: &tokio::runtime::Runtime, size: usize, count: usize, sealed: bool) {
    rt.block_on(async {
        let (a, b) = tokio::io::duplex(1 << 20);
        let msg = vec![0x5au8; size];
        if sealed {
            let s = Secret::random();
            let d = SessionKeys::derive(&s, &[1; 32], &[2; 32], true);
            let w = SessionKeys::derive(&s, &[1; 32], &[2; 32], false);
            let (mut tx, _) = d.split(framed(a, 64), usize::MAX);
            let (_, mut rx) = w.split(framed(b, 64), usize::MAX);
            let send = async {
                for _ in 0..count {
                    tx.send(&msg).await.unwrap();
                }
            };
            let recv = async {
                for _ in 0..count {
                    let m = rx.recv(Duration::from_secs(10)).await.unwrap().unwrap();
                    assert_eq!(m.len(), size);
                }
            };
            tokio::join!(send, recv);
        } else {
            let (mut tx, mut rx) = (framed(a, PIECE + 64), framed(b, PIECE + 64));
            let send = async {
                for _ in 0..count {
                    for piece in msg.chunks(PIECE) {
                        write_frame(&mut tx, piece).await.unwrap();
                    }
                }
            };
            let recv = async {
                for _ in 0..count {
                    let mut got = 0;
                    while got < size {
                        got += read_frame(&mut rx).await.unwrap().unwrap().len();
                    }
                }
            };
            tokio::join!(send, recv);
        }
    });
}

fn frames(c: &mut Criterion) {
    let rt = rt();
    let mut g = c.benchmark_group("frames");
    g.sample_size(20).measurement_time(Duration::from_secs(3));
    // A chunk's result message is about 40 bytes; partials of collect() run to MiB.
    for (size, count) in [(40usize, 2000usize), (64 << 10, 200), (4 << 20, 8)] {
        g.throughput(Throughput::Bytes((size * count) as u64));
        for sealed in [false, true] {
            let name = if sealed { "sealed" } else { "plain" };
            g.bench_with_input(BenchmarkId::new(name, size), &size, |b, &size| {
                b.iter(|| transfer(&rt, size, count, sealed))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
