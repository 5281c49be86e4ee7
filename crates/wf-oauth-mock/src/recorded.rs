//! What arrived on the wire, kept so tests can assert that a client sent it: the
//! parameters of every authorization request and the Adobe gateway headers of every API
//! call. Bounded: the oldest entries go first.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::faults::lock;

/// Entries kept per kind.
pub const RECORDED_MAX: usize = 256;

/// The query parameters of one request to an authorization endpoint, in the order they
/// arrived (`GET /__mock/requests`, [`crate::RunningMock::authorize_requests`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizeRecord {
    /// The endpoint path (`/ims/authorize/v2` or `/integrations/oauth2/authorize`).
    pub path: String,
    /// Every `(name, value)` pair of the query, decoded, repeats included.
    pub params: Vec<(String, String)>,
}

impl AuthorizeRecord {
    /// The first value of a parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The Adobe gateway headers of one API call (`GET /__mock/requests`,
/// [`crate::RunningMock::api_calls`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiCallRecord {
    /// HTTP method.
    pub method: String,
    /// Request path.
    pub path: String,
    /// `x-api-key`, if sent.
    pub api_key: Option<String>,
    /// `x-gw-ims-org-id`, if sent.
    pub ims_org_id: Option<String>,
}

/// Where the records accumulate.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    authorize: Mutex<VecDeque<AuthorizeRecord>>,
    api: Mutex<VecDeque<ApiCallRecord>>,
}

fn push<T>(q: &Mutex<VecDeque<T>>, item: T) {
    let mut q = lock(q);
    if q.len() == RECORDED_MAX {
        q.pop_front();
    }
    q.push_back(item);
}

impl Recorder {
    /// Records an authorization request from its raw query.
    pub fn authorize(&self, path: &str, query: &str) {
        let params = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        push(
            &self.authorize,
            AuthorizeRecord {
                path: path.to_owned(),
                params,
            },
        );
    }

    /// Records the gateway headers of an API call.
    pub fn api(&self, method: &http::Method, path: &str, headers: &http::HeaderMap) {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        push(
            &self.api,
            ApiCallRecord {
                method: method.to_string(),
                path: path.to_owned(),
                api_key: header("x-api-key"),
                ims_org_id: header("x-gw-ims-org-id"),
            },
        );
    }

    pub fn authorize_requests(&self) -> Vec<AuthorizeRecord> {
        lock(&self.authorize).iter().cloned().collect()
    }

    pub fn api_calls(&self) -> Vec<ApiCallRecord> {
        lock(&self.api).iter().cloned().collect()
    }

    pub fn clear(&self) {
        lock(&self.authorize).clear();
        lock(&self.api).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_bounded_and_decoded() {
        let r = Recorder::default();
        for i in 0..RECORDED_MAX + 3 {
            r.authorize("/ims/authorize/v2", &format!("n={i}&ui_locales=fr-CA%20en"));
        }
        let all = r.authorize_requests();
        assert_eq!(all.len(), RECORDED_MAX);
        assert_eq!(all[0].param("n"), Some("3"));
        assert_eq!(all[0].param("ui_locales"), Some("fr-CA en"));
        assert_eq!(all[0].param("missing"), None);
        let mut h = http::HeaderMap::new();
        h.insert("x-api-key", http::HeaderValue::from_static("demo-client"));
        r.api(&http::Method::GET, "/attask/api/v14.0/proj/count", &h);
        let calls = r.api_calls();
        assert_eq!(calls[0].api_key.as_deref(), Some("demo-client"));
        assert_eq!(calls[0].ims_org_id, None);
        r.clear();
        assert!(r.authorize_requests().is_empty() && r.api_calls().is_empty());
    }
}
