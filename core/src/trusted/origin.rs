//! Which job wrote a file: the program (its arguments and the hash of its executable), or an
//! identity the user gives instead.
//!
//! A checkpoint's or a crop's identity is made of what the job is (call site, pipeline type,
//! index space, the domain's [`fingerprint`](crate::Domain::fingerprint)) and of its
//! [`Origin`]. By default the origin is the program: `prog 1` never resumes `prog 2`'s file,
//! and a rebuilt program (another executable) is told apart. A user who rebuilds on purpose,
//! or whose program takes arguments that do not change the job (a subcommand, an output
//! path), gives an identity instead (`RunOptions::checkpoint_identity`, `Crop::identity`):
//! it replaces the arguments and the executable, so from then on the user answers for the
//! job being the same; the domain's fingerprint is still compared.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// This program, as files record it.
///
/// ```
/// let p = haydi_core::trusted::this_program();
/// assert_eq!(p.args, std::env::args().skip(1).collect::<Vec<_>>());
/// assert_eq!(p.exe_sha256.len(), 32);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    /// The arguments after the program's name (lossily made UTF-8).
    pub args: Vec<String>,
    /// SHA-256 of the running executable (on Linux `/proc/self/exe`: the image running, even
    /// when the file was rebuilt since).
    pub exe_sha256: [u8; 32],
    /// Where the executable was started from (for messages and scripts; not compared).
    pub exe_path: String,
}

/// SHA-256 of the running executable, computed once per process: `/proc/self/exe` on Linux
/// (the image that runs, even after the file on disk was replaced by a rebuild), else the file
/// at `current_exe()`.
///
/// ```
/// assert_eq!(haydi_core::trusted::origin::exe_sha256(), haydi_core::trusted::origin::exe_sha256());
/// ```
pub fn exe_sha256() -> [u8; 32] {
    static HASH: OnceLock<[u8; 32]> = OnceLock::new();
    *HASH.get_or_init(|| {
        let mut h = Sha256::new();
        let file = std::fs::File::open("/proc/self/exe")
            .or_else(|_| std::env::current_exe().and_then(std::fs::File::open));
        match file {
            Ok(mut f) => {
                if std::io::copy(&mut f, &mut h).is_err() {
                    h.update(b"unreadable executable");
                }
            }
            Err(_) => h.update(b"unknown executable"),
        }
        h.finalize().into()
    })
}

/// SHA-256 of the file at `path` (the executable a crop script names), if it can be read.
///
/// ```
/// let me = std::env::current_exe()?;
/// assert_eq!(haydi_core::trusted::origin::file_sha256(&me), Some(haydi_core::trusted::origin::exe_sha256()));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn file_sha256(path: &std::path::Path) -> Option<[u8; 32]> {
    let mut h = Sha256::new();
    let mut f = std::fs::File::open(path).ok()?;
    std::io::copy(&mut f, &mut h).ok()?;
    Some(h.finalize().into())
}

/// This program: its arguments and executable, computed once.
///
/// ```
/// assert!(!haydi_core::trusted::this_program().exe_path.is_empty());
/// ```
pub fn this_program() -> &'static Program {
    static PROGRAM: OnceLock<Program> = OnceLock::new();
    PROGRAM.get_or_init(|| Program {
        args: std::env::args_os()
            .skip(1)
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        exe_sha256: exe_sha256(),
        exe_path: std::env::current_exe()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| "(unknown)".into()),
    })
}

/// Where a job's file comes from, as far as the job's identity goes.
///
/// ```
/// use haydi_core::trusted::Origin;
/// let mine = Origin::this_program_or(None);
/// assert!(matches!(mine, Origin::Program { .. }));
/// assert_eq!(Origin::this_program_or(Some("k=2")), Origin::Given("k=2".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    /// The program's arguments and the SHA-256 of its executable (the default).
    Program {
        /// The arguments after the program's name.
        args: Vec<String>,
        /// SHA-256 of the executable.
        exe_sha256: [u8; 32],
    },
    /// An identity the user gave (`checkpoint_identity`, `Crop::identity`) instead.
    Given(String),
}

/// What to do when a file's origin is another program's, but resuming it is wanted.
pub(crate) const ADOPT: &str = "if this run should resume it anyway (the difference does not \
    change the result), give the run an identity (RunOptions::checkpoint_identity or \
    Crop::identity, which then replaces arguments and executable) and adopt the file under it \
    with `haydi reseal --identity TEXT PATH`";

