//! Submission scripts: one array job whose task `k` grows batch `k` (or the `k`-th of a list),
//! written to work as they are on Slurm, PBS Pro, SGE and HyperQueue, and submitted with the
//! batch system's own command ([`Crop::submit`]).

use super::Crop;
use super::grow::BATCH_LIST_VARIABLE;
use super::manifest::Manifest;
use haydi_core::action::Action;
use haydi_core::context::THREADS_VARIABLE;
use haydi_core::pipeline::{Source, Transform};
use haydi_core::trusted::origin::file_sha256;
use haydi_core::trusted::{Origin, private_dir, replace_atomically};
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

    /// The batch system's name, for messages and file names.
    ///
    /// ```
    /// assert_eq!(haydi_contexts::crop::Scheduler::Sge.name(), "sge");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Scheduler::Slurm => "slurm",
            Scheduler::Pbs => "pbs",
            Scheduler::Sge => "sge",
            Scheduler::HyperQueue => "hyperqueue",
        }
    }

    /// The job id in what the submit command printed, where it says one: Slurm's
    /// `Submitted batch job 42`, PBS's `42[].server`, SGE's `Your job-array 42.1-4:1 ...`,
    /// HyperQueue's `Job submitted successfully, job ID: 42`.
    fn job_id(self, out: &str) -> Option<String> {
        let mut lines = out.lines().map(str::trim).filter(|l| !l.is_empty());
        let word = match self {
            Scheduler::Slurm => lines
                .find_map(|l| l.strip_prefix("Submitted batch job "))?
                .split_whitespace()
                .next()?,
            Scheduler::Pbs => lines.next_back()?.split_whitespace().next()?,
            Scheduler::Sge => lines
                .find_map(|l| {
                    l.strip_prefix("Your job-array ")
                        .or_else(|| l.strip_prefix("Your job "))
                })?
                .split(['.', ' '])
                .next()?,
            Scheduler::HyperQueue => lines.find_map(|l| l.split_once("job ID:"))?.1.trim(),
        };
        (!word.is_empty()).then(|| word.to_string())
    }
}

/// What [`Crop::submit`] did: where the script is, the command it ran and what that printed.
///
/// ```
/// use haydi_contexts::crop::Submitted;
/// let s = Submitted { script: "/c/scripts/slurm-1.sh".into(), command: "sbatch /c/scripts/slurm-1.sh".into(),
///                     output: "Submitted batch job 42\n".into(), job_id: Some("42".into()) };
/// assert_eq!(s.job_id.as_deref(), Some("42"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// The script, in the crop's `scripts/` folder.
    pub script: PathBuf,
    /// The command line that submitted it.
    pub command: String,
    /// What the command printed on its standard output.
    pub output: String,
    /// The job id in that output, when the command's format is known.
    pub job_id: Option<String>,
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
    /// Cores per array task: the task's haydi threads (`HAYDI_THREADS`) and the
    /// `OMP_NUM_THREADS`-style caps of the libraries its closures may call.
    pub cpus_per_task: Option<u32>,
    /// The program every task runs (default: the executable that sowed the crop, by the path
    /// it was started from). It must grow its batch when started so, typically by calling
    /// [`Crop::grow_from_env`] first thing. Unless the crop has an identity
    /// ([`Crop::identity`]), it must be the very executable that sowed it (another one is
    /// refused here, and its tasks would be refused too).
    pub program: Option<PathBuf>,
    /// Its arguments (default: the arguments the crop was sown with, which, unless the crop
    /// has an identity, are the only ones its tasks may have).
    pub args: Option<Vec<String>>,
    /// Only the batches missing now (the array then has one task per missing batch, and
    /// `HAYDI_CROP_BATCHES` maps task `k` to the `k`-th of them).
    pub only_missing: bool,
    /// Shell lines run before the program (`module load ...`); one line each. They run before
    /// `set -u` (module and conda scripts read unset variables), after `set -e` (a failing
    /// setup fails the task).
    pub setup: Vec<String>,
    /// Where the scheduler writes the tasks' output (default: the scheduler's own default).
    /// [`Crop::script`] creates it when missing: Slurm, PBS and SGE open a task's output file
    /// before the script runs, and a missing folder fails the task with no output at all.
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

