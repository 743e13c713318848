//! Pictures of a sweep (cargo feature `plot`, xyzpy's plotting module): a line plot of an
//! output over one parameter with one line per value of another, and a heatmap over two
//! parameters, written as SVG or PNG with `plotters`.
//!
//! A plot takes its points from a [`Table`] as they are: the parameters a plot does not show
//! must be fixed ([`LinePlot::fix`], [`Heatmap::fix`]) until one row is left per point. Two rows
//! for one point are an error naming the parameter to fix, never an average drawn silently; so is
//! a value that is not finite. Labels are drawn in a bundled font (a Latin-1 subset of DejaVu
//! Sans), so a plot looks the same on a machine without fonts.

mod draw;
mod figure;
mod select;
mod spec;

pub use figure::{Cells, Figure, Line, Picture};
pub use spec::{Heatmap, LinePlot};

use super::label::Label;
use super::table::Table;
use haydi_core::{Error, Result};
use select::Selection;

/// A line's points, `(x, value, row)`, with the table row each came from.
type RowPoints = Vec<(f64, f64, usize)>;

fn check_size((w, h): (u32, u32)) -> Result<()> {
    if !(100..=10_000).contains(&w) || !(100..=10_000).contains(&h) {
        return Err(Error::InvalidArgument(format!(
            "a plot is 100 to 10000 pixels a side, not {w} x {h}"
        )));
    }
    Ok(())
}

/// Numbers in increasing order; other values as they first appear (a table in grid order
/// lists a parameter's values in grid order unless rows are missing).
fn in_axis_order(labels: &mut [Label]) {
    if labels.iter().all(|l| l.as_f64().is_some()) {
        labels.sort_by(|a, b| {
            let (a, b) = (a.as_f64().expect("a number"), b.as_f64().expect("a number"));
            a.total_cmp(&b)
        });
    }
}

fn default_title(what: String, fixed: &[(String, Label)]) -> String {
    if fixed.is_empty() {
        return what;
    }
    let fixed: Vec<String> = fixed.iter().map(|(n, v)| format!("{n} = {v}")).collect();
    format!("{what} ({})", fixed.join(", "))
}

