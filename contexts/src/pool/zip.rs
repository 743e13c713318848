//! `Pool::map_zip`: pyMOR's `map(function, *args)`, a function over any number of inputs of
//! equal length read in step (a zip), as tuples of up to eight slices of any types, or a slice
//! of slices of one type for any number of inputs.

use super::Pool;
use super::map::run_indexed;
use haydi_core::{Error, Result, RunOptions};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Inputs read in step: row `i` holds the `i`-th item of each. Implemented for tuples of one to
/// eight slices (rows are tuples of references) and for a slice of slices of one type (rows are
/// vectors of references).
///
/// ```
/// use haydi_contexts::pool::Zip;
/// let (a, b) = ([1, 2], ["x", "y"]);
/// let z = (&a[..], &b[..]);
/// assert_eq!(z.lens(), [2, 2]);
/// assert_eq!(z.row(1), (&2, &"y"));
/// ```
pub trait Zip<'s>: Sync {
    /// One item of each input, borrowed for as long as the inputs.
    type Row;
    /// The length of each input.
    fn lens(&self) -> Vec<usize>;
    /// Row `i` (`i` below every length).
    fn row(&self, i: usize) -> Self::Row;
}

macro_rules! zip_tuple {
    ($($t:ident $i:tt),+) => {
        impl<'s, $($t: Sync),+> Zip<'s> for ($(&'s [$t],)+) {
            type Row = ($(&'s $t,)+);
            fn lens(&self) -> Vec<usize> {
                vec![$(self.$i.len()),+]
            }
            fn row(&self, i: usize) -> Self::Row {
                ($(&self.$i[i],)+)
            }
        }
    };
}

zip_tuple!(A 0);
zip_tuple!(A 0, B 1);
zip_tuple!(A 0, B 1, C 2);
zip_tuple!(A 0, B 1, C 2, D 3);
zip_tuple!(A 0, B 1, C 2, D 3, E 4);
zip_tuple!(A 0, B 1, C 2, D 3, E 4, F 5);
zip_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
zip_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

impl<'s, T: Sync> Zip<'s> for &'s [&'s [T]] {
    type Row = Vec<&'s T>;
    fn lens(&self) -> Vec<usize> {
        self.iter().map(|c| c.len()).collect()
    }
    fn row(&self, i: usize) -> Vec<&'s T> {
        self.iter().map(|c| &c[i]).collect()
    }
}

/// Fails unless every input has the same length; returns it.
pub(crate) fn common_len(what: &str, lens: &[usize]) -> Result<usize> {
    if lens.windows(2).all(|w| w[0] == w[1]) {
        Ok(lens.first().copied().unwrap_or(0))
    } else {
        Err(Error::InvalidArgument(format!(
            "{what}: the inputs must have equal lengths, they have {lens:?} items"
        )))
    }
}

impl Pool {
    /// `f` on the rows of several inputs read in step (pyMOR's `map(f, *args)`), in parallel,
    /// results in input order. `inputs` is a tuple of up to eight slices (any types; `f` gets a
    /// tuple of references) or a slice of slices of one type, for any number of inputs (`f`
    /// gets a vector of references). Inputs of different lengths are an
    /// [`Error::InvalidArgument`] at once (nothing runs).
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(ThreadContext::new(2)?);
    /// let (a, b, c, d) = ([1u64, 2], [10u64, 20], [100u64, 200], ["x", "y"]);
    /// let r = pool.map_zip(|(a, b, c, d)| format!("{d}{}", a + b + c), (&a[..], &b[..], &c[..], &d[..]))?;
    /// assert_eq!(r, ["x111", "y222"]);
    /// // Any number of inputs of one type:
    /// let cols: Vec<Vec<u64>> = (0..10).map(|k| vec![k, 2 * k]).collect();
    /// let refs: Vec<&[u64]> = cols.iter().map(|c| c.as_slice()).collect();
    /// assert_eq!(pool.map_zip(|row: Vec<&u64>| row.into_iter().sum::<u64>(), &refs[..])?, [45, 90]);
    /// assert!(matches!(pool.map_zip(|(a, b)| a + b, (&[1u8][..], &[1u8, 2][..])), Err(Error::InvalidArgument(_))));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn map_zip<'s, Z, R, F>(&self, f: F, inputs: Z) -> Result<Vec<R>>
    where
        Z: Zip<'s>,
        R: Send + Serialize + DeserializeOwned + 'static,
        F: Fn(Z::Row) -> R + Send + Sync,
    {
        let n = common_len("map_zip", &inputs.lens())?;
        run_indexed(self, n, &RunOptions::new(), |i| f(inputs.row(i)))?.into_complete("map_zip")
    }
}
