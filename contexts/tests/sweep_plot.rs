//! Sweep plots (feature `plot`): the grid a in {1, 2}, b in {10, 20, 30}, c in {100..400}
//! with `a + b + c`, drawn as a line plot (over c, one line per b, a fixed) and a heatmap (over a
//! and b, c fixed). The points come from the table exactly (checked against plain loops), the
//! files are real SVG and PNG, the pixels show the colour scale's ends and the labels' ink, and
//! bad requests are errors that name what to change.

use haydi_contexts::sweep::{Heatmap, Label, LinePlot, Picture, Sweep, Table};
use haydi_core::prelude::*;

fn grid() -> Table<i64> {
    Sweep::new()
        .param("a", [1, 2])
        .param("b", [10, 20, 30])
        .param("c", [100, 200, 300, 400])
        .run(|p| p.int("a") + p.int("b") + p.int("c"))
        .unwrap()
}

/// The PNG's width and height from its IHDR chunk, after checking the signature and the end.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    assert_eq!(
        &bytes[bytes.len() - 8..bytes.len() - 4],
        b"IEND",
        "a whole file"
    );
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

fn count_pixels(rgb: &[u8], colour: [u8; 3]) -> usize {
    rgb.chunks_exact(3).filter(|p| *p == colour).count()
}

