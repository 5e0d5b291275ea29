//! Normalises program output before it is compared with a snapshot: first
//! replace what is legitimately nondeterministic, then (optionally) sort lines.

use regex::Regex;

/// A list of replacements applied in order, then an optional line sort.
#[derive(Debug, Clone)]
pub struct Normalizer {
    rules: Vec<(Regex, String)>,
    sort_lines: bool,
}

impl Default for Normalizer {
    /// Thread ids, process ids and durations are replaced by placeholders.
    fn default() -> Self {
        Self::empty()
            .replace(r"ThreadId\(\d+\)", "ThreadId(<n>)")
            .replace(r"\b(pid|PID)[ =:]*\d+", "$1 <pid>")
            .replace(r"\b\d+(\.\d+)?\s?(ns|µs|us|ms|s)\b", "<duration>")
    }
}

impl Normalizer {
    /// A normaliser with no rules at all.
    pub fn empty() -> Self {
        Normalizer {
            rules: Vec::new(),
            sort_lines: false,
        }
    }

    /// Adds a rule: every match of `pattern` becomes `replacement` (`$1` refers to groups).
    ///
    /// Panics on an invalid pattern: patterns are written by suite authors, not students.
    pub fn replace(mut self, pattern: &str, replacement: &str) -> Self {
        let regex = Regex::new(pattern)
            .unwrap_or_else(|e| panic!("invalid normaliser pattern {pattern:?}: {e}"));
        self.rules.push((regex, replacement.to_owned()));
        self
    }

    /// Sorts the lines after the replacements, for output whose order is an interleaving.
    pub fn sorted(mut self) -> Self {
        self.sort_lines = true;
        self
    }

    /// Applies every rule to every line, then sorts if asked.
    pub fn apply(&self, text: &str) -> String {
        let mut lines: Vec<String> = text
            .lines()
            .map(|line| {
                self.rules.iter().fold(line.to_owned(), |acc, (re, rep)| {
                    re.replace_all(&acc, rep.as_str()).into_owned()
                })
            })
            .collect();
        if self.sort_lines {
            lines.sort();
        }
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rules_hide_ids_and_durations_then_sorting_orders_lines() {
        let text = "worker ThreadId(7) done in 12.5ms\npid 4242 started\n";
        assert_eq!(
            Normalizer::default().apply(text),
            "worker ThreadId(<n>) done in <duration>\npid <pid> started"
        );
        assert_eq!(Normalizer::empty().sorted().apply("b\na\nc"), "a\nb\nc");
    }
}
