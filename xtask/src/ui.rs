//! Small terminal helpers shared by the commands.

use std::io::IsTerminal;

/// Whether to print ANSI colours on stdout (a terminal, and `NO_COLOR` unset).
pub fn color_stdout() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Whether live progress lines belong on stderr (a terminal).
pub fn progress_on_stderr() -> bool {
    std::io::stderr().is_terminal()
}
