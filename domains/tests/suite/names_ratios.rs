//! Domain names and `Join` ratios.

use haydi_core::prelude::*;
use haydi_domains::{Join, Product, Range, ToValues, Values};

#[test]
fn names_show_in_display_and_survive_to_values() {
    let states = Range::new(3).named("states");
    assert_eq!(states.name(), "states");
    assert_eq!(states.to_string(), "states(size=3) {0, 1, 2}");
    let p = Product::new((states.clone(), Range::new(2)));
    assert_eq!(p.domains().0.to_string(), "states(size=3) {0, 1, 2}");
    assert_eq!(p.clone().named("pairs").name(), "pairs");
    let m = states.to_values(10);
    assert_eq!(m.name(), "states");
    assert!(m.inner().is_leaf());
    // errors name the domain by its name
    let empty = Values::<i32>::new(vec![]).named("nothing");
    let err = empty.generate(1).take(1).collect().run(false).unwrap_err();
    assert!(err.to_string().contains("nothing"), "{err}");
}

#[test]
fn ratios_weight_the_parts_of_generate() {
    let parts = vec![
        Range::new(2),
        Range::span(2, 4, 1).unwrap(),
        Range::span(4, 6, 1).unwrap(),
    ];
    let j = Join::with_ratios(parts, vec![1.0, 3.0, 0.0]).unwrap();
    const N: usize = 4000;
    let xs = j
        .clone()
        .generate(42)
        .take(N as u64)
        .collect()
        .run(false)
        .unwrap();
    assert_eq!(
        xs,
        j.clone()
            .generate(42)
            .take(N as u64)
            .collect()
            .run(true)
            .unwrap()
    );
    let mut counts = [0usize; 6];
    for x in &xs {
        counts[*x as usize] += 1;
    }
    // Part 2 has ratio 0: never generated.
    assert_eq!(counts[4] + counts[5], 0);
    // Part 0 is drawn with probability 1/4: binomial mean 1000, sd ~27; allow 6 sd.
    let part0 = counts[0] + counts[1];
    assert!((835..=1165).contains(&part0), "{counts:?}");
    // Within a part, uniform: 1500 each for part 1 (sd ~ 34 given the part count).
    assert!(
        (counts[2] as i64 - counts[3] as i64).abs() < 300,
        "{counts:?}"
    );
    // Without ratios, parts are weighted by size: Join(R1, R3) gives 0 about a quarter of the time.
    let k = Join::new(vec![Range::new(1), Range::span(1, 4, 1).unwrap()]);
    let zeros = k
        .generate(7)
        .take(N as u64)
        .filter(|x| *x == 0)
        .count()
        .run(false)
        .unwrap();
    assert!((835..=1165).contains(&(zeros as usize)), "{zeros}");
    // to_values keeps the ratios
    let m = j.to_values(1);
    let haydi_domains::Materialized::Kept(jm) = &m else {
        panic!()
    };
    assert_eq!(jm.ratios(), Some(&[1.0, 3.0, 0.0][..]));
}

#[test]
fn bad_ratios_are_errors() {
    let two = || vec![Range::new(2), Range::new(2)];
    for r in [
        vec![1.0],
        vec![0.0, 0.0],
        vec![f64::NAN, 1.0],
        vec![f64::INFINITY, 1.0],
        vec![-1.0, 2.0],
    ] {
        assert!(
            matches!(
                Join::with_ratios(two(), r.clone()),
                Err(Error::InvalidDomain(_))
            ),
            "{r:?}"
        );
    }
    // a chosen empty part is an error, not a panic
    let j = Join::with_ratios(vec![Range::new(0), Range::new(2)], vec![1.0, 0.0]).unwrap();
    assert!(matches!(
        j.generate(1).take(3).collect().run(false),
        Err(Error::EmptyDomain { .. })
    ));
}
