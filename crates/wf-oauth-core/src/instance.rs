//! Workfront instances: validated hosts, and which of them a callback may name.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use url::Url;

use crate::error::Error;

const MAX_HOST_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;

/// A validated Workfront instance: where the authorize page, the legacy token endpoint and
/// the API live.
///
/// [`Instance::parse`] accepts:
/// - a bare host: `acme.my.workfront.com`, `acme.my.workfront.adobe.com`,
///   `acme.preview.workfront.com`, `acme.sb01.workfront.com`…;
/// - `https://host`, optionally with one trailing `/`.
///
/// Hosts are DNS names of at least two labels (letters, digits and inner hyphens, at most
/// 63 characters each, 253 in total), lowercased. Userinfo, ports, paths, queries,
/// fragments, percent signs, whitespace and IP literals are refused, so a credential can
/// only ever be sent to the host that was written.
///
/// Plain `http` is refused, except when the caller explicitly writes `http://` to a
/// loopback host: `http://127.0.0.1[:PORT]`, `http://[::1][:PORT]`,
/// `http://localhost[:PORT]` (port optional, 80 when absent). Tests, demos and the fake
/// server are reached that way; nothing on the network is.
///
/// ```
/// use wf_oauth_core::Instance;
/// let i = Instance::parse("https://ACME.my.workfront.com/")?;
/// assert_eq!(i.origin(), "https://acme.my.workfront.com");
/// assert_eq!(i.host(), "acme.my.workfront.com");
///
/// let local = Instance::parse("http://127.0.0.1:8080")?;
/// assert!(local.is_loopback());
/// assert_eq!(local.origin(), "http://127.0.0.1:8080");
///
/// assert!(Instance::parse("http://acme.my.workfront.com").is_err());
/// assert!(Instance::parse("https://user@acme.my.workfront.com").is_err());
/// # Ok::<(), wf_oauth_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Instance {
    // Shared: an instance is copied into every pending authorization, token set and
    // request, and never changes.
    inner: Arc<InstanceInner>,
}

struct InstanceInner {
    origin: String,
    host: String,
    loopback: bool,
    base_url: Url,
}

impl PartialEq for Instance {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner) || self.inner.origin == other.inner.origin
    }
}

impl Eq for Instance {}

impl std::hash::Hash for Instance {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.inner.origin.hash(state);
    }
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidInstance {
        reason: reason.into(),
    }
}

/// Checks one DNS label (already lowercased).
pub(crate) fn check_label(label: &str) -> Result<(), Error> {
    if label.is_empty() {
        return Err(invalid("empty label in host name"));
    }
    if label.len() > MAX_LABEL_LEN {
        return Err(invalid("a host name label is longer than 63 characters"));
    }
    if !label
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(invalid(
            "host names may only contain letters, digits, '-' and '.'",
        ));
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(invalid("a host name label starts or ends with '-'"));
    }
    Ok(())
}

/// Checks a DNS host name of at least two labels (already lowercased).
pub(crate) fn check_dns_host(host: &str) -> Result<(), Error> {
    if host.is_empty() {
        return Err(invalid("the host is empty"));
    }
    if host.len() > MAX_HOST_LEN {
        return Err(invalid("the host name is longer than 253 characters"));
    }
    let mut labels = 0;
    let mut last = "";
    for label in host.split('.') {
        check_label(label)?;
        labels += 1;
        last = label;
    }
    if labels < 2 {
        return Err(invalid("the host must be a full domain name"));
    }
    // A numeric top-level label is how IPv4 literals (and their odd short forms) look.
    if last.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("IP addresses are not accepted; use the host name"));
    }
    Ok(())
}

fn reject_structural(rest: &str) -> Result<(), Error> {
    for (c, what) in [
        ('@', "user information"),
        ('/', "a path"),
        ('\\', "a path"),
        ('?', "a query"),
        ('#', "a fragment"),
        ('%', "percent-encoding"),
    ] {
        if rest.contains(c) {
            return Err(invalid(format!("an instance may not contain {what}")));
        }
    }
    Ok(())
}

