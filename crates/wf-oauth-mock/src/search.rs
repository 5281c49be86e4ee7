//! Query parameters of the Workfront API and the answers built from them.
//!
//! Supported (everything else is refused with a 400 naming the parameter):
//! - `$$FIRST` (offset, default 0) and `$$LIMIT` (default 100, 1..=2000);
//! - `fields`: comma-separated extra fields, or `*` for all; `ID`, `name`, `objCode` are
//!   always returned;
//! - one sort, `<field>_Sort=asc|desc` (e.g. `ID_Sort=asc`); without one, results come
//!   in ID order (real Workfront gives no order guarantee: clients must sort to page);
//! - filters `<field>=<value>` on any field, with `<field>_Mod` one of `eq` (default),
//!   `ne`, `cieq`, `contains`, `cicontains`, `notcontains`; values compare as text;
//! - ignored: `sessionID`, `method`, `updates`, `apiKey` and other `$$…` parameters.

use std::cmp::Ordering;
use std::sync::Arc;

use serde_json::Value;

use crate::data::{ID, ObjCode, Record, Table, write_value};
use crate::errors::ApiError;
use crate::params::Params;

/// Default and maximum of `$$LIMIT`.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest accepted `$$LIMIT`.
pub const MAX_LIMIT: usize = 2000;

/// Which fields an answer carries.
#[derive(Debug, Clone)]
pub(crate) enum FieldSel {
    Default,
    List(Vec<usize>),
    All,
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Eq,
    Ne,
    CiEq,
    Contains,
    CiContains,
    NotContains,
}

#[derive(Debug, Clone)]
struct Filter {
    field: usize,
    op: Op,
    value: String,
}

/// A parsed search request.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    pub first: usize,
    pub limit: usize,
    pub fields: FieldSel,
    sort: Option<(usize, bool)>,
    filters: Vec<Filter>,
}

/// Parameters the API accepts without treating them as filters.
fn is_reserved(name: &str) -> bool {
    matches!(
        name,
        "sessionID" | "method" | "updates" | "apiKey" | "fields"
    ) || name.starts_with("$$")
}

/// Workfront names its API model after the version: `v14.0` → `V14_0`.
pub(crate) fn unsupported_field(obj: ObjCode, version: &str, field: &str) -> ApiError {
    let model = version.trim_start_matches('v').replace('.', "_");
    ApiError::bad_param(format!(
        "APIModel V{model} does not support field {field} ({})",
        obj.label()
    ))
}

/// Parses `fields`.
pub(crate) fn parse_fields(
    obj: ObjCode,
    version: &str,
    params: &Params,
) -> Result<FieldSel, ApiError> {
    let Some(raw) = params.get("fields") else {
        return Ok(FieldSel::Default);
    };
    let mut list = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if name == "*" {
            return Ok(FieldSel::All);
        }
        let idx = obj
            .field_index(name)
            .ok_or_else(|| unsupported_field(obj, version, name))?;
        if idx > 2 && !list.contains(&idx) {
            list.push(idx);
        }
    }
    Ok(if list.is_empty() {
        FieldSel::Default
    } else {
        FieldSel::List(list)
    })
}

fn parse_usize(params: &Params, name: &str, default: usize) -> Result<usize, ApiError> {
    match params.get(name) {
        None => Ok(default),
        Some(v) => v.trim().parse::<usize>().map_err(|_| {
            ApiError::bad_param(format!("{name} must be a non-negative integer, got {v:?}"))
        }),
    }
}

