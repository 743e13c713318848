//! Configuration as the peers have it (Glimpse's `config.ini`, apyfal's `accelerator.conf`,
//! pyMOR's defaults), and the same choices on a program's command line (the Python haydi's
//! `ExperimentEnv`): a `haydi.toml`, environment variables over it, code or flags over both.

use super::Pool;
use super::factory::ContextSpec;
use haydi_core::{Error, Result, RunOptions};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The variable naming the configuration file (it must exist when set).
pub const CONFIG_ENV: &str = "HAYDI_CONFIG";

/// The file as written: every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    context: Option<String>,
    timeout: Option<toml::Value>,
    progress: Option<bool>,
    trace: Option<PathBuf>,
    checkpoint: Option<PathBuf>,
}

/// The choices of a run: which context, a timeout, a progress bar, a chunk trace, and the file
/// they came from. Found in this order, later ones overriding earlier ones:
///
/// 1. a `haydi.toml`: the file named by `HAYDI_CONFIG` (an error if it does not exist), else
///    `./haydi.toml`, else `$XDG_CONFIG_HOME/haydi/haydi.toml` (or `~/.config/haydi/haydi.toml`);
/// 2. the environment: `HAYDI_POOL` (context), `HAYDI_TIMEOUT`, `HAYDI_PROGRESS` (`1`/`0`,
///    `true`/`false`), `HAYDI_TRACE`, `HAYDI_CHECKPOINT`;
/// 3. code (set the fields) or the command line ([`Args`]).
///
/// ```toml
/// context = "spawn:4"    # serial, threads, threads:N, spawn:N, cluster
/// timeout = "10m"        # or a number of seconds; units ms, s, m, h
/// progress = true
/// trace = "trace.json"   # Chrome trace of the chunks
/// checkpoint = "run.ckpt" # resume from here
/// ```
///
/// ```
/// use haydi_contexts::pool::{Config, ContextSpec};
/// use std::time::Duration;
/// let c = Config::from_toml("context = \"threads:2\"\ntimeout = 90\n")?;
/// assert_eq!(c.context, Some(ContextSpec::Threads(Some(2))));
/// assert_eq!(c.timeout, Some(Duration::from_secs(90)));
/// assert!(Config::from_toml("contxt = \"serial\"").is_err()); // a typo is an error
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// The context (`None`: the session's).
    pub context: Option<ContextSpec>,
    /// A timeout for each run.
    pub timeout: Option<Duration>,
    /// Show progress bars.
    pub progress: bool,
    /// Write a chunk trace here.
    pub trace: Option<PathBuf>,
    /// Checkpoint runs here and resume from it ([`RunOptions::checkpoint`]).
    pub checkpoint: Option<PathBuf>,
    /// The file the settings were read from, if any.
    pub source: Option<PathBuf>,
}