/// The program and arguments a script of the crop `m` runs, after checking that its tasks
/// would be accepted: without an identity, the executable that sowed the crop, unchanged,
/// with its arguments.
fn command_of(m: &Manifest, opts: &ScriptOptions) -> Result<(PathBuf, Vec<String>)> {
    let sown = &m.program;
    let program = opts
        .program
        .clone()
        .unwrap_or_else(|| PathBuf::from(&sown.exe_path));
    let args = opts.args.clone().unwrap_or_else(|| sown.args.clone());
    let refuse = |why: String| {
        Err(Error::InvalidArgument(format!(
            "crop {} script: {why}; its tasks would be refused, since the program and its \
             arguments identify a crop sown without Crop::identity",
            m.name
        )))
    };
    if let Origin::Program {
        args: sown_args,
        exe_sha256,
    } = &m.job.origin
    {
        match file_sha256(&program) {
            Some(h) if h == *exe_sha256 => {}
            Some(_) if opts.program.is_none() => {
                return refuse(format!(
                    "the executable it was sown with, {}, has changed since (rebuilt?)",
                    program.display()
                ));
            }
            Some(_) => {
                return refuse(format!(
                    "{} is not the executable the crop was sown with ({})",
                    program.display(),
                    sown.exe_path
                ));
            }
            None => {
                return refuse(format!(
                    "the executable {} cannot be read (the crop was sown by {})",
                    program.display(),
                    sown.exe_path
                ));
            }
        }
        if args != *sown_args {
            return refuse(format!(
                "the arguments {args:?} are not those the crop was sown with ({sown_args:?})"
            ));
        }
    }
    Ok((program, args))
}

/// Where `name` is found on `PATH`, if anywhere.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

