//! A rough timing of domain stepping against plain loops: `cargo run --release -p haydi-domains --example speed`.

use haydi_core::prelude::*;
use haydi_domains::{Product, Range};
use std::hint::black_box;
use std::time::Instant;

fn time<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let r = f();
    println!("{label:<40} {:>8.3} s", t.elapsed().as_secs_f64());
    r
}

fn main() {
    let n = black_box(100_000_000i64);
    let a = time("plain loop 1e8", || {
        let mut c = 0u64;
        for i in 0..n {
            if black_box(i) % 7 == 0 {
                c += 1;
            }
        }
        c
    });
    let b = time("Range(1e8).filter.count (pipeline)", || {
        Range::new(n)
            .filter(|x| black_box(*x) % 7 == 0)
            .count()
            .run(false)
            .unwrap()
    });
    assert_eq!(a, b);

    let m = black_box(10_000i64);
    let a = time("nested plain loop 1e4 x 1e4", || {
        let mut c = 0u64;
        for i in 0..m {
            for j in 0..m {
                if (black_box(i) + j) % 7 == 0 {
                    c += 1;
                }
            }
        }
        c
    });
    let b = time("Product(1e4, 1e4).filter.count", || {
        Product::new((Range::new(m), Range::new(m)))
            .filter(|(i, j)| (black_box(*i) + j) % 7 == 0)
            .count()
            .run(false)
            .unwrap()
    });
    assert_eq!(a, b);
    let c = time("Product(1e4, 1e4) visit_range directly", || direct(m));
    assert_eq!(a, c);
}

fn direct(m: i64) -> u64 {
    use std::ops::ControlFlow;
    let p = Product::new((Range::new(m), Range::new(m)));
    let mut c = 0u64;
    let _ = p.visit_range(0, u128::MAX, &mut |(i, j)| {
        if (black_box(i) + j) % 7 == 0 {
            c += 1;
        }
        ControlFlow::Continue(())
    });
    c
}
