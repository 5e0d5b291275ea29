//! The test process's own child processes, seen without `/proc` (which the
//! checker's sandbox keeps closed).

/// A child process of this process that nobody has waited for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnwaitedChild {
    /// It ended and stays a zombie until its parent waits for it.
    Zombie {
        /// Its process id.
        pid: u32,
    },
    /// It is still running.
    Running,
}

/// A child of this process not waited for yet — a zombie first, if there is one
/// — or `None` when this process has no child at all. Nothing is reaped.
pub fn unwaited_child() -> Option<UnwaitedChild> {
    // SAFETY: waitid fills the zeroed siginfo it is given; WNOWAIT leaves every
    // child as it is, WNOHANG returns at once.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
        if libc::waitid(libc::P_ALL, 0, &mut info, flags) != 0 {
            return None; // ECHILD: no child
        }
        match info.si_pid() {
            0 => Some(UnwaitedChild::Running),
            pid => Some(UnwaitedChild::Zombie { pid: pid as u32 }),
        }
    }
}
