//! Submission scripts: one array job whose task `k` grows batch `k` (or the `k`-th of a list).

use super::grow::BATCH_LIST_VARIABLE;
use super::Crop;
use haydi_core::action::Action;
use haydi_core::pipeline::{Source, Transform};
use haydi_core::{Error, Result};
use std::path::PathBuf;
use std::time::Duration;

/// A batch system to write a script for.
///
/// ```
/// use haydi_contexts::crop::Scheduler;
/// assert_eq!(Scheduler::Slurm.submit_command(), "sbatch");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheduler {
    /// Slurm: `#SBATCH --array=1-n`, `SLURM_ARRAY_TASK_ID`; submit with `sbatch`.
    Slurm,
    /// PBS Pro: `#PBS -J 1-n`, `PBS_ARRAY_INDEX`; submit with `qsub`.
    Pbs,
    /// Sun/Univa/Son of Grid Engine: `#$ -t 1-n`, `SGE_TASK_ID`; submit with `qsub`.
    Sge,
    /// HyperQueue: `#HQ --array=1-n` directives, `HQ_TASK_ID`; submit with
    /// `hq submit --directives=file`.
    HyperQueue,
}

impl Scheduler {
    /// The command that submits a script.
    ///
    /// ```
    /// use haydi_contexts::crop::Scheduler;
    /// assert_eq!(Scheduler::HyperQueue.submit_command(), "hq submit --directives=file");
    /// ```
    pub fn submit_command(self) -> &'static str {
        match self {
            Scheduler::Slurm => "sbatch",
            Scheduler::Pbs | Scheduler::Sge => "qsub",
            Scheduler::HyperQueue => "hq submit --directives=file",
        }
    }
}

/// What a submission script asks for ([`Crop::script`]). Every field is optional.
///
/// ```
/// use haydi_contexts::crop::ScriptOptions;
/// use std::time::Duration;
/// let o = ScriptOptions { time: Some(Duration::from_secs(3600)), cpus_per_task: Some(4), ..Default::default() };
/// assert_eq!(o.memory, None);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ScriptOptions {
    /// The job's name (default: the crop's name; characters other than letters, digits,
    /// `-`, `_` and `.` become `_`).
    pub job_name: Option<String>,
    /// Wall time per array task.
    pub time: Option<Duration>,
    /// Memory per array task, in MiB.
    pub memory: Option<u64>,
    /// Cores per array task; also the value of the `OMP_NUM_THREADS`-style caps.
    pub cpus_per_task: Option<u32>,
    /// The program every task runs (default: this executable). It must grow its batch when
    /// started so, typically by calling [`Crop::grow_from_env`] first thing.
    pub program: Option<PathBuf>,
    /// Its arguments (default: the arguments of this process).
    pub args: Option<Vec<String>>,
    /// Only the batches missing now (the array then has one task per missing batch, and
    /// `HAYDI_CROP_BATCHES` maps task `k` to the `k`-th of them).
    pub only_missing: bool,
    /// Shell lines run before the program (`module load ...`); one line each.
    pub setup: Vec<String>,
    /// Where the scheduler writes the tasks' output (default: the scheduler's own default).
    pub log_dir: Option<PathBuf>,
}