fn hex8(h: &[u8; 32]) -> String {
    h[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn args_text(args: &[String]) -> String {
    if args.is_empty() {
        "none".into()
    } else {
        format!("{args:?}")
    }
}

impl Origin {
    /// `Given(identity)` when an identity is given, else this program.
    ///
    /// ```
    /// use haydi_core::trusted::Origin;
    /// assert!(matches!(Origin::this_program_or(None), Origin::Program { .. }));
    /// ```
    pub fn this_program_or(identity: Option<&str>) -> Origin {
        match identity {
            Some(text) => Origin::Given(text.to_string()),
            None => {
                let p = this_program();
                Origin::Program {
                    args: p.args.clone(),
                    exe_sha256: p.exe_sha256,
                }
            }
        }
    }

    /// The origin in words: `arguments [..], executable <hash>` or `identity "..."`.
    ///
    /// ```
    /// use haydi_core::trusted::Origin;
    /// assert_eq!(Origin::Given("v1".into()).describe(), "identity \"v1\"");
    /// ```
    pub fn describe(&self) -> String {
        match self {
            Origin::Program { args, exe_sha256 } => format!(
                "arguments {}, executable SHA-256 {}...",
                args_text(args),
                hex8(exe_sha256)
            ),
            Origin::Given(t) => format!("identity {t:?}"),
        }
    }

    /// Which part differs between the origin recorded in a file (`self`) and this run's
    /// (`run`), in words, with how to resume deliberately; `None` when they are the same.
    ///
    /// ```
    /// use haydi_core::trusted::Origin;
    /// let file = Origin::Program { args: vec!["2".into()], exe_sha256: [1; 32] };
    /// let run = Origin::Program { args: vec!["1".into()], exe_sha256: [1; 32] };
    /// let why = file.difference(&run).unwrap();
    /// assert!(why.starts_with("its arguments differ"), "{why}");
    /// assert_eq!(file.difference(&file), None);
    /// ```
    pub fn difference(&self, run: &Origin) -> Option<String> {
        if self == run {
            return None;
        }
        Some(match (self, run) {
            (
                Origin::Program {
                    args: fa,
                    exe_sha256: fe,
                },
                Origin::Program {
                    args: ra,
                    exe_sha256: re,
                },
            ) => {
                let mut parts = Vec::new();
                if fa != ra {
                    parts.push(format!(
                        "its arguments differ (the file's: {}; this run's: {})",
                        args_text(fa),
                        args_text(ra)
                    ));
                }
                if fe != re {
                    parts.push(format!(
                        "its executable differs (the file's SHA-256 begins {}, this run's {}: \
                         the program was rebuilt or is another one)",
                        hex8(fe),
                        hex8(re)
                    ));
                }
                format!("{}; {ADOPT}", parts.join(", and "))
            }
            (Origin::Given(f), Origin::Given(r)) => format!(
                "its identity differs (the file's: {f:?}; this run's: {r:?}): it is another \
                 job; use another file, or delete this one"
            ),
            (Origin::Given(f), Origin::Program { .. }) => format!(
                "it was written with the identity {f:?} and this run gives none (so it is \
                 identified by its arguments and executable): give this run the same identity \
                 to resume it"
            ),
            (Origin::Program { args, .. }, Origin::Given(r)) => format!(
                "it was written without an identity (by the program with arguments {}) and \
                 this run gives the identity {r:?}: adopt the file under that identity with \
                 `haydi reseal --identity {r:?} PATH` if it is the same job",
                args_text(args)
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_difference_is_named() {
        let p = |a: &str, e: u8| Origin::Program {
            args: vec![a.into()],
            exe_sha256: [e; 32],
        };
        let args = p("2", 1).difference(&p("1", 1)).unwrap();
        assert!(
            args.contains("arguments differ")
                && args.contains("[\"2\"]")
                && !args.contains("executable differs")
                && args.contains("haydi reseal"),
            "{args}"
        );
        let exe = p("1", 1).difference(&p("1", 2)).unwrap();
        assert!(
            exe.contains("executable differs") && !exe.contains("arguments differ"),
            "{exe}"
        );
        let both = p("1", 1).difference(&p("2", 2)).unwrap();
        assert!(
            both.contains("arguments") && both.contains("executable"),
            "{both}"
        );
        let g = |t: &str| Origin::Given(t.into());
        let id = g("k=2").difference(&g("k=1")).unwrap();
        assert!(
            id.contains("identity differs") && id.contains("k=2"),
            "{id}"
        );
        assert!(
            g("x")
                .difference(&p("1", 1))
                .unwrap()
                .contains("gives none")
        );
        assert!(
            p("1", 1)
                .difference(&g("x"))
                .unwrap()
                .contains("without an identity")
        );
        assert_eq!(g("x").difference(&g("x")), None);
    }

    #[test]
    fn this_program_is_this_process() {
        let p = this_program();
        assert_eq!(p.exe_sha256, exe_sha256());
        let exe = std::env::current_exe().unwrap();
        assert_eq!(file_sha256(&exe), Some(p.exe_sha256));
    }
}
