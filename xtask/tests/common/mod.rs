//! Helpers shared by the xtask integration tests.
// Each test binary uses only some of these helpers.
#![allow(dead_code)]

/// The instructor repository (the parent of the xtask crate).
pub fn repo() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the repository")
        .to_path_buf()
}

/// Processes whose command line contains `marker`, as "pid: command line".
pub fn processes_mentioning(marker: &str) -> Vec<String> {
    checker::confine::procs::mentioning(marker)
}

/// A child's stdout, collected as it comes by a thread.
pub struct Collected {
    text: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Collected {
    /// Starts collecting the (piped) stdout of `child`.
    pub fn from_stdout(child: &mut std::process::Child) -> Collected {
        use std::io::BufRead as _;
        let text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = std::sync::Arc::clone(&text);
        let stdout = child.stdout.take().expect("stdout is piped");
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                let mut all = sink.lock().unwrap_or_else(|e| e.into_inner());
                all.push_str(&line);
                all.push('\n');
            }
        });
        Collected { text }
    }

    /// Everything collected so far.
    pub fn now(&self) -> String {
        self.text.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits until `found` holds on the output after byte `from`; returns that part.
    pub fn wait(
        &self,
        from: usize,
        deadline: std::time::Duration,
        what: &str,
        found: impl Fn(&str) -> bool,
    ) -> String {
        let start = std::time::Instant::now();
        loop {
            let all = self.now();
            let part = all.get(from..).unwrap_or("").to_owned();
            if found(&part) {
                return part;
            }
            assert!(
                start.elapsed() < deadline,
                "the program did not show {what} within {deadline:?}; it printed:\n{all}"
            );
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }
}

/// Waits up to a minute for `child` to exit successfully after it was asked
/// to quit (`what` names the request in the failure).
pub fn expect_exit(child: &mut std::process::Child, what: &str) {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            assert!(status.success(), "it ended with {status} after {what}");
            return;
        }
        if start.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("it did not quit on {what}");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
