//! Where a driver started by a launcher listens, and the address it tells its workers (in the
//! rendezvous file): one machine, or several hosts.
//!
//! By default a driver listens on loopback when its rendezvous file is the private default (all
//! processes on this machine), and on every interface when the file was given
//! (`HAYDI_RENDEZVOUS`, on a shared folder for other hosts) or the workers were told the
//! address (`HAYDI_COORDINATOR`). On a host with several networks (a cluster node with a
//! management and a fabric network, a container) the listen address and the advertised one
//! are chosen with `HAYDI_LISTEN` / [`DistributedOptions::listen`](super::DistributedOptions)
//! (`10.1.2.3`, `10.1.2.3:7000`, `[fd00::3]:7000`) and `HAYDI_ADVERTISE` /
//! `DistributedOptions::advertise` (a host name or address the workers can reach; by default
//! the listen address when it names one, else this host's name).

use haydi_core::{Error, Result};
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

/// The address a driver listens on (`ADDR` or `ADDR:PORT`); overrides
/// `DistributedOptions::listen`.
pub const ENV_LISTEN: &str = "HAYDI_LISTEN";

/// Splits `ADDR`, `ADDR:PORT`, `[V6]` or `[V6]:PORT` into an IP and a port (0 when absent).
/// A network, `NET/BITS` (optionally `:PORT`), stands for this host's own address in it, so
/// that one setting serves every node of a cluster (`HAYDI_LISTEN=10.1.0.0/16`): an error
/// when this host has none there. Host names are refused: a driver listens on an address of
/// its own.
///
/// ```
/// use haydi_contexts::distributed::address::parse_listen;
/// assert_eq!(parse_listen("10.1.2.3").unwrap().to_string(), "10.1.2.3:0");
/// assert_eq!(parse_listen("10.1.2.3:7000").unwrap().port(), 7000);
/// assert_eq!(parse_listen("[::1]:7").unwrap().to_string(), "[::1]:7");
/// assert_eq!(parse_listen("127.0.0.0/8:7").unwrap().to_string(), "127.0.0.1:7");
/// assert!(parse_listen("node-a:7000").is_err());
/// ```
pub fn parse_listen(s: &str) -> Result<SocketAddr> {
    let s = s.trim();
    if let Ok(a) = s.parse::<SocketAddr>() {
        return Ok(a);
    }
    if let Some((net, rest)) = s.split_once('/') {
        let (bits, port) = match rest.split_once(':') {
            Some((b, p)) => (b, p.parse::<u16>().ok()),
            None => (rest, Some(0)),
        };
        let (Ok(net), Ok(bits), Some(port)) =
            (net.parse::<std::net::Ipv4Addr>(), bits.parse::<u8>(), port)
        else {
            return Err(Error::InvalidArgument(format!(
                "listen network {s:?}: expected an IPv4 network such as 10.1.0.0/16 or \
                 10.1.0.0/16:7000"
            )));
        };
        return Ok(SocketAddr::new(
            IpAddr::V4(own_address_in(net, bits)?),
            port,
        ));
    }
    let ip = s
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(s);
    ip.parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, 0))
        .map_err(|_| {
            Error::InvalidArgument(format!(
                "listen address {s:?}: expected an IP address of this host, with or without a \
                 port (10.1.2.3, 10.1.2.3:7000, [fd00::3]:7000)"
            ))
        })
}

/// This host's address in the IPv4 network `net/bits`: the source address the kernel picks
/// for a route into that network (a UDP socket "connected" there sends nothing), checked to lie
/// in it (a network reached only through a gateway is not this host's).
fn own_address_in(net: std::net::Ipv4Addr, bits: u8) -> Result<std::net::Ipv4Addr> {
    if bits > 32 {
        return Err(Error::InvalidArgument(format!(
            "{net}/{bits}: at most 32 bits"
        )));
    }
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    let base = u32::from(net) & mask;
    let inside = |ip: std::net::Ipv4Addr| u32::from(ip) & mask == base;
    // A host address in the network to route to: the first one (or the network itself).
    let probe = std::net::Ipv4Addr::from(if bits < 31 { base + 1 } else { base });
    let local = std::net::UdpSocket::bind(("0.0.0.0", 0))
        .and_then(|u| {
            u.connect((probe, 9))?;
            u.local_addr()
        })
        .ok()
        .and_then(|a| match a.ip() {
            IpAddr::V4(ip) if inside(ip) => Some(ip),
            _ => None,
        });
    local.ok_or_else(|| {
        Error::Context(format!(
            "this host has no address in {net}/{bits} (HAYDI_LISTEN or DistributedOptions::listen)"
        ))
    })
}

/// What a driver started by a launcher binds and advertises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DriverAddress {
    /// The socket address to bind.
    pub bind: SocketAddr,
    /// The host (name or address, without port) to write into the rendezvous file, when
    /// there is one.
    pub advertise: String,
}