impl<R> Table<R> {
    /// A line plot of `y(output)` over parameter `spec.x`, one line per value of the lines'
    /// parameter. Errors (`InvalidArgument`): an unknown parameter, an `x` that is not a
    /// number, a fixed value no row has, no rows left, two rows for one point (naming the
    /// parameter to fix), a value that is not finite, a size out of range.
    ///
    /// ```
    /// use haydi_contexts::sweep::{LinePlot, Picture, Sweep};
    /// let t = Sweep::new()
    ///     .param("a", [1, 2])
    ///     .param("b", [10, 20, 30])
    ///     .param("c", [100, 200])
    ///     .run(|p| p.int("a") + p.int("b") + p.int("c"))?;
    /// let fig = t.line_plot(&LinePlot::new("c").lines("b").fix("a", 1), |r| *r as f64)?;
    /// let Picture::Lines { lines, .. } = fig.picture() else { unreachable!() };
    /// assert_eq!(lines.len(), 3);
    /// assert_eq!(lines[2].points, [(100.0, 131.0), (200.0, 231.0)]);
    /// let err = t.line_plot(&LinePlot::new("c").lines("b"), |r| *r as f64).unwrap_err();
    /// assert!(err.to_string().contains("fix a"), "{err}");
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn line_plot(&self, spec: &LinePlot, y: impl Fn(&R) -> f64) -> Result<Figure> {
        check_size(spec.size)?;
        let mut shown = vec![spec.x.as_str()];
        shown.extend(spec.lines.as_deref());
        let sel = Selection::new(self, &shown, &spec.fixed)?;
        let xi = sel.column(&spec.x);
        let li = spec.lines.as_deref().map(|l| sel.column(l));
        // Per line: (x, value, row), then sorted by x, where two rows on one point sit side by
        // side (a sort, not a search of every earlier row for each row).
        let mut lines: Vec<(Option<Label>, RowPoints)> = Vec::new();
        for &row in &sel.rows {
            let (labels, out) = &self.rows[row];
            let x = labels[xi].as_f64().ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "a line plot needs numbers along {}, and {} is not one",
                    spec.x, labels[xi]
                ))
            })?;
            let v = sel.finite(self, row, y(out))?;
            let label = li.map(|i| &labels[i]);
            match lines.iter_mut().find(|(l, _)| l.as_ref() == label) {
                Some((_, points)) => points.push((x, v, row)),
                None => lines.push((label.cloned(), vec![(x, v, row)])),
            }
        }
        let mut lines: Vec<Line> = lines
            .into_iter()
            .map(|(label, mut points)| {
                // Stable: of two rows on one point, the earlier comes first.
                points.sort_by(|a, b| a.0.total_cmp(&b.0));
                if let Some(w) = points.windows(2).find(|w| w[0].0 == w[1].0) {
                    return Err(sel.duplicate(self, w[0].2, w[1].2));
                }
                let points = points.into_iter().map(|(x, v, _)| (x, v)).collect();
                Ok(Line { label, points })
            })
            .collect::<Result<_>>()?;
        let mut order: Vec<Label> = lines.iter().filter_map(|l| l.label.clone()).collect();
        in_axis_order(&mut order);
        lines.sort_by_key(|l| order.iter().position(|o| Some(o) == l.label.as_ref()));
        Ok(Figure {
            title: spec.title.clone().unwrap_or_else(|| {
                default_title(format!("{} over {}", spec.y_label, spec.x), &spec.fixed)
            }),
            size: spec.size,
            picture: Picture::Lines {
                x: spec.x.clone(),
                y: spec.y_label.clone(),
                by: spec.lines.clone(),
                lines,
            },
        })
    }

    /// A heatmap of `z(output)` over parameters `spec.x` (across) and `spec.y` (up). Errors as
    /// [`Table::line_plot`]'s (any kind of value may label an axis).
    ///
    /// ```
    /// use haydi_contexts::sweep::{Heatmap, Picture, Sweep};
    /// let t = Sweep::new()
    ///     .param("a", [1, 2])
    ///     .param("b", [10, 20, 30])
    ///     .param("c", [100, 200])
    ///     .run(|p| p.int("a") + p.int("b") + p.int("c"))?;
    /// let fig = t.heatmap(&Heatmap::new("a", "b").fix("c", 100), |r| *r as f64)?;
    /// let Picture::Heat { cells, .. } = fig.picture() else { unreachable!() };
    /// assert_eq!(cells.values[2], [Some(131.0), Some(132.0)]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn heatmap(&self, spec: &Heatmap, z: impl Fn(&R) -> f64) -> Result<Figure> {
        check_size(spec.size)?;
        if spec.x == spec.y {
            return Err(Error::InvalidArgument(format!(
                "a heatmap needs two parameters, not {} twice",
                spec.x
            )));
        }
        let sel = Selection::new(self, &[&spec.x, &spec.y], &spec.fixed)?;
        let (xi, yi) = (sel.column(&spec.x), sel.column(&spec.y));
        let mut xs: Vec<Label> = Vec::new();
        let mut ys: Vec<Label> = Vec::new();
        for &row in &sel.rows {
            let labels = &self.rows[row].0;
            if !xs.contains(&labels[xi]) {
                xs.push(labels[xi].clone());
            }
            if !ys.contains(&labels[yi]) {
                ys.push(labels[yi].clone());
            }
        }
        in_axis_order(&mut xs);
        in_axis_order(&mut ys);
        let mut values = vec![vec![None; xs.len()]; ys.len()];
        let mut owner = vec![vec![None; xs.len()]; ys.len()];
        for &row in &sel.rows {
            let (labels, out) = &self.rows[row];
            let i = xs.iter().position(|l| *l == labels[xi]).expect("listed");
            let j = ys.iter().position(|l| *l == labels[yi]).expect("listed");
            if let Some(other) = owner[j][i] {
                return Err(sel.duplicate(self, other, row));
            }
            owner[j][i] = Some(row);
            values[j][i] = Some(sel.finite(self, row, z(out))?);
        }
        Ok(Figure {
            title: spec.title.clone().unwrap_or_else(|| {
                default_title(
                    format!("{} over {} and {}", spec.value_label, spec.x, spec.y),
                    &spec.fixed,
                )
            }),
            size: spec.size,
            picture: Picture::Heat {
                x: spec.x.clone(),
                y: spec.y.clone(),
                value: spec.value_label.clone(),
                cells: Cells { xs, ys, values },
            },
        })
    }
}
