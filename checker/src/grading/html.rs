//! `report.html`: the class at a glance, one self-contained page that opens
//! from disk. Inline CSS and one inline script, no network (a Content Security
//! Policy forbids it), no external font.
//!
//! Tables are written here; the score histograms are drawn in the browser as
//! SVG from the numbers embedded as JSON (a `<noscript>` table shows the same
//! numbers without JavaScript). Every text a student controls (a submission
//! folder's name, a failure message) is escaped: in HTML as entities, inside
//! the JSON block with `\u003c`-style escapes, and the script only ever sets
//! `textContent` and attributes.

use std::fmt::Write as _;

use serde::Serialize;

use super::class::{self, BUCKETS, ClassStats, Histogram};
use super::{RunInfo, SubmissionResult};
use crate::judge::Failure;
use crate::markup::escape;
use crate::report::points;

/// Rows of the per-submission table before it is cut.
const MAX_ROWS: usize = 2000;
/// Rows of the list of ungraded submissions and topics.
const MAX_UNGRADED: usize = 500;

/// The numbers the script draws from.
#[derive(Serialize)]
struct Embedded<'a> {
    buckets: [&'static str; 6],
    histograms: &'a [Histogram],
}

/// The whole page.
pub fn report(info: &RunInfo, results: &[SubmissionResult]) -> String {
    let stats = class::stats(info, results);
    let mut out = String::with_capacity(16 * 1024);
    out.push_str(HEAD);
    out.push_str("<h1>threadlings grades</h1>\n");
    let _ = writeln!(
        out,
        "<p id=\"run\">{}.</p>",
        escape(&class::progress_line(info, results))
    );
    if !info.sandbox.is_empty() {
        let _ = writeln!(
            out,
            "<p id=\"sandbox\">Sandbox: {}.</p>",
            escape(&info.sandbox)
        );
    }
    if !results.is_empty() {
        let mut totals: Vec<f64> = results.iter().map(SubmissionResult::points).collect();
        totals.sort_by(f64::total_cmp);
        let mean = totals.iter().sum::<f64>() / totals.len() as f64;
        let max = results
            .iter()
            .map(SubmissionResult::max_points)
            .fold(0.0, f64::max);
        let _ = writeln!(
            out,
            "<p id=\"totals\">Mean {:.1}, median {}, lowest {}, highest {} of {} points.</p>",
            mean,
            points(totals[totals.len() / 2]),
            points(totals[0]),
            points(totals[totals.len() - 1]),
            points(max)
        );
    }
    out.push_str(
        "<nav><a href=\"#histograms\">scores per topic</a> · <a href=\"#tests\">pass rate per test</a> · \
         <a href=\"#flaky\">flaky tests</a> · <a href=\"#failures\">failures per task</a> · \
         <a href=\"#ungraded\">not graded</a> · <a href=\"#submissions\">submissions</a></nav>\n",
    );

    histograms(&mut out, &stats);
    pass_rates(&mut out, &stats);
    flaky(&mut out, &stats);
    failures(&mut out, &stats);
    ungraded(&mut out, &stats);
    submissions(&mut out, info, results);

    let data = Embedded {
        buckets: BUCKETS,
        histograms: &stats.histograms,
    };
    let json = serde_json::to_string(&data).unwrap_or_else(|_| "{}".into());
    let _ = write!(
        out,
        "<script type=\"application/json\" id=\"class-data\">{}</script>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        json_in_script(&json)
    );
    out
}

