//! The source tree as it was at one revision: a git repository (with a work tree or bare),
//! read straight from its objects, or a plain folder.
//!
//! Nothing here writes: no checkout, no temporary work tree, and the repository's HEAD, index
//! and work tree stay exactly as they were. A repository is input like any other: a plain
//! folder is never read through a link that leads out of it, and no file over
//! [`MAX_FILE_SIZE`] is read.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Repository, TreeWalkMode, TreeWalkResult};

/// Errors that stop a run: the repository or revision the user named is unusable.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("{path}: no such folder (--repo takes a git repository or a folder of Go source)")]
    NotFound { path: PathBuf },
    #[error("{path}: not a folder (--repo takes a git repository or a folder of Go source)")]
    NotAFolder { path: PathBuf },
    #[error("{path}: unknown revision {rev:?}: {message}")]
    UnknownRevision {
        path: PathBuf,
        rev: String,
        message: String,
    },
    #[error("{path}: --rev {rev:?} needs a git repository, but this is a plain folder")]
    RevisionOfFolder { path: PathBuf, rev: String },
    #[error("{path}: cannot list the files at {rev}: {message}")]
    List {
        path: PathBuf,
        rev: String,
        message: String,
    },
}

/// The largest file read from the source: Go files are far smaller, and parsing a 50 MB one
/// took 15 s and 3 GB.
pub const MAX_FILE_SIZE: u64 = 8 << 20;

/// Where a source sits in version control; see [`Source::provenance`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    /// `/`-separated; empty at the repository's root.
    pub path_in_repository: String,
    /// The remote's URL without credentials.
    pub remote: Option<String>,
}

/// The repository whose work tree holds `folder`, and the folder's path in it.
fn enclosing_repository(folder: &Path) -> Option<(Repository, String)> {
    let repo = Repository::discover(folder).ok()?;
    let top = fs::canonicalize(repo.workdir()?).ok()?;
    let inside = fs::canonicalize(folder).ok()?;
    let relative = inside.strip_prefix(&top).ok()?;
    let parts: Option<Vec<&str>> = relative
        .components()
        .map(|part| part.as_os_str().to_str())
        .collect();
    let prefix = parts?.join("/");
    Some((repo, prefix))
}

/// The URL of `origin`, or of the only remote, with any user name and password taken out (CI
/// checkouts put a token there).
/// The bytes of the file at `relative` under the folder `root` (`canonical` with every link
/// resolved); `Ok(None)` when it is not there. A link that leads out of the folder is an
/// error, never followed.
fn read_under(root: &Path, canonical: &Path, relative: &str) -> Result<Option<Vec<u8>>, ReadError> {
    let other = |message: String| ReadError::Other(message);
    let resolved = match fs::canonicalize(root.join(relative)) {
        Ok(resolved) => resolved,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(other(error.to_string())),
    };
    if !resolved.starts_with(canonical) {
        return Err(ReadError::OutsideRoot {
            root: root.to_path_buf(),
        });
    }
    let file = fs::File::open(&resolved).map_err(|error| other(error.to_string()))?;
    let metadata = file.metadata().map_err(|error| other(error.to_string()))?;
    if !metadata.is_file() {
        return Err(ReadError::NotAFile);
    }
    if metadata.len() > MAX_FILE_SIZE {
        return Err(ReadError::TooLarge {
            size: metadata.len(),
        });
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| other(error.to_string()))?;
    // It grew while being read.
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
        });
    }
    Ok(Some(bytes))
}

/// The bytes of the file at `relative` under `tree`; `Ok(None)` when it is not there or not
/// a file. Its size is checked from the object's header, before it is inflated.
fn read_blob(
    repo: &Repository,
    tree: git2::Oid,
    relative: &str,
) -> Result<Option<Vec<u8>>, ReadError> {
    let other = |error: git2::Error| ReadError::Other(error.message().to_string());
    let tree = repo.find_tree(tree).map_err(other)?;
    let entry = match tree.get_path(Path::new(relative)) {
        Ok(entry) => entry,
        Err(error) if error.code() == git2::ErrorCode::NotFound => return Ok(None),
        Err(error) => return Err(other(error)),
    };
    if entry.kind() != Some(ObjectType::Blob) {
        return Ok(None);
    }
    let (size, _) = repo
        .odb()
        .and_then(|odb| odb.read_header(entry.id()))
        .map_err(other)?;
    if size as u64 > MAX_FILE_SIZE {
        return Err(ReadError::TooLarge { size: size as u64 });
    }
    let blob = repo.find_blob(entry.id()).map_err(other)?;
    Ok(Some(blob.content().to_vec()))
}