/// Parses a search (or count) request.
pub(crate) fn parse_query(obj: ObjCode, version: &str, params: &Params) -> Result<Query, ApiError> {
    let first = parse_usize(params, "$$FIRST", 0)?;
    let limit = parse_usize(params, "$$LIMIT", DEFAULT_LIMIT)?;
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::bad_param(format!(
            "$$LIMIT must be between 1 and {MAX_LIMIT}, got {limit}"
        )));
    }
    let fields = parse_fields(obj, version, params)?;
    let mut sort = None;
    let mut filters = Vec::new();
    for (name, value) in params.iter() {
        if is_reserved(name) {
            continue;
        }
        if let Some(field) = name.strip_suffix("_Sort") {
            let idx = obj
                .field_index(field)
                .ok_or_else(|| unsupported_field(obj, version, field))?;
            let desc = match value.to_ascii_lowercase().as_str() {
                "asc" => false,
                "desc" => true,
                _ => return Err(ApiError::bad_param(format!("{name} must be asc or desc"))),
            };
            sort.get_or_insert((idx, desc));
            continue;
        }
        if let Some(field) = name.strip_suffix("_Mod") {
            // Validated together with its filter below; a modifier alone is inert.
            obj.field_index(field)
                .ok_or_else(|| unsupported_field(obj, version, field))?;
            continue;
        }
        let idx = obj
            .field_index(name)
            .ok_or_else(|| unsupported_field(obj, version, name))?;
        let op = match params
            .get(&format!("{name}_Mod"))
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("eq") => Op::Eq,
            Some("ne") => Op::Ne,
            Some("cieq") => Op::CiEq,
            Some("contains") => Op::Contains,
            Some("cicontains") => Op::CiContains,
            Some("notcontains") => Op::NotContains,
            Some(other) => {
                return Err(ApiError::bad_param(format!(
                    "{name}_Mod={other} is not supported by the mock \
                     (eq, ne, cieq, contains, cicontains, notcontains)"
                )));
            }
        };
        filters.push(Filter {
            field: idx,
            op,
            value: value.to_owned(),
        });
    }
    Ok(Query {
        first,
        limit,
        fields,
        sort,
        filters,
    })
}

fn as_text(v: &Value) -> std::borrow::Cow<'_, str> {
    match v {
        Value::String(s) => s.as_str().into(),
        Value::Null => "".into(),
        other => other.to_string().into(),
    }
}

impl Filter {
    fn matches(&self, rec: &Record) -> bool {
        let text = as_text(&rec.values[self.field]);
        let v = self.value.as_str();
        match self.op {
            Op::Eq => text == v,
            Op::Ne => text != v,
            Op::CiEq => text.to_lowercase() == v.to_lowercase(),
            Op::Contains => text.contains(v),
            Op::CiContains => text.to_lowercase().contains(&v.to_lowercase()),
            Op::NotContains => !text.contains(v),
        }
    }
}

fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        _ => as_text(a).cmp(&as_text(b)),
    }
}

/// Appends one record with the selected fields.
pub(crate) fn write_record(out: &mut Vec<u8>, obj: ObjCode, rec: &Record, sel: &FieldSel) {
    let extra: &mut dyn Iterator<Item = usize> = match sel {
        FieldSel::Default => {
            out.extend_from_slice(rec.default_json());
            return;
        }
        FieldSel::List(list) => &mut list.iter().copied(),
        FieldSel::All => &mut (3..obj.fields().len()),
    };
    // Start from the default JSON without its closing brace, then add the extras.
    let base = rec.default_json();
    out.extend_from_slice(&base[..base.len() - 1]);
    for idx in extra {
        out.push(b',');
        write_value(out, &Value::String(obj.fields()[idx].name.to_owned()));
        out.push(b':');
        write_value(out, &rec.values[idx]);
    }
    out.push(b'}');
}

fn matching<'a>(table: &'a Table, q: &'a Query) -> Vec<&'a Arc<Record>> {
    let pass = |r: &&Arc<Record>| q.filters.iter().all(|f| f.matches(r));
    match q.sort {
        None | Some((ID, false)) => table.values().filter(pass).collect(),
        Some((ID, true)) => table.values().rev().filter(pass).collect(),
        Some((idx, desc)) => {
            let mut rows: Vec<_> = table.values().filter(pass).collect();
            // Stable sort: ties stay in ID order, so paging stays deterministic.
            rows.sort_by(|a, b| {
                let o = compare(&a.values[idx], &b.values[idx]);
                if desc { o.reverse() } else { o }
            });
            rows
        }
    }
}

