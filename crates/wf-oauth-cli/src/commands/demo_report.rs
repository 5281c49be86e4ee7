//! What the demo shows besides its progress lines: the project table and the summary.

use comfy_table::Table;
use serde_json::Value;
use wf_oauth_core::TokenSet;
use wf_oauth_mock::Stats;

use crate::output::Ui;

/// The authorize URL with the `state` value hidden (it is kept out of output like a
/// credential, so a callback cannot be forged from a screenshot or a log).
pub fn redact_state(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some(("state", _)) => "state=[redacted]".to_owned(),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

/// The projects of a search answer as a table.
pub fn project_table(ui: Ui, projects: &Value) -> Table {
    let mut table = ui.table(&["ID", "name", "status", "% complete", "planned completion"]);
    let cell = |p: &Value, field: &str| match &p[field] {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_owned(),
        other => other.to_string(),
    };
    for p in projects.as_array().into_iter().flatten() {
        table.add_row([
            cell(p, "ID"),
            cell(p, "name"),
            cell(p, "status"),
            cell(p, "percentComplete"),
            cell(p, "plannedCompletionDate"),
        ]);
    }
    table
}

/// What the demo saw, for the summary. Only fingerprints of secrets are kept.
#[derive(Debug, Default)]
pub struct Report {
    /// The fake's address and what its callback names.
    pub instance: String,
    /// Fingerprint of the authorization code.
    pub code: String,
    /// Seconds between the callback and the exchange.
    pub exchanged_after: u64,
    /// Fingerprints of the access tokens, in order.
    pub access: Vec<String>,
    /// Fingerprints of the refresh tokens, in order.
    pub refresh: Vec<String>,
    /// Successful refresh grants during the second call.
    pub refreshes: u64,
    /// 401 answers during the second call.
    pub auth_failures: u64,
    /// Projects seen by paging.
    pub projects: usize,
    /// The fake's counters at the end.
    pub stats: Stats,
}

impl Report {
    /// Records the tokens of the code exchange.
    pub fn first_tokens(&mut self, tokens: &TokenSet) {
        self.access.push(tokens.access_token().fingerprint());
        self.refresh
            .extend(tokens.refresh_token().map(|r| r.fingerprint()));
    }

    /// Records the tokens after the refresh.
    pub fn renewed_tokens(&mut self, tokens: &TokenSet) {
        self.first_tokens(tokens);
    }

    /// The summary table.
    pub fn render(&self, ui: Ui) -> String {
        let s = &self.stats;
        let mut table = ui.table(&["Summary", ""]);
        let rows = [
            ("instance", self.instance.clone()),
            (
                "client",
                "demo-client: web application, client secret sent with HTTP Basic".to_owned(),
            ),
            (
                "authorization code",
                format!(
                    "{} — exchanged {} s after the callback (codes live 2 minutes)",
                    self.code, self.exchanged_after
                ),
            ),
            ("access tokens", self.access.join(" → ")),
            (
                "refresh tokens",
                format!("{} (rotated on refresh)", self.refresh.join(" → ")),
            ),
            (
                "transparent refresh",
                format!(
                    "{} API answer 401 → {} refresh_token grant → call replayed",
                    self.auth_failures, self.refreshes
                ),
            ),
            ("projects paged", self.projects.to_string()),
            (
                "requests to the fake",
                format!(
                    "authorize {}, login {}, consent {}, token {} (authorization_code {}, \
                     refresh_token {}), API {}",
                    s.requests("authorize"),
                    s.requests("login"),
                    s.requests("consent"),
                    s.requests("token"),
                    s.grant("authorization_code"),
                    s.grant("refresh_token"),
                    s.requests("api"),
                ),
            ),
        ];
        for (k, v) in rows {
            table.add_row([k.to_owned(), v]);
        }
        format!(
            "{table}\nSecrets were never printed: tokens and codes appear as fingerprints (the \
             first 8 hex digits of their SHA-256).\nNext, with your Workfront: wf-oauth login \
             --instance <your host> --client-id <id> --client-secret-env WF_CLIENT_SECRET"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_is_redacted_and_the_rest_kept() {
        assert_eq!(
            redact_state("http://h/a?client_id=c&state=s3cr3t&response_type=code"),
            "http://h/a?client_id=c&state=[redacted]&response_type=code"
        );
        assert_eq!(redact_state("http://h/a"), "http://h/a");
    }
}
