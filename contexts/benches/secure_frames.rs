//! The cost of frame integrity: messages through the Noise channel of every TCP connection
//! (`transport::noise`: ChaCha20-Poly1305 per piece of at most 65519 bytes) against the same
//! messages as plain length-delimited frames of the same pieces, over an in-memory duplex, side
//! by side in one run; and the cost of one Noise handshake. (Commit 82bd2f9 has a third series,
//! `hand`, the hand-made channel Noise replaced; docs/PERFORMANCE.md has the figures.)
//!
//! `cargo bench -p haydi-contexts --bench secure_frames`

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use haydi_contexts::distributed::Secret;
use haydi_contexts::distributed::transport::frame::{
    HANDSHAKE_MAX_FRAME, framed, read_frame, write_frame,
};
use haydi_contexts::distributed::transport::noise::{PIECE, initiate, respond};
use std::time::Duration;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

#[derive(Clone, Copy)]
enum Kind {
    Plain,
    Noise,
}

type Duplex = tokio::io::DuplexStream;
type Framed = haydi_contexts::distributed::transport::frame::FramedConn<Duplex>;

/// Both ends of one connection, handshake done (outside the measurement).
enum Conn {
    /// Boxed: a framed pair is four times the size of the Noise halves.
    Plain(Box<(Framed, Framed)>),
    Noise(
        haydi_contexts::distributed::transport::noise::Sender<Duplex>,
        haydi_contexts::distributed::transport::noise::Receiver<Duplex>,
    ),
}

fn connect(rt: &tokio::runtime::Runtime, kind: Kind) -> Conn {
    let (a, b) = tokio::io::duplex(1 << 20);
    match kind {
        Kind::Plain => Conn::Plain(Box::new((framed(a, PIECE + 64), framed(b, PIECE + 64)))),
        Kind::Noise => rt.block_on(async {
            let s = Secret::random();
            let (mut a, mut b) = (
                framed(a, HANDSHAKE_MAX_FRAME),
                framed(b, HANDSHAKE_MAX_FRAME),
            );
            let (w, d) = tokio::join!(initiate(&mut a, &s), respond(&mut b, &s));
            let (tx, _) = w.unwrap().split(a, usize::MAX);
            let (_, rx) = d.unwrap().split(b, usize::MAX);
            Conn::Noise(tx, rx)
        }),
    }
}

/// Sends `count` messages of `size` bytes from one end to the other.
fn transfer(rt: &tokio::runtime::Runtime, conn: Conn, size: usize, count: usize) {
    let msg = vec![0x5au8; size];
    rt.block_on(async {
        match conn {
            Conn::Noise(mut tx, mut rx) => {
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
            }
            Conn::Plain(pair) => {
                let (mut tx, mut rx) = *pair;
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
        for (name, kind) in [("plain", Kind::Plain), ("noise", Kind::Noise)] {
            g.bench_with_input(BenchmarkId::new(name, size), &size, |b, &size| {
                b.iter_batched(
                    || connect(&rt, kind),
                    |conn| transfer(&rt, conn, size, count),
                    BatchSize::PerIteration,
                )
            });
        }
    }
    g.finish();
}

/// One Noise handshake over an in-memory duplex (NNpsk0: two X25519 key pairs and three
/// Diffie-Hellman operations in all).
fn handshakes(c: &mut Criterion) {
    let rt = rt();
    let mut g = c.benchmark_group("handshake");
    g.sample_size(20).measurement_time(Duration::from_secs(3));
    let s = Secret::random();
    g.bench_function("noise", |b| {
        b.iter(|| {
            rt.block_on(async {
                let (x, y) = tokio::io::duplex(1 << 12);
                let (mut x, mut y) = (
                    framed(x, HANDSHAKE_MAX_FRAME),
                    framed(y, HANDSHAKE_MAX_FRAME),
                );
                let (w, d) = tokio::join!(initiate(&mut x, &s), respond(&mut y, &s));
                w.unwrap();
                d.unwrap();
            })
        })
    });
    g.finish();
}

criterion_group!(benches, frames, handshakes);
criterion_main!(benches);
