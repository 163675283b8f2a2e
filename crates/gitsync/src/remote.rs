//! Git remote URLs are untrusted input: which ones Portico will connect to.
//!
//! By default only `https` and `http` remotes whose host resolves to public addresses only are
//! accepted. Refused: other schemes (`file:` above all), user names or passwords inside the URL
//! (the password belongs in the sealed configuration field, not in a URL that is stored and
//! shown), and hosts that resolve — even partly — to loopback, private (RFC 1918, unique local
//! IPv6), link-local (including cloud metadata at 169.254.169.254), shared (100.64.0.0/10),
//! unspecified, multicast, broadcast, documentation or any other special-purpose address of
//! IANA's registries. IPv6 spellings that carry an IPv4 address (mapped, NAT64, 6to4, Teredo)
//! are judged by the address they carry; IPv4-compatible and IPv4-translated forms are refused. [`RemotePolicy::allow_local`] (the setting
//! `gitsync.allow_local_remotes`, off by default) lifts the address rule and admits `file:` and
//! `git:` for development and tests.
//!
//! The check returns the addresses it resolved, so that the fetch can connect to exactly those
//! (a name that resolves differently a moment later must not reach another host).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

/// What remotes are admitted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RemotePolicy {
    /// Admit local and private addresses, `file:` and `git:` remotes (development and tests).
    pub allow_local: bool,
}

/// An admitted remote: its URL and, for network remotes, the addresses it resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRemote {
    /// The URL as parsed (normalised by the URL parser).
    pub url: url::Url,
    /// Where to connect; empty for `file:` remotes.
    pub addresses: Vec<SocketAddr>,
}

/// Why a remote URL is refused (a 400 for the caller; the text names the problem).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RemoteRefused(pub String);

