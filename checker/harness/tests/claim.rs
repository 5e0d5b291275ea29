//! The report descriptor is claimed (made close-on-exec) before `main`, so no
//! code of a test, not even code that runs before `graded`, can hand it to a
//! child process; and `graded` writes its verdict on it.

use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::Command;

const CHILD: &str = "THREADLINGS_HARNESS_CLAIM_CHILD";

fn close_on_exec(fd: i32) -> bool {
    // SAFETY: F_GETFD on a descriptor number has no memory effects.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    flags >= 0 && flags & libc::FD_CLOEXEC != 0
}

#[test]
fn the_descriptor_is_claimed_before_main_and_carries_the_verdict() {
    if std::env::var_os(CHILD).is_some() {
        // The child: nothing of the harness has run yet in this test...
        let fd: i32 = std::env::var(threadlings_harness::protocol::REPORT_FD_ENV)
            .expect("the descriptor is named")
            .parse()
            .expect("a number");
        assert!(
            close_on_exec(fd),
            "the descriptor was inheritable when the test started"
        );
        threadlings_harness::graded(|| {});
        return;
    }
    let (mut ours, theirs) = UnixStream::pair().expect("a socket pair");
    let fd = theirs.as_raw_fd();
    let mut cmd = Command::new(std::env::current_exe().expect("this test binary"));
    cmd.args([
        "--exact",
        "the_descriptor_is_claimed_before_main_and_carries_the_verdict",
        "--test-threads=1",
    ])
    .env(CHILD, "1")
    .env(threadlings_harness::protocol::REPORT_FD_ENV, fd.to_string());
    // SAFETY: one raw system call between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::fcntl(fd, libc::F_SETFD, 0) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let status = cmd.status().expect("the child runs");
    drop(theirs);
    assert!(status.success(), "the child test failed: {status}");
    let mut report = String::new();
    ours.read_to_string(&mut report)
        .expect("the report is read");
    let line: threadlings_harness::protocol::ReportLine =
        serde_json::from_str(report.trim()).expect("one report line");
    assert_eq!(line.outcome, threadlings_harness::protocol::Outcome::Pass);
}
