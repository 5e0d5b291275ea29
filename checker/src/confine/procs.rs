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
}
