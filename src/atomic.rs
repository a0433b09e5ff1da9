//! Writing a file so that readers see the old content or the new, never a mix, an empty file,
//! or a file written through a link someone planted: the new content goes to a temporary file
//! created exclusively (`O_CREAT | O_EXCL`, which never follows a link) under an unpredictable
//! name in the same folder, is flushed to disk, takes the original's permissions (and owner,
//! when allowed), and is renamed over the target. When the target is a symbolic link, the
//! file it points to is replaced and the link stays.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Links followed before giving up, as the kernel's `ELOOP` limit.
const MAX_LINKS: usize = 40;

/// Names tried before giving up on finding a free temporary name.
const ATTEMPTS: usize = 16;

/// Replaces the content of `path` with `contents`, atomically.
pub fn write(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(contents)?;
    file.commit()
}

/// A file being written: [`Write`] into it, then [`AtomicFile::commit`]. Dropped without a
/// commit, it leaves the target as it was and removes the temporary file.
pub struct AtomicFile {
    /// `None` once committed.
    file: Option<File>,
    temporary: PathBuf,
    target: PathBuf,
}

impl AtomicFile {
    /// Starts writing `path`: resolves links, and creates the temporary file next to the file
    /// that will be replaced.
    pub fn create(path: &Path) -> io::Result<AtomicFile> {
        let target = resolve_links(path)?;
        let folder = match target.parent() {
            Some(folder) if !folder.as_os_str().is_empty() => folder.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
        let original = match fs::metadata(&target) {
            Ok(metadata) => Some(metadata),
            Err(error) if error.kind() == io::ErrorKind::NotFound => None,
            Err(error) => return Err(error),
        };
        let mut last_error = None;
        for _ in 0..ATTEMPTS {
            let temporary = folder.join(temporary_name(name));
            // A new file gets the usual permissions (the umask applies); a replacement starts
            // private and takes the original's permissions below, before any content is
            // written.
            let mode = if original.is_some() { 0o600 } else { 0o666 };
            match open_exclusive(&temporary, mode) {
                Ok(file) => {
                    let atomic = AtomicFile {
                        file: Some(file),
                        temporary,
                        target,
                    };
                    if let Some(original) = &original {
                        atomic.copy_metadata(original)?;
                    }
                    return Ok(atomic);
                }
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
                    last_error = Some(error);
                }
                Err(error) => return Err(error),
            }
        }
        Err(last_error.unwrap_or_else(|| io::Error::other("no free temporary name")))
    }

    /// The file that will be replaced (links resolved).
    pub fn target(&self) -> &Path {
        &self.target
    }

    fn file(&mut self) -> io::Result<&mut File> {
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("the file was already committed"))
    }

    #[cfg(unix)]
    fn copy_metadata(&self, original: &fs::Metadata) -> io::Result<()> {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let Some(file) = &self.file else {
            return Ok(());
        };
        // Only root may give a file away; anyone else keeps their own ownership.
        let _ = std::os::unix::fs::fchown(file, Some(original.uid()), Some(original.gid()));
        file.set_permissions(fs::Permissions::from_mode(original.mode() & 0o7777))
    }

    #[cfg(not(unix))]
    fn copy_metadata(&self, original: &fs::Metadata) -> io::Result<()> {
        match &self.file {
            Some(file) => file.set_permissions(original.permissions()),
            None => Ok(()),
        }
    }

    /// Flushes the content to disk and renames it over the target.
    pub fn commit(mut self) -> io::Result<()> {
        let file = self.file()?;
        file.flush()?;
        file.sync_all()?;
        // On failure the drop removes the temporary file.
        fs::rename(&self.temporary, &self.target)?;
        self.file = None;
        // The rename itself is durable once the folder is flushed; not every file system
        // can flush a folder, and the content is safe either way.
        if let Some(folder) = self.target.parent().filter(|p| !p.as_os_str().is_empty()) {
            if let Ok(folder) = File::open(folder) {
                let _ = folder.sync_all();
            }
        }
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file()?.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file()?.flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.temporary);
        }
    }
}

/// Creates `path`, failing if anything (a link included, dangling or not) is there already.
fn open_exclusive(path: &Path, mode: u32) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    options.open(path)
}

