//! A scripted browser for the fake Workfront's sign-in pages: what a person does with a
//! real browser, done over HTTP so the demo and the tests run without one.
//!
//! It opens the authorize URL, fills in the login form, presses Allow (or Deny) on the
//! consent page and reports where the fake redirects to — the callback address — which
//! [`MockBrowser::visit`] then follows like a browser would. Only the fake's pages are
//! understood (stable element names documented by `wf-oauth-mock`).

use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use url::Url;

use crate::error::CliError;

/// What to press on the consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// The `Allow` button.
    Allow,
    /// The `Deny` button.
    Deny,
}

/// A scripted browser session (it keeps the sign-in cookie between pages).
#[derive(Debug, Clone)]
pub struct MockBrowser {
    http: reqwest::Client,
    cookie: Option<String>,
}

fn fail(message: impl Into<String>) -> CliError {
    CliError::failure(message)
}

impl MockBrowser {
    /// A browser that follows no redirect by itself (each step looks at the `Location`).
    pub fn new() -> Result<Self, CliError> {
        let http = reqwest::Client::builder()
            .redirect(Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| fail(format!("cannot create an HTTP client: {e}")))?;
        Ok(MockBrowser { http, cookie: None })
    }

    async fn get(&self, url: &Url) -> Result<reqwest::Response, CliError> {
        let mut req = self.http.get(url.clone());
        if let Some(c) = &self.cookie {
            req = req.header(COOKIE, c);
        }
        req.send().await.map_err(|e| {
            fail(format!(
                "cannot open {}: {}",
                without_query(url),
                e.without_url()
            ))
        })
    }

    async fn post_form(
        &self,
        url: &Url,
        fields: &[(&str, &str)],
    ) -> Result<reqwest::Response, CliError> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut req = self
            .http
            .post(url.clone())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body);
        if let Some(c) = &self.cookie {
            req = req.header(COOKIE, c);
        }
        req.send().await.map_err(|e| {
            fail(format!(
                "cannot submit {}: {}",
                without_query(url),
                e.without_url()
            ))
        })
    }

    /// Signs in as `username` and answers the consent page; returns the address the fake
    /// redirects the browser to (the callback, with `code` or `error`), not yet visited.
    pub async fn authorize(
        &mut self,
        authorize_url: &str,
        username: &str,
        password: &str,
        consent: Consent,
    ) -> Result<String, CliError> {
        let start = Url::parse(authorize_url)
            .map_err(|e| fail(format!("the authorize URL is invalid: {e}")))?;
        let resp = self.get(&start).await?;
        if let Some(location) = redirect_of(&resp, &start)? {
            // The fake approves by itself (`--auto-approve`).
            return Ok(location.into());
        }
        let page = page_text(resp, "the authorize page").await?;
        let page = if has_field(&page, "consent_token") {
            page
        } else {
            let action = resolve(
                &start,
                &form_action(&page).ok_or_else(|| fail("the authorize page has no login form"))?,
            )?;
            let return_to = hidden_value(&page, "return_to")
                .ok_or_else(|| fail("the login form lost its return address"))?;
            let resp = self
                .post_form(
                    &action,
                    &[
                        ("return_to", &return_to),
                        ("username", username),
                        ("password", password),
                    ],
                )
                .await?;
            if let Some(cookie) = resp.headers().get(SET_COOKIE) {
                let cookie = cookie.to_str().unwrap_or_default();
                self.cookie = cookie.split(';').next().map(str::to_owned);
            }
            let Some(next) = redirect_of(&resp, &action)? else {
                return Err(fail(format!(
                    "the fake refused the sign-in of {username} (wrong user name or password?)"
                )));
            };
            page_text(self.get(&next).await?, "the consent page").await?
        };
        let action = resolve(
            &start,
            &form_action(&page).ok_or_else(|| fail("the consent page has no form"))?,
        )?;
        let token = hidden_value(&page, "consent_token")
            .ok_or_else(|| fail("the consent page has no consent token"))?;
        let decision = match consent {
            Consent::Allow => "allow",
            Consent::Deny => "deny",
        };
        let resp = self
            .post_form(
                &action,
                &[("consent_token", &token), ("decision", decision)],
            )
            .await?;
        match redirect_of(&resp, &action)? {
            Some(callback) => Ok(callback.into()),
            None => Err(fail(format!(
                "the consent page answered {} instead of redirecting",
                resp.status().as_u16()
            ))),
        }
    }

    /// Opens `url` as a browser following a redirect would; returns the status and page.
    pub async fn visit(&self, url: &str) -> Result<(u16, String), CliError> {
        let url = Url::parse(url).map_err(|e| fail(format!("invalid address: {e}")))?;
        let resp = self.get(&url).await?;
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        Ok((status, text))
    }
}

/// The address without its query (which may hold a code): for error messages.
fn without_query(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.to_string()
}

fn resolve(base: &Url, href: &str) -> Result<Url, CliError> {
    base.join(href)
        .map_err(|e| fail(format!("the page points to an invalid address: {e}")))
}

/// The `Location` of a 3xx answer, resolved; `None` for other answers.
fn redirect_of(resp: &reqwest::Response, base: &Url) -> Result<Option<Url>, CliError> {
    if !resp.status().is_redirection() {
        return Ok(None);
    }
    let location = resp
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| fail("a redirect without a Location"))?;
    resolve(base, location).map(Some)
}

async fn page_text(resp: reqwest::Response, what: &str) -> Result<String, CliError> {
    let status = resp.status().as_u16();
    let text = resp
        .text()
        .await
        .map_err(|e| fail(format!("cannot read {what}: {e}")))?;
    if status != 200 {
        return Err(fail(format!("{what} answered {status}")));
    }
    Ok(text)
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The value of `attr="…"` inside `tag` (the text between `<` and `>`).
fn attr(tag: &str, attr: &str) -> Option<String> {
    let marker = format!(" {attr}=\"");
    let start = tag.find(&marker)? + marker.len();
    let len = tag[start..].find('"')?;
    Some(unescape(&tag[start..start + len]))
}

/// The opening tag that contains byte `pos`.
fn tag_around(html: &str, pos: usize) -> Option<&str> {
    let start = html[..pos].rfind('<')?;
    let end = pos + html[pos..].find('>')?;
    Some(&html[start..end])
}

fn has_field(html: &str, name: &str) -> bool {
    html.contains(&format!(" name=\"{name}\""))
}

fn form_action(html: &str) -> Option<String> {
    let pos = html.find("<form")?;
    attr(tag_around(html, pos + 1)?, "action")
}

fn hidden_value(html: &str, name: &str) -> Option<String> {
    let pos = html.find(&format!(" name=\"{name}\""))?;
    attr(tag_around(html, pos)?, "value")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<form method=\"post\" action=\"/integrations/oauth2/login\" id=\"f\">\n\
        <input type=\"hidden\" name=\"return_to\" value=\"/a?x=1&amp;y=&quot;2&quot;\">\n\
        <input id=\"username\" name=\"username\" type=\"text\"></form>";

    #[test]
    fn reads_the_fakes_forms() {
        assert_eq!(
            form_action(PAGE).as_deref(),
            Some("/integrations/oauth2/login")
        );
        assert_eq!(
            hidden_value(PAGE, "return_to").as_deref(),
            Some("/a?x=1&y=\"2\"")
        );
        assert!(has_field(PAGE, "username"));
        assert!(hidden_value(PAGE, "consent_token").is_none());
        assert!(form_action("<p>no form</p>").is_none());
    }
}