/// Chooses a driver's addresses. `listen` and `advertise` come from the options (the
/// environment wins); `port` is the coordinator's port when `HAYDI_COORDINATOR` gave one;
/// `other_hosts` says whether workers on other hosts may connect (a given rendezvous file or
/// coordinator address), else the driver stays on loopback.
pub(crate) fn choose(
    listen: Option<&str>,
    advertise: Option<&str>,
    port: Option<u16>,
    other_hosts: bool,
    hostname: &str,
) -> Result<DriverAddress> {
    let mut bind = match listen {
        Some(l) => parse_listen(l)?,
        None if other_hosts => SocketAddr::from(([0, 0, 0, 0], 0)),
        None => SocketAddr::from(([127, 0, 0, 1], 0)),
    };
    if let Some(p) = port.filter(|_| bind.port() == 0) {
        bind.set_port(p);
    }
    let advertise = match advertise.map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) => a.to_string(),
        None if !bind.ip().is_unspecified() => bind.ip().to_string(),
        None if other_hosts => hostname.to_string(),
        None => "127.0.0.1".into(),
    };
    if advertise
        .parse::<IpAddr>()
        .is_ok_and(|ip| ip.is_unspecified())
    {
        return Err(Error::Context(format!(
            "the driver would tell its workers to connect to {advertise}, which is no \
             address: set HAYDI_ADVERTISE (DistributedOptions::advertise) to a name or address \
             of this host that the workers can reach"
        )));
    }
    Ok(DriverAddress { bind, advertise })
}

/// A warning when the advertised host is reachable from this host only (it resolves to
/// loopback addresses only) while workers on other hosts may read the rendezvous file.
pub(crate) fn check_reachable(advertise: &str, other_hosts: bool) -> Option<String> {
    if !other_hosts {
        return None;
    }
    let ips: Vec<IpAddr> = (advertise, 0)
        .to_socket_addrs()
        .map(|a| a.map(|s| s.ip()).collect())
        .unwrap_or_default();
    if ips.is_empty() || !ips.iter().all(|ip| ip.is_loopback()) {
        return None;
    }
    Some(format!(
        "the driver advertises {advertise} ({}), which only this host can reach; workers on \
         other hosts will not find it: set HAYDI_ADVERTISE or HAYDI_LISTEN to an address of \
         this host on the network they share",
        ips.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// A clear message for a failed bind of `bind`: an address that is not this host's says so.
pub(crate) fn bind_error(bind: &str, e: &std::io::Error) -> Error {
    let hint = if e.kind() == std::io::ErrorKind::AddrNotAvailable {
        " (it is not an address of this host: HAYDI_LISTEN or DistributedOptions::listen \
         must name one of this host's own addresses)"
    } else if e.kind() == std::io::ErrorKind::AddrInUse {
        " (another process listens there: choose another port, or 0 for any)"
    } else {
        ""
    };
    Error::Context(format!("cannot listen on {bind}: {e}{hint}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_where_the_workers_are() {
        let one = choose(None, None, None, false, "node").unwrap();
        assert_eq!(
            (one.bind.to_string(), one.advertise.as_str()),
            ("127.0.0.1:0".into(), "127.0.0.1")
        );
        let many = choose(None, None, None, true, "node").unwrap();
        assert_eq!(
            (many.bind.to_string(), many.advertise.as_str()),
            ("0.0.0.0:0".into(), "node")
        );
        let coord = choose(None, None, Some(7000), true, "node").unwrap();
        assert_eq!(coord.bind.to_string(), "0.0.0.0:7000");
    }

    #[test]
    fn a_listen_address_is_advertised_unless_told_otherwise() {
        let a = choose(Some("10.1.2.3"), None, None, true, "node").unwrap();
        assert_eq!(
            (a.bind.to_string(), a.advertise.as_str()),
            ("10.1.2.3:0".into(), "10.1.2.3")
        );
        let b = choose(
            Some("10.1.2.3:9"),
            Some("gw.example"),
            Some(7000),
            true,
            "n",
        )
        .unwrap();
        assert_eq!((b.bind.port(), b.advertise.as_str()), (9, "gw.example"));
        let c = choose(Some("10.1.2.3"), None, Some(7000), true, "n").unwrap();
        assert_eq!(c.bind.port(), 7000);
    }

    #[test]
    fn unroutable_choices_are_refused_or_warned() {
        let e = choose(None, Some("0.0.0.0"), None, true, "n").unwrap_err();
        assert!(e.to_string().contains("HAYDI_ADVERTISE"), "{e}");
        assert!(choose(Some("not-an-ip"), None, None, true, "n").is_err());
        // A network this host has no address in (TEST-NET-2: documentation only).
        let e = choose(Some("198.51.100.0/24"), None, None, true, "n").unwrap_err();
        assert!(
            e.to_string().contains("no address in 198.51.100.0/24"),
            "{e}"
        );
        assert!(parse_listen("10.0.0.0/33").is_err());
        assert!(check_reachable("127.0.0.1", true).is_some());
        assert!(check_reachable("127.0.0.1", false).is_none());
        assert!(check_reachable("10.1.2.3", true).is_none());
        let e = bind_error(
            "10.9.9.9:0",
            &std::io::Error::from(std::io::ErrorKind::AddrNotAvailable),
        );
        assert!(e.to_string().contains("not an address of this host"), "{e}");
    }
}
