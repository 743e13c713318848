//! Which rows of a table a plot shows, and the errors that name what is wrong with them.

use super::super::label::Label;
use super::super::table::Table;
use haydi_core::{Error, Result};

/// The rows of a table that pass a plot's fixed values, in grid order.
pub(super) struct Selection<'t> {
    names: &'t [String],
    pub(super) rows: Vec<usize>,
}

impl<'t> Selection<'t> {
    /// Checks the names (`shown` on the axes or lines, `fixed` to one value each) and keeps the
    /// rows with the fixed values.
    pub(super) fn new<R>(
        table: &'t Table<R>,
        shown: &[&str],
        fixed: &[(String, Label)],
    ) -> Result<Self> {
        let names = &table.names;
        let index = |name: &str| {
            names.iter().position(|n| n == name).ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "the table has no parameter {name:?} (its parameters: {})",
                    names.join(", ")
                ))
            })
        };
        for name in shown {
            index(name)?;
            if fixed.iter().any(|(f, _)| f == name) {
                return Err(Error::InvalidArgument(format!(
                    "parameter {name} is both shown and fixed"
                )));
            }
        }
        let mut tests = Vec::with_capacity(fixed.len());
        for (name, value) in fixed {
            let i = index(name)?;
            if !table.rows.iter().any(|(l, _)| l[i] == *value) {
                return Err(Error::InvalidArgument(format!(
                    "no row has {name} = {value}"
                )));
            }
            tests.push((i, value));
        }
        let rows: Vec<usize> = (0..table.rows.len())
            .filter(|&r| tests.iter().all(|(i, v)| table.rows[r].0[*i] == **v))
            .collect();
        if rows.is_empty() {
            return Err(Error::InvalidArgument(
                "no rows to plot (an empty table, or no row has all the fixed values)".into(),
            ));
        }
        Ok(Selection { names, rows })
    }

    /// The column of a checked name.
    pub(super) fn column(&self, name: &str) -> usize {
        self.names
            .iter()
            .position(|n| n == name)
            .expect("checked in new")
    }

    /// The row's values as `a = 1, b = 2`.
    fn describe<R>(&self, table: &Table<R>, row: usize) -> String {
        let labels = &table.rows[row].0;
        let parts: Vec<String> = self
            .names
            .iter()
            .zip(labels)
            .map(|(n, v)| format!("{n} = {v}"))
            .collect();
        parts.join(", ")
    }

    /// `v`, or an error naming the row when it is not finite.
    pub(super) fn finite<R>(&self, table: &Table<R>, row: usize, v: f64) -> Result<f64> {
        if v.is_finite() {
            Ok(v)
        } else {
            Err(Error::InvalidArgument(format!(
                "the value to plot at ({}) is {v}, not a finite number",
                self.describe(table, row)
            )))
        }
    }

    /// The error for two rows that fall on one point: the parameters they differ in must be
    /// fixed (or shown).
    pub(super) fn duplicate<R>(&self, table: &Table<R>, a: usize, b: usize) -> Error {
        let (la, lb) = (&table.rows[a].0, &table.rows[b].0);
        let differ: Vec<&str> = self
            .names
            .iter()
            .zip(la.iter().zip(lb))
            .filter(|(_, (x, y))| x != y)
            .map(|(n, _)| n.as_str())
            .collect();
        Error::InvalidArgument(format!(
            "rows ({}) and ({}) fall on one point: fix {} (or show it)",
            self.describe(table, a),
            self.describe(table, b),
            differ.join(" and ")
        ))
    }
}