impl Config {
    /// Settings from the text of a `haydi.toml`.
    ///
    /// ```
    /// use haydi_contexts::pool::Config;
    /// assert!(Config::from_toml("progress = true")?.progress);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn from_toml(text: &str) -> Result<Config> {
        let f: File =
            toml::from_str(text).map_err(|e| Error::InvalidArgument(format!("haydi.toml: {e}")))?;
        let timeout = match f.timeout {
            None => None,
            Some(toml::Value::Integer(s)) if s >= 0 => Some(Duration::from_secs(s as u64)),
            Some(toml::Value::Float(s)) if s >= 0.0 && s.is_finite() => {
                Some(Duration::from_secs_f64(s))
            }
            Some(toml::Value::String(s)) => Some(parse_duration(&s)?),
            Some(v) => {
                return Err(Error::InvalidArgument(format!(
                    "haydi.toml: timeout must be seconds or a text such as \"10m\", not {v}"
                )));
            }
        };
        Ok(Config {
            context: f.context.map(|c| c.parse()).transpose()?,
            timeout,
            progress: f.progress.unwrap_or(false),
            trace: f.trace,
            checkpoint: f.checkpoint,
            source: None,
        })
    }

    /// The file, then the environment (see [`Config`]).
    ///
    /// ```
    /// use haydi_contexts::pool::Config;
    /// let c = Config::load()?; // no haydi.toml and no HAYDI_* variables in doctests
    /// assert_eq!(c.context, None);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn load() -> Result<Config> {
        Config::load_from(None)
    }

    /// [`Config::load`] with an explicit file (over `HAYDI_CONFIG` and the search).
    ///
    /// ```
    /// use haydi_contexts::pool::Config;
    /// assert!(Config::load_from(Some("/no/such/haydi.toml".as_ref())).is_err());
    /// ```
    pub fn load_from(file: Option<&Path>) -> Result<Config> {
        let path = match file {
            Some(p) => Some(p.to_path_buf()),
            None => match std::env::var_os(CONFIG_ENV) {
                Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
                _ => search(),
            },
        };
        let mut c = match &path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| {
                    Error::InvalidArgument(format!(
                        "cannot read the configuration {}: {e}",
                        p.display()
                    ))
                })?;
                let mut c = Config::from_toml(&text)
                    .map_err(|e| Error::InvalidArgument(format!("{}: {e}", p.display())))?;
                c.source = Some(p.clone());
                c
            }
            None => Config::default(),
        };
        c.apply_env()?;
        Ok(c)
    }

    fn apply_env(&mut self) -> Result<()> {
        if let Some(spec) = ContextSpec::from_env()? {
            self.context = Some(spec);
        }
        if let Ok(t) = std::env::var("HAYDI_TIMEOUT") {
            self.timeout = Some(
                parse_duration(&t)
                    .map_err(|e| Error::InvalidArgument(format!("HAYDI_TIMEOUT: {e}")))?,
            );
        }
        if let Ok(p) = std::env::var("HAYDI_PROGRESS") {
            self.progress = match p.trim() {
                "1" | "true" | "yes" | "on" => true,
                "0" | "false" | "no" | "off" | "" => false,
                other => {
                    return Err(Error::InvalidArgument(format!(
                        "HAYDI_PROGRESS: '{other}' is not 1/0, true/false, yes/no or on/off"
                    )));
                }
            };
        }
        if let Some(t) = std::env::var_os("HAYDI_TRACE").filter(|t| !t.is_empty()) {
            self.trace = Some(PathBuf::from(t));
        }
        if let Some(c) = std::env::var_os("HAYDI_CHECKPOINT").filter(|c| !c.is_empty()) {
            self.checkpoint = Some(PathBuf::from(c));
        }
        Ok(())
    }

    /// The run options these settings give (timeout, progress bar, trace).
    ///
    /// ```
    /// use haydi_contexts::pool::Config;
    /// use std::time::Duration;
    /// let c = Config { timeout: Some(Duration::from_secs(3)), progress: true, ..Config::default() };
    /// let o = c.run_options();
    /// assert_eq!((o.timeout, o.progress_bar), (Some(Duration::from_secs(3)), true));
    /// ```
    pub fn run_options(&self) -> RunOptions {
        let mut o = RunOptions::new().progress_bar(self.progress);
        if let Some(t) = self.timeout {
            o = o.timeout(t);
        }
        if let Some(p) = &self.trace {
            o = o.chunk_trace(p.clone());
        }
        if let Some(p) = &self.checkpoint {
            o = o.checkpoint(p.clone());
        }
        o
    }

    /// Makes the chosen context the session's (nothing when none was chosen).
    ///
    /// ```
    /// use haydi_contexts::pool::{Config, ContextSpec};
    /// use haydi_core::prelude::*;
    /// Config { context: Some(ContextSpec::Threads(Some(2))), ..Config::default() }.install()?;
    /// assert_eq!(session::parallel_context().name(), "threads(2)");
    /// session::clear_parallel_context();
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn install(&self) -> Result<()> {
        if let Some(spec) = &self.context {
            spec.install()?;
        }
        Ok(())
    }

    /// A pool over the chosen context (the session's when none was chosen).
    ///
    /// ```
    /// use haydi_contexts::pool::{Config, ContextSpec};
    /// let c = Config { context: Some(ContextSpec::Serial), ..Config::default() };
    /// assert!(!c.pool()?.is_parallel());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn pool(&self) -> Result<Pool> {
        match &self.context {
            Some(spec) => Ok(Pool::from_shared(spec.build()?)),
            None => Ok(Pool::from_session()),
        }
    }
}