impl Instance {
    /// Parses and validates an instance (see the type documentation for the rules).
    pub fn parse(input: &str) -> Result<Instance, Error> {
        if input.is_empty() {
            return Err(invalid("the instance is empty"));
        }
        if input.len() > MAX_HOST_LEN + 16 {
            return Err(invalid("the instance is too long"));
        }
        if let Some(c) = input.chars().find(|c| !c.is_ascii_graphic()) {
            return Err(invalid(if c.is_whitespace() || c.is_control() {
                "the instance contains whitespace or control characters"
            } else {
                "the instance contains non-ASCII characters (use the punycode form)"
            }));
        }
        let lower = input.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("https://") {
            let rest = rest.strip_suffix('/').unwrap_or(rest);
            reject_structural(rest)?;
            if rest.starts_with('[') {
                return Err(invalid("IP addresses are not accepted; use the host name"));
            }
            if rest.contains(':') {
                return Err(invalid("an https instance may not carry a port"));
            }
            Self::https(rest)
        } else if let Some(rest) = lower.strip_prefix("http://") {
            let rest = rest.strip_suffix('/').unwrap_or(rest);
            reject_structural(rest)?;
            Self::loopback(rest)
        } else if lower.contains("://") {
            Err(invalid("only https instances are accepted"))
        } else {
            reject_structural(&lower)?;
            if lower.contains(':') {
                return Err(invalid("an instance may not carry a port"));
            }
            Self::https(&lower)
        }
    }

    fn https(host: &str) -> Result<Instance, Error> {
        check_dns_host(host)?;
        Ok(Instance::new(
            format!("https://{host}"),
            host.to_owned(),
            false,
        ))
    }

    fn loopback(authority: &str) -> Result<Instance, Error> {
        let (host, port) = if let Some(after) = authority.strip_prefix("[::1]") {
            ("[::1]", after)
        } else {
            match authority.split_once(':') {
                Some((h, _)) => (h, &authority[h.len()..]),
                None => (authority, ""),
            }
        };
        if !matches!(host, "127.0.0.1" | "[::1]" | "localhost") {
            return Err(invalid(
                "plain http is only accepted for loopback hosts (127.0.0.1, [::1], localhost)",
            ));
        }
        let port = match port.strip_prefix(':') {
            None if port.is_empty() => None,
            None => return Err(invalid("unexpected characters after the host")),
            Some(p) => {
                let valid = !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
                match p.parse::<u16>() {
                    Ok(n) if valid && n != 0 => Some(n),
                    _ => return Err(invalid("the port must be a number from 1 to 65535")),
                }
            }
        };
        let origin = match port {
            Some(p) if p != 80 => format!("http://{host}:{p}"),
            _ => format!("http://{host}"),
        };
        Ok(Instance::new(origin, host.to_owned(), true))
    }

    fn new(origin: String, host: String, loopback: bool) -> Instance {
        let base_url = Url::parse(&origin).expect("a validated origin is a valid URL");
        Instance {
            inner: Arc::new(InstanceInner {
                origin,
                host,
                loopback,
                base_url,
            }),
        }
    }

    /// The instance named by a callback's `domain` and `lane`: `{domain}.{lane}.workfront.com`.
    ///
    /// Each part must be a single DNS label.
    ///
    /// ```
    /// use wf_oauth_core::Instance;
    /// let i = Instance::from_callback("acme", "preview")?;
    /// assert_eq!(i.host(), "acme.preview.workfront.com");
    /// assert!(Instance::from_callback("evil.com/x", "my").is_err());
    /// # Ok::<(), wf_oauth_core::Error>(())
    /// ```
    pub fn from_callback(domain: &str, lane: &str) -> Result<Instance, Error> {
        let domain = domain.to_ascii_lowercase();
        let lane = lane.to_ascii_lowercase();
        check_label(&domain)
            .map_err(|_| invalid("the callback's domain is not a host name label"))?;
        check_label(&lane).map_err(|_| invalid("the callback's lane is not a host name label"))?;
        Self::https(&format!("{domain}.{lane}.workfront.com"))
    }

    /// Whether a callback's `domain` and `lane` name this instance, on either the classic
    /// (`workfront.com`) or the Unified Shell (`workfront.adobe.com`) domain.
    pub fn is_named_by(&self, domain: &str, lane: &str) -> bool {
        if domain.contains('.') || lane.contains('.') {
            return false;
        }
        let Some(rest) = strip_prefix_ignore_case(&self.inner.host, domain)
            .and_then(|r| r.strip_prefix('.'))
            .and_then(|r| strip_prefix_ignore_case(r, lane))
        else {
            return false;
        };
        !self.inner.loopback && (rest == ".workfront.com" || rest == ".workfront.adobe.com")
    }