fn histograms(out: &mut String, stats: &ClassStats) {
    out.push_str(
        "<section id=\"histograms\">\n<h2>Scores per topic</h2>\n\
         <p>Submissions by share of the topic's points.</p>\n<div class=\"figures\">\n",
    );
    for (i, h) in stats.histograms.iter().enumerate() {
        let _ = write!(
            out,
            "<figure class=\"histogram\" id=\"hist-{i}\" data-topic=\"{}\">\
             <figcaption>{} <small>({} points)</small></figcaption>\n<noscript><table><tr>",
            escape(&h.topic),
            escape(&h.topic),
            points(h.max_points)
        );
        for bucket in BUCKETS {
            let _ = write!(out, "<th>{bucket}</th>");
        }
        out.push_str("</tr><tr>");
        for count in &h.counts {
            let _ = write!(out, "<td>{count}</td>");
        }
        out.push_str("</tr></table></noscript>\n</figure>\n");
    }
    out.push_str("</div>\n</section>\n");
}

fn pass_rates(out: &mut String, stats: &ClassStats) {
    out.push_str(
        "<section id=\"tests\">\n<h2>Pass rate per test, hardest first</h2>\n\
         <table>\n<thead><tr><th>topic</th><th>test</th><th>task</th><th>passed</th><th>rate</th></tr></thead>\n<tbody>\n",
    );
    for t in &stats.tests {
        let percent = t.rate() * 100.0;
        let _ = writeln!(
            out,
            "<tr class=\"test\"><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}/{}</td>\
             <td class=\"rate\"><span class=\"meter\" style=\"width:{percent:.0}px\"></span> {percent:.0}%</td></tr>",
            escape(&t.topic),
            escape(&t.test),
            escape(&t.task),
            t.passed,
            t.graded
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn flaky(out: &mut String, stats: &ClassStats) {
    out.push_str("<section id=\"flaky\">\n<h2>Flaky tests</h2>\n");
    if stats.flaky.is_empty() {
        out.push_str(
            "<p>No test was flaky. (A test is flaky when it passes some repeated runs and fails \
             others: grade with <code>--repeat N</code> to find out.)</p>\n</section>\n",
        );
        return;
    }
    out.push_str(
        "<table>\n<thead><tr><th>topic</th><th>test</th><th>flaky in</th><th>runs passed</th></tr></thead>\n<tbody>\n",
    );
    for f in &stats.flaky {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}/{}</td></tr>",
            escape(&f.topic),
            escape(&f.test),
            f.submissions,
            f.runs_passed,
            f.runs
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn failures(out: &mut String, stats: &ClassStats) {
    out.push_str("<section id=\"failures\">\n<h2>Most common failures per task</h2>\n");
    if stats.tasks.is_empty() {
        out.push_str("<p>No test failed.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table>\n<thead><tr><th>topic</th><th>task</th><th>failed tests</th><th>kinds</th></tr></thead>\n<tbody>\n",
    );
    for t in &stats.tasks {
        let kinds: Vec<String> = t
            .kinds
            .iter()
            .map(|(kind, count)| {
                format!(
                    "<span class=\"kind\" data-kind=\"{}\">{} ×{count}</span>",
                    escape(&format!("{kind:?}")),
                    escape(kind.label())
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "<tr class=\"task\"><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            escape(&t.topic),
            escape(&t.task),
            t.failed,
            kinds.join(" ")
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn ungraded(out: &mut String, stats: &ClassStats) {
    out.push_str("<section id=\"ungraded\">\n<h2>Not graded</h2>\n");
    if stats.ungraded.is_empty() {
        out.push_str("<p>Every submission was graded.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<p>Submissions, or topics of them, whose tests could not run: each scores 0 there.</p>\n\
         <table>\n<thead><tr><th>submission</th><th>topic</th><th>problem</th><th>why</th></tr></thead>\n<tbody>\n",
    );
    for u in stats.ungraded.iter().take(MAX_UNGRADED) {
        let _ = writeln!(
            out,
            "<tr class=\"ungraded\"><td class=\"id\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&u.id),
            escape(u.topic.as_deref().unwrap_or("all")),
            escape(u.kind),
            escape(&u.why)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if stats.ungraded.len() > MAX_UNGRADED {
        let _ = writeln!(
            out,
            "<p>… {} more in summary.md and the results files.</p>",
            stats.ungraded.len() - MAX_UNGRADED
        );
    }
    out.push_str("</section>\n");
}

fn submissions(out: &mut String, info: &RunInfo, results: &[SubmissionResult]) {
    out.push_str(
        "<section id=\"submissions\">\n<h2>Submissions</h2>\n<table>\n<thead><tr><th>submission</th><th>total</th>",
    );
    for topic in &info.topics {
        let _ = write!(out, "<th>{}</th>", escape(topic));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for result in results.iter().take(MAX_ROWS) {
        let _ = write!(
            out,
            "<tr class=\"submission\"><td class=\"id\">{}</td><td class=\"num\">{}/{}</td>",
            escape(&result.id),
            points(result.points()),
            points(result.max_points())
        );
        for topic in &info.topics {
            let cell = match result.report.topics.iter().find(|t| &t.topic == topic) {
                None => "–".to_owned(),
                Some(t) => {
                    let mark = match &t.problem {
                        Some(Failure::CompileError { .. }) => " ⚠ compile error",
                        Some(Failure::BadSubmission { .. }) => " ⚠ bad submission",
                        Some(Failure::CheckerError { .. }) => " ⚠ checker error",
                        _ => "",
                    };
                    format!("{}{mark}", points(t.points()))
                }
            };
            let _ = write!(out, "<td class=\"num\">{cell}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    if results.len() > MAX_ROWS {
        let _ = writeln!(
            out,
            "<p>… {} more rows in grades.csv.</p>",
            results.len() - MAX_ROWS
        );
    }
    out.push_str("</section>\n");
}

/// JSON safe inside a `<script>` element: `<`, `>` and `&` (which JSON holds
/// only inside strings) as `\u` escapes, so no `</script>` or `<!--` can appear.
fn json_in_script(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

const HEAD: &str = "<!DOCTYPE html>
<html lang=\"en\">
<head>
<meta charset=\"utf-8\">
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">
<title>threadlings grades</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; color: #222; }
h1 { margin-bottom: .2rem; }
h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; }
nav { margin: 1rem 0; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { padding: .2rem .6rem; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.id { font-family: ui-monospace, monospace; white-space: pre-wrap; word-break: break-all; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; }
figure.histogram { margin: 0; padding: .5rem; border: 1px solid #ddd; border-radius: 4px; }
figcaption { font-weight: 600; }
svg .bar rect { fill: #4a7fc1; }
svg text { font-size: 11px; text-anchor: middle; fill: #333; }
.meter { display: inline-block; height: .7rem; background: #4a7fc1; vertical-align: middle; }
.kind { display: inline-block; margin: 0 .3rem .2rem 0; padding: 0 .4rem; background: #f1f1f1; border-radius: 3px; }
</style>
</head>
<body>
";

/// Draws each histogram as SVG bars from the embedded numbers; sets only
/// attributes and `textContent`, so no embedded text is ever parsed as markup.
const SCRIPT: &str = r#"
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("class-data").textContent);
  var NS = "http://www.w3.org/2000/svg";
  function node(name, attributes, text) {
    var element = document.createElementNS(NS, name);
    Object.keys(attributes).forEach(function (key) {
      element.setAttribute(key, String(attributes[key]));
    });
    if (text !== undefined) { element.textContent = text; }
    return element;
  }
  data.histograms.forEach(function (histogram, i) {
    var figure = document.getElementById("hist-" + i);
    if (!figure) { return; }
    var most = Math.max.apply(null, [1].concat(histogram.counts));
    var svg = node("svg", { "class": "chart", viewBox: "0 0 330 150", width: 330, height: 150, role: "img" });
    histogram.counts.forEach(function (count, bucket) {
      var x = 8 + bucket * 53;
      var height = Math.round(100 * count / most);
      var y = 120 - height;
      var bar = node("g", { "class": "bar", "data-bucket": bucket, "data-count": count });
      bar.appendChild(node("rect", { x: x, y: y, width: 45, height: Math.max(height, 1) }));
      bar.appendChild(node("text", { x: x + 22, y: y - 4 }, String(count)));
      bar.appendChild(node("text", { x: x + 22, y: 138 }, data.buckets[bucket]));
      bar.appendChild(node("title", {}, data.buckets[bucket] + ": " + count + " submissions"));
      svg.appendChild(bar);
    });
    figure.appendChild(svg);
  });
  document.body.setAttribute("data-drawn", String(data.histograms.length));
})();
"#;

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    fn info() -> RunInfo {
        RunInfo {
            shard: None,
            topics: sample::topics(),
            submissions: sample::class().into_iter().map(|r| r.id).collect(),
            finished: true,
            seconds: 7.0,
            sandbox: "Landlock <ABI 7>".into(),
        }
    }

    /// Hostile ids and messages stay text: the only tags in the page are ours,
    /// the JSON block cannot be closed early, no control character gets in.
    #[test]
    fn hostile_text_stays_text() {
        let mut class = sample::class();
        class[0].id = "</script><script>alert(1)</script><!--".into();
        class[1].report.topics[0].tests[1].verdict.failure = Some(Failure::Assertion {
            message: "<img src=x onerror=alert(1)> & \"quoted\" 'single'".into(),
        });
        class[1].report.topics[1].problem = Some(Failure::CompileError {
            message: "<b>bold</b>\u{0}\u{1b}[31m".into(),
        });
        let page = report(&info(), &class);
        assert!(!page.contains("<script><"), "{page}");
        assert!(!page.contains("alert(1)</script>"));
        assert!(!page.contains("<img"));
        assert!(!page.contains("<b>"));
        assert!(!page.contains("<!--"));
        assert!(page.contains("&lt;/script&gt;&lt;script&gt;alert(1)"));
        assert!(page.contains("&lt;b&gt;bold&lt;/b&gt;\u{fffd}\u{fffd}[31m"));
        assert!(page.contains("Sandbox: Landlock &lt;ABI 7&gt;."));
        assert!(
            !page
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        );
        // Exactly our two scripts, and the data block parses back.
        assert_eq!(page.matches("<script").count(), 2);
        assert_eq!(page.matches("</script>").count(), 2);
        let start = page.find("id=\"class-data\">").expect("data block") + 16;
        let end = start + page[start..].find("</script>").expect("end of data");
        let data: serde_json::Value =
            serde_json::from_str(&page[start..end]).expect("the data block is JSON");
        assert_eq!(
            data["histograms"][0]["counts"],
            serde_json::json!([0, 0, 4, 0, 0, 0])
        );
    }

    #[test]
    fn json_in_script_cannot_close_the_element() {
        let json = serde_json::to_string(&"</script><!-- & -->").expect("json");
        let safe = json_in_script(&json);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: String = serde_json::from_str(&safe).expect("still JSON");
        assert_eq!(back, "</script><!-- & -->");
    }

    #[test]
    fn every_section_is_there() {
        let page = report(&info(), &sample::class());
        for id in [
            "histograms",
            "tests",
            "flaky",
            "failures",
            "ungraded",
            "submissions",
        ] {
            assert!(page.contains(&format!("<section id=\"{id}\">")), "{id}");
        }
        assert_eq!(page.matches("<figure class=\"histogram\"").count(), 2);
        assert_eq!(page.matches("<tr class=\"submission\">").count(), 4);
        // Hardest first: a test nobody passed leads, `spawns` (4/4) is last.
        let rows: Vec<&str> = page.matches("<tr class=\"test\">").collect();
        assert_eq!(rows.len(), 4);
        let first = page.find("<tr class=\"test\">").expect("rows");
        let spawns = page.find("<td>spawns</td>").expect("spawns row");
        let joins = page.find("<td>joins_&lt;all&gt;</td>").expect("joins row");
        assert!(first < joins && joins < spawns);
        assert!(page.contains("data-kind=\"TimedOut\">timed out ×4</span>"));
    }
}
