//! How results reach the user: progress lines (an animated spinner on a terminal, plain
//! lines otherwise), tables, JSON, and timestamps.
//!
//! Colour and animation are for people at a terminal: they are off when the stream is
//! not a terminal, when `NO_COLOR` is set (<https://no-color.org>), and under `CI=true`.

use std::io::IsTerminal as _;
use std::io::Write as _;
use std::time::Duration;

use comfy_table::{ContentArrangement, Table, presets};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;
use wf_oauth_core::UnixTime;

/// Whether `CI` is set to something other than `false`/`0`/empty.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Whether `NO_COLOR` is set to a non-empty value.
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// What the standard output can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ui {
    /// Standard output is a terminal (spinners, UTF-8 tables, pretty JSON).
    pub terminal: bool,
    /// Colour and animation are allowed.
    pub fancy: bool,
}

impl Ui {
    /// Detects the standard output.
    pub fn detect() -> Self {
        let terminal = std::io::stdout().is_terminal();
        Ui {
            terminal,
            fancy: terminal && !no_color() && !in_ci(),
        }
    }

    /// A table in the style this output supports.
    pub fn table(&self, header: &[&str]) -> Table {
        let mut table = Table::new();
        table
            .load_preset(if self.terminal {
                presets::UTF8_FULL_CONDENSED
            } else {
                presets::ASCII_FULL_CONDENSED
            })
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header.iter().copied());
        table
    }

    /// Prints JSON: indented on a terminal, one line when piped.
    pub fn print_json(&self, value: &Value) {
        let text = if self.terminal {
            serde_json::to_string_pretty(value)
        } else {
            serde_json::to_string(value)
        }
        .expect("a JSON value always serializes");
        println_out(&text);
    }
}

/// Writes a line to standard output; a closed pipe (`| head`) ends the output quietly.
pub fn println_out(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// Numbered progress lines for a sequence of steps.
#[derive(Debug)]
pub struct Steps {
    ui: Ui,
    total: usize,
    done: usize,
}

/// One step in progress; finish it with [`Step::done`].
#[derive(Debug)]
pub struct Step {
    spinner: Option<ProgressBar>,
    prefix: String,
    fancy: bool,
}

impl Steps {
    /// `total` steps reported on standard output.
    pub fn new(ui: Ui, total: usize) -> Self {
        Steps { ui, total, done: 0 }
    }

    /// Starts the next step, described by `what`.
    pub fn start(&mut self, what: &str) -> Step {
        self.done += 1;
        let prefix = format!("[{}/{}]", self.done, self.total);
        let spinner = self.ui.fancy.then(|| {
            let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stdout());
            pb.set_style(
                ProgressStyle::with_template("{prefix} {spinner:.cyan} {msg}")
                    .expect("a valid template"),
            );
            pb.set_prefix(prefix.clone());
            pb.set_message(format!("{what}…"));
            pb.enable_steady_tick(Duration::from_millis(80));
            pb
        });
        Step {
            spinner,
            prefix,
            fancy: self.ui.fancy,
        }
    }
}

impl Step {
    /// Ends the step with a line describing what happened.
    pub fn done(self, line: &str) {
        if let Some(pb) = &self.spinner {
            pb.finish_and_clear();
        }
        let mark = if self.fancy {
            "\u{1b}[32m✓\u{1b}[0m"
        } else {
            "ok"
        };
        println_out(&format!("{} {mark} {line}", self.prefix));
    }

    /// Ends the step without a line (the error is reported by the caller).
    pub fn abandon(self) {
        if let Some(pb) = &self.spinner {
            pb.finish_and_clear();
        }
    }

    /// Prints a line under the step while it runs (above the spinner).
    pub fn note(&self, line: &str) {
        match &self.spinner {
            Some(pb) => pb.println(format!("      {line}")),
            None => println_out(&format!("      {line}")),
        }
    }
}

/// `2026-11-23T19:06:00Z`.
pub fn timestamp(t: UnixTime) -> String {
    humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + Duration::from_secs(t.as_secs()))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(
            timestamp(UnixTime::from_secs(1_700_000_000)),
            "2023-11-14T22:13:20Z"
        );
    }

    #[test]
    fn plain_tables_are_ascii() {
        let ui = Ui {
            terminal: false,
            fancy: false,
        };
        let mut t = ui.table(&["a", "b"]);
        t.add_row(["1", "2"]);
        let text = t.to_string();
        assert!(text.is_ascii(), "{text}");
        assert!(text.contains('a') && text.contains('2'));
    }
}
