//! A finished plot: what it draws, and writing it as SVG or PNG.

use super::super::label::Label;
use super::draw;
use haydi_core::trusted::replace_atomically;
use haydi_core::{Error, Result};
use std::io::Write;
use std::path::Path;

/// One line of a line plot: its label (`None` for the only line) and its points, by `x`.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The value of the lines' parameter this line is for.
    pub label: Option<Label>,
    /// `(x, y)`, in increasing `x`.
    pub points: Vec<(f64, f64)>,
}

/// The cells of a heatmap: `values[j][i]` is the output at `xs[i]`, `ys[j]` (`None`: no row).
#[derive(Debug, Clone, PartialEq)]
pub struct Cells {
    /// The values of the x parameter, in axis order.
    pub xs: Vec<Label>,
    /// The values of the y parameter, in axis order.
    pub ys: Vec<Label>,
    /// One row of cells per `y`, one cell per `x`.
    pub values: Vec<Vec<Option<f64>>>,
}

impl Cells {
    /// The smallest and largest value present.
    pub(super) fn range(&self) -> (f64, f64) {
        let all = self.values.iter().flatten().flatten();
        let lo = all.clone().copied().fold(f64::INFINITY, f64::min);
        let hi = all.copied().fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    }
}

/// What a figure draws.
#[derive(Debug, Clone, PartialEq)]
pub enum Picture {
    /// A line plot: the x and y axis names, the lines' parameter, the lines.
    Lines {
        /// The x parameter.
        x: String,
        /// The output's name.
        y: String,
        /// The parameter with one line per value.
        by: Option<String>,
        /// The lines.
        lines: Vec<Line>,
    },
    /// A heatmap: the axis names, the output's name, the cells.
    Heat {
        /// The x parameter.
        x: String,
        /// The y parameter.
        y: String,
        /// The output's name.
        value: String,
        /// The cells.
        cells: Cells,
    },
}

/// A plot made from a table, ready to be written as SVG or PNG.
///
/// ```
/// use haydi_contexts::sweep::{LinePlot, Picture, Sweep};
/// let t = Sweep::new().param("n", [1, 2, 3]).run(|p| p.int("n") * p.int("n"))?;
/// let fig = t.line_plot(&LinePlot::new("n"), |r| *r as f64)?;
/// let Picture::Lines { lines, .. } = fig.picture() else { unreachable!() };
/// assert_eq!(lines[0].points, [(1.0, 1.0), (2.0, 4.0), (3.0, 9.0)]);
/// let dir = tempfile::tempdir()?;
/// fig.write_png(dir.path().join("squares.png"))?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub(super) title: String,
    pub(super) size: (u32, u32),
    pub(super) picture: Picture,
}

impl Figure {
    /// What the figure draws (its points or cells, as taken from the table).
    ///
    /// ```
    /// use haydi_contexts::sweep::{Heatmap, Picture, Sweep};
    /// let t = Sweep::new().param("a", [1, 2]).param("b", [5]).run(|p| p.int("a"))?;
    /// let fig = t.heatmap(&Heatmap::new("a", "b"), |r| *r as f64)?;
    /// let Picture::Heat { cells, .. } = fig.picture() else { unreachable!() };
    /// assert_eq!(cells.values, [[Some(1.0), Some(2.0)]]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn picture(&self) -> &Picture {
        &self.picture
    }

    /// The caption.
    ///
    /// ```
    /// use haydi_contexts::sweep::{LinePlot, Sweep};
    /// let t = Sweep::new().param("n", [1, 2]).param("m", [0]).run(|p| p.int("n"))?;
    /// let fig = t.line_plot(&LinePlot::new("n").fix("m", 0), |r| *r as f64)?;
    /// assert_eq!(fig.title(), "output over n (m = 0)");
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The size in pixels.
    ///
    /// ```
    /// use haydi_contexts::sweep::{LinePlot, Sweep};
    /// let t = Sweep::new().param("n", [1, 2]).run(|p| p.int("n"))?;
    /// assert_eq!(t.line_plot(&LinePlot::new("n").size(300, 200), |r| *r as f64)?.size(), (300, 200));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn size(&self) -> (u32, u32) {
        self.size
    }

    /// The figure as an SVG document.
    ///
    /// ```
    /// use haydi_contexts::sweep::{LinePlot, Sweep};
    /// let t = Sweep::new().param("n", [1, 2]).run(|p| p.int("n"))?;
    /// assert!(t.line_plot(&LinePlot::new("n"), |r| *r as f64)?.svg()?.starts_with("<svg"));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn svg(&self) -> Result<String> {
        draw::svg(self)
    }

    /// The figure as RGB pixels, row by row (3 bytes a pixel; what [`Figure::write_png`]
    /// encodes).
    ///
    /// ```
    /// use haydi_contexts::sweep::{LinePlot, Sweep};
    /// let t = Sweep::new().param("n", [1, 2]).run(|p| p.int("n"))?;
    /// let fig = t.line_plot(&LinePlot::new("n").size(200, 100), |r| *r as f64)?;
    /// assert_eq!(fig.rgb()?.len(), 200 * 100 * 3);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn rgb(&self) -> Result<Vec<u8>> {
        draw::rgb(self)
    }

    /// Writes the figure as SVG to `path`, atomically (a temporary file beside it, synced,
    /// renamed over `path`).
    ///
    /// ```
    /// use haydi_contexts::sweep::{LinePlot, Sweep};
    /// let t = Sweep::new().param("n", [1, 2]).run(|p| p.int("n"))?;
    /// let dir = tempfile::tempdir()?;
    /// t.line_plot(&LinePlot::new("n"), |r| *r as f64)?.write_svg(dir.path().join("n.svg"))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_svg(&self, path: impl AsRef<Path>) -> Result<()> {
        let svg = self.svg()?;
        let path = path.as_ref();
        replace_atomically(path, ".svg", None, |f| {
            f.write_all(svg.as_bytes())
                .map_err(|e| Error::Context(format!("plot {}: {e}", path.display())))
        })
    }

    /// Writes the figure as PNG to `path`, atomically.
    ///
    /// ```
    /// use haydi_contexts::sweep::{Heatmap, Sweep};
    /// let t = Sweep::new().param("a", [1, 2]).param("b", [1, 2]).run(|p| p.int("a") * p.int("b"))?;
    /// let dir = tempfile::tempdir()?;
    /// t.heatmap(&Heatmap::new("a", "b"), |r| *r as f64)?.write_png(dir.path().join("ab.png"))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_png(&self, path: impl AsRef<Path>) -> Result<()> {
        // plotters opens the temporary file by name and picks PNG by its extension.
        replace_atomically(path.as_ref(), ".png", None, |f| draw::png(self, f.path()))
    }
}
