//! A test bed of hosts on this machine: each host is a network namespace with one address on a
//! bridge (veth pairs), made and removed by the test itself. Processes started in a host see
//! only its network (its `eth0` and loopback); the file system, process ids and host name stay
//! shared, so a folder of this machine is a "shared folder" of every host.
//!
//! Needs root (or CAP_NET_ADMIN) and `ip` (iproute2): without them [`Hosts::new`] says why, and
//! the test is skipped, or fails under `CI=true` (`.ci/run` runs as root).

use std::process::{Command, Stdio};

/// Hosts in network namespaces on one bridge; removed when dropped.
pub struct Hosts {
    tag: String,
    bridge: String,
    /// The namespaces, one per host.
    pub names: Vec<String>,
    /// Each host's address on the bridge.
    pub addrs: Vec<String>,
    /// The bridge's own address (this machine's root namespace reaches every host through it).
    pub gateway: String,
    /// The first three octets of the hosts' /24.
    net: String,
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn kill9(pid: u32) {
    let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
}

/// Whether this process can make network namespaces (root, `ip` installed); why not otherwise.
pub fn available() -> Result<(), String> {
    let euid = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
        .unwrap_or(u32::MAX);
    if euid != 0 {
        return Err("network namespaces as hosts need root".into());
    }
    Command::new("ip")
        .arg("-V")
        .output()
        .map_err(|_| "ip (iproute2) is not installed".to_string())?;
    Ok(())
}

/// Skips a test bed test with `why`, or fails it under `CI=true`, where nothing may be skipped.
pub fn skip(test: &str, why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test}: {why}: this test cannot run, and under CI=true it must");
    }
    println!("SKIPPED {test}: {why}");
}

impl Hosts {
    /// Makes `n` hosts (`n` < 20) on a fresh bridge, in a /24 of 10.213.0.0/16 picked from this
    /// process id: host `i` is `10.213.X.(11 + i)`.
    pub fn new(n: usize) -> Result<Hosts, String> {
        available()?;
        let pid = std::process::id();
        // Interface names have at most 15 bytes.
        let tag = format!("hy{}", pid % 1_000_000);
        let net = format!("10.213.{}", 1 + pid % 250);
        let bridge = format!("{tag}br");
        let mut hosts = Hosts {
            tag: tag.clone(),
            bridge: bridge.clone(),
            names: Vec::new(),
            addrs: Vec::new(),
            gateway: format!("{net}.1"),
            net: net.clone(),
        };
        ip(&["link", "add", &bridge, "type", "bridge"])?;
        ip(&["addr", "add", &format!("{net}.1/24"), "dev", &bridge])?;
        ip(&["link", "set", &bridge, "up"])?;
        for i in 0..n {
            let ns = format!("{tag}h{i}");
            let veth = format!("{tag}v{i}");
            let addr = format!("{net}.{}", 11 + i);
            ip(&["netns", "add", &ns])?;
            hosts.names.push(ns.clone());
            ip(&[
                "link", "add", &veth, "type", "veth", "peer", "name", "eth0", "netns", &ns,
            ])?;
            ip(&["link", "set", &veth, "master", &bridge])?;
            ip(&["link", "set", &veth, "up"])?;
            ip(&[
                "-n",
                &ns,
                "addr",
                "add",
                &format!("{addr}/24"),
                "dev",
                "eth0",
            ])?;
            ip(&["-n", &ns, "link", "set", "eth0", "up"])?;
            ip(&["-n", &ns, "link", "set", "lo", "up"])?;
            ip(&[
                "-n",
                &ns,
                "route",
                "add",
                "default",
                "via",
                &format!("{net}.1"),
            ])?;
            hosts.addrs.push(addr);
        }
        Ok(hosts)
    }

    /// The network of the hosts, `10.213.X.0/24`.
    pub fn network(&self) -> String {
        format!("{}.0/24", self.net)
    }

    /// Arguments that make Open MPI's `mpirun` (in this machine's root namespace) start one
    /// rank on each host: an rsh agent (written into `dir`) that enters the host's namespace,
    /// with a host name of its own (Open MPI's session folders are keyed by host name), and
    /// TCP between the hosts over their network only.
    pub fn mpirun_args(&self, dir: &std::path::Path) -> Vec<String> {
        use std::os::unix::fs::PermissionsExt;
        let mut cases = String::new();
        for (i, (addr, ns)) in self.addrs.iter().zip(&self.names).enumerate() {
            cases.push_str(&format!("  {addr}) ns={ns}; name=host{i} ;;\n"));
        }
        let agent = dir.join("netns-rsh");
        let script = format!(
            "#!/bin/sh\n\
             # Open MPI calls: AGENT [ssh options] HOST COMMAND...\n\
             while [ $# -gt 0 ]; do case \"$1\" in -*) shift ;; *) break ;; esac; done\n\
             host=$1; shift\n\
             case \"$host\" in\n{cases}  *) echo \"netns-rsh: unknown host $host\" >&2; exit 1 ;;\nesac\n\
             exec ip netns exec \"$ns\" unshare --uts sh -c \"hostname $name; $*\"\n"
        );
        std::fs::write(&agent, script).unwrap();
        std::fs::set_permissions(&agent, std::fs::Permissions::from_mode(0o700)).unwrap();
        let net = self.network();
        vec![
            "--mca".into(),
            "plm_rsh_agent".into(),
            agent.display().to_string(),
            "--mca".into(),
            "oob_tcp_if_include".into(),
            net.clone(),
            "--mca".into(),
            "btl".into(),
            "tcp,self".into(),
            "--mca".into(),
            "btl_tcp_if_include".into(),
            net,
            "-H".into(),
            self.addrs.join(","),
        ]
    }

    /// `program args...` to run in host `i`.
    pub fn command(&self, i: usize, program: &std::path::Path) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.names[i]]).arg(program);
        c
    }

    /// Cuts host `i` off the network (its link on the bridge goes down): packets are dropped
    /// silently, as in a real partition (TCP retries, heartbeats time out).
    pub fn link_down(&self, i: usize) {
        ip(&["link", "set", &format!("{}v{i}", self.tag), "down"]).unwrap();
    }

    /// Puts host `i` back on the network.
    pub fn link_up(&self, i: usize) {
        ip(&["link", "set", &format!("{}v{i}", self.tag), "up"]).unwrap();
    }

    /// The process ids running in host `i`.
    pub fn pids(&self, i: usize) -> Vec<u32> {
        let out = Command::new("ip")
            .args(["netns", "pids", &self.names[i]])
            .output()
            .expect("ip netns pids");
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect()
    }

    /// Kills every process of host `i` with SIGKILL (the host dies).
    pub fn kill_host(&self, i: usize) -> usize {
        let pids = self.pids(i);
        for p in &pids {
            kill9(*p);
        }
        pids.len()
    }
}

impl Drop for Hosts {
    fn drop(&mut self) {
        for (i, ns) in self.names.iter().enumerate() {
            for p in self.pids(i) {
                kill9(p);
            }
            let _ = ip(&["netns", "del", ns]);
            let _ = ip(&["link", "del", &format!("{}v{i}", self.tag)]);
        }
        let _ = ip(&["link", "del", &self.bridge]);
    }
}
