//! The result of a sweep: one row per combination, its labels and its output, in grid order;
//! written as CSV or JSON lines and read back from JSON lines.

use super::label::Label;
use haydi_core::{Error, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::io::{BufRead, Write};

/// A sweep's table: `rows[i]` is `(the parameter values, the output)`, in grid order.
///
/// ```
/// use haydi_contexts::sweep::Sweep;
/// let t = Sweep::new().param("a", [1, 2]).run(|p| p.int("a") * 3)?;
/// let mut csv = Vec::new();
/// t.write_csv(&mut csv)?;
/// assert_eq!(String::from_utf8(csv).unwrap(), "a,output\n1,3\n2,6\n");
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Table<R> {
    /// The parameter names, in order.
    pub names: Vec<String>,
    /// One row per combination: its values (in the order of `names`) and the output.
    pub rows: Vec<(Vec<Label>, R)>,
}

fn io(e: impl std::fmt::Display) -> Error {
    Error::Context(format!("sweep table: {e}"))
}

impl<R> Table<R> {
    /// Number of rows.
    ///
    /// ```
    /// use haydi_contexts::sweep::Sweep;
    /// assert_eq!(Sweep::new().param("a", 0..3).run(|_| ())?.len(), 3);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    ///
    /// ```
    /// use haydi_contexts::sweep::Sweep;
    /// assert!(Sweep::new().param("a", Vec::<i64>::new()).run(|_| ())?.is_empty());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The outputs, in row order.
    ///
    /// ```
    /// use haydi_contexts::sweep::Sweep;
    /// assert_eq!(Sweep::new().param("a", [5, 6]).run(|p| p.int("a"))?.outputs(), [5, 6]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn outputs(&self) -> Vec<R>
    where
        R: Clone,
    {
        self.rows.iter().map(|(_, r)| r.clone()).collect()
    }

    /// The output of the row with these values, if the table has it.
    ///
    /// ```
    /// use haydi_contexts::sweep::{Label, Sweep};
    /// let t = Sweep::new().param("a", [1, 2]).run(|p| p.int("a") * 7)?;
    /// assert_eq!(t.find(&[&Label::Int(2)]), Some(&14));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn find(&self, labels: &[&Label]) -> Option<&R> {
        self.rows
            .iter()
            .find(|(l, _)| l.len() == labels.len() && l.iter().zip(labels).all(|(a, b)| a == *b))
            .map(|(_, r)| r)
    }

    /// Writes the table as CSV: the parameter columns, then the output's: the fields of a
    /// struct or map output (by name), `output_0, output_1, ...` for a tuple or list, `output`
    /// for a single value.
    ///
    /// ```
    /// use haydi_contexts::sweep::Sweep;
    /// let t = Sweep::new().param("a", [1]).run(|p| (p.int("a"), "x,y".to_string()))?;
    /// let mut csv = Vec::new();
    /// t.write_csv(&mut csv)?;
    /// assert_eq!(String::from_utf8(csv).unwrap(), "a,output_0,output_1\n1,1,\"x,y\"\n");
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn write_csv<W: Write>(&self, w: W) -> Result<()>
    where
        R: Serialize,
    {
        let mut out = csv::Writer::from_writer(w);
        let cells: Vec<Vec<(String, String)>> = self
            .rows
            .iter()
            .map(|(_, r)| output_cells(r))
            .collect::<Result<_>>()?;
        let mut header = self.names.clone();
        if let Some(first) = cells.first() {
            header.extend(first.iter().map(|(k, _)| k.clone()));
        }
        out.write_record(&header).map_err(io)?;
        for ((labels, _), cells) in self.rows.iter().zip(&cells) {
            let mut record: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
            record.extend(cells.iter().map(|(_, v)| v.clone()));
            out.write_record(&record).map_err(io)?;
        }
        out.flush().map_err(io)
    }

    /// Writes one JSON object per row: the parameters by name, and `"output"`.
    ///
    /// ```
    /// use haydi_contexts::sweep::Sweep;
    /// let t = Sweep::new().param("a", [1]).param("m", ["x"]).run(|p| p.int("a") + 1)?;
    /// let mut j = Vec::new();
    /// t.write_json_lines(&mut j)?;
    /// assert_eq!(String::from_utf8(j).unwrap(), "{\"a\":1,\"m\":\"x\",\"output\":2}\n");
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn write_json_lines<W: Write>(&self, mut w: W) -> Result<()>
    where
        R: Serialize,
    {
        for (labels, r) in &self.rows {
            let mut obj = serde_json::Map::new();
            for (n, l) in self.names.iter().zip(labels) {
                obj.insert(n.clone(), serde_json::to_value(l).map_err(io)?);
            }
            obj.insert("output".into(), serde_json::to_value(r).map_err(io)?);
            serde_json::to_writer(&mut w, &obj).map_err(io)?;
            w.write_all(b"\n").map_err(io)?;
        }
        w.flush().map_err(io)
    }

    /// Reads a table written by [`Table::write_json_lines`] with these parameter `names` (for
    /// [`Sweep::run_missing`](super::Sweep::run_missing) across program runs).
    ///
    /// ```
    /// use haydi_contexts::sweep::{Sweep, Table};
    /// let t = Sweep::new().param("a", [1, 2]).run(|p| p.int("a") * 2)?;
    /// let mut j = Vec::new();
    /// t.write_json_lines(&mut j)?;
    /// let back: Table<i64> = Table::read_json_lines(&["a".to_string()], &j[..])?;
    /// assert_eq!(back, t);
    /// assert!(Table::<i64>::read_json_lines(&["b".to_string()], &j[..]).is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn read_json_lines<Rd: BufRead>(names: &[String], r: Rd) -> Result<Table<R>>
    where
        R: DeserializeOwned,
    {
        let mut rows = Vec::new();
        for (i, line) in r.lines().enumerate() {
            let line = line.map_err(io)?;
            if line.trim().is_empty() {
                continue;
            }
            let mut obj: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&line).map_err(|e| io(format!("line {}: {e}", i + 1)))?;
            let mut labels = Vec::new();
            for n in names {
                let v = obj
                    .remove(n)
                    .ok_or_else(|| io(format!("line {}: no parameter {n:?}", i + 1)))?;
                labels.push(serde_json::from_value(v).map_err(io)?);
            }
            let out = obj
                .remove("output")
                .ok_or_else(|| io(format!("line {}: no \"output\"", i + 1)))?;
            rows.push((labels, serde_json::from_value(out).map_err(io)?));
        }
        Ok(Table {
            names: names.to_vec(),
            rows,
        })
    }
}

/// The CSV cells of one output: named fields, numbered elements, or one `output` cell.
fn output_cells<R: Serialize>(r: &R) -> Result<Vec<(String, String)>> {
    let cell = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    Ok(match serde_json::to_value(r).map_err(io)? {
        serde_json::Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), cell(v))).collect(),
        serde_json::Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("output_{i}"), cell(v)))
            .collect(),
        v => vec![("output".to_string(), cell(&v))],
    })
}