/// `{"data":[…]}` for a search.
pub(crate) fn search(table: &Table, obj: ObjCode, q: &Query) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + q.limit.min(table.len()) * 80);
    out.extend_from_slice(b"{\"data\":[");
    let write = |out: &mut Vec<u8>, i: usize, rec: &Record| {
        if i > 0 {
            out.push(b',');
        }
        write_record(out, obj, rec, &q.fields);
    };
    if q.filters.is_empty() && matches!(q.sort, None | Some((ID, _))) {
        // The hot path (plain paging in ID order) walks the table without collecting.
        let rows: &mut dyn Iterator<Item = &Arc<Record>> = if matches!(q.sort, Some((ID, true))) {
            &mut table.values().rev()
        } else {
            &mut table.values()
        };
        for (i, rec) in rows.skip(q.first).take(q.limit).enumerate() {
            write(&mut out, i, rec);
        }
    } else {
        for (i, rec) in matching(table, q)
            .into_iter()
            .skip(q.first)
            .take(q.limit)
            .enumerate()
        {
            write(&mut out, i, rec);
        }
    }
    out.extend_from_slice(b"]}");
    out
}

/// How many records a search's filters select (paging ignored).
pub(crate) fn count(table: &Table, q: &Query) -> usize {
    table
        .values()
        .filter(|r| q.filters.iter().all(|f| f.matches(r)))
        .count()
}

/// `{"data":{…}}` for one record.
pub(crate) fn one(obj: ObjCode, rec: &Record, sel: &FieldSel) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"{\"data\":");
    write_record(&mut out, obj, rec, sel);
    out.push(b'}');
    out
}

/// `{"data":{…}}` describing an object type.
pub(crate) fn metadata(obj: ObjCode) -> Value {
    let fields: serde_json::Map<String, Value> = obj
        .fields()
        .iter()
        .map(|f| {
            let ty = match f.kind {
                crate::data::Kind::Id | crate::data::Kind::Str => "string",
                crate::data::Kind::Num => "int",
                crate::data::Kind::Bool => "boolean",
            };
            (
                f.name.to_owned(),
                serde_json::json!({"fieldType": ty, "writable": f.writable}),
            )
        })
        .collect();
    serde_json::json!({"data": {"objCode": obj.code(), "name": obj.label(), "fields": fields}})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::DataSet;

    fn q(s: &str) -> Result<Query, ApiError> {
        parse_query(
            ObjCode::Proj,
            "v14.0",
            &Params::from_form(s.as_bytes()).unwrap(),
        )
    }

    fn run(s: &str) -> Value {
        let d = DataSet::seeded();
        let query = q(s).unwrap();
        serde_json::from_slice(&d.with_table(ObjCode::Proj, |t| search(t, ObjCode::Proj, &query)))
            .unwrap()
    }

    #[test]
    fn paging_and_sorting() {
        let all = run("$$LIMIT=2000");
        assert_eq!(all["data"].as_array().unwrap().len(), 250);
        let page = run("$$FIRST=100&$$LIMIT=100&ID_Sort=asc");
        assert_eq!(page["data"][0], all["data"][100]);
        let desc = run("ID_Sort=desc&$$LIMIT=1");
        assert_eq!(desc["data"][0], all["data"][249]);
        assert_eq!(run("")["data"].as_array().unwrap().len(), 100);
        assert!(q("$$LIMIT=2001").is_err());
        assert!(q("$$LIMIT=abc").is_err());
        assert!(q("$$FIRST=-1").is_err());
    }

    #[test]
    fn filters_and_fields() {
        let r = run("name=Apollo&name_Mod=contains&fields=status,percentComplete&$$LIMIT=2000");
        let rows = r["data"].as_array().unwrap();
        assert_eq!(rows.len(), 25);
        assert!(
            rows.iter()
                .all(|p| p["name"].as_str().unwrap().contains("Apollo"))
        );
        assert!(rows[0].get("status").is_some() && rows[0].get("percentComplete").is_some());
        let r = run("name=apollo&name_Mod=cicontains&$$LIMIT=2000");
        assert_eq!(r["data"].as_array().unwrap().len(), 25);
        let r = run("status=CPL&$$LIMIT=2000");
        assert_eq!(r["data"].as_array().unwrap().len(), 50);
        let r = run("fields=*&$$LIMIT=1");
        assert_eq!(r["data"][0].as_object().unwrap().len(), 10);
        assert!(q("fields=nope").is_err());
        assert!(q("nope=1").is_err());
        assert!(q("name=x&name_Mod=regex").is_err());
        let sorted = run("name_Sort=desc&$$LIMIT=2");
        assert!(sorted["data"][0]["name"].as_str() >= sorted["data"][1]["name"].as_str());
    }
}