/// `s` quoted for a POSIX shell.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `HH:MM:SS`, rounded up to a second.
fn hms(d: Duration) -> String {
    let s = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// A path for a directive line (no quoting there): refused if it holds spaces or newlines.
fn directive_path(p: &std::path::Path) -> Result<String> {
    let s = p.to_string_lossy().into_owned();
    if s.chars().any(|c| c.is_whitespace() || c == '#') {
        return Err(Error::InvalidArgument(format!(
            "crop script: the log folder {s:?} holds spaces or '#', which scheduler directives cannot quote"
        )));
    }
    Ok(s)
}

impl<S, T, A> Crop<S, T, A>
where
    S: Source,
    T: Transform<S::Item>,
    A: Action<T::Out>,
{
    /// A submission script for `scheduler`: an array job with one task per batch (indices
    /// `1..=n`, task `k` growing batch `k`), the resources of `opts`, the
    /// `OMP_NUM_THREADS`-style thread caps set to `cpus_per_task`, and the program with its
    /// arguments. The crop must be sown. Write it to a file and submit it with
    /// [`Scheduler::submit_command`].
    ///
    /// ```
    /// use haydi_contexts::crop::{Batches, Crop, Scheduler, ScriptOptions};
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let crop = Crop::new("c", dir.path(), Range::new(10).count())?;
    /// crop.sow(Batches::Size(4))?;
    /// let opts = ScriptOptions { cpus_per_task: Some(2), args: Some(vec!["grow".into()]), ..Default::default() };
    /// let text = crop.script(Scheduler::Slurm, &opts)?;
    /// assert!(text.contains("#SBATCH --array=1-3\n"));
    /// assert!(text.contains("export OMP_NUM_THREADS=2\n"));
    /// assert!(text.trim_end().ends_with("'grow'"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn script(&self, scheduler: Scheduler, opts: &ScriptOptions) -> Result<String> {
        let (m, fp) = self.sown()?;
        let list = if opts.only_missing {
            let missing = self.missing_of(&m.plan, fp);
            if missing.is_empty() {
                return Err(Error::InvalidArgument(format!(
                    "crop {}: no batch is missing: there is nothing to submit",
                    self.name
                )));
            }
            Some(missing)
        } else {
            None
        };
        let tasks = list.as_ref().map_or(m.plan.len(), Vec::len);
        let name: String = opts
            .job_name
            .as_deref()
            .unwrap_or(&self.name)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if let Some(bad) = opts.setup.iter().find(|l| l.contains('\n')) {
            return Err(Error::InvalidArgument(format!(
                "crop script: a setup line holds a newline: {bad:?}"
            )));
        }
        let program = match &opts.program {
            Some(p) => p.clone(),
            None => std::env::current_exe().map_err(|e| {
                Error::Context(format!("crop script: cannot find this executable: {e}"))
            })?,
        };
        let args: Vec<String> = match &opts.args {
            Some(a) => a.clone(),
            None => std::env::args().skip(1).collect(),
        };
        let logs = opts.log_dir.as_deref().map(directive_path).transpose()?;
        let array = format!("1-{tasks}");
        let mut d: Vec<String> = Vec::new();
        // A one-task array is refused by PBS Pro (`-J` needs two indices): no array then,
        // and the task's index is set below instead.
        let mut fixed_index = false;
        match scheduler {
            Scheduler::Slurm => {
                d.push(format!("#SBATCH --job-name={name}"));
                d.push(format!("#SBATCH --array={array}"));
                if let Some(t) = opts.time {
                    d.push(format!("#SBATCH --time={}", hms(t)));
                }
                if let Some(mb) = opts.memory {
                    d.push(format!("#SBATCH --mem={mb}M"));
                }
                if let Some(c) = opts.cpus_per_task {
                    d.push(format!("#SBATCH --cpus-per-task={c}"));
                }
                if let Some(l) = &logs {
                    d.push(format!("#SBATCH --output={l}/{name}-%A_%a.out"));
                }
            }
            Scheduler::Pbs => {
                d.push(format!("#PBS -N {name}"));
                if tasks >= 2 {
                    d.push(format!("#PBS -J {array}"));
                } else {
                    fixed_index = true;
                }
                if let Some(t) = opts.time {
                    d.push(format!("#PBS -l walltime={}", hms(t)));
                }
                let mut select = format!("select=1:ncpus={}", opts.cpus_per_task.unwrap_or(1));
                if let Some(mb) = opts.memory {
                    select.push_str(&format!(":mem={mb}mb"));
                }
                d.push(format!("#PBS -l {select}"));
                if let Some(l) = &logs {
                    d.push(format!("#PBS -o {l}"));
                    d.push("#PBS -j oe".into());
                }
            }
            Scheduler::Sge => {
                d.push("#$ -S /bin/bash".into());
                d.push(format!("#$ -N {name}"));
                d.push(format!("#$ -t {array}"));
                if let Some(t) = opts.time {
                    d.push(format!("#$ -l h_rt={}", hms(t)));
                }
                if let Some(mb) = opts.memory {
                    d.push(format!("#$ -l h_vmem={mb}M"));
                }
                if let Some(c) = opts.cpus_per_task {
                    d.push(format!("#$ -pe smp {c}"));
                }
                if let Some(l) = &logs {
                    d.push(format!("#$ -o {l}"));
                    d.push("#$ -j y".into());
                }
            }
            Scheduler::HyperQueue => {
                d.push(format!("#HQ --name={name}"));
                d.push(format!("#HQ --array={array}"));
                if let Some(t) = opts.time {
                    d.push(format!("#HQ --time-limit={}s", t.as_secs().max(1)));
                }
                if let Some(c) = opts.cpus_per_task {
                    d.push(format!("#HQ --cpus={c}"));
                }
                if let Some(mb) = opts.memory {
                    d.push(format!("#HQ --resource=mem={mb}"));
                }
                if let Some(l) = &logs {
                    d.push(format!("#HQ --stdout={l}/{name}-%{{TASK_ID}}.out"));
                }
            }
        }
        let mut s = String::from("#!/bin/bash\n");
        for line in d {
            s.push_str(&line);
            s.push('\n');
        }
        s.push_str(&format!(
            "# haydi crop {}: {} batches, this array grows {tasks} of them\n",
            self.name,
            m.plan.len()
        ));
        s.push_str("set -eu\n");
        if let Some(c) = opts.cpus_per_task {
            for var in [
                "OMP_NUM_THREADS",
                "MKL_NUM_THREADS",
                "OPENBLAS_NUM_THREADS",
                "NUMEXPR_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS",
                "RAYON_NUM_THREADS",
            ] {
                s.push_str(&format!("export {var}={c}\n"));
            }
        }
        s.push_str(&format!("export HAYDI_CROP_NAME={}\n", quote(&self.name)));
        s.push_str(&format!(
            "export HAYDI_CROP_DIR={}\n",
            quote(&self.root.to_string_lossy())
        ));
        if fixed_index {
            s.push_str("export HAYDI_CROP_BATCH=1\n");
        }
        if let Some(ids) = &list {
            let ids: Vec<String> = ids.iter().map(usize::to_string).collect();
            s.push_str(&format!("export {BATCH_LIST_VARIABLE}={}\n", ids.join(",")));
        }
        for line in &opts.setup {
            s.push_str(line);
            s.push('\n');
        }
        s.push_str("exec ");
        s.push_str(&quote(&program.to_string_lossy()));
        for a in &args {
            s.push(' ');
            s.push_str(&quote(a));
        }
        s.push('\n');
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_times() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(hms(Duration::from_secs(3 * 3600 + 62)), "03:01:02");
        assert_eq!(hms(Duration::from_millis(1500)), "00:00:02");
        assert_eq!(hms(Duration::from_secs(100 * 3600)), "100:00:00");
    }
}