impl<S, T, A> Crop<S, T, A>
where
    S: Source,
    T: Transform<S::Item>,
    A: Action<T::Out>,
{
    /// A submission script for `scheduler`: an array job with one task per batch (indices
    /// `1..=n`, task `k` growing batch `k`), the resources of `opts`, the task's threads
    /// (`HAYDI_THREADS`, which the default context reads, and the `OMP_NUM_THREADS`-style caps
    /// of libraries) set to `cpus_per_task`, and the program that sowed the crop with the
    /// arguments it was sown with. The crop must be sown. The script works as written: the log
    /// folder is created now (batch systems open output files before a script runs), the
    /// setup lines run before `set -u`, and the script checks that the executable is still
    /// the one the crop was sown with (SHA-256) before it starts it. Without an identity
    /// ([`Crop::identity`]), another program, a rebuilt one or other arguments are refused
    /// here with a clear error. Write the script to a file and submit it with
    /// [`Scheduler::submit_command`], or let [`Crop::submit`] do both.
    ///
    /// ```
    /// use haydi_contexts::crop::{Batches, Crop, Scheduler, ScriptOptions};
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let crop = Crop::new("c", dir.path(), Range::new(10).count())?;
    /// crop.sow(Batches::Size(4))?;
    /// let opts = ScriptOptions { cpus_per_task: Some(2), ..Default::default() };
    /// let text = crop.script(Scheduler::Slurm, &opts)?;
    /// assert!(text.contains("#SBATCH --array=1-3\n"));
    /// assert!(text.contains("export HAYDI_THREADS=2\n"));
    /// let exe = std::env::current_exe()?;
    /// assert!(text.contains(&format!("exec '{}'", exe.display())));
    /// // Another program would not be accepted by the crop: refused now.
    /// let other = ScriptOptions { program: Some("/bin/sh".into()), ..Default::default() };
    /// assert!(crop.script(Scheduler::Slurm, &other).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn script(&self, scheduler: Scheduler, opts: &ScriptOptions) -> Result<String> {
        let (m, fp) = self.sown()?;
        let list = if opts.only_missing {
            let missing = self.missing_of(&m.plan, fp)?;
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
        let (program, args) = command_of(&m, opts)?;
        let logs = opts.log_dir.as_deref().map(directive_path).transpose()?;
        if let Some(l) = &opts.log_dir {
            std::fs::create_dir_all(l).map_err(|e| {
                Error::Context(format!(
                    "crop script: cannot create the log folder {}: {e}",
                    l.display()
                ))
            })?;
        }
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
        s.push_str("set -e\n");
        // Setup first: module and conda scripts read variables that may be unset.
        for line in &opts.setup {
            s.push_str(line);
            s.push('\n');
        }
        s.push_str("set -u\n");
        let exe = quote(&program.to_string_lossy());
        if let Origin::Program { exe_sha256, .. } = &m.job.origin {
            // The crop accepts only the executable it was sown with: say so at once, in the
            // task's log, rather than after starting a rebuilt one. The path is quoted once, in
            // an assignment, and expanded inside double quotes only (never re-read by the shell).
            let hex = hex::encode(exe_sha256);
            s.push_str(&format!(
                "haydi_exe={exe}\n\
                 if command -v sha256sum >/dev/null && \
                 [ \"$(sha256sum < \"$haydi_exe\" | cut -c1-64)\" != {hex} ]; then\n  \
                 echo \"haydi crop {name}: $haydi_exe is not the executable the crop was sown \
                 with (SHA-256 {short}...): it was rebuilt or replaced; sow the crop again, or \
                 give it an identity (Crop::identity)\" >&2\n  exit 1\nfi\n",
                short = &hex[..16],
                name = self.name,
            ));
        }
        if let Some(c) = opts.cpus_per_task {
            // haydi's own threads, then the caps of libraries the job's closures may call.
            s.push_str(&format!("export {THREADS_VARIABLE}={c}\n"));
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
        if fixed_index {
            s.push_str("export HAYDI_CROP_BATCH=1\n");
        }
        if let Some(ids) = &list {
            let ids: Vec<String> = ids.iter().map(usize::to_string).collect();
            s.push_str(&format!("export {BATCH_LIST_VARIABLE}={}\n", ids.join(",")));
        }
        s.push_str("exec ");
        s.push_str(&exe);
        for a in &args {
            s.push(' ');
            s.push_str(&quote(a));
        }
        s.push('\n');
        Ok(s)
    }

    /// Writes the script of [`Crop::script`] to the crop's `scripts/` folder and submits it
    /// with the batch system's command (`sbatch`, `qsub`, or `hq submit --directives=file`),
    /// which must be on `PATH`: xyzpy's `qsub_grow`. Returns the script's path, the command,
    /// what it printed and the job id in it. Errors: the command is not on `PATH` (the
    /// message names it and where the script is, to submit from a machine that has it), or it
    /// failed (its status and error output).
    ///
    /// ```
    /// use haydi_contexts::crop::{Batches, Crop, Scheduler, ScriptOptions};
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let crop = Crop::new("c", dir.path(), Range::new(10).count())?;
    /// crop.sow(Batches::Size(4))?;
    /// # unsafe { std::env::set_var("PATH", "/nonexistent") };
    /// // No Slurm on this machine: a clear error, and the script is kept to submit elsewhere.
    /// let e = crop.submit(Scheduler::Slurm, &ScriptOptions::default()).unwrap_err().to_string();
    /// assert!(e.contains("sbatch is not on PATH"), "{e}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "qsub_grow")]
    pub fn submit(&self, scheduler: Scheduler, opts: &ScriptOptions) -> Result<Submitted> {
        let text = self.script(scheduler, opts)?;
        let folder = self.root.join("scripts");
        private_dir(&folder, "remove it; it holds the crop's submission scripts")?;
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let script = folder.join(format!("{}-{stamp}.sh", scheduler.name()));
        // Executable: HyperQueue runs the script itself on a worker.
        replace_atomically(&script, ".tmp", Some(0o700), |f| {
            std::io::Write::write_all(f, text.as_bytes())
                .map_err(|e| Error::Context(format!("cannot write {}: {e}", script.display())))
        })?;
        let words: Vec<&str> = scheduler.submit_command().split_whitespace().collect();
        let command = format!("{} {}", words.join(" "), script.display());
        let Some(tool) = on_path(words[0]) else {
            return Err(Error::Context(format!(
                "crop {}: cannot submit to {}: {} is not on PATH (this machine is no submit \
                 host of it); the script is written to {}: submit it with `{command}` where \
                 {} is",
                self.name,
                scheduler.name(),
                words[0],
                script.display(),
                words[0]
            )));
        };
        let out = std::process::Command::new(&tool)
            .args(&words[1..])
            .arg(&script)
            .output()
            .map_err(|e| {
                Error::Context(format!("crop {}: cannot run {command}: {e}", self.name))
            })?;
        let output = String::from_utf8_lossy(&out.stdout).into_owned();
        if !out.status.success() {
            return Err(Error::Context(format!(
                "crop {}: `{command}` failed ({}): {}{}",
                self.name,
                out.status,
                String::from_utf8_lossy(&out.stderr).trim(),
                output.trim()
            )));
        }
        Ok(Submitted {
            job_id: scheduler.job_id(&output),
            script,
            command,
            output,
        })
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

    #[test]
    fn job_ids_are_read_from_what_submit_commands_print() {
        assert_eq!(
            Scheduler::Slurm
                .job_id("Submitted batch job 4242\n")
                .as_deref(),
            Some("4242")
        );
        assert_eq!(
            Scheduler::Pbs.job_id("1234[].pbsserver\n").as_deref(),
            Some("1234[].pbsserver")
        );
        assert_eq!(
            Scheduler::Sge
                .job_id("Your job-array 77.1-4:1 (\"c\") has been submitted\n")
                .as_deref(),
            Some("77")
        );
        assert_eq!(
            Scheduler::HyperQueue
                .job_id("Job submitted successfully, job ID: 9\n")
                .as_deref(),
            Some("9")
        );
        assert_eq!(Scheduler::Slurm.job_id("sbatch: error\n"), None);
    }
}
