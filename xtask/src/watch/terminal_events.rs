//! Terminal events: command lines read from stdin on a thread of their own.
//!
//! Keys are whole lines (type the letter, then Enter), so watch also works with
//! piped input; the end of input quits.

use std::io::BufRead;
use std::sync::mpsc::Sender;

use super::WatchEvent;

/// What a line typed while watching asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `q`, `quit`, `exit`: end watch.
    Quit,
    /// An empty line, `r`, `c`, `check`: re-check what changed and the topic shown.
    Recheck,
    /// `h`, `hint`: the next hint of the topic shown.
    Hint,
    /// `l`, `list`: the progress table.
    List,
    /// `t NN`, `topic NN`, `n NN`, `next NN`: switch to a topic (the name as typed).
    Topic(String),
    /// `n`, `next` alone: the following topic.
    Next,
    /// `?`, `help`: the keys, explained.
    Help,
    /// Anything else (its first word).
    Unknown(String),
}

impl Command {
    /// Reads one input line (surrounding blanks ignored).
    pub fn parse(line: &str) -> Command {
        let line = line.trim();
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        match word {
            "q" | "quit" | "exit" => Command::Quit,
            "" | "r" | "c" | "check" => Command::Recheck,
            "h" | "hint" => Command::Hint,
            "l" | "list" => Command::List,
            "t" | "topic" | "n" | "next" => {
                if word.starts_with('n') && rest.trim().is_empty() {
                    Command::Next
                } else {
                    Command::Topic(rest.trim().to_owned())
                }
            }
            "?" | "help" => Command::Help,
            other => Command::Unknown(other.to_owned()),
        }
    }
}

/// Reads stdin line by line on a thread of its own and sends each line as a
/// [`Command`]; sends [`WatchEvent::InputEnd`] at the end of input.
pub fn spawn_stdin_reader(tx: Sender<WatchEvent>) {
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut lines = stdin.lock();
        loop {
            let mut line = String::new();
            match lines.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let _ = tx.send(WatchEvent::InputEnd);
                    return;
                }
                Ok(_) => {
                    if tx.send(WatchEvent::Input(Command::parse(&line))).is_err() {
                        return;
                    }
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::Command;

    #[test]
    fn lines_become_commands() {
        assert_eq!(Command::parse("q\n"), Command::Quit);
        assert_eq!(Command::parse("exit"), Command::Quit);
        assert_eq!(Command::parse("\n"), Command::Recheck);
        assert_eq!(Command::parse("  r  "), Command::Recheck);
        assert_eq!(Command::parse("hint"), Command::Hint);
        assert_eq!(Command::parse("l"), Command::List);
        assert_eq!(Command::parse("n"), Command::Next);
        assert_eq!(Command::parse("next"), Command::Next);
        assert_eq!(Command::parse("n 03"), Command::Topic("03".into()));
        assert_eq!(Command::parse("t  04_x "), Command::Topic("04_x".into()));
        // `t` alone names no topic: the topic lookup reports that.
        assert_eq!(Command::parse("t"), Command::Topic(String::new()));
        assert_eq!(Command::parse("?"), Command::Help);
        assert_eq!(Command::parse("zz top"), Command::Unknown("zz".into()));
    }
}
