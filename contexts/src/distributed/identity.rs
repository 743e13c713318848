//! The job identity: what every process of one job agrees on and processes of another job (of the
//! same executable, by the same user) do not, so that a driver never takes another job's workers.
//!
//! It is made of the launcher's job id, where there is one, and a hash of the program's
//! arguments (two by-hand runs of one executable usually differ in their arguments).

use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// haydi's own job id variable; it wins over any launcher's.
pub const ENV_JOB_ID: &str = "HAYDI_JOB_ID";

/// The variables that hold a launcher's job id, by priority (Slurm's step is added to its job).
const LAUNCHER_JOB_VARS: &[&str] = &[
    ENV_JOB_ID,
    "SLURM_JOB_ID",
    "PBS_JOBID",
    "OMPI_MCA_ess_base_jobid",
    "OMPI_MCA_orte_hnp_uri",
    "PMIX_NAMESPACE",
    "HQ_JOB_ID",
    "PMI_JOBID",
];

/// This process's job identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JobIdentity {
    /// `VAR=value` of the launcher's (or haydi's) job id, if any.
    pub launcher: Option<String>,
    /// SHA-256 of the program's arguments, in hexadecimal.
    pub args_hash: String,
}

impl JobIdentity {
    /// The identity as it travels in `Join` and appears in messages.
    pub fn describe(&self) -> String {
        match &self.launcher {
            Some(l) => format!("{l}, arguments {}", self.short_hash()),
            None => format!("arguments {}", self.short_hash()),
        }
    }

    /// Enough of the argument hash to tell jobs apart in names and messages.
    pub fn short_hash(&self) -> &str {
        &self.args_hash[..16]
    }

    /// A key for the default rendezvous file name: the launcher's id (file-name safe) and the
    /// argument hash.
    pub fn file_key(&self) -> String {
        let launcher: String = self
            .launcher
            .as_deref()
            .and_then(|l| l.split_once('='))
            .map(|(_, v)| v)
            .unwrap_or("default")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .take(64)
            .collect();
        format!("{launcher}-{}", self.short_hash())
    }
}

fn launcher_id() -> Option<String> {
    LAUNCHER_JOB_VARS.iter().find_map(|k| {
        let v = std::env::var(k).ok().filter(|v| !v.trim().is_empty())?;
        Some(match (*k, std::env::var("SLURM_STEP_ID")) {
            ("SLURM_JOB_ID", Ok(step)) => format!("{k}={v}.{step}"),
            _ => format!("{k}={v}"),
        })
    })
}

fn args_hash<I: IntoIterator<Item = std::ffi::OsString>>(args: I) -> String {
    let mut h = Sha256::new();
    for a in args {
        let bytes = a.as_encoded_bytes();
        // Length-prefixed, so that ["ab", "c"] and ["a", "bc"] differ.
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    hex::encode(h.finalize())
}

/// This process's job identity, computed once.
pub(crate) fn job_identity() -> &'static JobIdentity {
    static ID: OnceLock<JobIdentity> = OnceLock::new();
    ID.get_or_init(|| JobIdentity {
        launcher: launcher_id(),
        args_hash: args_hash(std::env::args_os().skip(1)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_tell_jobs_apart() {
        let a = args_hash(["job=a".into()]);
        assert_eq!(a, args_hash(["job=a".into()]));
        assert_ne!(a, args_hash(["job=b".into()]));
        assert_ne!(
            args_hash(["ab".into(), "c".into()]),
            args_hash(["a".into(), "bc".into()])
        );
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn file_keys_are_safe_names() {
        let id = JobIdentity {
            launcher: Some("OMPI_MCA_orte_hnp_uri=1234.0;tcp://10.0.0.1:5/x".into()),
            args_hash: "0123456789abcdef0123".into(),
        };
        let k = id.file_key();
        assert!(!k.contains('/') && !k.contains(';'), "{k}");
        assert!(k.ends_with("-0123456789abcdef"), "{k}");
        assert!(id.describe().contains("OMPI_MCA_orte_hnp_uri"));
        let none = JobIdentity {
            launcher: None,
            args_hash: "0123456789abcdef0123".into(),
        };
        assert_eq!(none.file_key(), "default-0123456789abcdef");
    }
}
