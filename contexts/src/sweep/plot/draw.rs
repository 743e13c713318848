//! Drawing a [`Figure`] with plotters, once for every backend (SVG text, RGB pixels, PNG).

use super::{Cells, Figure, Line, Picture};
use haydi_core::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;
use std::sync::OnceLock;

/// The labels' font, bundled so that a plot does not depend on the machine's fonts (see
/// `assets/LICENSE-DejaVu.txt`). Registered as `sans-serif`, the family SVG files name.
const FONT: &[u8] = include_bytes!("../../../assets/DejaVuSans-Latin1.ttf");
const SANS: &str = "sans-serif";

/// Heatmaps print each cell's value when they have at most this many cells.
const ANNOTATED_CELLS: usize = 144;

fn register_font() -> Result<()> {
    static LOADED: OnceLock<bool> = OnceLock::new();
    let ok = *LOADED.get_or_init(|| register_font_bytes(SANS, FONT));
    if ok {
        Ok(())
    } else {
        Err(Error::Context(
            "plot: the bundled font does not load".into(),
        ))
    }
}

fn register_font_bytes(name: &str, bytes: &'static [u8]) -> bool {
    plotters::style::register_font(name, FontStyle::Normal, bytes).is_ok()
}

fn failed(e: impl std::fmt::Display) -> Error {
    Error::Context(format!("plot: {e}"))
}

/// The figure as an SVG document.
pub(super) fn svg(fig: &Figure) -> Result<String> {
    register_font()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, fig.size).into_drawing_area();
        draw(fig, &root).map_err(failed)?;
        root.present().map_err(failed)?;
    }
    Ok(out)
}

/// The figure as RGB pixels.
pub(super) fn rgb(fig: &Figure) -> Result<Vec<u8>> {
    register_font()?;
    let (w, h) = fig.size;
    let mut buf = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, fig.size).into_drawing_area();
        draw(fig, &root).map_err(failed)?;
        root.present().map_err(failed)?;
    }
    Ok(buf)
}

/// The figure as a PNG file at `path` (which ends in `.png`).
pub(super) fn png(fig: &Figure, path: &Path) -> Result<()> {
    register_font()?;
    let root = BitMapBackend::new(path, fig.size).into_drawing_area();
    draw(fig, &root).map_err(failed)?;
    root.present().map_err(failed)
}

type Drawn<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw<DB: DrawingBackend>(fig: &Figure, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
    root.fill(&WHITE)?;
    match &fig.picture {
        Picture::Lines { x, y, by, lines } => draw_lines(root, &fig.title, x, y, by, lines),
        Picture::Heat { x, y, value, cells } => draw_heat(root, &fig.title, x, y, value, cells),
    }
}

/// `lo..hi` with a margin, never empty.
fn padded(lo: f64, hi: f64) -> std::ops::Range<f64> {
    if hi > lo {
        let m = (hi - lo) * 0.05;
        (lo - m)..(hi + m)
    } else {
        (lo - 1.0)..(hi + 1.0)
    }
}

/// A value as a label: whole numbers without a fraction, others with 4 significant digits.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else if v != 0.0 && (v.abs() >= 1e5 || v.abs() < 1e-3) {
        format!("{v:.3e}")
    } else {
        let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 6) as usize;
        format!("{v:.digits$}")
    }
}

