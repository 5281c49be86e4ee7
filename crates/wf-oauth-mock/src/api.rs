//! The Workfront API: `/attask/api/{version}/…` over the seeded data set.
//!
//! Routes (any version `vX.Y`; objCodes `proj`/`project`, `task`, `user`):
//! - `GET {obj}/search`, `GET {obj}` (same as search), `GET {obj}/count`,
//!   `GET {obj}/metadata`, `GET {obj}/{ID}`;
//! - `POST proj`, `PUT proj/{ID}`, `DELETE proj/{ID}` (fields from a JSON body, an
//!   `updates` JSON parameter, or individual query parameters);
//! - `GET|POST logout`.
//!
//! A legacy session comes from the `sessionID` header, the `sessionID` query parameter,
//! or `Authorization: Bearer`; each use slides its inactivity window. An Adobe IMS access
//! token is only accepted as `Authorization: Bearer` and dies at its fixed expiry.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, StatusCode};
use serde_json::{Value, json};

use crate::data::{Kind, ObjCode, PROJECT_STATUSES};
use crate::errors::{ApiError, json_bytes, json_value};
use crate::faults::{Dialect, FaultTarget, Plan, drop_connection, plan};
use crate::gateway;
use crate::net::ConnInfo;
use crate::params::{InputError, Params, bearer_token, media_type, read_body};
use crate::search;
use crate::server::Shared;
use crate::tokens::fingerprint;

/// Counts an API request as in flight for as long as it lives.
struct InFlight<'a>(&'a AtomicU64);

impl<'a> InFlight<'a> {
    fn enter(counter: &'a AtomicU64) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        InFlight(counter)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Entry point for everything under the API prefix.
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    // The concurrency cap comes first: a throttled request does no work at all.
    let _permit = match &shared.api_limit {
        Some(sem) => match sem.clone().try_acquire_owned() {
            Ok(p) => Some(p),
            Err(_) => return ApiError::too_many_requests().into_response(),
        },
        None => None,
    };
    let _gauge = InFlight::enter(&shared.api_in_flight);
    let conn = req
        .extensions()
        .get::<ConnectInfo<ConnInfo>>()
        .map(|c| c.0.clone());
    let mut drop_after = false;
    if let Some(fault) = shared.faults.take(&[FaultTarget::Api]) {
        shared.stats.record_fault();
        match plan(fault, Dialect::Api, conn.as_ref()) {
            Plan::Respond(r) => return r,
            Plan::Delay(d) => tokio::time::sleep(d).await,
            Plan::DropAfter => drop_after = true,
            Plan::IdToken(_) => {}
        }
    }
    let resp = process(&shared, req)
        .await
        .unwrap_or_else(IntoResponse::into_response);
    if drop_after {
        return drop_connection(conn.as_ref());
    }
    resp
}

/// `vX.Y` with digits on both sides.
fn valid_version(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('v') else {
        return false;
    };
    let Some((major, minor)) = rest.split_once('.') else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
    digits(major) && digits(minor)
}

fn input_error(e: InputError) -> ApiError {
    match e {
        InputError::TooLarge => ApiError::too_large(),
        other => ApiError::bad_param(other.to_string()),
    }
}

/// The session presented by the request, if any, and whether it came as
/// `Authorization: Bearer`.
fn session_token<'a>(headers: &'a HeaderMap, params: &'a Params) -> Option<(&'a str, bool)> {
    if let Some(v) = headers.get("sessionid").and_then(|v| v.to_str().ok())
        && !v.trim().is_empty()
    {
        return Some((v.trim(), false));
    }
    if let Some(v) = params.get("sessionID") {
        return Some((v, false));
    }
    bearer_token(headers).map(|t| (t, true))
}

fn ok_json(body: Vec<u8>) -> Response {
    json_bytes(StatusCode::OK, body)
}

