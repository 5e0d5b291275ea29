//! Terminal helpers shared by the commands: the one place that paints.
//!
//! The styles are `anstyle`'s; whether to use them is `anstream`'s choice for
//! stdout, which honours `NO_COLOR`, `CLICOLOR`/`CLICOLOR_FORCE`, `TERM=dumb`
//! and non-terminals. Text is painted only when colour is on, and printed as it
//! is otherwise: output to a pipe or file stays plain, byte for byte, and a
//! test's own text (untrusted) is never rewritten.

use std::io::IsTerminal;

use anstream::{AutoStream, ColorChoice};
use anstyle::{AnsiColor, Style};

/// Headers and totals.
pub const BOLD: Style = Style::new().bold();
/// Secondary text: earlier hints, footers, "not checked yet".
pub const DIM: Style = Style::new().dimmed();
/// Failures and problems.
pub const RED: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
/// Passes.
pub const GREEN: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));
/// Warnings ("edited since the last check").
pub const YELLOW: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
/// The newest hint.
pub const CYAN: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));

/// Paints text with a [`Style`], or leaves it plain when colour is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paint {
    color: bool,
}

impl Paint {
    /// Colour on or off, as given.
    pub fn new(color: bool) -> Paint {
        Paint { color }
    }

    /// Colour as `anstream` chooses it for stdout.
    pub fn stdout() -> Paint {
        Paint::new(color_stdout())
    }

    /// `text` in `style` (followed by a reset), or `text` itself when colour is off.
    pub fn paint(self, style: Style, text: &str) -> String {
        if self.color && !style.is_plain() {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_owned()
        }
    }
}

/// Whether stdout gets colour (see the module doc).
pub fn color_stdout() -> bool {
    AutoStream::choice(&std::io::stdout()) != ColorChoice::Never
}

/// Whether live progress lines belong on stderr (a terminal).
pub fn progress_on_stderr() -> bool {
    std::io::stderr().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paints_only_when_colour_is_on() {
        assert_eq!(Paint::new(false).paint(BOLD, "a"), "a");
        assert_eq!(Paint::new(true).paint(BOLD, "a"), "\x1b[1ma\x1b[0m");
        assert_eq!(Paint::new(true).paint(RED, "✗"), "\x1b[31m✗\x1b[0m");
        assert_eq!(Paint::new(true).paint(Style::new(), "a"), "a");
    }
}
