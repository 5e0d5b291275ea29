//! A picture of a failing run: the event log a test handed over with its
//! failure (a [`Timeline`] on the harness's `fail` line, see
//! `threadlings_harness::timeline`) drawn as SVG, one lane per thread or
//! process, events top to bottom in log order, the events that broke the
//! invariant in red with the failure's words above them.
//!
//! Everything in a timeline is untrusted: the lanes and labels come from the
//! code under test (a thread named `</svg><script>`), and the line itself from
//! the test process. [`from_report`] takes only a `fail` line's timeline, and
//! [`render`] caps counts and lengths again, keeps log order only where the
//! positions increase, removes control and direction-changing characters and
//! escapes every string. The picture never decides anything: it is drawn for
//! a verdict that is already a failure.
//!
//! The picture is a function of the log and the message only (no time, no
//! path, lanes in order of first appearance): the same failing run replayed
//! (same seed or schedule) draws the same bytes.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use threadlings_protocol::{
    Outcome, ReportLine, TIMELINE_EVENT_CAP, TIMELINE_LANE_CAP, TIMELINE_TEXT_CAP, Timeline,
};

use crate::markup::escape;

/// Lines of the failure message shown above the picture.
const CAPTION_LINES: usize = 8;
/// Characters per caption line.
const CAPTION_WIDTH: usize = 100;
/// Height of one event's row, in pixels.
const ROW: usize = 22;
/// Width of the left column holding the log positions.
const GUTTER: usize = 64;
/// What stands beside an offending event.
const MARK: &str = "◀ broke the invariant (see the message above)";
/// Room for [`MARK`].
const MARK_WIDTH: usize = 340;
/// Width of one character of the 12 px monospace text (an estimate).
const CHAR_WIDTH: f64 = 7.3;

/// The timeline of the run's verdict line, if it is a failure that carries one.
/// `report` is what the harness wrote (JSON lines); the verdict line is the
/// last line that is not a progress line, as in [`crate::judge::judge_run`].
pub fn from_report(report: &str) -> Option<Timeline> {
    let last = report
        .lines()
        .filter_map(|l| serde_json::from_str::<ReportLine>(l).ok())
        .rfind(|l| l.outcome != Outcome::Progress)?;
    if last.outcome == Outcome::Fail {
        last.timeline
    } else {
        None
    }
}

/// One event as drawn.
struct Row {
    index: u64,
    lane: usize,
    label: String,
    offending: bool,
    /// Events of the log left out just before this one.
    skipped_before: u64,
}

/// The timeline, made safe to draw: capped, in increasing log order, text cleaned.
struct Picture {
    lanes: Vec<String>,
    rows: Vec<Row>,
    /// Events of the log after the last row that were left out.
    skipped_after: u64,
}

impl Picture {
    fn of(timeline: &Timeline) -> Picture {
        let offending: BTreeSet<u64> = timeline
            .offending
            .iter()
            .take(TIMELINE_EVENT_CAP)
            .copied()
            .collect();
        let mut lanes: Vec<String> = Vec::new();
        let mut rows: Vec<Row> = Vec::new();
        let mut next = 0u64;
        for event in timeline.events.iter().take(TIMELINE_EVENT_CAP) {
            if event.index < next {
                continue; // out of log order: not drawn
            }
            let name = clean(&event.lane, TIMELINE_TEXT_CAP);
            let lane = match lanes.iter().position(|l| *l == name) {
                Some(lane) => lane,
                None if lanes.len() < TIMELINE_LANE_CAP - 1 => {
                    lanes.push(name.clone());
                    lanes.len() - 1
                }
                None => {
                    if lanes.len() == TIMELINE_LANE_CAP - 1 {
                        lanes.push("(other lanes)".to_owned());
                    }
                    TIMELINE_LANE_CAP - 1
                }
            };
            let label = if lane == TIMELINE_LANE_CAP - 1 {
                clean(&format!("{name}: {}", event.label), TIMELINE_TEXT_CAP)
            } else {
                clean(&event.label, TIMELINE_TEXT_CAP)
            };
            rows.push(Row {
                index: event.index,
                lane,
                label,
                offending: offending.contains(&event.index),
                skipped_before: event.index - next,
            });
            next = event.index.saturating_add(1);
        }
        Picture {
            lanes,
            skipped_after: timeline.total.saturating_sub(next),
            rows,
        }
    }