async fn process(shared: &Shared, req: Request) -> Result<Response, ApiError> {
    let (parts, body) = req.into_parts();
    // Only where gateway headers mean something: legacy throughput stays unburdened.
    if shared.config.mode.serves_ims() {
        shared
            .recorder
            .api(&parts.method, parts.uri.path(), &parts.headers);
    }
    let prefix = shared.paths.api_prefix;
    let path = parts.uri.path();
    let rest = path
        .strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('/'))
        .unwrap_or("");
    let segments: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let version = segments[0];
    if !valid_version(version) {
        return Err(ApiError::not_found(format!(
            "unknown API version {version:?}; expected vX.Y such as v14.0 or v20.0"
        )));
    }
    let params =
        Params::from_form(parts.uri.query().unwrap_or("").as_bytes()).map_err(input_error)?;

    let (token, bearer) =
        session_token(&parts.headers, &params).ok_or_else(ApiError::not_logged_in)?;
    let now = shared.clock.now();
    let session = shared
        .auth()
        .touch_session(token, bearer, now, &shared.config)
        .ok_or_else(|| {
            tracing::debug!(session = %fingerprint(token), "API call with an unknown or expired session");
            ApiError::not_logged_in()
        })?;
    if let Err(refusal) = gateway::check(&shared.config, &session, &parts.headers) {
        return Ok(refusal.into_response());
    }

    let method = if parts.method == Method::HEAD {
        Method::GET
    } else {
        parts.method.clone()
    };
    let route = &segments[1..];
    if route == ["logout"] {
        if method != Method::GET && method != Method::POST {
            return Err(ApiError::method_not_allowed("logout accepts GET or POST"));
        }
        shared.auth().end_session(token);
        tracing::info!(session = %fingerprint(token), "session ended by logout");
        return Ok(json_value(
            StatusCode::OK,
            &json!({"data": {"success": true}}),
        ));
    }
    let Some(obj_raw) = route.first() else {
        return Err(ApiError::not_found("missing object code"));
    };
    let obj = ObjCode::parse(obj_raw).ok_or_else(|| {
        ApiError::not_found(format!(
            "unknown object code {obj_raw:?}; the mock serves PROJ, TASK and USER"
        ))
    })?;
    let data = &shared.data;
    match (&method, &route[1..]) {
        (&Method::GET, [] | ["search"]) => {
            let q = search::parse_query(obj, version, &params)?;
            Ok(ok_json(
                data.with_table(obj, |t| search::search(t, obj, &q)),
            ))
        }
        (&Method::GET, ["count"]) => {
            let q = search::parse_query(obj, version, &params)?;
            let n = data.with_table(obj, |t| search::count(t, &q));
            Ok(json_value(StatusCode::OK, &json!({"data": {"count": n}})))
        }
        (&Method::GET, ["metadata"]) => Ok(json_value(StatusCode::OK, &search::metadata(obj))),
        (&Method::GET, [id]) => {
            let sel = search::parse_fields(obj, version, &params)?;
            data.with_table(obj, |t| t.get(*id).map(|r| search::one(obj, r, &sel)))
                .map(ok_json)
                .ok_or_else(|| not_found(obj, id))
        }
        (&Method::POST, []) if obj == ObjCode::Proj => {
            let updates = read_updates(shared, obj, version, &parts.headers, &params, body).await?;
            if !updates.iter().any(|(i, _)| *i == crate::data::NAME) {
                return Err(ApiError::bad_param("a new Project needs a name"));
            }
            let sel = search::parse_fields(obj, version, &params)?;
            let rec = data.create_proj(&updates);
            Ok(ok_json(search::one(obj, &rec, &sel)))
        }
        (&Method::PUT, [id]) if obj == ObjCode::Proj => {
            let updates = read_updates(shared, obj, version, &parts.headers, &params, body).await?;
            let sel = search::parse_fields(obj, version, &params)?;
            let rec = data
                .update_proj(id, &updates)
                .ok_or_else(|| not_found(obj, id))?;
            Ok(ok_json(search::one(obj, &rec, &sel)))
        }
        (&Method::DELETE, [id]) if obj == ObjCode::Proj => {
            if data.delete_proj(id) {
                Ok(json_value(
                    StatusCode::OK,
                    &json!({"data": {"success": true}}),
                ))
            } else {
                Err(not_found(obj, id))
            }
        }
        (&Method::GET, _) => Err(ApiError::not_found(format!("no such API path: {path}"))),
        (m, _) => Err(ApiError::method_not_allowed(format!(
            "{m} is not supported here (the mock writes PROJ only)"
        ))),
    }
}