/// `path` with every symbolic link in its last component followed: the file a write should
/// replace. A link's relative target is read from the link's folder.
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let link = fs::read_link(&current)?;
                current = match current.parent() {
                    Some(folder) if link.is_relative() => folder.join(link),
                    _ => link,
                };
            }
            Ok(_) => return Ok(current),
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(error) => return Err(error),
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links in a row"
    )))
}

/// `.NAME.RANDOM.tmp`: hidden, next to the target, and not guessable in advance. The
/// standard library seeds each `RandomState` from the operating system's random source.
fn temporary_name(name: &std::ffi::OsStr) -> OsString {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    if let Ok(since) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(since.as_nanos());
    }
    let mut temporary = OsString::from(".");
    temporary.push(name);
    temporary.push(format!(".{:016x}.tmp", hasher.finish()));
    temporary
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path) -> String {
        fs::read_to_string(path).unwrap()
    }

    /// The folder's entries, sorted: no temporary file may be left behind.
    fn entries(folder: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn creates_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rules.yaml");
        write(&path, b"one").unwrap();
        assert_eq!(read(&path), "one");
        write(&path, b"two").unwrap();
        assert_eq!(read(&path), "two");
        assert_eq!(entries(dir.path()), ["rules.yaml"]);
    }

    #[test]
    fn an_uncommitted_file_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.html");
        write(&path, b"old").unwrap();
        let mut file = AtomicFile::create(&path).unwrap();
        file.write_all(b"half of the new").unwrap();
        assert_eq!(read(&path), "old");
        drop(file);
        assert_eq!(read(&path), "old");
        assert_eq!(entries(dir.path()), ["report.html"]);
    }

    #[test]
    fn temporary_names_differ() {
        let name = std::ffi::OsStr::new("a.yaml");
        let first = temporary_name(name);
        let second = temporary_name(name);
        assert_ne!(first, second);
        let text = first.to_string_lossy().into_owned();
        assert!(
            text.starts_with(".a.yaml.") && text.ends_with(".tmp"),
            "{text}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("private.yaml");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write(&path, b"new").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        assert_eq!(read(&path), "new");
    }

    #[cfg(unix)]
    #[test]
    fn writes_through_the_link_to_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("shared");
        fs::create_dir(&real).unwrap();
        fs::write(real.join("rules.yaml"), "old").unwrap();
        let link = dir.path().join(".leakprof.yaml");
        std::os::unix::fs::symlink("shared/rules.yaml", &link).unwrap();
        let chain = dir.path().join("chain.yaml");
        std::os::unix::fs::symlink(".leakprof.yaml", &chain).unwrap();
        write(&chain, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(
            fs::symlink_metadata(&chain)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(read(&real.join("rules.yaml")), "new");
        assert_eq!(entries(&real), ["rules.yaml"]);

        let looped = dir.path().join("loop");
        std::os::unix::fs::symlink("loop", &looped).unwrap();
        assert!(write(&looped, b"x").is_err());
    }

    /// Issue 15: a link planted where the temporary file goes is never written through,
    /// dangling or not.
    #[cfg(unix)]
    #[test]
    fn temporary_files_are_created_exclusively() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let planted = dir.path().join(".rules.yaml.tmp");
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        let dangling = dir.path().join(".other.tmp");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        for path in [&planted, &dangling, &victim] {
            let error = open_exclusive(path, 0o600).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::AlreadyExists, "{path:?}");
        }
        assert_eq!(read(&victim), "precious");
        assert!(!dir.path().join("nowhere").exists());
    }

    /// The predictable name the old writer used (`.NAME.leakprof-tmp`), planted as a link,
    /// changes nothing.
    #[cfg(unix)]
    #[test]
    fn planted_links_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let folder = dir.path().join("repo");
        fs::create_dir(&folder).unwrap();
        for name in [
            ".rules.yaml.leakprof-tmp",
            ".rules.yaml.tmp",
            "rules.yaml.tmp",
        ] {
            std::os::unix::fs::symlink(&victim, folder.join(name)).unwrap();
        }
        let path = folder.join("rules.yaml");
        write(&path, b"new").unwrap();
        assert_eq!(read(&path), "new");
        assert_eq!(read(&victim), "precious");
        assert!(
            !fs::symlink_metadata(&path)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
}