fn remote_url(repo: &Repository) -> Option<String> {
    let names = repo.remotes().ok()?;
    let names: Vec<&str> = names.iter().flatten().flatten().collect();
    let name = match names.as_slice() {
        [only] => *only,
        _ => *names.iter().find(|name| **name == "origin")?,
    };
    let remote = repo.find_remote(name).ok()?;
    remote.url().ok().map(without_credentials)
}

/// `https://user:token@host/path` → `https://host/path`; other forms (`git@host:path`, a local
/// path) as they are.
pub fn without_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// One file could not be read. Becomes a warning on the findings that point to it.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Over [`MAX_FILE_SIZE`]: the source check skips it.
    #[error("{size} bytes, over the {} MiB limit for a file read from the source", MAX_FILE_SIZE >> 20)]
    TooLarge { size: u64 },
    /// In a plain folder, the path leads out of it (through a symbolic link or `..`).
    #[error("it leads outside {}, through a symbolic link or `..`; not read", root.display())]
    OutsideRoot { root: PathBuf },
    #[error("not a regular file")]
    NotAFile,
    #[error("{0}")]
    Other(String),
}

pub enum Source {
    Git {
        repo: Repository,
        tree: git2::Oid,
        /// The revision as the user wrote it, and the commit it resolved to.
        rev: String,
        commit: git2::Oid,
        path: PathBuf,
        /// Where `path` is in the repository, `/`-separated; empty at its root. `tree` is
        /// that folder's tree.
        prefix: String,
    },
    Folder {
        root: PathBuf,
        /// `root` with every link resolved: what each file read must stay under.
        canonical: PathBuf,
    },
}

impl Source {
    /// Opens `path` at `rev` (default `HEAD`). A git repository is read from its objects; a
    /// folder that is not one is read from disk, and then `rev` must not be given.
    pub fn open(path: &Path, rev: Option<&str>) -> Result<Source, RepoError> {
        if !path.exists() {
            return Err(RepoError::NotFound {
                path: path.to_path_buf(),
            });
        }
        if !path.is_dir() {
            return Err(RepoError::NotAFolder {
                path: path.to_path_buf(),
            });
        }
        // A folder inside a repository's work tree (a module of a monorepo) is read at a
        // revision from that repository, when one is asked for; without `--rev` it is read
        // from disk like any folder.
        let found = Repository::open(path)
            .map(|repo| (repo, String::new()))
            .ok()
            .or_else(|| rev.and_then(|_| enclosing_repository(path)));
        let Some((repo, prefix)) = found else {
            return match rev {
                Some(rev) => Err(RepoError::RevisionOfFolder {
                    path: path.to_path_buf(),
                    rev: rev.to_string(),
                }),
                None => Ok(Source::Folder {
                    root: path.to_path_buf(),
                    canonical: fs::canonicalize(path).map_err(|_| RepoError::NotFound {
                        path: path.to_path_buf(),
                    })?,
                }),
            };
        };
        let rev = rev.unwrap_or("HEAD").to_string();
        let unknown = |message: String| RepoError::UnknownRevision {
            path: path.to_path_buf(),
            rev: rev.clone(),
            message,
        };
        let (commit, tree) = {
            let commit = repo
                .revparse_single(&rev)
                .and_then(|object| object.peel_to_commit())
                .map_err(|error| unknown(error.message().to_string()))?;
            let tree = commit
                .tree()
                .map_err(|error| unknown(error.message().to_string()))?;
            let tree = if prefix.is_empty() {
                tree.id()
            } else {
                tree.get_path(Path::new(&prefix))
                    .ok()
                    .filter(|entry| entry.kind() == Some(ObjectType::Tree))
                    .ok_or_else(|| unknown(format!("{prefix} is not a folder at this revision")))?
                    .id()
            };
            (commit.id(), tree)
        };
        Ok(Source::Git {
            repo,
            tree,
            rev,
            commit,
            path: path.to_path_buf(),
            prefix,
        })
    }

    /// How the revision is named in messages: `abc1234 (HEAD~2)`, or the folder.
    pub fn describe(&self) -> String {
        match self {
            Source::Git { rev, commit, .. } => {
                let short = &commit.to_string()[..12];
                if commit.to_string().starts_with(rev.as_str()) {
                    short.to_string()
                } else {
                    format!("{short} ({rev})")
                }
            }
            Source::Folder { root, .. } => root.display().to_string(),
        }
    }