fn not_found(obj: ObjCode, id: &str) -> ApiError {
    ApiError::not_found(format!("{} with ID {id} does not exist", obj.label()))
}

/// Collects and validates the fields of a create/update request.
async fn read_updates(
    shared: &Shared,
    obj: ObjCode,
    version: &str,
    headers: &HeaderMap,
    params: &Params,
    body: Body,
) -> Result<Vec<(usize, Value)>, ApiError> {
    let bytes = read_body(headers, body).await.map_err(input_error)?;
    let mut raw: Vec<(String, Value)> = Vec::new();
    if !bytes.iter().all(u8::is_ascii_whitespace) {
        let ty = media_type(headers);
        if ty.as_deref().is_some_and(|t| t != "application/json") {
            return Err(ApiError::bad_param(
                "a request body must be application/json",
            ));
        }
        raw.extend(json_object(&bytes)?);
    }
    if let Some(u) = params.get("updates") {
        raw.extend(json_object(u.as_bytes())?);
    }
    for (k, v) in params.iter() {
        if obj.field_index(k).is_some() {
            raw.push((k.to_owned(), Value::String(v.to_owned())));
        }
    }
    let mut out = Vec::with_capacity(raw.len());
    for (name, value) in raw {
        let idx = obj
            .field_index(&name)
            .ok_or_else(|| search::unsupported_field(obj, version, &name))?;
        let field = &obj.fields()[idx];
        if !field.writable {
            return Err(ApiError::bad_param(format!("field {name} is read-only")));
        }
        let value = check_value(shared, &name, field.kind, value)?;
        out.retain(|(i, _)| *i != idx);
        out.push((idx, value));
    }
    Ok(out)
}

fn json_object(bytes: &[u8]) -> Result<serde_json::Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::bad_param("updates must be a JSON object")),
        Err(e) => Err(ApiError::bad_param(format!("invalid JSON: {e}"))),
    }
}

fn check_value(shared: &Shared, name: &str, kind: Kind, value: Value) -> Result<Value, ApiError> {
    let bad = |why: &str| {
        Err(ApiError::bad_param(format!(
            "invalid value for {name}: {why}"
        )))
    };
    match kind {
        Kind::Num => {
            let n = match &value {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            let Some(n) = n else {
                return bad("expected a number");
            };
            let max = if name == "priority" { 4.0 } else { 100.0 };
            if !(0.0..=max).contains(&n) || n.fract() != 0.0 {
                return bad(&format!("expected an integer from 0 to {max}"));
            }
            Ok(json!(n as i64))
        }
        Kind::Str | Kind::Id => {
            let Value::String(s) = value else {
                return bad("expected a string");
            };
            if name == "name" && s.trim().is_empty() {
                return bad("must not be empty");
            }
            if name == "status" && !PROJECT_STATUSES.contains(&s.as_str()) {
                return bad(&format!("expected one of {PROJECT_STATUSES:?}"));
            }
            if kind == Kind::Id
                && !shared
                    .data
                    .with_table(ObjCode::User, |t| t.contains_key(&s))
            {
                return bad("no user has this ID");
            }
            Ok(Value::String(s))
        }
        Kind::Bool => match value {
            Value::Bool(b) => Ok(Value::Bool(b)),
            _ => bad("expected a boolean"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        for ok in ["v14.0", "v20.0", "v1.0", "v21.5"] {
            assert!(valid_version(ok), "{ok}");
        }
        for bad in ["14.0", "v14", "v.0", "vX.Y", "v14.0.1", "V14.0", ""] {
            assert!(!valid_version(bad), "{bad}");
        }
    }
}