    /// Width of each lane: its longest text.
    fn lane_widths(&self) -> Vec<usize> {
        let mut chars: Vec<usize> = self.lanes.iter().map(|l| l.chars().count()).collect();
        for row in &self.rows {
            chars[row.lane] = chars[row.lane].max(row.label.chars().count());
        }
        chars
            .into_iter()
            .map(|c| (c as f64 * CHAR_WIDTH).ceil() as usize + 20)
            .collect()
    }
}

/// The SVG picture of `timeline`, failed with `message` (its first lines are
/// the caption), for the test `test`. Deterministic: the same inputs give the
/// same bytes.
pub fn render(timeline: &Timeline, test: &str, message: &str) -> String {
    let picture = Picture::of(timeline);
    let widths = picture.lane_widths();
    let mut lane_x = Vec::with_capacity(widths.len());
    let mut x = GUTTER;
    for width in &widths {
        lane_x.push(x);
        x += width + 10;
    }
    let mut caption = wrap(message);
    if caption.is_empty() {
        caption.push("(no message)".to_owned());
    }
    let caption_width = caption.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let lanes_end = x;
    let width =
        (lanes_end + MARK_WIDTH).max(GUTTER + (caption_width as f64 * CHAR_WIDTH) as usize + 20);
    let top = 36 + caption.len() * 16 + 16;
    let lanes_top = top + 30;
    let gaps = picture.rows.iter().filter(|r| r.skipped_before > 0).count()
        + usize::from(picture.skipped_after > 0);
    let height = lanes_top + (picture.rows.len() + gaps) * ROW + 20;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="monospace" font-size="12">"#
    );
    let _ = writeln!(
        svg,
        r##"<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>"##
    );
    let _ = writeln!(
        svg,
        r#"<text x="10" y="22" font-size="14" font-weight="bold">timeline of {}</text>"#,
        escape(&clean(test, TIMELINE_TEXT_CAP))
    );
    for (i, line) in caption.iter().enumerate() {
        let _ = writeln!(
            svg,
            r##"<text x="10" y="{}" fill="#b00020">{}</text>"##,
            42 + i * 16,
            escape(line)
        );
    }
    // Lane headers and lane lines.
    for (lane, name) in picture.lanes.iter().enumerate() {
        let centre = lane_x[lane] + widths[lane] / 2;
        let _ = writeln!(
            svg,
            r#"<text x="{centre}" y="{}" text-anchor="middle" font-weight="bold">{}</text>"#,
            top + 14,
            escape(name)
        );
        let _ = writeln!(
            svg,
            r##"<line x1="{centre}" y1="{}" x2="{centre}" y2="{}" stroke="#c8c8c8"/>"##,
            top + 20,
            height - 10
        );
    }
    // Events, one row each, with a row for every gap in the log.
    let mut y = lanes_top;
    let mut marked: Vec<(usize, usize)> = Vec::new();
    for row in &picture.rows {
        if row.skipped_before > 0 {
            gap(&mut svg, y, row.skipped_before);
            y += ROW;
        }
        // `class`: what the event is, for a reader of the SVG text (and tests).
        let (class, fill, stroke, weight) = if row.offending {
            ("offending", "#ffd6d6", "#b00020", "bold")
        } else {
            ("event", "#eef3fb", "#8aa4c8", "normal")
        };
        let _ = writeln!(
            svg,
            r##"<text x="{}" y="{}" text-anchor="end" fill="#666666">#{}</text>"##,
            GUTTER - 8,
            y + 15,
            row.index
        );
        let box_x = lane_x[row.lane];
        let _ = writeln!(
            svg,
            r#"<rect class="{class}" x="{box_x}" y="{}" width="{}" height="{}" rx="3" fill="{fill}" stroke="{stroke}"/>"#,
            y + 2,
            widths[row.lane],
            ROW - 4
        );
        let _ = writeln!(
            svg,
            r#"<text class="{class}" x="{}" y="{}" font-weight="{weight}">{}</text>"#,
            box_x + 10,
            y + 15,
            escape(&row.label)
        );
        if row.offending {
            marked.push((box_x + widths[row.lane] / 2, y + ROW / 2));
            let _ = writeln!(
                svg,
                r##"<text x="{lanes_end}" y="{}" fill="#b00020" font-weight="bold">{MARK}</text>"##,
                y + 15
            );
        }
        y += ROW;
    }
    if picture.skipped_after > 0 {
        gap(&mut svg, y, picture.skipped_after);
    }
    // The offending events, joined: the pair (or more) the invariant is about.
    for pair in marked.windows(2) {
        let ((x1, y1), (x2, y2)) = (pair[0], pair[1]);
        let _ = writeln!(
            svg,
            r##"<line x1="{x1}" y1="{}" x2="{x2}" y2="{}" stroke="#b00020" stroke-width="2" stroke-dasharray="4 3"/>"##,
            y1 + ROW / 2 - 2,
            y2 - ROW / 2 + 2
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// The first [`CAPTION_LINES`] lines of `message` wrapped at [`CAPTION_WIDTH`]
/// characters, cleaned.
fn wrap(message: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in message.lines().filter(|l| !l.trim().is_empty()) {
        let mut current = String::new();
        for word in line.split_whitespace() {
            let word = clean(word, CAPTION_WIDTH);
            if !current.is_empty()
                && current.chars().count() + 1 + word.chars().count() > CAPTION_WIDTH
            {
                lines.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(&word);
        }
        lines.push(current);
        if lines.len() > CAPTION_LINES {
            break;
        }
    }
    let more =
        message.lines().filter(|l| !l.trim().is_empty()).count() > 0 && lines.len() > CAPTION_LINES;
    lines.truncate(CAPTION_LINES);
    if more && let Some(last) = lines.last_mut() {
        last.push_str(" …");
    }
    lines
}

/// A row saying how many events of the log are not drawn.
fn gap(svg: &mut String, y: usize, skipped: u64) {
    let plural = if skipped == 1 { "" } else { "s" };
    let _ = writeln!(
        svg,
        r##"<text x="{GUTTER}" y="{}" fill="#666666" font-style="italic">… {skipped} event{plural} not shown …</text>"##,
        y + 15
    );
}

/// `text` on one line, at most `cap` characters, without control characters
/// or characters that change the text's direction (they could make a label
/// read as something else).
fn clean(text: &str, cap: usize) -> String {
    let mut cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FFFE}' | '\u{FFFF}')
            {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .take(cap + 1)
        .collect();
    if cleaned.chars().count() > cap {
        cleaned = cleaned.chars().take(cap.saturating_sub(1)).collect();
        cleaned.push('…');
    }
    cleaned
}

/// Whether `svg` is well-formed as far as this renderer's output goes: every
/// tag closed in order, no stray `<` or `&` in text, one root element. The
/// checker looks at its own picture with it before writing it (and tests do).
pub fn check_well_formed(svg: &str) -> Result<()> {
    let mut open: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut rest = svg;
    while let Some(start) = rest.find(['<', '&']) {
        check_text(&rest[..start])?;
        rest = &rest[start..];
        if rest.starts_with('&') {
            let end = rest.find(';').context("an `&` without `;`")?;
            let entity = &rest[1..end];
            if !matches!(entity, "amp" | "lt" | "gt" | "quot" | "apos") {
                bail!("unknown entity &{entity};");
            }
            rest = &rest[end + 1..];
            continue;
        }
        let end = tag_end(rest).context("a tag that never ends")?;
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            match open.pop() {
                Some(opened) if opened == name.trim() => {}
                other => bail!("</{name}> closes {other:?}"),
            }
        } else {
            let name = tag
                .trim_end_matches('/')
                .split_whitespace()
                .next()
                .context("a tag without a name")?;
            if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                bail!("a tag named {name:?}");
            }
            if open.is_empty() {
                roots += 1;
            }
            if !tag.ends_with('/') {
                open.push(name);
            }
        }
    }
    check_text(rest)?;
    if !open.is_empty() {
        bail!("unclosed tags: {open:?}");
    }
    if roots != 1 {
        bail!("{roots} root elements");
    }
    Ok(())
}

/// The end (`>`) of the tag at the start of `text`, skipping quoted attribute values.
fn tag_end(text: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in text.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '<') => return None,
            (Some(_), '<' | '&') => return None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn check_text(text: &str) -> Result<()> {
    if text.contains('>') {
        bail!("a stray `>` in text: {text:?}");
    }
    Ok(())
}

/// Writes the picture of a failed test's `timeline` as `dir/<test>.svg` and
/// returns its path. `message` is the failure's message (the caption).
pub fn write(dir: &Path, test: &str, timeline: &Timeline, message: &str) -> Result<PathBuf> {
    let svg = render(timeline, test, message);
    check_well_formed(&svg).context("the timeline picture came out malformed")?;
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = path_of(dir, test);
    fs::write(&path, svg).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// Removes the picture of `test` from an earlier check, if any (it passed now,
/// or failed without a timeline).
pub fn remove_stale(dir: &Path, test: &str) {
    let _ = fs::remove_file(path_of(dir, test));
}

/// `dir/<test>.svg`, the name kept to letters, digits, `_` and `-`.
fn path_of(dir: &Path, test: &str) -> PathBuf {
    let name: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    dir.join(format!("{name}.svg"))
}

#[cfg(test)]
mod tests {
    use threadlings_protocol::TimelineEvent;

    use super::*;

    fn event(index: u64, lane: &str, label: &str) -> TimelineEvent {
        TimelineEvent {
            index,
            lane: lane.into(),
            label: label.into(),
        }
    }

    /// A pipeline run whose producer logged `Produced` after the send.
    fn fixed_log() -> Timeline {
        Timeline {
            events: vec![
                event(0, "producer 0", "Produced p0-0"),
                event(1, "consumer 0", "Consumed p0-0"),
                event(2, "consumer 1", "Consumed p0-1"),
                event(3, "producer 0", "Produced p0-1"),
                event(7, "consumer 0", "ConsumerDone"),
            ],
            offending: vec![2, 3],
            total: 9,
        }
    }

    const MESSAGE: &str = "run_with_poison_pills(1 producer, 2 consumers): event 2: \"p0-1\" was \
        consumed before it was produced (log Produced just before the send, Consumed just after \
        the receive)\nseed 3 — replay with: cargo xtask check 05_producer_consumer --seed 3";

    #[test]
    fn the_picture_of_a_fixed_log() {
        let svg = render(&fixed_log(), "poison_pills_keep_every_invariant", MESSAGE);
        check_well_formed(&svg).expect("well-formed");
        insta::assert_snapshot!(svg);
    }

    #[test]
    fn the_same_log_draws_the_same_bytes() {
        let a = render(&fixed_log(), "t", MESSAGE);
        let b = render(&fixed_log().clone(), "t", MESSAGE);
        assert_eq!(a, b);
    }

    #[test]
    fn lanes_come_in_order_of_first_appearance_and_gaps_are_counted() {
        let svg = render(&fixed_log(), "t", MESSAGE);
        let producer = svg.find(">producer 0<").expect("lane");
        let consumer0 = svg.find(">consumer 0<").expect("lane");
        let consumer1 = svg.find(">consumer 1<").expect("lane");
        assert!(producer < consumer0 && consumer0 < consumer1);
        assert!(svg.contains("… 3 events not shown …"), "{svg}");
        assert!(svg.contains("… 1 event not shown …"), "{svg}");
        // The offending pair is red and joined.
        assert_eq!(svg.matches(r##"stroke="#b00020"/>"##).count(), 2);
        assert!(svg.contains("stroke-dasharray"));
    }

    #[test]
    fn hostile_strings_are_escaped() {
        let hostile = "</svg><script>alert(1)</script>&amp;\"'\u{202E}\n<!--";
        let timeline = Timeline {
            events: vec![
                event(0, hostile, hostile),
                event(1, "ok", &format!("x{hostile}")),
            ],
            offending: vec![0],
            total: 2,
        };
        let svg = render(&timeline, hostile, hostile);
        check_well_formed(&svg).expect("well-formed");
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("</svg><"), "{svg}");
        assert!(!svg.contains("<!--"), "{svg}");
        assert!(!svg.contains('\u{202E}'));
        assert!(svg.contains("&lt;/svg&gt;&lt;script&gt;"), "{svg}");
        assert_eq!(svg.matches("</svg>").count(), 1);
    }

    #[test]
    fn counts_and_lengths_are_capped_and_disorder_is_dropped() {
        let events: Vec<TimelineEvent> = (0..5000u64)
            .map(|i| event(i, &format!("lane {}", i % 40), &"y".repeat(500)))
            .chain([event(3, "late", "out of order")])
            .collect();
        let timeline = Timeline {
            events,
            offending: (0..10_000).collect(),
            total: u64::MAX,
        };
        let picture = Picture::of(&timeline);
        assert_eq!(picture.rows.len(), TIMELINE_EVENT_CAP);
        assert_eq!(picture.lanes.len(), TIMELINE_LANE_CAP);
        assert!(
            picture
                .rows
                .iter()
                .all(|r| r.label.chars().count() <= TIMELINE_TEXT_CAP)
        );
        assert!(
            !picture
                .rows
                .iter()
                .any(|r| r.label.contains("out of order"))
        );
        let svg = render(&timeline, "t", "m");
        check_well_formed(&svg).expect("well-formed");
        assert!(svg.len() < 512 * 1024, "{} bytes", svg.len());
    }

    #[test]
    fn only_a_failure_line_gives_a_timeline() {
        let fail = ReportLine {
            outcome: Outcome::Fail,
            message: Some("m".into()),
            not_implemented: None,
            notes: Vec::new(),
            timeline: Some(fixed_log()),
            waits: None,
        };
        let pass = ReportLine {
            outcome: Outcome::Pass,
            ..fail.clone()
        };
        let line = |l: &ReportLine| serde_json::to_string(l).expect("serialises");
        assert_eq!(from_report(&line(&fail)), Some(fixed_log()));
        assert_eq!(from_report(&line(&pass)), None);
        assert_eq!(
            from_report(&format!("{}\nnot json", line(&fail))),
            Some(fixed_log())
        );
        assert_eq!(from_report(""), None);
    }

    #[test]
    fn the_well_formedness_check_catches_broken_markup() {
        for bad in [
            "<svg><text>a</svg>",
            "<svg>a < b</svg>",
            "<svg>&bogus;</svg>",
            "<svg></svg><svg></svg>",
            "<svg x=\"<\"></svg>",
            "<svg>",
        ] {
            assert!(check_well_formed(bad).is_err(), "{bad}");
        }
        check_well_formed("<svg a=\"1\"><text>&amp;</text><rect/></svg>\n").expect("fine");
    }

    #[test]
    fn the_message_is_wrapped_not_cut() {
        let lines = wrap(MESSAGE);
        assert!(
            lines.iter().all(|l| l.chars().count() <= CAPTION_WIDTH),
            "{lines:?}"
        );
        assert!(
            lines
                .join(" ")
                .contains("was consumed before it was produced")
        );
        let long = wrap(&"word ".repeat(2000));
        assert_eq!(long.len(), CAPTION_LINES);
        assert!(long[CAPTION_LINES - 1].ends_with(" …"));
        let exact = "line\n".repeat(CAPTION_LINES);
        assert!(wrap(&exact).iter().all(|l| l == "line"));
        assert_eq!(wrap(&"x".repeat(500)), [format!("{}…", "x".repeat(99))]);
    }

    #[test]
    fn a_picture_is_written_then_removed_once_stale() {
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = dir.path().join("timelines");
        let path = write(&folder, "t", &fixed_log(), MESSAGE).expect("written");
        assert_eq!(path, folder.join("t.svg"));
        let svg = fs::read_to_string(&path).expect("read");
        assert_eq!(svg, render(&fixed_log(), "t", MESSAGE));
        remove_stale(&folder, "t");
        assert!(!path.exists());
        remove_stale(&folder, "never drawn");
    }

    #[test]
    fn file_names_keep_to_safe_characters() {
        let path = path_of(Path::new("/o"), "../x y");
        assert_eq!(path, Path::new("/o/___x_y.svg"));
    }
}
