//! Where a request came from and which URL the server has for it, without trusting what a
//! client may forge.
//!
//! - The public URL (`http.public_url`), when configured, is the server's URL, whatever the
//!   request's `Host` says.
//! - `Forwarded` / `X-Forwarded-*` headers are honoured only when the request comes from a
//!   configured trusted proxy (`http.trusted_proxies`); from anyone else they are ignored, so a
//!   client cannot choose the host of the links it is given or the address its failed logins
//!   are counted against.

use actix_web::HttpRequest;
use actix_web::http::header::HOST;
use std::net::IpAddr;

/// An address range: `10.0.0.0/8`, `::1/128`, or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Parses `addr` or `addr/prefix`.
    pub fn parse(text: &str) -> Result<IpNet, String> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| format!("'{text}' is not an IP address or range"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("'{text}' has an invalid prefix length"))?,
            None => max,
        };
        Ok(IpNet { addr, prefix })
    }

    /// Whether `ip` is in the range.
    pub fn contains(&self, ip: IpAddr) -> bool {
        fn masked(bits: u128, prefix: u8, width: u8) -> u128 {
            if prefix == 0 { 0 } else { bits >> (width - prefix) }
        }
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u128::from(u32::from(net)), self.prefix, 32)
                    == masked(u128::from(u32::from(ip)), self.prefix, 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                masked(u128::from(net), self.prefix, 128) == masked(u128::from(ip), self.prefix, 128)
            }
            (IpAddr::V6(net), IpAddr::V4(ip)) => net.to_ipv4_mapped() == Some(ip) && self.prefix == 128,
            (IpAddr::V4(_), IpAddr::V6(ip)) => ip.to_ipv4_mapped().is_some_and(|v4| self.contains(IpAddr::V4(v4))),
        }
    }
}

/// The server's URL settings, registered as app data by the host.
#[derive(Debug, Clone, Default)]
pub struct ServerOrigin {
    /// The configured public URL, without a trailing slash.
    pub public_url: Option<String>,
    /// Proxies whose forwarding headers are believed.
    pub trusted_proxies: Vec<IpNet>,
}

impl ServerOrigin {
    /// Whether the request came through a trusted proxy.
    fn trusts(&self, req: &HttpRequest) -> bool {
        req.peer_addr().is_some_and(|peer| self.trusted_proxies.iter().any(|net| net.contains(peer.ip())))
    }
}

fn origin(req: &HttpRequest) -> ServerOrigin {
    req.app_data::<ServerOrigin>().cloned().unwrap_or_default()
}

/// The absolute base URL of this server as the client sees it, without a trailing slash: the
/// public URL when configured; else the forwarded host and scheme from a trusted proxy; else
/// the request's own scheme and `Host`.
pub fn base_url(req: &HttpRequest) -> String {
    let origin = origin(req);
    if let Some(url) = &origin.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    if origin.trusts(req) {
        let info = req.connection_info();
        return format!("{}://{}", info.scheme(), info.host());
    }
    let scheme = if req.app_config().secure() { "https" } else { "http" };
    let host = req.headers().get(HOST).and_then(|h| h.to_str().ok()).filter(|h| valid_host(h));
    format!("{scheme}://{}", host.unwrap_or_else(|| req.app_config().host()))
}

/// A `Host` value that can stand in a URL: `name[:port]` or `[v6]:port`, nothing else.
fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

/// The client's address: the peer, or — behind a trusted proxy — the address it forwarded.
pub fn client_ip(req: &HttpRequest) -> String {
    let peer = req.peer_addr().map(|a| a.ip().to_string());
    if origin(req).trusts(req)
        && let Some(forwarded) = req.connection_info().realip_remote_addr()
    {
        return forwarded.to_owned();
    }
    peer.unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn ranges_contain_their_addresses() {
        let net = IpNet::parse("10.0.0.0/8").unwrap();
        assert!(net.contains("10.1.2.3".parse().unwrap()));
        assert!(!net.contains("11.0.0.1".parse().unwrap()));
        assert!(IpNet::parse("127.0.0.1").unwrap().contains("127.0.0.1".parse().unwrap()));
        assert!(!IpNet::parse("127.0.0.1").unwrap().contains("127.0.0.2".parse().unwrap()));
        assert!(IpNet::parse("::1").unwrap().contains("::1".parse().unwrap()));
        assert!(IpNet::parse("fd00::/8").unwrap().contains("fd12::1".parse().unwrap()));
        assert!(IpNet::parse("0.0.0.0/0").unwrap().contains("8.8.8.8".parse().unwrap()));
        assert!(IpNet::parse("10.0.0.0/8").unwrap().contains("::ffff:10.0.0.1".parse().unwrap()));
        assert!(IpNet::parse("10.0.0.0/33").is_err());
        assert!(IpNet::parse("proxy.local").is_err());
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let forged = TestRequest::default()
            .peer_addr("203.0.113.9:4000".parse().unwrap())
            .insert_header(("host", "portico.example"))
            .insert_header(("x-forwarded-host", "evil.example"))
            .insert_header(("x-forwarded-for", "198.51.100.1"))
            .to_http_request();
        assert_eq!(base_url(&forged), "http://portico.example");
        assert_eq!(client_ip(&forged), "203.0.113.9");
        let origin = ServerOrigin { public_url: None, trusted_proxies: vec![IpNet::parse("203.0.113.0/24").unwrap()] };
        let proxied = TestRequest::default()
            .app_data(origin)
            .peer_addr("203.0.113.9:4000".parse().unwrap())
            .insert_header(("host", "internal:8080"))
            .insert_header(("x-forwarded-host", "portico.example"))
            .insert_header(("x-forwarded-proto", "https"))
            .insert_header(("x-forwarded-for", "198.51.100.1"))
            .to_http_request();
        assert_eq!(base_url(&proxied), "https://portico.example");
        assert_eq!(client_ip(&proxied), "198.51.100.1");
        let configured = TestRequest::default()
            .app_data(ServerOrigin { public_url: Some("https://api.portico.example/".into()), trusted_proxies: vec![] })
            .insert_header(("host", "evil.example"))
            .to_http_request();
        assert_eq!(base_url(&configured), "https://api.portico.example");
    }
}
