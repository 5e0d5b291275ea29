//! The confinement of a test process, on small shell scripts run the way the
//! runner runs a test binary: what it may read, write and signal, what it
//! leaves behind, how its memory is counted. As root, these run once with a
//! sandbox user per test and once more as an ordinary user (`nobody`, through
//! `setpriv`), whose tests share one user id with the grader.

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use checker::confine::{self, Policy, ipc};
use checker::run::{self, Ending, RunOutput, RunRequest};

/// Runs `script` with bash under `policy` (plus read access to the script's
/// folder), from a folder other users can reach, so that as root it runs as a
/// sandbox user. Bash, not `/bin/sh`: Debian's dash cannot redirect to a
/// descriptor above 9, and the report socket's number is above 9 whenever
/// sibling tests of this binary hold descriptors at the same moment.
fn run_script(script: &str, write: Vec<PathBuf>, timeout: Duration) -> RunOutput {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
    let scripts = dir.path().join("scripts");
    fs::create_dir(&scripts).expect("scripts dir");
    let path = scripts.join("script.sh");
    fs::write(&path, script).expect("script written");
    fs::write(dir.path().join("secret.txt"), "the secret\n").expect("secret written");
    run::run_test(&RunRequest {
        binary: PathBuf::from("/bin/bash"),
        test: path.display().to_string(),
        cwd: dir.path().to_path_buf(),
        timeout,
        env: vec![(
            "SECRET".into(),
            dir.path().join("secret.txt").display().to_string(),
        )],
        policy: Policy {
            read: vec![scripts],
            write,
            temp_parent: dir.path().join("run"),
            ..Policy::default()
        },
    })
    .expect("the script runs")
}

fn landlock() -> bool {
    let layers = confine::layers();
    if !layers.complete() {
        eprintln!(
            "note: not checked, this machine lacks {:?}",
            layers.missing()
        );
    }
    layers.complete()
}

fn my_uid() -> u32 {
    fs::metadata("/proc/self").map_or(0, |m| m.uid())
}

#[test]
fn the_layers_are_named() {
    let layers = confine::layers();
    let line = layers.to_string();
    eprintln!("sandbox: {line}");
    assert!(layers.no_new_privs);
    assert_eq!(layers.filesystem, layers.kernel_landlock_abi >= 1);
    assert!(line.contains(if layers.filesystem {
        "Landlock ABI"
    } else {
        "no Landlock"
    }));
}

/// What the script writes straight to the report descriptor.
const LINE: &str = "on-the-descriptor";

#[test]
fn a_test_reads_writes_and_signals_only_what_it_is_given() {
    if !landlock() {
        return;
    }
    let script = format!(
        r#"
try() {{ if (eval "$2") >/dev/null 2>&1; then echo "$1: yes"; else echo "$1: no"; fi; }}
try "read /proc/self/maps" "cat /proc/self/maps"
try "list /proc/self/fd" "ls /proc/self/fd"
try "read the secret" 'cat "$SECRET"'
try "list the sandbox" "ls ."
try "read /etc/hosts" "cat /etc/hosts"
try "write /tmp" ": > /tmp/threadlings-confine-test"
try "write /var/tmp" ": > /var/tmp/threadlings-confine-test"
try "write /dev/shm" ": > /dev/shm/threadlings-confine-test"
try "write TMPDIR" 'mkdir "$TMPDIR/sub" && echo x > "$TMPDIR/sub/file" && chmod 000 "$TMPDIR/sub"'
try "HOME is TMPDIR" 'test "$HOME" = "$TMPDIR"'
try "signal the runner" 'kill -0 $PPID'
try "run a program" "ls /usr/bin"
try "report through /proc" "echo forged > /proc/self/fd/$THREADLINGS_REPORT_FD"
try "report on the descriptor" "echo {LINE} >&$THREADLINGS_REPORT_FD"
echo "tmpdir: $TMPDIR"
"#
    );
    let output = run_script(&script, Vec::new(), Duration::from_secs(20));
    assert_eq!(output.ending, Ending::Exited(0), "{output:?}");
    let said: BTreeSet<&str> = output.stdout.lines().collect();
    for expected in [
        "read /proc/self/maps: no",
        "list /proc/self/fd: no",
        "read the secret: no",
        "list the sandbox: no",
        "read /etc/hosts: no",
        "write /tmp: no",
        "write /var/tmp: no",
        "write /dev/shm: no",
        "write TMPDIR: yes",
        "HOME is TMPDIR: yes",
        "signal the runner: no",
        "run a program: yes",
        "report through /proc: no",
        // The shell is not the harness: it inherited the descriptor and may use it.
        "report on the descriptor: yes",
    ] {
        assert!(
            said.contains(expected),
            "{expected:?} not in\n{}",
            output.stdout
        );
    }
    assert_eq!(output.report.trim(), LINE, "the report holds one line");
    let tmpdir = output
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("tmpdir: "))
        .expect("TMPDIR printed");
    assert!(!Path::new(tmpdir).exists(), "{tmpdir} outlived its test");
    for path in ["/tmp", "/var/tmp", "/dev/shm"] {
        let file = Path::new(path).join("threadlings-confine-test");
        assert!(!file.exists(), "{} was written", file.display());
    }
}

