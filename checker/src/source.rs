//! Where the student files come from: the skeletons, the reference solutions, or
//! a student-shaped directory. Only the topic's student files are ever read.

use std::fs;
use std::path::{Path, PathBuf};

use crate::project::{Project, Topic};

/// Largest student file accepted, in bytes.
pub const MAX_STUDENT_FILE: u64 = 512 * 1024;

/// A set of student files to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `exercises/` of the project (what a student edits in place).
    Exercises,
    /// `solutions/` of the project (the reference).
    Solutions,
    /// A directory laid out like the student release: `DIR/exercises/NN_topic/src/...`.
    Dir(PathBuf),
}

/// Why a student file could not be taken; becomes the verdict of its topic.
#[derive(Debug, Clone)]
pub struct SourceProblem(pub String);

impl Source {
    /// A short stable key naming this source's sandboxes (`exercises`, `solutions`, `dir-<hash>`).
    pub fn key(&self) -> String {
        match self {
            Source::Exercises => "exercises".into(),
            Source::Solutions => "solutions".into(),
            Source::Dir(dir) => {
                let name: String = dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .take(40)
                    .collect();
                format!(
                    "dir-{name}-{:016x}",
                    fnv1a(dir.to_string_lossy().as_bytes())
                )
            }
        }
    }

    /// A human description (`the skeletons in exercises/`, `submission alice`).
    pub fn describe(&self) -> String {
        match self {
            Source::Exercises => "exercises/".into(),
            Source::Solutions => "solutions/ (reference)".into(),
            Source::Dir(dir) => dir.display().to_string(),
        }
    }

    /// The directory holding a topic's student files for this source.
    pub fn topic_dir(&self, project: &Project, topic: &Topic) -> PathBuf {
        match self {
            Source::Exercises => project.exercise_dir(topic),
            Source::Solutions => project.solution_dir(topic),
            Source::Dir(dir) => dir.join("exercises").join(&topic.dir),
        }
    }

    /// Where a student file is displayed to a person (`exercises/02_join_all/src/join.rs`).
    pub fn display_path(&self, project: &Project, topic: &Topic, rel: &str) -> String {
        let path = self.topic_dir(project, topic).join(rel);
        path.strip_prefix(&project.root)
            .map(Path::to_path_buf)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// Reads every student file of `topic`, refusing anything that is not a plain,
    /// reasonably small UTF-8 file.
    pub fn read_student_files(
        &self,
        project: &Project,
        topic: &Topic,
    ) -> Result<Vec<(String, String)>, SourceProblem> {
        let dir = self.topic_dir(project, topic);
        // Inside the project, links are checked from the topic folder down; a
        // submission is checked from its own folder (itself included) down.
        let base = match self {
            Source::Exercises | Source::Solutions => dir.clone(),
            Source::Dir(root) => root.clone(),
        };
        for rel in &topic.student_files {
            refuse_links(&base, &dir.join(rel))?;
        }
        if !dir.is_dir() {
            return Err(SourceProblem(format!(
                "{} is missing: expected the topic's files there",
                dir.display()
            )));
        }
        topic
            .student_files
            .iter()
            .map(|rel| {
                let path = dir.join(rel);
                read_plain_file(&path).map(|text| (rel.clone(), text))
            })
            .collect()
    }
}

/// Refuses a student file reached through a symbolic link in any component from
/// `base` (included) down to the file: a topic folder linked to a classmate's
/// would otherwise be graded as that classmate's code.
fn refuse_links(base: &Path, file: &Path) -> Result<(), SourceProblem> {
    let Ok(rel) = file.strip_prefix(base) else {
        return Ok(());
    };
    let mut path = base.to_path_buf();
    let check = |path: &Path| match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(SourceProblem(format!(
            "{} is a symbolic link; links are not accepted in a submission",
            path.display()
        ))),
        _ => Ok(()),
    };
    check(&path)?;
    for part in rel.components() {
        path.push(part);
        check(&path)?;
    }
    Ok(())
}

/// Reads a student file: it must be a regular file (not a link, not a FIFO:
/// opened without following links and without blocking), at most
/// [`MAX_STUDENT_FILE`] bytes, valid UTF-8.
fn read_plain_file(path: &Path) -> Result<String, SourceProblem> {
    let shown = path.display();
    if fs::symlink_metadata(path).is_err() {
        return Err(SourceProblem(format!("{shown} is missing")));
    }
    let not_regular = || {
        SourceProblem(format!(
            "{shown} is not a regular file (links and directories are not accepted)"
        ))
    };
    let bytes = match read_untrusted(path, MAX_STUDENT_FILE) {
        Ok(bytes) => bytes,
        Err(Untrusted::NotRegular) => return Err(not_regular()),
        Err(Untrusted::TooLarge(len)) => {
            return Err(SourceProblem(format!(
                "{shown} is {len} bytes, more than the {MAX_STUDENT_FILE} a student file may have"
            )));
        }
        Err(Untrusted::Io(e)) => return Err(SourceProblem(format!("cannot read {shown}: {e}"))),
    };
    String::from_utf8(bytes).map_err(|e| {
        SourceProblem(format!(
            "{shown} is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Why [`read_untrusted`] refused a file.
#[derive(Debug)]
pub enum Untrusted {
    /// A link, a FIFO, a device, a folder: anything but a regular file.
    NotRegular,
    /// More bytes than allowed (the size found).
    TooLarge(u64),
    /// The file could not be read.
    Io(std::io::Error),
}

/// Reads a file that someone else controls (a submission, a file a test could
/// have touched): opened without following a link and without blocking (a FIFO
/// cannot hang the caller), a regular file only, at most `cap` bytes.
pub fn read_untrusted(path: &Path, cap: u64) -> Result<Vec<u8>, Untrusted> {
    use std::io::Read as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) | Some(libc::ENXIO) => Untrusted::NotRegular,
            _ => Untrusted::Io(e),
        })?;
    let meta = file.metadata().map_err(Untrusted::Io)?;
    if !meta.file_type().is_file() {
        return Err(Untrusted::NotRegular);
    }
    if meta.len() > cap {
        return Err(Untrusted::TooLarge(meta.len()));
    }
    let mut bytes = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(Untrusted::Io)?;
    if bytes.len() as u64 > cap {
        return Err(Untrusted::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// A small stable hash for directory keys (FNV-1a, 64 bit).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::{Untrusted, read_untrusted};
    use std::ffi::CString;
    use std::fs;

    #[test]
    fn only_small_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file.rs");
        fs::write(&file, "fn main() {}\n").unwrap();
        assert_eq!(read_untrusted(&file, 64).unwrap(), b"fn main() {}\n");
        assert!(matches!(
            read_untrusted(&file, 4),
            Err(Untrusted::TooLarge(13))
        ));

        let link = dir.path().join("link.rs");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(matches!(
            read_untrusted(&link, 64),
            Err(Untrusted::NotRegular)
        ));
        assert!(matches!(
            read_untrusted(dir.path(), 64),
            Err(Untrusted::NotRegular)
        ));

        // A FIFO with no writer would block a plain read forever.
        let fifo = dir.path().join("fifo.rs");
        let name = CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        assert!(matches!(
            read_untrusted(&fifo, 64),
            Err(Untrusted::NotRegular)
        ));
    }
}
