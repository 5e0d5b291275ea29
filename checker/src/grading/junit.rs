//! `junit.xml`: one `<testsuite>` per submission, one `<testcase>` per test.

use std::fmt::Write as _;

use super::{SubmissionResult, truncate};
use crate::markup::escape;

/// Longest failure text kept per test case, in bytes.
const FAILURE_MAX: usize = 8 * 1024;

/// The JUnit XML document.
pub fn junit(results: &[SubmissionResult]) -> String {
    let tests: usize = results
        .iter()
        .map(|r| r.report.topics.iter().map(|t| t.tests.len()).sum::<usize>())
        .sum();
    let failures: usize = results.iter().map(failures_of).sum();
    let seconds: f64 = results.iter().map(|r| r.report.seconds).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"threadlings\" tests=\"{tests}\" failures=\"{failures}\" time=\"{seconds:.3}\">"
    );
    for result in results {
        let count: usize = result.report.topics.iter().map(|t| t.tests.len()).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{count}\" failures=\"{}\" time=\"{:.3}\">",
            escape(&result.id),
            failures_of(result),
            result.report.seconds
        );
        let _ = writeln!(
            out,
            "    <properties><property name=\"score\" value=\"{}\"/><property name=\"max_score\" value=\"{}\"/></properties>",
            result.points(),
            result.max_points()
        );
        if let Some(problem) = &result.problem {
            let _ = writeln!(out, "    <system-out>{}</system-out>", escape(problem));
        }
        for topic in &result.report.topics {
            for test in &topic.tests {
                let _ = write!(
                    out,
                    "    <testcase classname=\"{}.{}\" name=\"{}\" time=\"{:.3}\"",
                    escape(&result.id),
                    escape(&topic.topic),
                    escape(&test.name),
                    test.seconds
                );
                match &test.verdict.failure {
                    None => out.push_str("/>\n"),
                    Some(failure) => {
                        let message = failure.message();
                        let first = message.lines().next().unwrap_or_default();
                        let _ = writeln!(
                            out,
                            ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                            escape(&truncate(first, 200)),
                            kind(failure),
                            escape(&truncate(&message, FAILURE_MAX))
                        );
                    }
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn failures_of(result: &SubmissionResult) -> usize {
    result
        .report
        .topics
        .iter()
        .flat_map(|t| &t.tests)
        .filter(|t| !t.verdict.passed())
        .count()
}

fn kind(failure: &crate::judge::Failure) -> &'static str {
    use crate::judge::Failure::*;
    match failure {
        NotImplemented { .. } => "not_implemented",
        Assertion { .. } => "assertion",
        TimedOut { .. } => "timed_out",
        Crashed { .. } => "crashed",
        Flaky { .. } => "flaky",
        CompileError { .. } => "compile_error",
        BadSubmission { .. } => "bad_submission",
        CheckerError { .. } => "checker_error",
        NotRun { .. } => "not_run",
    }
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    /// The bytes of junit.xml for two submissions of the sample class: one
    /// complete, one with a layout problem and a topic missing.
    #[test]
    fn junit_xml_golden() {
        let class = sample::class();
        let expected = concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            "<testsuites name=\"threadlings\" tests=\"7\" failures=\"5\" time=\"6.500\">\n",
            "  <testsuite name=\"alice\" tests=\"4\" failures=\"3\" time=\"3.250\">\n",
            "    <properties><property name=\"score\" value=\"2.5\"/><property name=\"max_score\" value=\"15.5\"/></properties>\n",
            "    <testcase classname=\"alice.01_thread_basics\" name=\"spawns\" time=\"0.250\"/>\n",
            "    <testcase classname=\"alice.01_thread_basics\" name=\"joins_&lt;all&gt;\" time=\"0.250\">\n",
            "      <failure message=\"left: 1 &lt;b&gt;&amp;&quot;q&quot; &apos;a&apos; ]]&gt; \u{fffd}\u{fffd}\u{fffd}[31m\" type=\"assertion\">left: 1 &lt;b&gt;&amp;&quot;q&quot; &apos;a&apos; ]]&gt; \u{fffd}\u{fffd}\u{fffd}[31m\n",
            "right: 2</failure>\n",
            "    </testcase>\n",
            "    <testcase classname=\"alice.01_thread_basics\" name=\"waits\" time=\"0.250\">\n",
            "      <failure message=\"timed out after 10 s — deadlock, missed wakeup or a forgotten join?\" type=\"timed_out\">timed out after 10 s — deadlock, missed wakeup or a forgotten join?</failure>\n",
            "    </testcase>\n",
            "    <testcase classname=\"alice.02_join_all\" name=\"t\" time=\"0.250\">\n",
            "      <failure message=\"does not compile:\" type=\"compile_error\">does not compile:\n",
            "error[E0308]: mismatched types</failure>\n",
            "    </testcase>\n",
            "  </testsuite>\n",
            "  <testsuite name=\"carol\n",
            "line two\" tests=\"3\" failures=\"2\" time=\"3.250\">\n",
            "    <properties><property name=\"score\" value=\"2.5\"/><property name=\"max_score\" value=\"8.5\"/></properties>\n",
            "    <system-out>no exercises/ folder &lt;here&gt;</system-out>\n",
            "    <testcase classname=\"carol\n",
            "line two.01_thread_basics\" name=\"spawns\" time=\"0.250\"/>\n",
            "    <testcase classname=\"carol\n",
            "line two.01_thread_basics\" name=\"joins_&lt;all&gt;\" time=\"0.250\">\n",
            "      <failure message=\"left: 1 &lt;b&gt;&amp;&quot;q&quot; &apos;a&apos; ]]&gt; \u{fffd}\u{fffd}\u{fffd}[31m\" type=\"assertion\">left: 1 &lt;b&gt;&amp;&quot;q&quot; &apos;a&apos; ]]&gt; \u{fffd}\u{fffd}\u{fffd}[31m\n",
            "right: 2</failure>\n",
            "    </testcase>\n",
            "    <testcase classname=\"carol\n",
            "line two.01_thread_basics\" name=\"waits\" time=\"0.250\">\n",
            "      <failure message=\"timed out after 10 s — deadlock, missed wakeup or a forgotten join?\" type=\"timed_out\">timed out after 10 s — deadlock, missed wakeup or a forgotten join?</failure>\n",
            "    </testcase>\n",
            "  </testsuite>\n",
            "</testsuites>\n",
        );
        assert_eq!(junit(&[class[0].clone(), class[3].clone()]), expected);
    }

    /// Hostile ids and messages cannot close a tag, an attribute or a CDATA
    /// section, and no character XML 1.0 forbids reaches the file.
    #[test]
    fn hostile_text_stays_text() {
        let xml = junit(&sample::class());
        assert!(xml.contains("<testsuite name=\"bob &quot;the builder&quot;, jr\""));
        assert!(xml.contains("name=\"joins_&lt;all&gt;\""));
        assert!(xml.contains("]]&gt;"));
        assert!(!xml.contains("]]>"));
        assert!(!xml.contains("<b>"));
        assert!(
            !xml.chars()
                .any(|c| c < ' ' && !matches!(c, '\n' | '\r' | '\t'))
        );
        // Every `<` and `&` that is not markup of ours was escaped.
        let tags = xml.matches('<').count();
        let ours = [
            "<?xml",
            "<testsuites",
            "</testsuites>",
            "<testsuite ",
            "</testsuite>",
            "<properties>",
            "</properties>",
            "<property ",
            "<system-out>",
            "</system-out>",
            "<testcase ",
            "</testcase>",
            "<failure ",
            "</failure>",
        ];
        assert_eq!(
            tags,
            ours.iter().map(|t| xml.matches(t).count()).sum::<usize>()
        );
        assert_eq!(
            escape("a\u{0}b\u{1b}c\u{fffe}d\te"),
            "a\u{fffd}b\u{fffd}c\u{fffd}d\te"
        );
        assert_eq!(escape("<&>\"'"), "&lt;&amp;&gt;&quot;&apos;");
    }
}
