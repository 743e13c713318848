//! How atoms print (by their USet's name and index), and a `Canonical` impl that does not
//! round-trip: a clear [`Error::NotDecodable`] naming the value instead of a panic.

use haydi_canon::{
    Atom, Canonical, CnfsExt, USet, UsetId, Value, canonize, cnfs_as, expand, shape,
};
use haydi_core::Mapping;
use haydi_core::prelude::*;
use haydi_domains::{Mappings, Product};

#[test]
fn atoms_print_as_name_and_index() {
    let q = USet::new(3, "q");
    let a = USet::new(2, "a");
    assert_eq!(format!("{:?}", q.atom(0)), "q0");
    assert_eq!(format!("{}", q.atom(2)), "q2");
    assert_eq!(format!("{:?}", (q.atom(1), a.atom(0))), "(q1, a0)");
    assert_eq!(format!("{:?}", Value::Atom(a.atom(1))), "a1");
    let delta: Mapping<(Atom, Atom), Atom> = Mapping::from_sorted_pairs(vec![
        ((q.atom(0), a.atom(0)), q.atom(1)),
        ((q.atom(0), a.atom(1)), q.atom(0)),
        ((q.atom(1), a.atom(0)), q.atom(2)),
    ]);
    assert_eq!(
        format!("{delta:?}"),
        "{(q0, a0): q1, (q0, a1): q0, (q1, a0): q2}"
    );
}

#[test]
fn canonical_automata_print_with_state_and_letter_names() {
    // Automata with 2 states over 1 letter, up to renaming states: 3 classes.
    let states = USet::new(2, "s");
    let letters = USet::new(1, "x");
    let automata = Mappings::new(Product::new((states.clone(), letters)), states).unwrap();
    let all = automata.cnfs().unwrap().collect().run(false).unwrap();
    let shown: Vec<String> = all.iter().map(|m| format!("{m:?}")).collect();
    assert_eq!(
        shown,
        vec![
            "{(s0, x0): s0, (s1, x0): s0}",
            "{(s0, x0): s0, (s1, x0): s1}",
            "{(s0, x0): s1, (s1, x0): s0}",
        ]
    );
}

#[test]
fn same_name_different_usets_are_told_apart_by_qualified() {
    let small = USet::new(3, "p");
    let large = USet::new(4, "p");
    assert_ne!(small.atom(0), large.atom(0));
    assert_eq!(
        format!("{:?}", small.atom(0)),
        format!("{:?}", large.atom(0))
    );
    let (s, l) = (
        small.atom(0).qualified().to_string(),
        large.atom(0).qualified().to_string(),
    );
    assert_ne!(s, l);
    assert_eq!(s, format!("p0@{:?}", small.id()));
    assert!(l.starts_with("p0@U") && l.ends_with("/4"), "{l}");
}

#[test]
fn atoms_of_undeclared_usets_print_by_identity() {
    // No USet named like this is declared in this process.
    let id = UsetId::of("never declared in the printing tests", 4);
    let atom = Atom::new(id, 2);
    let shown = format!("{atom:?}");
    assert_eq!(shown, format!("{id:?}#2"));
    assert!(shown.starts_with('U') && shown.ends_with("/4#2"), "{shown}");
}

/// A pair of atoms whose `from_value` refuses atom 0 of its USet: canonical forms always use
/// atom 0, so this impl does not round-trip.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Broken(Atom, Atom);

impl Canonical for Broken {
    fn to_value(&self) -> Value {
        Value::Seq(vec![Value::Atom(self.0), Value::Atom(self.1)])
    }
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Seq(xs) => match xs.as_slice() {
                [Value::Atom(a), Value::Atom(b)] if a.index() > 0 && b.index() > 0 => {
                    Some(Broken(*a, *b))
                }
                _ => None,
            },
            _ => None,
        }
    }
}

fn assert_not_decodable(e: &Error) {
    match e {
        Error::NotDecodable { value, type_name } => {
            assert_eq!(value, "(b0, b1)");
            assert!(type_name.ends_with("Broken"), "{type_name}");
            let text = e.to_string();
            assert!(
                text.contains("(b0, b1)") && text.contains("round-trip"),
                "{text}"
            );
        }
        other => panic!("expected NotDecodable, got {other:?}"),
    }
}

#[test]
fn a_canonical_impl_that_does_not_round_trip_is_an_error() {
    let b = USet::new(3, "b");
    let x = Broken(b.atom(2), b.atom(1));
    assert_eq!(Broken::from_value(&x.to_value()), Some(x.clone()));
    assert_not_decodable(&canonize(&x).unwrap_err());
    assert_not_decodable(&expand(&x).unwrap_err());
}

#[test]
fn cnfs_of_a_type_that_does_not_round_trip_fail_the_run() {
    let b = USet::new(3, "b");
    let pairs = shape::product(vec![shape::uset(&b), shape::uset(&b)]);
    for parallel in [false, true] {
        let r = cnfs_as::<Broken>(&pairs).unwrap().count().run(parallel);
        match r {
            Err(e @ Error::NotDecodable { .. }) => {
                assert!(e.to_string().contains("Broken"), "{e}")
            }
            other => panic!("parallel={parallel}: expected NotDecodable, got {other:?}"),
        }
    }
}