#[test]
fn line_plot_has_the_tables_points_and_renders() {
    let t = grid();
    let fig = t
        .line_plot(
            &LinePlot::new("c")
                .lines("b")
                .fix("a", 1)
                .y_label("a + b + c"),
            |r| *r as f64,
        )
        .unwrap();
    let Picture::Lines { lines, .. } = fig.picture() else {
        panic!("a line plot")
    };
    let expected: Vec<(Label, Vec<(f64, f64)>)> = [10, 20, 30]
        .iter()
        .map(|&b| {
            let pts = (1..=4).map(|k| (100.0 * k as f64, (1 + b + 100 * k) as f64));
            (Label::Int(b), pts.collect())
        })
        .collect();
    assert_eq!(lines.len(), 3);
    for (line, (label, points)) in lines.iter().zip(&expected) {
        assert_eq!(line.label.as_ref(), Some(label));
        assert_eq!(&line.points, points);
    }
    assert_eq!(fig.title(), "a + b + c over c (a = 1)");

    let dir = tempfile::tempdir().unwrap();
    fig.write_svg(dir.path().join("lines.svg")).unwrap();
    fig.write_png(dir.path().join("lines.png")).unwrap();
    let svg = std::fs::read_to_string(dir.path().join("lines.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    for text in [
        "b = 10",
        "b = 20",
        "b = 30",
        "a + b + c over c (a = 1)",
        "\nc\n",
    ] {
        assert!(svg.contains(text), "the SVG shows {text:?}");
    }
    let wide = svg
        .split("<polyline")
        .skip(1)
        .filter(|p| p.split('>').next().unwrap().contains("stroke-width=\"2\""))
        .count();
    assert_eq!(wide, 6, "a polyline per line, and one per legend mark");
    let png = std::fs::read(dir.path().join("lines.png")).unwrap();
    assert_eq!(png_size(&png), (800, 600));
    let rgb = fig.rgb().unwrap();
    assert!(
        count_pixels(&rgb, [255, 255, 255]) > rgb.len() / 3 / 2,
        "a white ground"
    );
    assert!(count_pixels(&rgb, [0, 0, 0]) > 200, "black axes and labels");
    // No temporary file is left beside the plots.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn heatmap_has_the_tables_cells_and_renders() {
    let t = grid();
    let fig = t
        .heatmap(&Heatmap::new("a", "b").fix("c", 100).size(500, 400), |r| {
            *r as f64
        })
        .unwrap();
    let Picture::Heat { cells, .. } = fig.picture() else {
        panic!("a heatmap")
    };
    assert_eq!(cells.xs, [Label::Int(1), Label::Int(2)]);
    assert_eq!(cells.ys, [Label::Int(10), Label::Int(20), Label::Int(30)]);
    for (j, b) in [10, 20, 30].iter().enumerate() {
        for (i, a) in [1, 2].iter().enumerate() {
            assert_eq!(cells.values[j][i], Some((a + b + 100) as f64));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    fig.write_svg(dir.path().join("heat.svg")).unwrap();
    fig.write_png(dir.path().join("heat.png")).unwrap();
    let svg = std::fs::read_to_string(dir.path().join("heat.svg")).unwrap();
    for text in ["\n111\n", "\n132\n", "output over a and b (c = 100)"] {
        assert!(svg.contains(text), "the SVG shows {text:?}");
    }
    let png = std::fs::read(dir.path().join("heat.png")).unwrap();
    assert_eq!(png_size(&png), (500, 400));
    let rgb = fig.rgb().unwrap();
    assert_eq!(rgb.len(), 500 * 400 * 3);
    // The smallest cell (111) and the colour bar's bottom are viridis' first colour, the
    // largest (132) and the bar's top its last.
    assert!(
        count_pixels(&rgb, [68, 1, 84]) > 1000,
        "the low end is drawn"
    );
    assert!(
        count_pixels(&rgb, [254, 232, 37]) > 1000,
        "the high end is drawn"
    );
}

#[test]
fn a_heatmap_with_holes_draws_them_grey() {
    // A sample of the grid leaves cells without a row.
    let t = Sweep::new()
        .param("x", 0..4)
        .param("y", 0..4)
        .sample(9, 7)
        .run(|p| p.int("x") * p.int("y"))
        .unwrap();
    let fig = t.heatmap(&Heatmap::new("x", "y"), |r| *r as f64).unwrap();
    let Picture::Heat { cells, .. } = fig.picture() else {
        panic!("a heatmap")
    };
    let present = cells
        .values
        .iter()
        .flatten()
        .filter(|v| v.is_some())
        .count();
    assert_eq!(present, 9);
    assert!(
        cells.xs.windows(2).all(|w| w[0].as_i64() < w[1].as_i64()),
        "numbers in order"
    );
    assert!(
        cells.ys.windows(2).all(|w| w[0].as_i64() < w[1].as_i64()),
        "numbers in order"
    );
    for (j, y) in cells.ys.iter().enumerate() {
        for (i, x) in cells.xs.iter().enumerate() {
            let row = t.find(&[x, y]).map(|r| *r as f64);
            assert_eq!(cells.values[j][i], row, "cell ({x}, {y})");
        }
    }
    let rgb = fig.rgb().unwrap();
    assert!(
        count_pixels(&rgb, [221, 221, 221]) > 500,
        "missing cells are grey"
    );
}

#[test]
fn bad_requests_are_errors_naming_what_to_change() {
    let t = grid();
    let y = |r: &i64| *r as f64;
    let msg = |r: Result<haydi_contexts::sweep::Figure>| r.unwrap_err().to_string();
    let e = msg(t.line_plot(&LinePlot::new("c").lines("b"), y));
    assert!(e.contains("fix a"), "{e}");
    let e = msg(t.line_plot(&LinePlot::new("c").fix("a", 1), y));
    assert!(e.contains("fix b"), "{e}");
    let e = msg(t.line_plot(&LinePlot::new("d"), y));
    assert!(
        e.contains("no parameter \"d\"") && e.contains("a, b, c"),
        "{e}"
    );
    let e = msg(t.line_plot(&LinePlot::new("c").lines("b").fix("a", 3), y));
    assert!(e.contains("no row has a = 3"), "{e}");
    let e = msg(t.line_plot(&LinePlot::new("c").lines("b").fix("c", 100), y));
    assert!(e.contains("both shown and fixed"), "{e}");
    let e = msg(t.line_plot(&LinePlot::new("c").lines("b").fix("a", 1).size(50, 50), y));
    assert!(e.contains("100 to 10000 pixels"), "{e}");
    let e = msg(
        t.line_plot(&LinePlot::new("c").lines("b").fix("a", 1), |r| {
            if *r == 221 { f64::NAN } else { *r as f64 }
        }),
    );
    assert!(
        e.contains("a = 1, b = 20, c = 200") && e.contains("NaN"),
        "{e}"
    );
    let e = msg(t.heatmap(&Heatmap::new("a", "a"), y));
    assert!(e.contains("two parameters"), "{e}");
    let e = msg(t.heatmap(&Heatmap::new("a", "b"), y));
    assert!(e.contains("fix c"), "{e}");
    let words = Sweep::new()
        .param("mode", ["fast", "exact"])
        .run(|_| 1.0f64)
        .unwrap();
    let e = msg(words.line_plot(&LinePlot::new("mode"), |r| *r));
    assert!(e.contains("needs numbers along mode"), "{e}");
    let empty = Sweep::new()
        .param("n", Vec::<i64>::new())
        .run(|_| 0.0f64)
        .unwrap();
    let e = msg(empty.line_plot(&LinePlot::new("n"), |r| *r));
    assert!(e.contains("no rows"), "{e}");
}

#[cfg(unix)]
#[test]
fn writing_over_a_link_replaces_the_link_not_its_target() {
    let t = grid();
    let fig = t
        .heatmap(&Heatmap::new("a", "b").fix("c", 400), |r| *r as f64)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, b"keep me").unwrap();
    let link = dir.path().join("plot.svg");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    fig.write_svg(&link).unwrap();
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep me");
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(meta.file_type().is_file(), "the link became the plot");
}
