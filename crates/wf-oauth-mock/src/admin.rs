//! `/__mock/`: fault injection and introspection over HTTP, for tests that run the mock
//! as a separate process. In-process tests use the same operations as methods of
//! [`crate::RunningMock`]. The endpoint table is in the crate documentation.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::StatusCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::errors::{ApiError, json_value};
use crate::faults::FaultSpec;
use crate::params::{InputError, read_body};
use crate::server::Shared;
use crate::state::Selector;

type S = State<Arc<Shared>>;

/// The admin routes, to be nested under `/__mock`.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/", get(index))
        .route(
            "/faults",
            post(add_faults).get(list_faults).delete(clear_faults),
        )
        .route("/sessions/expire", post(expire_sessions))
        .route("/refresh-tokens/revoke", post(revoke_refresh))
        .route("/stats", get(stats))
        .route("/reset-stats", post(reset_stats))
        .route("/clock", get(clock))
        .route("/clock/advance", post(advance_clock))
        .route("/keys/rotate", post(rotate_keys))
        .route("/requests", get(recorded).delete(clear_recorded))
}

fn data(v: serde_json::Value) -> Response {
    json_value(StatusCode::OK, &json!({ "data": v }))
}

/// Reads an optional JSON body (`{}` when empty).
async fn body<T: DeserializeOwned>(req: Request) -> Result<T, ApiError> {
    let (parts, body) = req.into_parts();
    let bytes = read_body(&parts.headers, body).await.map_err(|e| match e {
        InputError::TooLarge => ApiError::too_large(),
        other => ApiError::bad_param(other.to_string()),
    })?;
    let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &bytes
    };
    serde_json::from_slice(text)
        .map_err(|e| ApiError::bad_param(format!("invalid admin request: {e}")))
}

async fn index() -> Response {
    data(json!({
        "endpoints": [
            "POST /__mock/faults", "GET /__mock/faults", "DELETE /__mock/faults",
            "POST /__mock/sessions/expire", "POST /__mock/refresh-tokens/revoke",
            "GET /__mock/stats", "POST /__mock/reset-stats",
            "GET /__mock/clock", "POST /__mock/clock/advance",
            "POST /__mock/keys/rotate", "GET /__mock/requests", "DELETE /__mock/requests"
        ]
    }))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(FaultSpec),
    Many(Vec<FaultSpec>),
}

async fn add_faults(State(shared): S, req: Request) -> Response {
    let specs = match body::<OneOrMany>(req).await {
        Ok(OneOrMany::One(s)) => vec![s],
        Ok(OneOrMany::Many(v)) => v,
        Err(e) => return e.into_response(),
    };
    if let Some(err) = specs.iter().find_map(|s| s.validate().err()) {
        return ApiError::bad_param(err).into_response();
    }
    let n = specs.len();
    for s in specs {
        shared.faults.push(s);
    }
    data(json!({ "queued": n }))
}

async fn list_faults(State(shared): S) -> Response {
    data(serde_json::to_value(shared.faults.list()).unwrap_or_default())
}

async fn clear_faults(State(shared): S) -> Response {
    let n = shared.faults.list().len();
    shared.faults.clear();
    data(json!({ "cleared": n }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionSel {
    access_token: Option<String>,
    fingerprint: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RefreshSel {
    refresh_token: Option<String>,
    fingerprint: Option<String>,
}

fn selector(value: Option<String>, fp: Option<String>) -> Result<Selector, ApiError> {
    match (value, fp) {
        (None, None) => Ok(Selector::All),
        (Some(v), None) => Ok(Selector::Value(v)),
        (None, Some(f)) => Ok(Selector::Fingerprint(f)),
        (Some(_), Some(_)) => Err(ApiError::bad_param(
            "give a token or a fingerprint, not both",
        )),
    }
}

async fn expire_sessions(State(shared): S, req: Request) -> Response {
    let sel = match body::<SessionSel>(req)
        .await
        .and_then(|b| selector(b.access_token, b.fingerprint))
    {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let n = shared.auth().expire_sessions(&sel);
    data(json!({ "expired": n }))
}

async fn revoke_refresh(State(shared): S, req: Request) -> Response {
    let sel = match body::<RefreshSel>(req)
        .await
        .and_then(|b| selector(b.refresh_token, b.fingerprint))
    {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let n = shared.auth().revoke_refresh_tokens(&sel);
    data(json!({ "revoked": n }))
}

async fn stats(State(shared): S) -> Response {
    json_value(
        StatusCode::OK,
        &serde_json::to_value(shared.stats_snapshot()).unwrap_or_default(),
    )
}

async fn reset_stats(State(shared): S) -> Response {
    shared.stats.reset();
    data(json!({ "reset": true }))
}

fn clock_json(shared: &Shared) -> Response {
    data(json!({
        "manual": shared.clock.is_manual(),
        "elapsed_ms": u64::try_from(shared.clock.elapsed().as_millis()).unwrap_or(u64::MAX),
    }))
}

async fn clock(State(shared): S) -> Response {
    clock_json(&shared)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    secs: Option<u64>,
    ms: Option<u64>,
}

async fn advance_clock(State(shared): S, req: Request) -> Response {
    let by = match body::<Advance>(req).await {
        Ok(Advance {
            secs: Some(s),
            ms: None,
        }) => Duration::from_secs(s),
        Ok(Advance {
            secs: None,
            ms: Some(m),
        }) => Duration::from_millis(m),
        Ok(_) => return ApiError::bad_param("give exactly one of secs or ms").into_response(),
        Err(e) => return e.into_response(),
    };
    shared.clock.advance(by);
    clock_json(&shared)
}

async fn rotate_keys(State(shared): S) -> Response {
    data(json!({ "kid": shared.keys.rotate() }))
}

async fn recorded(State(shared): S) -> Response {
    data(json!({
        "authorize": shared.recorder.authorize_requests(),
        "api": shared.recorder.api_calls(),
    }))
}

async fn clear_recorded(State(shared): S) -> Response {
    shared.recorder.clear();
    data(json!({ "cleared": true }))
}
