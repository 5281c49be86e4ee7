//! Turning text that came from the network into something safe to show and log.
//!
//! Servers echo what they were sent: an HTML error page may quote the request, an
//! `error_description` may quote the code. Anything such text contributes to an
//! [`Error`](crate::Error) therefore goes through [`sanitize`] first: bounded in length,
//! control characters removed, values of known secret parameters and long token-like runs
//! replaced by `[redacted]`.

/// The text written in place of anything that looks like a credential.
pub(crate) const REDACTED: &str = "[redacted]";

/// The longest snippet an error carries, in characters.
pub(crate) const SNIPPET_CHARS: usize = 200;

/// How much of a body is looked at to build a snippet; the rest cannot reach the snippet.
const SCAN_BYTES: usize = 4096;

/// Parameter names whose values are credentials wherever they appear.
const SECRET_NAMES: &[&str] = &[
    "access_token",
    "refresh_token",
    "client_secret",
    "code_verifier",
    "sessionid",
    "authorization",
    "password",
    "jwt_token",
    "id_token",
    "code",
];

/// A run of base64/hex-ish characters at least this long and containing a digit is treated
/// as a credential. Random tokens of this length virtually always contain a digit, while
/// words of natural language do not.
const TOKEN_RUN_WITH_DIGIT: usize = 16;

/// A run at least this long is treated as a credential even without a digit.
const TOKEN_RUN_ANY: usize = 40;

/// Bounds, cleans and redacts text received from a server.
///
/// With `strip_markup`, anything between `<` and `>` is dropped so that an HTML error page
/// reduces to its words.
pub(crate) fn sanitize(raw: &[u8], strip_markup: bool) -> String {
    let scanned = &raw[..raw.len().min(SCAN_BYTES)];
    let text = String::from_utf8_lossy(scanned);
    let text = if strip_markup {
        drop_markup(&text)
    } else {
        text.into_owned()
    };
    let text = redact_named_values(&text);
    let text = redact_token_runs(&text);
    let mut out = String::with_capacity(text.len().min(SNIPPET_CHARS * 2));
    let mut count = 0;
    let mut last_space = true;
    for c in text.chars() {
        if count >= SNIPPET_CHARS {
            out.push('…');
            break;
        }
        let c = if c.is_whitespace() || c.is_control() {
            ' '
        } else {
            c
        };
        if c == ' ' {
            if last_space {
                continue;
            }
            last_space = true;
        } else {
            last_space = false;
        }
        out.push(c);
        count += 1;
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Sanitizes a short server-provided string (an error description or message).
pub(crate) fn sanitize_str(raw: &str) -> String {
    sanitize(raw.as_bytes(), false)
}

fn drop_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '/' | '=')
}

fn ends_value(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | '&' | ',' | ';' | '}' | ']' | '<' | '>')
}

/// Replaces the value after `name=`, `"name":"`, `name: ` … for every secret name.
fn redact_named_values(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let rest = &lower.as_bytes()[i..];
        let Some(name) = SECRET_NAMES.iter().find(|n| rest.starts_with(n.as_bytes())) else {
            i += 1;
            continue;
        };
        // Only whole names: `encode=` or `zipcode:` are not the `code` parameter.
        let before_ok = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let mut j = i + name.len();
        let after_ok = j >= bytes.len() || !(bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_');
        if !(before_ok && after_ok) {
            i = j;
            continue;
        }
        let mut separators = 0;
        let mut saw_assign = false;
        while j < bytes.len()
            && separators < 4
            && matches!(bytes[j], b'"' | b'\'' | b' ' | b':' | b'=')
        {
            saw_assign |= matches!(bytes[j], b':' | b'=');
            j += 1;
            separators += 1;
        }
        // "Bearer"/"Basic" precede the credential in an Authorization header.
        for scheme in ["bearer ", "basic "] {
            if saw_assign && lower.as_bytes()[j..].starts_with(scheme.as_bytes()) {
                j += scheme.len();
            }
        }
        let value_start = j;
        while j < bytes.len() && !ends_value(text[j..].chars().next().unwrap_or(' ')) {
            j += text[j..].chars().next().map_or(1, char::len_utf8);
        }
        if saw_assign && j > value_start {
            out.push_str(&text[copied..value_start]);
            out.push_str(REDACTED);
            copied = j;
        }
        i = j.max(i + 1);
    }
    out.push_str(&text[copied..]);
    out
}

/// Replaces long runs of base64/hex-ish characters that look random.
fn redact_token_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run_start: Option<usize> = None;
    let flush = |out: &mut String, run: &str| {
        let has_digit = run.bytes().any(|b| b.is_ascii_digit());
        let len = run.chars().count();
        if (len >= TOKEN_RUN_WITH_DIGIT && has_digit) || len >= TOKEN_RUN_ANY {
            out.push_str(REDACTED);
        } else {
            out.push_str(run);
        }
    };
    for (idx, c) in text.char_indices() {
        if is_token_char(c) {
            run_start.get_or_insert(idx);
        } else {
            if let Some(start) = run_start.take() {
                flush(&mut out, &text[start..idx]);
            }
            out.push(c);
        }
    }
    if let Some(start) = run_start {
        flush(&mut out, &text[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_values_are_redacted() {
        let s = sanitize(
            b"access_token=abc&x=1 \"refresh_token\": \"zz\" code=Q",
            false,
        );
        assert!(!s.contains("abc"));
        assert!(!s.contains("zz"));
        assert!(!s.contains("=Q"));
        assert!(s.contains("x=1"));
    }

    #[test]
    fn authorization_header_values_are_redacted() {
        let s = sanitize(b"Authorization: Bearer abc.def sessionID: s3", false);
        assert!(!s.contains("abc.def"), "{s}");
        assert!(!s.contains("s3"), "{s}");
    }

    #[test]
    fn long_token_runs_are_redacted_words_are_not() {
        let s = sanitize(
            b"Invalid grant 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
            false,
        );
        assert_eq!(s, "Invalid grant [redacted]");
        let s = sanitize(b"Authentication failed for this application", false);
        assert_eq!(s, "Authentication failed for this application");
    }

    #[test]
    fn markup_and_control_chars_are_dropped_and_length_bounded() {
        let s = sanitize(b"<html><title>502 Bad\x07 Gateway</title></html>", true);
        assert_eq!(s, "502 Bad Gateway");
        let long = "word ".repeat(500);
        let s = sanitize(long.as_bytes(), false);
        assert!(s.chars().count() <= SNIPPET_CHARS + 1);
    }

    #[test]
    fn java_class_names_survive() {
        let s = sanitize(b"com.attask.common.AuthenticationException", false);
        assert_eq!(s, "com.attask.common.AuthenticationException");
    }

    #[test]
    fn names_inside_words_are_left_alone() {
        let s = sanitize(b"encode=1 zipcode=2", false);
        assert_eq!(s, "encode=1 zipcode=2");
    }

    #[test]
    fn multibyte_text_is_handled() {
        let s = sanitize("é code=ü€x ok".as_bytes(), false);
        assert_eq!(s, "é code=[redacted] ok");
    }
}
