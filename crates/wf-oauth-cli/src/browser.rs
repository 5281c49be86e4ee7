//! Whether and how to open the user's browser.

use std::io::IsTerminal as _;

use crate::output::in_ci;

/// `--browser`: whether the authorize page opens in the system browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum BrowserMode {
    /// Open it when someone is at a terminal and this is not CI.
    #[default]
    Auto,
    /// Always try to open it.
    System,
    /// Never open it.
    None,
}

/// Whether someone can interact: standard input and standard error are terminals.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

impl BrowserMode {
    /// Whether to try opening a browser under this mode.
    pub fn wants_browser(self) -> bool {
        match self {
            BrowserMode::Auto => interactive() && !in_ci(),
            BrowserMode::System => true,
            BrowserMode::None => false,
        }
    }
}

/// Opens `url` in the system browser; `false` when there is none (headless, SSH) or it
/// failed to start. The URL is always printed too, so a failure here costs nothing.
pub fn open(url: &str) -> bool {
    webbrowser::open(url).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_never_opens() {
        assert!(!BrowserMode::None.wants_browser());
        assert!(BrowserMode::System.wants_browser());
        if !interactive() {
            assert!(!BrowserMode::Auto.wants_browser());
        }
    }
}
