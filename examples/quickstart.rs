//! A small exploration run in parallel: `cargo run --release --example quickstart`.
//!
//! 1. Pythagorean triples with sides up to 100 (a product of three ranges, a filter, collect).
//! 2. How many subsets of {1..20} sum to 50 (subsets, a filter, count).
//! 3. Functions from a 5-element set to itself, grouped by their number of fixed points
//!    (mappings, groups_counts); the counts follow C(5,k)·4^(5-k).
//! 4. The 8-queens puzzle: permutations, a filter, count and first.

use haydi::prelude::*;
use std::time::Instant;

fn main() -> haydi::Result<()> {
    let t = Instant::now();
    let ctx = session::parallel_context();
    println!("parallel context: {}", ctx.name());

    let sides = Range::span(1, 101, 1)?;
    let triples = Product::new((sides.clone(), sides.clone(), sides))
        .filter(|(a, b, c)| a < b && a * a + b * b == c * c)
        .collect()
        .run(true)?;
    println!(
        "Pythagorean triples with sides <= 100: {} (first {:?}, last {:?})",
        triples.len(),
        triples[0],
        triples[triples.len() - 1]
    );

    let subsets = Subsets::new(Range::span(1, 21, 1)?)
        .filter(|s| s.iter().sum::<i64>() == 50)
        .count()
        .run(true)?;
    println!("subsets of {{1..20}} with sum 50: {subsets}");

    let five = Range::new(5);
    let by_fixed_points = Mappings::new(five.clone(), five)
        .groups_counts_limited(|f| f.iter().filter(|(k, v)| k == v).count(), 1)
        .run(true)?;
    for (k, g) in &by_fixed_points {
        println!(
            "functions on 5 points with {k} fixed points: {:>4}  e.g. {:?}",
            g.count, g.items[0]
        );
    }

    let queens = Permutations::new(Range::new(8))
        .filter(|p| (0..8).all(|i| (i + 1..8).all(|j| (p[i] - p[j]).abs() != (j - i) as i64)));
    let solutions = queens.clone().count().run(true)?;
    let first = queens.first().run(true)?;
    println!("8-queens solutions: {solutions}, the first in lexicographic order: {first:?}");

    println!("total time: {:.2?}", t.elapsed());
    Ok(())
}
