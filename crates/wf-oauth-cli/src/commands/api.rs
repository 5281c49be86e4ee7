//! `wf-oauth api METHOD PATH`: an authorized Workfront API call.

use futures::TryStreamExt as _;
use serde_json::Value;
use wf_oauth_core::Method;

use crate::cli::{ApiArgs, ApiMethod};
use crate::error::CliError;
use crate::output::Ui;
use crate::profile::ConfigDir;
use crate::session::{SecretNeed, Session};

/// The object code of a search path (`proj/search` → `proj`).
fn search_object(path: &str) -> Option<&str> {
    let obj = path.strip_suffix("/search")?;
    (!obj.is_empty() && !obj.contains('/')).then_some(obj)
}

/// Calls the API and prints the `data` of the answer.
pub async fn run(dir: &ConfigDir, args: &ApiArgs, ui: Ui) -> Result<(), CliError> {
    let method = match args.method {
        ApiMethod::Get => Method::Get,
        ApiMethod::Post => Method::Post,
        ApiMethod::Put => Method::Put,
        ApiMethod::Delete => Method::Delete,
    };
    let body = match &args.data {
        Some(_) if !matches!(method, Method::Post | Method::Put) => {
            return Err(CliError::usage("--data goes with POST or PUT"));
        }
        Some(text) => Some(
            serde_json::from_str::<Value>(text)
                .map_err(|e| CliError::usage(format!("--data is not valid JSON: {e}")))?,
        ),
        None => None,
    };
    let mut query: Vec<(&str, &str)> = args
        .query
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    if let Some(fields) = &args.fields {
        query.push(("fields", fields));
    }
    let search = if args.all {
        match (method, search_object(&args.path)) {
            (Method::Get, Some(obj)) => Some(obj),
            _ => {
                return Err(CliError::usage(
                    "--all pages through a search: use it with GET <obj>/search",
                ));
            }
        }
    } else {
        None
    };

    let session = Session::open(dir, &args.profile.profile, SecretNeed::Required)?;
    let client = session.client().await?;
    let value = match search {
        Some(obj) => {
            let items: Vec<Value> = match args.page_size {
                Some(size) => {
                    client
                        .search_with_page_size(obj, &query, size)
                        .try_collect()
                        .await
                }
                None => client.search(obj, &query).try_collect().await,
            }
            .map_err(|e| session.error(&e))?;
            Value::Array(items)
        }
        None => client
            .request(method, &args.path, &query, body.as_ref())
            .await
            .map_err(|e| session.error(&e))?,
    };
    ui.print_json(&value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_paths() {
        assert_eq!(search_object("proj/search"), Some("proj"));
        assert_eq!(search_object("search"), None);
        assert_eq!(search_object("a/b/search"), None);
        assert_eq!(search_object("proj"), None);
    }
}
