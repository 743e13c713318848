//! What a plot of a sweep shows: the parameters on its axes, the ones fixed, its captions.

use super::super::label::Label;

/// What a line plot shows: an output over parameter `x` (numbers), one line per value of
/// another parameter (or a single line).
///
/// ```
/// use haydi_contexts::sweep::{LinePlot, Sweep};
/// let t = Sweep::new().param("a", [1, 2]).param("n", [10, 20, 30]).run(|p| p.int("a") * p.int("n"))?;
/// let fig = t.line_plot(&LinePlot::new("n").lines("a").y_label("a * n"), |r| *r as f64)?;
/// assert!(fig.svg()?.contains("a = 2"));
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct LinePlot {
    pub(super) x: String,
    pub(super) lines: Option<String>,
    pub(super) fixed: Vec<(String, Label)>,
    pub(super) title: Option<String>,
    pub(super) y_label: String,
    pub(super) size: (u32, u32),
}

impl LinePlot {
    /// A line plot over parameter `x` (its values must be numbers).
    ///
    /// ```
    /// let p = haydi_contexts::sweep::LinePlot::new("n");
    /// # let _ = p;
    /// ```
    pub fn new(x: &str) -> Self {
        LinePlot {
            x: x.to_string(),
            lines: None,
            fixed: Vec::new(),
            title: None,
            y_label: "output".to_string(),
            size: (800, 600),
        }
    }

    /// One line per value of parameter `name` (numbers in increasing order, other values as
    /// they first appear), with a legend.
    ///
    /// ```
    /// let p = haydi_contexts::sweep::LinePlot::new("n").lines("a");
    /// # let _ = p;
    /// ```
    pub fn lines(mut self, name: &str) -> Self {
        self.lines = Some(name.to_string());
        self
    }

    /// Only the rows where parameter `name` is `value`.
    ///
    /// ```
    /// let p = haydi_contexts::sweep::LinePlot::new("n").fix("mode", "fast");
    /// # let _ = p;
    /// ```
    pub fn fix(mut self, name: &str, value: impl Into<Label>) -> Self {
        self.fixed.push((name.to_string(), value.into()));
        self
    }

    /// The caption above the plot (default: the output over `x`, and the fixed values).
    ///
    /// ```
    /// let p = haydi_contexts::sweep::LinePlot::new("n").title("Reset words");
    /// # let _ = p;
    /// ```
    pub fn title(mut self, title: &str) -> Self {
        self.title = Some(title.to_string());
        self
    }

    /// The name of the output on the y axis (default `output`).
    ///
    /// ```
    /// let p = haydi_contexts::sweep::LinePlot::new("n").y_label("time (s)");
    /// # let _ = p;
    /// ```
    pub fn y_label(mut self, label: &str) -> Self {
        self.y_label = label.to_string();
        self
    }

    /// The picture's size in pixels (default 800 x 600; each side 100 to 10000).
    ///
    /// ```
    /// let p = haydi_contexts::sweep::LinePlot::new("n").size(640, 480);
    /// # let _ = p;
    /// ```
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = (width, height);
        self
    }
}

/// What a heatmap shows: an output over two parameters, one cell per pair of values (numbers
/// in increasing order along each axis, other values as they first appear), coloured on the
/// viridis scale, with a colour bar.
///
/// ```
/// use haydi_contexts::sweep::{Heatmap, Sweep};
/// let t = Sweep::new().param("a", [1, 2]).param("b", [3, 4, 5]).run(|p| p.int("a") + p.int("b"))?;
/// let fig = t.heatmap(&Heatmap::new("a", "b").value_label("a + b"), |r| *r as f64)?;
/// assert!(fig.svg()?.contains("a + b"));
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Heatmap {
    pub(super) x: String,
    pub(super) y: String,
    pub(super) fixed: Vec<(String, Label)>,
    pub(super) title: Option<String>,
    pub(super) value_label: String,
    pub(super) size: (u32, u32),
}

impl Heatmap {
    /// A heatmap with parameter `x` across and `y` up (any kind of values).
    ///
    /// ```
    /// let h = haydi_contexts::sweep::Heatmap::new("a", "b");
    /// # let _ = h;
    /// ```
    pub fn new(x: &str, y: &str) -> Self {
        Heatmap {
            x: x.to_string(),
            y: y.to_string(),
            fixed: Vec::new(),
            title: None,
            value_label: "output".to_string(),
            size: (800, 600),
        }
    }

    /// Only the rows where parameter `name` is `value`.
    ///
    /// ```
    /// let h = haydi_contexts::sweep::Heatmap::new("a", "b").fix("c", 100);
    /// # let _ = h;
    /// ```
    pub fn fix(mut self, name: &str, value: impl Into<Label>) -> Self {
        self.fixed.push((name.to_string(), value.into()));
        self
    }

    /// The caption above the plot (default: the output over `x` and `y`, and the fixed values).
    ///
    /// ```
    /// let h = haydi_contexts::sweep::Heatmap::new("a", "b").title("Sums");
    /// # let _ = h;
    /// ```
    pub fn title(mut self, title: &str) -> Self {
        self.title = Some(title.to_string());
        self
    }

    /// The name of the output on the colour bar (default `output`).
    ///
    /// ```
    /// let h = haydi_contexts::sweep::Heatmap::new("a", "b").value_label("a + b");
    /// # let _ = h;
    /// ```
    pub fn value_label(mut self, label: &str) -> Self {
        self.value_label = label.to_string();
        self
    }

    /// The picture's size in pixels (default 800 x 600; each side 100 to 10000).
    ///
    /// ```
    /// let h = haydi_contexts::sweep::Heatmap::new("a", "b").size(400, 400);
    /// # let _ = h;
    /// ```
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = (width, height);
        self
    }
}