fn draw_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    x: &str,
    y: &str,
    by: &Option<String>,
    lines: &[Line],
) -> Drawn<DB> {
    let points = lines.iter().flat_map(|l| l.points.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(px, py) in points {
        x0 = x0.min(px);
        x1 = x1.max(px);
        y0 = y0.min(py);
        y1 = y1.max(py);
    }
    let mut chart = ChartBuilder::on(root)
        .caption(title, (SANS, 22))
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(padded(x0, x1), padded(y0, y1))?;
    chart
        .configure_mesh()
        .x_desc(x)
        .y_desc(y)
        .label_style((SANS, 14))
        .axis_desc_style((SANS, 16))
        .x_label_formatter(&|v| number(*v))
        .y_label_formatter(&|v| number(*v))
        .draw()?;
    for (k, line) in lines.iter().enumerate() {
        let color = Palette99::pick(k).to_rgba();
        let series = chart.draw_series(LineSeries::new(
            line.points.iter().copied(),
            color.stroke_width(2),
        ))?;
        if let (Some(by), Some(label)) = (by, &line.label) {
            series
                .label(format!("{by} = {label}"))
                .legend(move |(lx, ly)| {
                    PathElement::new(vec![(lx, ly), (lx + 20, ly)], color.stroke_width(2))
                });
        }
        chart.draw_series(
            line.points
                .iter()
                .map(|&p| Circle::new(p, 3, color.filled())),
        )?;
    }
    if by.is_some() {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font((SANS, 14))
            .draw()?;
    }
    Ok(())
}

/// The label of a segment's centre, for a category axis.
fn category(v: &SegmentValue<i32>, labels: &[super::Label]) -> String {
    match v {
        SegmentValue::CenterOf(i) => usize::try_from(*i)
            .ok()
            .and_then(|i| labels.get(i))
            .map(|l| l.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

fn draw_heat<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    x: &str,
    y: &str,
    value: &str,
    cells: &Cells,
) -> Drawn<DB> {
    let (w, _) = root.dim_in_pixel();
    let (main, bar) = root.split_horizontally(w.saturating_sub(120));
    let (nx, ny) = (cells.xs.len() as i32, cells.ys.len() as i32);
    let (lo, hi) = cells.range();
    let top = if hi > lo { hi } else { lo + 1.0 };
    let mut chart = ChartBuilder::on(&main)
        .caption(title, (SANS, 22))
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(80)
        // A segmented 0..n has n + 1 segments (the end is a key too): 0..n - 1 has n.
        .build_cartesian_2d((0..nx - 1).into_segmented(), (0..ny - 1).into_segmented())?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(x)
        .y_desc(y)
        .x_labels(cells.xs.len())
        .y_labels(cells.ys.len())
        .label_style((SANS, 14))
        .axis_desc_style((SANS, 16))
        .x_label_formatter(&|v| category(v, &cells.xs))
        .y_label_formatter(&|v| category(v, &cells.ys))
        .draw()?;
    let grid = cells.values.iter().enumerate().flat_map(|(j, row)| {
        row.iter()
            .enumerate()
            .map(move |(i, v)| (i as i32, j as i32, *v))
    });
    let missing = RGBColor(221, 221, 221);
    chart.draw_series(grid.clone().map(|(i, j, v)| {
        let color = match v {
            Some(v) => ViridisRGB::get_color_normalized(v, lo, top).filled(),
            None => missing.filled(),
        };
        Rectangle::new(
            [
                (SegmentValue::Exact(i), SegmentValue::Exact(j)),
                (SegmentValue::Exact(i + 1), SegmentValue::Exact(j + 1)),
            ],
            color,
        )
    }))?;
    if cells.xs.len() * cells.ys.len() <= ANNOTATED_CELLS {
        let centre = Pos::new(HPos::Center, VPos::Center);
        chart.draw_series(grid.filter_map(|(i, j, v)| {
            let v = v?;
            // Dark text on the light (yellow) end of viridis, light text on the dark end.
            let ink: &'static RGBColor = if (v - lo) / (top - lo) > 0.6 {
                &BLACK
            } else {
                &WHITE
            };
            Some(Text::new(
                number(v),
                (SegmentValue::CenterOf(i), SegmentValue::CenterOf(j)),
                TextStyle::from((SANS, 13).into_font())
                    .color(ink)
                    .pos(centre),
            ))
        }))?;
    }
    draw_colour_bar(&bar, value, lo, top)
}

/// The colour bar: the viridis scale from `lo` (bottom) to `hi`, with the output's name.
fn draw_colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    value: &str,
    lo: f64,
    hi: f64,
) -> Drawn<DB> {
    let mut bar = ChartBuilder::on(area)
        .margin_top(50)
        .margin_bottom(65)
        .margin_right(10)
        .y_label_area_size(0)
        .right_y_label_area_size(60)
        .build_cartesian_2d(0..1, lo..hi)?
        .set_secondary_coord(0..1, lo..hi);
    bar.configure_secondary_axes()
        .label_style((SANS, 12))
        .y_desc(value)
        .axis_desc_style((SANS, 14))
        .y_label_formatter(&|v| number(*v))
        .draw()?;
    const STEPS: usize = 100;
    let step = (hi - lo) / STEPS as f64;
    bar.draw_series((0..STEPS).map(|k| {
        let a = lo + step * k as f64;
        Rectangle::new(
            [(0, a), (1, a + step)],
            ViridisRGB::get_color_normalized(a + step / 2.0, lo, hi).filled(),
        )
    }))?;
    Ok(())
}
