//! The processes of this machine, from `/proc`: by owner for the runner (a
//! test's leftover processes, their memory, the tasks RLIMIT_NPROC counts, the
//! users of an IPC object) and by command line for the tests that look for
//! leftovers. A process of interest is read with the `procfs` crate (`stat`,
//! `statm`, its tasks), which parses what was parsed by hand before.
//!
//! Text a process controls (its command line, the names of the files it maps or
//! holds open) is read as bytes and decoded lossily by the callers: `procfs`
//! would refuse a command line that is not UTF-8 and hide that process.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

use procfs::process::Process;

/// The entries of `/proc` that are processes, with their ids; `None` if `/proc`
/// cannot be listed.
fn entries() -> Option<impl Iterator<Item = (fs::DirEntry, i32)>> {
    let entries = fs::read_dir("/proc").ok()?;
    Some(entries.flatten().filter_map(|entry| {
        let pid = entry.file_name().to_str()?.parse().ok()?;
        Some((entry, pid))
    }))
}

/// The processes (not threads) owned by `uid`, or `None` if `/proc` cannot be listed.
///
/// The owner is read from the directory entry (one `fstatat` on the open
/// `/proc`): the runner scans every 50 ms while a test runs, and opening every
/// process of the machine as a `procfs` [`Process`] costs about four times as
/// much. Only the processes of `uid` are opened.
pub fn owned_by(uid: u32) -> Option<impl Iterator<Item = Process>> {
    Some(
        entries()?
            .filter(move |(entry, _)| entry.metadata().is_ok_and(|m| m.uid() == uid))
            .filter_map(|(_, pid)| Process::new(pid).ok()),
    )
}

/// The process group of a process, if it is still there.
pub fn group(process: &Process) -> Option<i32> {
    process.stat().ok().map(|stat| stat.pgrp)
}

/// Whether `pid` is a running process (not a zombie, not gone).
pub fn is_live(pid: i32) -> bool {
    pid > 0 && Process::new(pid).is_ok_and(|p| p.is_alive())
}

/// `/proc/<pid>`, for the files read as bytes (`maps`, `fd/`, `cmdline`).
pub fn dir(process: &Process) -> PathBuf {
    PathBuf::from(format!("/proc/{}", process.pid()))
}

/// Every process whose command line contains `marker`, as `"<pid>: <command
/// line>"` (arguments joined by spaces), for tests that look for processes a
/// run left behind.
pub fn mentioning(marker: &str) -> Vec<String> {
    entries()
        .into_iter()
        .flatten()
        .filter_map(|(entry, pid)| {
            let bytes = fs::read(entry.path().join("cmdline")).ok()?;
            let text = String::from_utf8_lossy(&bytes).replace('\0', " ");
            text.contains(marker).then(|| format!("{pid}: {text}"))
        })
        .collect()
}

/// One thread of a test's process group at the moment its time ran out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadState {
    /// The process it belongs to.
    pub pid: i32,
    /// Whether that process leads the group (for a test: the test process itself).
    pub group_leader: bool,
    /// The thread's id.
    pub tid: i32,
    /// The thread's name (what the code under test set: untrusted, cleaned, short).
    pub name: String,
    /// The kernel's state letter: `R` running, `S` sleeping, `D` waiting on I/O, ...
    pub state: char,
    /// The kernel function it is blocked in (`futex_wait_queue`, `anon_pipe_read`,
    /// `do_wait`, ...), empty when running.
    pub blocked_in: String,
}

/// Threads listed at most, over every process of a group.
pub const THREADS_LISTED: usize = 24;

/// Every thread of every process in process group `pgid` (at most
/// [`THREADS_LISTED`]), read before the group is killed. The names come from
/// the code under test, so they are cut short and stripped of control characters.
pub fn threads_of_group(pgid: i32) -> Vec<ThreadState> {
    let mut found = Vec::new();
    let processes = entries()
        .into_iter()
        .flatten()
        .filter_map(|(_, pid)| Process::new(pid).ok())
        .filter(|process| group(process) == Some(pgid));
    for process in processes {
        let Ok(tasks) = process.tasks() else {
            continue;
        };
        for task in tasks.flatten() {
            if found.len() >= THREADS_LISTED {
                return found;
            }
            let Ok(stat) = task.stat() else {
                continue;
            };
            let wchan = fs::read_to_string(format!("/proc/{}/task/{}/wchan", task.pid, task.tid))
                .unwrap_or_default();
            let wchan = wchan.trim();
            found.push(ThreadState {
                pid: task.pid,
                group_leader: task.pid == pgid,
                tid: task.tid,
                name: clean_name(&stat.comm),
                state: stat.state,
                blocked_in: if wchan == "0" { "" } else { wchan }
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .take(48)
                    .collect(),
            });
        }
    }
    found
}

/// A thread name fit to show: printable, at most 32 characters.
fn clean_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .take(32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_listed_by_owner_and_command_line() {
        // SAFETY: getuid and getpgrp have no preconditions.
        let (me, my_group) = unsafe { (libc::getuid(), libc::getpgrp()) };
        let pid = std::process::id() as i32;
        let mine: Vec<Process> = owned_by(me).expect("/proc is readable").collect();
        let this = mine.iter().find(|p| p.pid() == pid).expect("listed");
        assert_eq!(group(this), Some(my_group));
        assert!(is_live(pid));
        assert!(!is_live(0));
        assert!(
            owned_by(me.wrapping_add(54_321))
                .expect("/proc is readable")
                .all(|p| p.pid() != pid)
        );
        let name = std::env::args().next().expect("argv[0]");
        let found = mentioning(&name);
        assert!(
            found
                .iter()
                .any(|line| line.starts_with(&format!("{pid}: "))),
            "{found:?}"
        );
    }

    #[test]
    fn a_reaped_child_is_not_live() {
        let mut child = std::process::Command::new("true")
            .spawn()
            .expect("spawn true");
        let pid = child.id() as i32;
        child.wait().expect("wait");
        assert!(!is_live(pid));
    }

    #[test]
    fn the_threads_of_a_group_say_where_they_wait() {
        use std::os::unix::process::CommandExt;
        use std::process::{Command, Stdio};
        // A child in a group of its own, blocked reading a pipe nobody writes to.
        let mut child = Command::new("sh")
            .args(["-c", "read line"])
            .stdin(Stdio::piped())
            .process_group(0)
            .spawn()
            .expect("sh starts");
        let pgid = child.id() as i32;
        let mut threads = Vec::new();
        // Until the shell has started and blocks in its read (on a loaded
        // machine, the child may still be the forked test binary, or be
        // blocked somewhere else on its way): up to 10 s.
        for _ in 0..1000 {
            threads = threads_of_group(pgid);
            if threads
                .iter()
                .any(|t| t.name == "sh" && t.blocked_in.contains("pipe"))
            {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(threads.len(), 1, "{threads:?}");
        assert_eq!(threads[0].tid, pgid);
        assert_eq!(threads[0].name, "sh");
        assert!(threads[0].blocked_in.contains("pipe"), "{threads:?}");
        assert!(threads_of_group(pgid).is_empty(), "the group is gone");
    }

    #[test]
    fn hostile_thread_names_are_cleaned_and_cut() {
        assert_eq!(clean_name("a\x1b[31mb\n"), "a?[31mb?");
        assert_eq!(clean_name(&"x".repeat(100)).len(), 32);
    }
}
