//! The outgoing HTTP client for federation. Remote servers are untrusted: only https to
//! public addresses (checked after DNS resolution and on every redirect), short timeouts,
//! bounded bodies. Tests may allow plain http and loopback with `federation_insecure`.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::redirect;
use serde_json::Value;

use crate::config::Config;

/// The `Accept` of every ActivityStreams fetch.
pub const ACTIVITY_STREAMS_ACCEPT: &str = "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";
/// The `Accept` of WebFinger look-ups.
pub const JRD_ACCEPT: &str = "application/jrd+json, application/json";

/// Largest ActivityPub document accepted from another server.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("refused address: {0}")]
    Refused(String),
    /// A scheme other servers are not reached by (`http` where only https is allowed).
    #[error("refused scheme: {0}")]
    Scheme(String),
    #[error("request failed: {0}")]
    Network(String),
    #[error("the server answered {0}")]
    Status(u16),
    #[error("the document is larger than {MAX_DOCUMENT_BYTES} bytes")]
    TooLarge,
    #[error("the document is not JSON: {0}")]
    NotJson(String),
}

/// Whether an address is on the public internet (not loopback, private, link-local,
/// carrier-grade NAT, documentation, multicast or reserved).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(mapped) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(mapped));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// Refuses URLs that must not be fetched: other schemes, plain http and literal private
/// addresses (unless insecure).
pub fn check_url(url: &url::Url, insecure: bool) -> Result<(), FetchError> {
    match url.scheme() {
        "https" => {}
        "http" if insecure => {}
        other => return Err(FetchError::Scheme(other.to_string())),
    }
    match url.host() {
        None => Err(FetchError::Refused("no host".into())),
        Some(url::Host::Ipv4(ip)) if !insecure && !is_public(IpAddr::V4(ip)) => {
            Err(FetchError::Refused(ip.to_string()))
        }
        Some(url::Host::Ipv6(ip)) if !insecure && !is_public(IpAddr::V6(ip)) => {
            Err(FetchError::Refused(ip.to_string()))
        }
        Some(url::Host::Domain(d))
            if !insecure && (d == "localhost" || d.ends_with(".localhost")) =>
        {
            Err(FetchError::Refused(d.to_string()))
        }
        _ => Ok(()),
    }
}

/// Resolves host names, dropping non-public addresses unless insecure: a name that points
/// inside the network cannot be used to reach it.
struct GuardedResolver {
    insecure: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let insecure = self.insecure;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|addr| insecure || is_public(addr.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

#[derive(Clone)]
pub struct FederationClient {
    pub http: reqwest::Client,
    pub insecure: bool,
}

impl FederationClient {
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let insecure = config.federation.insecure;
        let policy = redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 3 {
                attempt.error("too many redirects")
            } else if check_url(attempt.url(), insecure).is_err() {
                attempt.stop()
            } else {
                attempt.follow()
            }
        });
        let mut builder = reqwest::Client::builder()
            .user_agent(format!(
                "hiroba/{} (+{})",
                env!("CARGO_PKG_VERSION"),
                config.public_url()
            ))
            .connect_timeout(Duration::from_secs(5))
            // Deliveries reach thousands of instances: keep few idle connections per
            // instance, and not for long, or the process runs out of file descriptors.
            .pool_max_idle_per_host(2)
            .pool_idle_timeout(Duration::from_secs(30))
            .timeout(Duration::from_secs(15))
            .redirect(policy)
            .dns_resolver(Arc::new(GuardedResolver { insecure }));
        if let Some(path) = &config.federation.extra_ca_cert {
            let pem = std::fs::read(path).map_err(|e| {
                anyhow::anyhow!("cannot read extra_ca_cert {}: {e}", path.display())
            })?;
            builder = builder.add_root_certificate(reqwest::Certificate::from_pem(&pem)?);
        }
        Ok(Self {
            http: builder.build()?,
            insecure,
        })
    }

    /// Reads a response body up to the size limit.
    pub async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, FetchError> {
        if response
            .content_length()
            .is_some_and(|n| n as usize > MAX_DOCUMENT_BYTES)
        {
            return Err(FetchError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| FetchError::Network(e.to_string()))?
        {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_DOCUMENT_BYTES {
                return Err(FetchError::TooLarge);
            }
        }
        Ok(body)
    }

    /// GETs an ActivityStreams document; `headers` carry the signature when signed.
    pub async fn get_json(
        &self,
        url: &url::Url,
        headers: Vec<(&'static str, String)>,
    ) -> Result<(url::Url, Value), FetchError> {
        self.get_accepting(url, ACTIVITY_STREAMS_ACCEPT, headers)
            .await
    }

    /// GETs a WebFinger document (JRD). Servers may refuse an ActivityStreams `Accept`
    /// there (GoToSocial answers 406), so this asks for JRD or plain JSON.
    pub async fn get_jrd(&self, url: &url::Url) -> Result<(url::Url, Value), FetchError> {
        self.get_accepting(url, JRD_ACCEPT, Vec::new()).await
    }

    async fn get_accepting(
        &self,
        url: &url::Url,
        accept: &'static str,
        headers: Vec<(&'static str, String)>,
    ) -> Result<(url::Url, Value), FetchError> {
        check_url(url, self.insecure)?;
        let mut request = self.http.get(url.clone()).header("accept", accept);
        for (name, value) in headers {
            if name != "host" {
                request = request.header(name, value);
            }
        }
        let response = request
            .send()
            .await
            .map_err(|e| FetchError::Network(e.to_string()))?;
        let status = response.status();
        let final_url = response.url().clone();
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        let body = Self::read_limited(response).await?;
        let value =
            serde_json::from_slice(&body).map_err(|e| FetchError::NotJson(e.to_string()))?;
        Ok((final_url, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
        let url = |s: &str| url::Url::parse(s).unwrap();
        assert!(check_url(&url("http://peer.example/"), false).is_err());
        assert!(check_url(&url("https://127.0.0.1/"), false).is_err());
        assert!(check_url(&url("https://localhost/"), false).is_err());
        assert!(check_url(&url("file:///etc/passwd"), true).is_err());
        assert!(check_url(&url("https://peer.example/users/a"), false).is_ok());
        assert!(check_url(&url("http://127.0.0.2:8080/"), true).is_ok());
    }
}