/// Checks `remote` against `policy`; resolves its host (blocking: call it off the async executor).
pub fn check_remote(remote: &str, policy: RemotePolicy) -> Result<CheckedRemote, RemoteRefused> {
    let refuse = |reason: String| Err(RemoteRefused(reason));
    let url = url::Url::parse(remote.trim()).map_err(|err| RemoteRefused(format!("not a URL: {err}")))?;
    let local_schemes: &[&str] = if policy.allow_local { &["file", "git"] } else { &[] };
    let scheme = url.scheme();
    if !matches!(scheme, "https" | "http") && !local_schemes.contains(&scheme) {
        return refuse(format!("'{scheme}' remotes are not allowed; use https (or http)"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return refuse("the URL must not carry a user name or password; use the git credentials fields".into());
    }
    if scheme == "file" {
        return Ok(CheckedRemote { url, addresses: Vec::new() });
    }
    let Some(host) = url.host_str().filter(|host| !host.is_empty()) else {
        return refuse("the URL has no host".into());
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = url.port_or_known_default().unwrap_or(9418);
    let addresses: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|_| RemoteRefused(format!("the host '{host}' cannot be resolved")))?
        .collect();
    if addresses.is_empty() {
        return refuse(format!("the host '{host}' cannot be resolved"));
    }
    if !policy.allow_local
        && let Some(local) = addresses.iter().find(|address| !is_public(address.ip()))
    {
        return refuse(format!(
            "the host '{host}' resolves to {}, a local or private address; such remotes are not allowed",
            local.ip()
        ));
    }
    Ok(CheckedRemote { url, addresses })
}

/// Whether `ip` is an address on the public internet (IANA's special-purpose registries: not
/// globally reachable is not public). IPv6 forms that carry an IPv4 address are judged by it:
/// IPv4-mapped (`::ffff:a.b.c.d`), the well-known NAT64 prefix (`64:ff9b::/96`), 6to4
/// (`2002::/16`) and Teredo (`2001::/32`, server and client both). IPv4-compatible
/// (`::a.b.c.d`, deprecated) and IPv4-translated (`::ffff:0:a.b.c.d`, SIIT) forms and the
/// local-use NAT64 prefix (`64:ff9b:1::/48`) are never public: nothing on the internet is
/// reached through them, and a host may route them to its own IPv4 stack.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => public_v6(v6),
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier-grade NAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 31 && c == 196) // AS112-v4
        || (a == 192 && b == 52 && c == 193) // AMT
        || (a == 192 && b == 88 && c == 99) // deprecated 6to4 relay anycast
        || (a == 192 && b == 175 && c == 48) // direct delegation AS112
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

/// The IPv4 address in the last 32 bits.
fn low_v4(segments: [u16; 8]) -> Ipv4Addr {
    Ipv4Addr::from((u32::from(segments[6]) << 16) | u32::from(segments[7]))
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return public_v4(v4);
    }
    if s[..6] == [0; 6] {
        return false; // ::/96: unspecified, loopback and IPv4-compatible
    }
    if s[..4] == [0, 0, 0, 0] && s[4] == 0xffff && s[5] == 0 {
        return false; // ::ffff:0:a.b.c.d, IPv4-translated (RFC 2765)
    }
    match s[0] {
        0x0064 if s[1] == 0xff9b && s[2..6] == [0; 4] => return public_v4(low_v4(s)), // NAT64 well-known
        0x0064 if s[1] == 0xff9b && s[2] == 0x0001 => return false,                   // NAT64 local use
        0x2002 => return public_v4(Ipv4Addr::from((u32::from(s[1]) << 16) | u32::from(s[2]))), // 6to4
        0x2001 if s[1] == 0 => {
            // Teredo: the server's IPv4 in bits 32..64, the client's (inverted) in the last 32.
            let server = Ipv4Addr::from((u32::from(s[2]) << 16) | u32::from(s[3]));
            let client = Ipv4Addr::from(!u32::from(low_v4(s)));
            return public_v4(server) && public_v4(client);
        }
        _ => {}
    }
    // What is left must be global unicast (2000::/3) outside its special-purpose blocks.
    (0x2000..=0x3fff).contains(&s[0])
        && !(s[0] == 0x2001 && s[1] < 0x0200) // IETF protocol assignments (2001::/23)
        && !(s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        && !(s[0] == 0x3fff && s[1] < 0x1000) // documentation (3fff::/20)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: RemotePolicy = RemotePolicy { allow_local: false };
    const LOCAL: RemotePolicy = RemotePolicy { allow_local: true };

    fn refused(remote: &str, policy: RemotePolicy) -> String {
        match check_remote(remote, policy) {
            Ok(checked) => panic!("{remote} was admitted: {checked:?}"),
            Err(RemoteRefused(reason)) => reason,
        }
    }

    #[test]
    fn public_https_and_http_remotes_are_admitted_with_their_addresses() {
        let checked = check_remote("https://93.184.216.34/acme/config.git", STRICT).unwrap();
        assert_eq!(checked.addresses, ["93.184.216.34:443".parse().unwrap()]);
        let checked = check_remote("http://[2606:2800:220:1::1]:8080/repo.git", STRICT).unwrap();
        assert_eq!(checked.addresses[0].port(), 8080);
    }

    #[test]
    fn other_schemes_and_credentials_in_the_url_are_refused() {
        assert!(refused("file:///etc/passwd", STRICT).contains("'file'"));
        assert!(refused("git://93.184.216.34/repo.git", STRICT).contains("'git'"));
        assert!(refused("ssh://git@93.184.216.34/repo.git", STRICT).contains("'ssh'"));
        assert!(refused("ftp://93.184.216.34/repo.git", STRICT).contains("'ftp'"));
        assert!(refused("https://user:secret@93.184.216.34/repo.git", STRICT).contains("password"));
        assert!(refused("https://user@93.184.216.34/repo.git", STRICT).contains("user name"));
        assert!(refused("not a url", STRICT).contains("not a URL"));
        assert!(refused("https://host.invalid/repo.git", STRICT).contains("cannot be resolved"));
    }

    #[test]
    fn local_private_and_link_local_hosts_are_refused_in_every_spelling() {
        for remote in [
            "https://127.0.0.1/repo.git",
            "https://localhost/repo.git",
            "http://10.1.2.3/repo.git",
            "http://172.16.0.1/repo.git",
            "http://192.168.1.10/repo.git",
            "http://169.254.169.254/latest/meta-data",
            "http://100.64.0.1/repo.git",
            "http://0.0.0.0/repo.git",
            "http://[::1]/repo.git",
            "http://[fd00::1]/repo.git",
            "http://[fe80::1]/repo.git",
            "http://[::ffff:127.0.0.1]/repo.git",
            "http://[::ffff:10.0.0.1]/repo.git",
            "http://[::127.0.0.1]:8099/x.git",
            "http://[::ffff:0:127.0.0.1]:8099/x.git",
            "http://[::8.8.8.8]/x.git",
            "http://[::ffff:0:8.8.8.8]/x.git",
            "http://[64:ff9b::127.0.0.1]/x.git",
            "http://[64:ff9b::10.0.0.1]/x.git",
            "http://[64:ff9b:1::8.8.8.8]/x.git",
            "http://[2002:7f00:1::]/x.git",
            "http://[2002:a9fe:a9fe::1]/x.git",
            "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/x.git",
            "http://[2001:0:7f00:1::1]/x.git",
            "http://[2001:2::1]/x.git",
            "http://[100::1]/x.git",
            "http://[3fff::1]/x.git",
            "http://[5f00::1]/x.git",
            "http://[fec0::1]/x.git",
            "http://[ff02::1]/x.git",
            "http://192.88.99.1/x.git",
            "http://198.18.0.1/x.git",
            "http://2130706433/repo.git",
            "http://0x7f.1/repo.git",
        ] {
            let reason = refused(remote, STRICT);
            assert!(reason.contains("local or private"), "{remote}: {reason}");
        }
    }

    #[test]
    fn ipv6_forms_that_carry_a_public_ipv4_address_are_judged_by_it() {
        for public in [
            "::ffff:8.8.8.8",
            "64:ff9b::8.8.8.8",
            "2002:808:808::1",
            "2001:0:4136:e378:8000:63bf:f7f7:f7f7", // Teredo: server 65.54.227.120, client 8.8.8.8
            "2606:2800:220:1::1",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
        for local in ["::", "::1", "::7f00:1", "::ffff:0:808:808", "2001:db8::1", "2002:c0a8:101::1", "fc00::1"] {
            assert!(!is_public(local.parse().unwrap()), "{local}");
        }
    }

    #[test]
    fn development_may_allow_local_remotes() {
        let checked = check_remote("http://127.0.0.1:9000/repo.git", LOCAL).unwrap();
        assert_eq!(checked.addresses, ["127.0.0.1:9000".parse().unwrap()]);
        assert!(check_remote("file:///tmp/repo.git", LOCAL).unwrap().addresses.is_empty());
        assert_eq!(check_remote("git://localhost/repo.git", LOCAL).unwrap().addresses[0].port(), 9418);
        assert!(refused("ssh://localhost/repo.git", LOCAL).contains("'ssh'"));
        assert!(refused("http://u:p@127.0.0.1/repo.git", LOCAL).contains("password"));
    }
}