    /// The full commit id, for git sources.
    pub fn commit(&self) -> Option<String> {
        match self {
            Source::Git { commit, .. } => Some(commit.to_string()),
            Source::Folder { .. } => None,
        }
    }

    /// Where the source sits in version control: the folder's path inside the git repository
    /// that holds it (a plain folder may be a module of a monorepo's work tree), and that
    /// repository's remote. None for a folder in no repository.
    pub fn provenance(&self) -> Option<Provenance> {
        match self {
            Source::Git { repo, prefix, .. } => Some(Provenance {
                path_in_repository: prefix.clone(),
                remote: remote_url(repo),
            }),
            Source::Folder { root, .. } => {
                let (repo, prefix) = enclosing_repository(root)?;
                Some(Provenance {
                    path_in_repository: prefix,
                    remote: remote_url(&repo),
                })
            }
        }
    }

    /// Every file path at the revision, relative to the root, `/`-separated.
    pub fn files(&self) -> Result<Vec<String>, RepoError> {
        match self {
            Source::Git {
                repo,
                tree,
                rev,
                path,
                ..
            } => {
                let list_error = |error: git2::Error| RepoError::List {
                    path: path.clone(),
                    rev: rev.clone(),
                    message: error.message().to_string(),
                };
                let tree = repo.find_tree(*tree).map_err(list_error)?;
                let mut files = Vec::new();
                tree.walk(TreeWalkMode::PreOrder, |folder, entry| {
                    if entry.kind() == Some(ObjectType::Blob) {
                        if let Ok(name) = entry.name() {
                            files.push(format!("{folder}{name}"));
                        }
                    }
                    TreeWalkResult::Ok
                })
                .map_err(list_error)?;
                Ok(files)
            }
            Source::Folder { root, .. } => {
                let mut files = Vec::new();
                let walker = walkdir::WalkDir::new(root)
                    .sort_by_file_name()
                    .into_iter()
                    .filter_entry(|entry| entry.file_name() != ".git");
                for entry in walker.flatten() {
                    if !entry.file_type().is_file() {
                        continue;
                    }
                    let Ok(relative) = entry.path().strip_prefix(root) else {
                        continue;
                    };
                    if let Some(relative) = relative.to_str() {
                        files.push(relative.replace('\\', "/"));
                    }
                }
                Ok(files)
            }
        }
    }

    /// The bytes of one file at the revision, from the root of the repository rather than
    /// from the `--repo` folder (which may be a module folder in it): where GitHub reads
    /// CODEOWNERS. A plain folder is its own root.
    pub fn read_from_repository_root(&self, path: &str) -> Result<Option<Vec<u8>>, ReadError> {
        match self {
            Source::Git { repo, commit, .. } => {
                let root = repo
                    .find_commit(*commit)
                    .map_err(|error| ReadError::Other(error.message().to_string()))?
                    .tree_id();
                read_blob(repo, root, path)
            }
            // A folder in a work tree: the work tree's root, with the same care as the folder.
            Source::Folder { .. } => match self.enclosing_work_tree() {
                Some((top, canonical)) => read_under(&top, &canonical, path),
                None => self.read(path),
            },
        }
    }

    /// Where the `--repo` folder is in its repository, `/`-separated; empty at the root and
    /// for a folder in no repository.
    pub fn prefix(&self) -> String {
        match self {
            Source::Git { prefix, .. } => prefix.clone(),
            Source::Folder { .. } => self
                .provenance()
                .map(|provenance| provenance.path_in_repository)
                .unwrap_or_default(),
        }
    }

    /// For a folder inside a git work tree (below its root): the work tree's root, as given
    /// and with every link resolved.
    fn enclosing_work_tree(&self) -> Option<(PathBuf, PathBuf)> {
        let Source::Folder { root, .. } = self else {
            return None;
        };
        let (repo, prefix) = enclosing_repository(root)?;
        if prefix.is_empty() {
            return None;
        }
        let top = repo.workdir()?.to_path_buf();
        let canonical = fs::canonicalize(&top).ok()?;
        Some((top, canonical))
    }

