//! Text made safe for the markup the checker writes: HTML (`report.html`),
//! SVG (timelines) and XML (`junit.xml`). Student code controls much of that
//! text (messages, thread names, submission folders).

/// `text` safe inside an element or a quoted attribute of HTML, SVG or XML
/// 1.0: the five markup characters become entities, and control characters
/// (but tab and line breaks) and the non-characters XML cannot hold become
/// U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_control_characters_cannot_escape_the_text() {
        assert_eq!(
            escape("a<b>&\"c\"'d'"),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;"
        );
        assert_eq!(
            escape("x\u{1b}[31m\u{7f}\u{ffff}"),
            "x\u{fffd}[31m\u{fffd}\u{fffd}"
        );
        assert_eq!(escape("tab\tand\r\nline"), "tab\tand\r\nline");
    }
}
