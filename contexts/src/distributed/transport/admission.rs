//! Which workers a driver admits, whatever transport they come by: the same executable and
//! the same job as the driver.

use crate::distributed::protocol::Join;

/// Why a worker's join is refused.
pub(crate) enum Refusal {
    /// It runs another executable than the driver: an error of this job.
    OtherExecutable(String),
    /// It belongs to another job (it found this driver's rendezvous file or address).
    OtherJob(String),
}

/// Checks a worker's join against the driver's executable (`exe_hash`) and job identity.
pub(crate) fn check_join(join: &Join, exe_hash: &[u8; 32], job: &str) -> Option<Refusal> {
    if join.exe_hash != *exe_hash {
        return Some(Refusal::OtherExecutable(format!(
            "worker rank {} on {} (pid {}) runs a different executable than the driver",
            join.rank, join.host, join.pid
        )));
    }
    if join.job != job {
        return Some(Refusal::OtherJob(format!(
            "worker rank {} on {} (pid {}) belongs to another job: its job is {}, this driver's is {job}",
            join.rank, join.host, join.pid, join.job
        )));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join(exe: u8, job: &str) -> Join {
        Join {
            rank: 1,
            exe_hash: [exe; 32],
            threads: 1,
            pid: 7,
            host: "h".into(),
            job: job.into(),
        }
    }

    #[test]
    fn executable_first_then_job() {
        assert!(check_join(&join(1, "j"), &[1; 32], "j").is_none());
        assert!(matches!(
            check_join(&join(2, "other"), &[1; 32], "j"),
            Some(Refusal::OtherExecutable(_))
        ));
        assert!(matches!(
            check_join(&join(1, "other"), &[1; 32], "j"),
            Some(Refusal::OtherJob(m)) if m.contains("another job")
        ));
    }
}
