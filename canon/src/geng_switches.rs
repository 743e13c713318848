//! [`Graphs::geng`]: a class given by nauty geng's switches (`-c -t -D3 10:12`), for programs
//! and scripts that speak geng.

use crate::graphs::Graphs;
use haydi_core::{Error, Result};

impl Graphs {
    /// The graphs on `n` vertices of the class that `nauty-geng SWITCHES n` generates, the
    /// switches given as geng takes them (space separated, letters possibly combined):
    /// `-c` connected, `-C` biconnected, `-t` triangle-free, `-f` C4-free, `-k` K4-free,
    /// `-b` bipartite, `-d#` minimum degree, `-D#` maximum degree, an edge range `a:b`
    /// (`a` alone: exactly `a`; `a:0` with `a > 0`: `a` or more, as in geng), and a part
    /// `res/mod` ([`Graphs::part`]; its parts are not geng's, only as many). Output switches
    /// of geng (`-u`, `-g`, `-s`, `-l`, `-q`) are accepted and ignored. Anything else is
    /// [`Error::InvalidArgument`] naming it.
    ///
    /// ```
    /// use haydi_canon::Graphs;
    /// use haydi_core::prelude::*;
    /// // nauty-geng -u -ctD3 8
    /// assert_eq!(Graphs::geng(8, "-ctD3")?.count().run(false)?, 87);
    /// // nauty-geng -u -c 10 10:12
    /// assert_eq!(Graphs::geng(10, "-c 10:12")?.count().run(true)?, 11883);
    /// assert!(Graphs::geng(8, "-T").is_err()); // chordal: not a class of this source
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn geng(n: usize, switches: &str) -> Result<Graphs> {
        let mut g = Graphs::new(n)?;
        let bad = |what: &str| {
            Error::InvalidArgument(format!(
                "geng switches {switches:?}: {what} (known: -c -C -t -f -k -b -d# -D#, an edge range a:b, a part res/mod, and the output switches -u -g -s -l -q)"
            ))
        };
        for word in switches.split_whitespace() {
            if let Some(flags) = word.strip_prefix('-') {
                let mut chars = flags.chars().peekable();
                while let Some(c) = chars.next() {
                    let mut number = || {
                        let mut digits = String::new();
                        while let Some(d) = chars.next_if(char::is_ascii_digit) {
                            digits.push(d);
                        }
                        digits
                            .parse::<usize>()
                            .map_err(|_| bad(&format!("-{c} needs a number")))
                    };
                    g = match c {
                        'c' => g.connected(),
                        'C' => g.biconnected(),
                        't' => g.triangle_free(),
                        'f' => g.c4_free(),
                        'k' => g.k4_free(),
                        'b' => g.bipartite(),
                        'd' => g.min_degree(number()?),
                        'D' => g.max_degree(number()?),
                        'u' | 'g' | 's' | 'l' | 'q' => g,
                        other => return Err(bad(&format!("unknown switch -{other}"))),
                    };
                }
            } else {
                let num = |s: &str| {
                    s.parse::<usize>()
                        .map_err(|_| bad(&format!("{word:?} is not an edge range")))
                };
                if let Some((res, modulus)) = word.split_once('/') {
                    g = g.part(num(res)? as u64, num(modulus)? as u64)?;
                    continue;
                }
                g = match word.split_once(':') {
                    None => {
                        let a = num(word)?;
                        g.edges(a..=a)
                    }
                    Some((a, b)) => {
                        let (a, b) = (num(a)?, num(b)?);
                        if b == 0 && a > 0 {
                            g.edges(a..)
                        } else {
                            g.edges(a..=b)
                        }
                    }
                };
            }
        }
        Ok(g)
    }
}