    /// `https://host` (or `http://loopback[:port]`), without a trailing slash.
    pub fn origin(&self) -> &str {
        &self.inner.origin
    }

    /// The origin as a URL (`https://host/`).
    pub fn base_url(&self) -> Url {
        self.inner.base_url.clone()
    }

    /// The host name (`[::1]` for the IPv6 loopback).
    pub fn host(&self) -> &str {
        &self.inner.host
    }

    /// Whether this is an explicitly written loopback `http` instance.
    pub fn is_loopback(&self) -> bool {
        self.inner.loopback
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    if s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
    {
        Some(&s[prefix.len()..])
    } else {
        None
    }
}

impl fmt::Debug for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Instance({})", self.origin())
    }
}

impl fmt::Display for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.origin())
    }
}

impl std::str::FromStr for Instance {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Instance::parse(s)
    }
}

impl Serialize for Instance {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.origin())
    }
}

impl<'de> Deserialize<'de> for Instance {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Instance::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Which instances a callback may name besides the configured one.
///
/// Workfront's callback carries `domain` and `lane`, which name the instance the user
/// signed in to. The configured instance is always allowed; by default nothing else is,
/// so a code is never sent to a host the application did not choose. Multi-instance
/// applications add exact instances or domain suffixes. Suffixes match on label
/// boundaries only: the suffix `workfront.com` allows `acme.my.workfront.com`, not
/// `evil-workfront.com`.
///
/// ```
/// use wf_oauth_core::{Instance, InstancePolicy};
/// let configured = Instance::parse("acme.my.workfront.com")?;
/// let policy = InstancePolicy::configured_only().allow_suffix("workfront.com")?;
/// assert!(policy.allows(&configured, &Instance::parse("beta.preview.workfront.com")?));
/// assert!(!policy.allows(&configured, &Instance::parse("evil-workfront.com")?));
/// # Ok::<(), wf_oauth_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PolicyRepr")]
pub struct InstancePolicy {
    instances: Vec<Instance>,
    suffixes: Vec<String>,
}

#[derive(Deserialize)]
struct PolicyRepr {
    #[serde(default)]
    instances: Vec<Instance>,
    #[serde(default)]
    suffixes: Vec<String>,
}

impl TryFrom<PolicyRepr> for InstancePolicy {
    type Error = Error;
    fn try_from(repr: PolicyRepr) -> Result<Self, Error> {
        let mut policy = InstancePolicy {
            instances: repr.instances,
            suffixes: Vec::new(),
        };
        for suffix in repr.suffixes {
            policy = policy.allow_suffix(&suffix)?;
        }
        Ok(policy)
    }
}

impl InstancePolicy {
    /// Only the configured instance (the default).
    pub fn configured_only() -> Self {
        InstancePolicy::default()
    }

    /// Also allows exactly this instance.
    #[must_use]
    pub fn allow_instance(mut self, instance: Instance) -> Self {
        self.instances.push(instance);
        self
    }

    /// Also allows every https instance whose host is `suffix` or ends in `.suffix`.
    /// The suffix must be a domain name of at least two labels.
    pub fn allow_suffix(mut self, suffix: &str) -> Result<Self, Error> {
        let suffix = suffix.trim_start_matches('.').to_ascii_lowercase();
        check_dns_host(&suffix)?;
        self.suffixes.push(suffix);
        Ok(self)
    }

    /// Whether `candidate` may be used when `configured` is the configured instance.
    pub fn allows(&self, configured: &Instance, candidate: &Instance) -> bool {
        if candidate == configured || self.instances.contains(candidate) {
            return true;
        }
        let host = candidate.host();
        !candidate.is_loopback()
            && self.suffixes.iter().any(|suffix| {
                host == suffix
                    || host
                        .strip_suffix(suffix.as_str())
                        .is_some_and(|head| head.ends_with('.'))
            })
    }
}

#[cfg(test)]
#[path = "instance_tests.rs"]
mod tests;