#[test]
fn nothing_a_test_makes_outlives_it() {
    if !landlock() {
        return;
    }
    let marker = format!("threadlings-confine-{}", std::process::id());
    let shm = Path::new(confine::SHARED_MEMORY_DIR).join(&marker);
    let before: BTreeSet<(ipc::Kind, i32)> = ipc::sysv_objects()
        .into_iter()
        .map(|o| (o.kind, o.id))
        .collect();
    let script = format!(
        "echo x > {shm} && echo 'shm: yes'\n\
         ipcmk -M 4096 && ipcmk -S 2 && ipcmk -Q && echo 'sysv: yes'\n\
         sleep 60 &\n",
        shm = shm.display()
    );
    let output = run_script(
        &script,
        vec![PathBuf::from(confine::SHARED_MEMORY_DIR)],
        Duration::from_secs(20),
    );
    assert!(output.stdout.contains("shm: yes"), "{output:?}");
    assert!(output.stdout.contains("sysv: yes"), "{output:?}");
    assert!(!shm.exists(), "{} outlived its test", shm.display());
    let me = my_uid();
    let left: Vec<String> = ipc::sysv_objects()
        .into_iter()
        .filter(|o| !before.contains(&(o.kind, o.id)))
        .filter(|o| o.cuid == me || o.cuid >= run::SANDBOX_UID_BASE)
        .map(|o| format!("{:?} {}", o.kind, o.id))
        .collect();
    assert!(
        left.is_empty(),
        "System V objects outlived the test: {left:?}"
    );
}

#[test]
fn the_memory_of_every_process_of_a_test_counts() {
    // Three processes of 600 MiB each: none alone is over the limit, together they are.
    let script =
        "for i in 1 2 3; do dd if=/dev/zero bs=600M count=1 2>/dev/null | sleep 30 & done\nwait\n";
    let output = run_script(script, Vec::new(), Duration::from_secs(30));
    assert!(
        matches!(&output.ending, Ending::Killed(reason) if reason.contains("memory")),
        "{output:?}"
    );
    assert!(output.elapsed < Duration::from_secs(25), "{output:?}");
}

/// As root: every test above again as `nobody`, an ordinary user whose tests
/// share one user id with the grader (the rule without sandbox users).
#[test]
fn the_confinement_holds_for_an_ordinary_user() {
    const AGAIN: &str = "THREADLINGS_CONFINE_AS_USER";
    if std::env::var_os(AGAIN).is_some() {
        return;
    }
    if my_uid() != 0 {
        eprintln!("note: not root: the tests of this file already ran as an ordinary user");
        return;
    }
    let exe = std::env::current_exe().expect("this test binary");
    let output = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(&exe)
        .args([
            "--test-threads=1",
            "--skip",
            "the_confinement_holds_for_an_ordinary_user",
        ])
        .env(AGAIN, "1")
        .current_dir("/")
        .output();
    let output = match output {
        Ok(output) => output,
        Err(e) => {
            eprintln!("note: not checked as an ordinary user: cannot run setpriv ({e})");
            return;
        }
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "as nobody:\n{text}");
    assert!(text.contains("4 passed"), "as nobody:\n{text}");
    eprintln!("as nobody:\n{text}");
}