    /// The bytes of one file at the revision; `Ok(None)` when it is not there.
    pub fn read(&self, relative: &str) -> Result<Option<Vec<u8>>, ReadError> {
        match self {
            Source::Git { repo, tree, .. } => read_blob(repo, *tree, relative),
            Source::Folder { root, canonical } => read_under(root, canonical, relative),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(path, what read gives: Ok(text), Ok("") for none, or Err(part of the message))`.
    fn check(source: &Source, rows: &[(&str, Result<&str, &str>)]) {
        for (path, expected) in rows {
            let found = match source.read(path) {
                Ok(Some(bytes)) => Ok(String::from_utf8(bytes).unwrap()),
                Ok(None) => Ok(String::new()),
                Err(error) => Err(error.to_string()),
            };
            match (expected, &found) {
                (Ok(text), Ok(found)) => assert_eq!(found, text, "{path}"),
                (Err(part), Err(found)) => assert!(found.contains(part), "{path}: {found}"),
                _ => panic!("{path}: {found:?}, expected {expected:?}"),
            }
        }
    }

    /// Issue 15: a plain folder is never read through a link that leaves it, so a planted
    /// `.leakprof.yaml` or `CODEOWNERS` cannot show another file's content in messages.
    #[cfg(unix)]
    #[test]
    fn folder_reads_stay_inside() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("secret");
        fs::write(&secret, "password").unwrap();
        let root = dir.path().join("repo");
        fs::create_dir_all(root.join("pkg")).unwrap();
        fs::write(root.join("pkg/a.go"), "package pkg").unwrap();
        symlink(&secret, root.join(".leakprof.yaml")).unwrap();
        symlink("../secret", root.join("CODEOWNERS")).unwrap();
        symlink("pkg/a.go", root.join("inside.go")).unwrap();
        symlink(dir.path(), root.join("up")).unwrap();
        symlink("nowhere", root.join("dangling.go")).unwrap();
        let source = Source::open(&root, None).unwrap();
        check(
            &source,
            &[
                ("pkg/a.go", Ok("package pkg")),
                ("inside.go", Ok("package pkg")),
                ("missing.go", Ok("")),
                ("dangling.go", Ok("")),
                (".leakprof.yaml", Err("leads outside")),
                ("CODEOWNERS", Err("leads outside")),
                ("up/secret", Err("leads outside")),
                ("../secret", Err("leads outside")),
                ("pkg", Err("not a regular file")),
            ],
        );
        // Reached through a link, the folder itself is fine.
        let link = dir.path().join("link-to-repo");
        symlink(&root, &link).unwrap();
        check(
            &Source::open(&link, None).unwrap(),
            &[("pkg/a.go", Ok("package pkg"))],
        );
    }

    /// Issue 15: a 50 MB Go file took 15 s; files over the cap are refused before reading.
    #[test]
    fn large_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("folder");
        fs::create_dir(&root).unwrap();
        let big = fs::File::create(root.join("big.go")).unwrap();
        big.set_len(MAX_FILE_SIZE + 1).unwrap();
        fs::write(root.join("small.go"), "package small").unwrap();
        let folder = Source::open(&root, None).unwrap();
        check(
            &folder,
            &[
                ("big.go", Err("8388609 bytes, over the 8 MiB limit")),
                ("small.go", Ok("package small")),
            ],
        );
        assert!(matches!(
            folder.read("big.go"),
            Err(ReadError::TooLarge { size }) if size == MAX_FILE_SIZE + 1
        ));

        let repo_path = dir.path().join("git");
        let repo = Repository::init(&repo_path).unwrap();
        let mut builder = repo.treebuilder(None).unwrap();
        let large = repo.blob(&vec![b'x'; MAX_FILE_SIZE as usize + 1]).unwrap();
        let small = repo.blob(b"package small").unwrap();
        let exact = repo.blob(&vec![b'y'; MAX_FILE_SIZE as usize]).unwrap();
        builder.insert("big.go", large, 0o100644).unwrap();
        builder.insert("small.go", small, 0o100644).unwrap();
        builder.insert("exact.go", exact, 0o100644).unwrap();
        let tree = repo.find_tree(builder.write().unwrap()).unwrap();
        let signature = git2::Signature::now("t", "t@example.com").unwrap();
        repo.commit(Some("HEAD"), &signature, &signature, "c", &tree, &[])
            .unwrap();
        let git = Source::open(&repo_path, None).unwrap();
        check(
            &git,
            &[
                ("big.go", Err("8388609 bytes, over the 8 MiB limit")),
                ("small.go", Ok("package small")),
                ("missing.go", Ok("")),
            ],
        );
        assert_eq!(
            git.read("exact.go").unwrap().map(|bytes| bytes.len()),
            Some(MAX_FILE_SIZE as usize)
        );
    }
}