fn search() -> Option<PathBuf> {
    let here = PathBuf::from("haydi.toml");
    if here.is_file() {
        return Some(here);
    }
    let dir = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    let user = dir.join("haydi").join("haydi.toml");
    user.is_file().then_some(user)
}

/// A duration such as `90` (seconds), `1.5s`, `250ms`, `10m` or `2h`.
///
/// ```
/// use haydi_contexts::pool::config_parse_duration as parse;
/// use std::time::Duration;
/// assert_eq!(parse("250ms")?, Duration::from_millis(250));
/// assert_eq!(parse("10m")?, Duration::from_secs(600));
/// assert_eq!(parse("90")?, Duration::from_secs(90));
/// assert!(parse("soon").is_err() && parse("-1s").is_err());
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub fn parse_duration(s: &str) -> Result<Duration> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let scale = match unit.trim() {
        "ms" => 1e-3,
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => f64::NAN,
    };
    match num.trim().parse::<f64>() {
        Ok(v) if v >= 0.0 && scale.is_finite() && (v * scale).is_finite() => {
            Ok(Duration::from_secs_f64(v * scale))
        }
        _ => Err(Error::InvalidArgument(format!(
            "'{s}' is not a duration (write 90, 1.5s, 250ms, 10m or 2h)"
        ))),
    }
}

/// The choices of [`Config`] on a program's command line (clap); flatten it into your own
/// arguments. Flags override the environment and the file.
///
/// ```
/// use clap::Parser;
/// use haydi_contexts::pool::{Args, ContextSpec};
/// use std::time::Duration;
///
/// #[derive(Parser)]
/// struct Cli {
///     #[command(flatten)]
///     haydi: Args,
///     /// Your own option.
///     #[arg(long, default_value_t = 6)]
///     states: usize,
/// }
///
/// let cli = Cli::parse_from(["explore", "--context", "threads:2", "--timeout", "5m", "--progress", "--checkpoint", "run.ckpt"]);
/// let c = cli.haydi.config()?;
/// assert_eq!(c.context, Some(ContextSpec::Threads(Some(2))));
/// assert_eq!((c.timeout, c.progress, cli.states), (Some(Duration::from_secs(300)), true, 6));
/// assert_eq!(c.run_options().checkpoint, Some("run.ckpt".into()));
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// Where runs execute: serial, threads, threads:N, spawn:N or cluster.
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// Stop each run after this long (90, 1.5s, 10m, 2h); the results say what they cover.
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Show progress bars on stderr.
    #[arg(long)]
    pub progress: bool,
    /// Write a Chrome trace of the chunks to this file.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Checkpoint the run to this file and resume from it when it exists.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// Read settings from this file instead of HAYDI_CONFIG / haydi.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl Args {
    /// The file, the environment, then these flags.
    ///
    /// ```
    /// use haydi_contexts::pool::Args;
    /// let a = Args { context: Some("serial".into()), ..Args::default() };
    /// assert!(!a.config()?.pool()?.is_parallel());
    /// assert!(Args { timeout: Some("later".into()), ..Args::default() }.config().is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn config(&self) -> Result<Config> {
        let mut c = Config::load_from(self.config.as_deref())?;
        if let Some(name) = &self.context {
            c.context = Some(name.parse()?);
        }
        if let Some(t) = &self.timeout {
            c.timeout = Some(parse_duration(t)?);
        }
        if self.progress {
            c.progress = true;
        }
        if let Some(t) = &self.trace {
            c.trace = Some(t.clone());
        }
        if let Some(p) = &self.checkpoint {
            c.checkpoint = Some(p.clone());
        }
        Ok(c)
    }
}
