//! The HTML pages a browser sees: login, consent, errors, and the gateway page used by
//! the `html` fault. Plain HTML5 with stable element ids for browser tests:
//! `#username`, `#password`, `#login`, `#login-error`, `#allow`, `#deny`, `#error`.

use axum::response::Response;
use http::{HeaderValue, StatusCode, header};

/// Escapes text for HTML element content and double-quoted attributes.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML response. Pages are never cached and never framed (the consent page must not
/// be clickable from another site).
pub(crate) fn respond(status: StatusCode, page: String) -> Response {
    let mut resp = Response::new(page.into());
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    resp
}

const STYLE: &str = "body{font-family:sans-serif;background:#f4f5f7;margin:0}\
main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;\
box-shadow:0 1px 4px #0002}label{display:block;margin-top:1rem}\
input{width:100%;padding:.5rem;box-sizing:border-box}\
button{margin-top:1.5rem;margin-right:.5rem;padding:.5rem 1.5rem}\
.error{color:#b00020}.note{color:#555;font-size:.85rem}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}\n\
         </main>\n</body>\n</html>\n",
        title = escape(title),
    )
}

/// The sign-in form. `return_to` is the authorize request to resume after signing in.
pub(crate) fn login_page(action: &str, return_to: &str, error: Option<&str>) -> String {
    let error = error
        .map(|e| {
            format!(
                "<p class=\"error\" id=\"login-error\" role=\"alert\">{}</p>\n",
                escape(e)
            )
        })
        .unwrap_or_default();
    page(
        "Sign in - Workfront (mock)",
        &format!(
            "<h1>Sign in to Workfront</h1>\n{error}\
             <form method=\"post\" action=\"{action}\" id=\"login-form\">\n\
             <input type=\"hidden\" name=\"return_to\" value=\"{return_to}\">\n\
             <label for=\"username\">Username</label>\n\
             <input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" required>\n\
             <label for=\"password\">Password</label>\n\
             <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\n\
             <button id=\"login\" type=\"submit\">Sign in</button>\n\
             </form>\n<p class=\"note\">This is a mock Workfront server for development and tests.</p>",
            action = escape(action),
            return_to = escape(return_to),
        ),
    )
}

/// The consent screen.
pub(crate) fn consent_page(
    action: &str,
    app_name: &str,
    username: &str,
    host: &str,
    consent_token: &str,
) -> String {
    page(
        "Allow access - Workfront (mock)",
        &format!(
            "<h1>Allow access?</h1>\n\
             <p><strong id=\"app-name\">{app}</strong> wants to access your Workfront account \
             <strong id=\"account\">{user}</strong> on <span id=\"host\">{host}</span>.</p>\n\
             <form method=\"post\" action=\"{action}\" id=\"consent-form\">\n\
             <input type=\"hidden\" name=\"consent_token\" value=\"{token}\">\n\
             <button id=\"allow\" type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\n\
             <button id=\"deny\" type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n\
             </form>",
            app = escape(app_name),
            user = escape(username),
            host = escape(host),
            action = escape(action),
            token = escape(consent_token),
        ),
    )
}

/// An error page: the authorization server refuses to redirect anywhere.
pub(crate) fn error_page(message: &str) -> String {
    page(
        "Error - Workfront (mock)",
        &format!(
            "<h1>The request cannot be completed</h1>\n<p class=\"error\" id=\"error\">{}</p>",
            escape(message)
        ),
    )
}

/// What a reverse proxy in front of Workfront answers when the backend is unavailable.
pub(crate) fn gateway_page(status: StatusCode) -> String {
    let line = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    format!(
        "<html>\r\n<head><title>{line}</title></head>\r\n<body>\r\n<center><h1>{line}</h1></center>\r\n\
         <hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_escape_everything_interpolated() {
        let p = login_page("/x", "/a?b=1&c=\"<>", Some("<bad>"));
        assert!(p.contains("/a?b=1&amp;c=&quot;&lt;&gt;"));
        assert!(p.contains("&lt;bad&gt;"));
        let c = consent_page("/c", "<app>", "u", "h", "t");
        assert!(c.contains("&lt;app&gt;"));
        assert!(c.contains("id=\"allow\"") && c.contains("id=\"deny\""));
    }
}
