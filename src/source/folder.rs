//! The Go files of a package folder, read once per run of the source stage: from the
//! folder's tree at a git revision, else file by file through the path mapper.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::paths::PathMapper;
use super::repo::{self, Source};

/// Reads the Go files of a package folder, once per run of the source stage.
pub(super) struct ReadPackage<'a> {
    pub(super) source: &'a Source,
    pub(super) mapper: &'a PathMapper,
    pub(super) cache: &'a mut BTreeMap<String, Rc<Vec<(String, String)>>>,
}

impl ReadPackage<'_> {
    /// Every Go file of the folder `dir` that reads as UTF-8: path and text. A file that
    /// cannot be read is left out, and what it would have shown stays unknown (a pattern
    /// needs every line of its case).
    pub(super) fn files(self, dir: &str) -> Rc<Vec<(String, String)>> {
        let ReadPackage {
            source,
            mapper,
            cache,
        } = self;
        cache
            .entry(dir.to_string())
            .or_insert_with(|| {
                let files = match git_folder(source, dir) {
                    Some(files) => files,
                    None => mapper
                        .go_files_in(dir)
                        .into_iter()
                        .filter_map(|file| Some((file.to_string(), source.read(file).ok()??)))
                        .collect(),
                };
                let texts = files
                    .into_iter()
                    .filter_map(|(file, bytes)| Some((file, String::from_utf8(bytes).ok()?)))
                    .collect();
                Rc::new(texts)
            })
            .clone()
    }
}

/// The Go files of the folder `dir` of a git revision, with the folder's tree looked up once
/// (reading each by its path would walk the trees above it again, file after file). None for
/// a plain folder, which [`Source::read`] reads with its own guards.
fn git_folder(source: &Source, dir: &str) -> Option<Vec<(String, Vec<u8>)>> {
    let Source::Git { repo, tree, .. } = source else {
        return None;
    };
    let root = repo.find_tree(*tree).ok()?;
    let folder = if dir.is_empty() {
        root
    } else {
        let entry = root.get_path(std::path::Path::new(dir)).ok()?;
        repo.find_tree(entry.id()).ok()?
    };
    let odb = repo.odb().ok()?;
    let mut files = Vec::new();
    for entry in folder.iter() {
        let Some(name) = entry.name().ok().filter(|name| name.ends_with(".go")) else {
            continue;
        };
        if entry.kind() != Some(git2::ObjectType::Blob) {
            continue;
        }
        // The size from the object's header, before inflating it: a file too large to read
        // is left out, as the source stage leaves it out.
        let small = odb
            .read_header(entry.id())
            .is_ok_and(|(size, _)| size as u64 <= repo::MAX_FILE_SIZE);
        let Some(blob) = small.then(|| repo.find_blob(entry.id()).ok()).flatten() else {
            continue;
        };
        let path = if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        };
        files.push((path, blob.content().to_vec()));
    }
    Some(files)
}
