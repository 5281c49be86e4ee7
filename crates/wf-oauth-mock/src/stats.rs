//! Request counters, so tests can assert things like "exactly one refresh happened".
//!
//! Requests to `/__mock/` are not counted: a test's own bookkeeping must not disturb
//! what it measures.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::Mutex;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::faults::{Dropped, lock};
use crate::server::Shared;
use crate::state::LiveCounts;

/// Status key used for requests whose connection was dropped by a fault.
pub const DROPPED: &str = "dropped";

/// A snapshot of the mock's counters (`GET /__mock/stats`).
///
/// Endpoints: `authorize`, `login`, `consent`, `token`, `api`, `other`. Status keys are
/// the decimal HTTP status, or `"dropped"` when the connection was closed unanswered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Requests per endpoint.
    pub requests: BTreeMap<String, u64>,
    /// Per endpoint, requests per status.
    pub statuses: BTreeMap<String, BTreeMap<String, u64>>,
    /// Requests per status, all endpoints together.
    pub status_totals: BTreeMap<String, u64>,
    /// Token requests per `grant_type` (`missing` when absent).
    pub grants: BTreeMap<String, u64>,
    /// Per grant type, token requests per status.
    pub grant_statuses: BTreeMap<String, BTreeMap<String, u64>>,
    /// Requests affected by an injected fault.
    pub faults_applied: u64,
    /// API requests being processed right now (not reset by `reset-stats`).
    pub api_in_flight: u64,
    /// Live sessions, refresh tokens, codes and grants.
    pub live: LiveCounts,
}

impl Stats {
    /// Requests to `endpoint`.
    pub fn requests(&self, endpoint: &str) -> u64 {
        self.requests.get(endpoint).copied().unwrap_or(0)
    }

    /// Requests to `endpoint` answered with `status` (e.g. `"200"`, `"dropped"`).
    pub fn status(&self, endpoint: &str, status: &str) -> u64 {
        self.statuses
            .get(endpoint)
            .and_then(|m| m.get(status))
            .copied()
            .unwrap_or(0)
    }

    /// Token requests with this `grant_type`.
    pub fn grant(&self, grant_type: &str) -> u64 {
        self.grants.get(grant_type).copied().unwrap_or(0)
    }

    /// Token requests with this `grant_type` answered with `status`.
    pub fn grant_status(&self, grant_type: &str, status: &str) -> u64 {
        self.grant_statuses
            .get(grant_type)
            .and_then(|m| m.get(status))
            .copied()
            .unwrap_or(0)
    }
}

/// Where counters accumulate.
#[derive(Debug, Default)]
pub(crate) struct StatsCollector {
    inner: Mutex<Stats>,
}

impl StatsCollector {
    fn record(&self, endpoint: &str, status: &str) {
        let mut s = lock(&self.inner);
        *s.requests.entry(endpoint.to_owned()).or_default() += 1;
        *s.statuses
            .entry(endpoint.to_owned())
            .or_default()
            .entry(status.to_owned())
            .or_default() += 1;
        *s.status_totals.entry(status.to_owned()).or_default() += 1;
    }

    /// Counts a token request by grant type, once its outcome is known.
    pub fn record_grant(&self, grant_type: &str, status: &str) {
        let mut s = lock(&self.inner);
        *s.grants.entry(grant_type.to_owned()).or_default() += 1;
        *s.grant_statuses
            .entry(grant_type.to_owned())
            .or_default()
            .entry(status.to_owned())
            .or_default() += 1;
    }

    pub fn record_fault(&self) {
        lock(&self.inner).faults_applied += 1;
    }

    pub fn snapshot(&self) -> Stats {
        lock(&self.inner).clone()
    }

    pub fn reset(&self) {
        *lock(&self.inner) = Stats::default();
    }
}

/// The status key of a response.
pub(crate) fn status_key(resp: &Response) -> String {
    if resp.extensions().get::<Dropped>().is_some() {
        DROPPED.to_owned()
    } else {
        resp.status().as_u16().to_string()
    }
}

/// Middleware counting every non-admin request by endpoint and status.
pub(crate) async fn count_requests(
    State(shared): State<Arc<Shared>>,
    req: Request,
    next: Next,
) -> Response {
    let endpoint = shared.endpoint_of(req.uri().path());
    let resp = next.run(req).await;
    if let Some(endpoint) = endpoint {
        shared.stats.record(endpoint, &status_key(&resp));
    }
    resp
}
