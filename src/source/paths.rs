//! Maps the file paths a profile records to paths in the repository at the revision.
//!
//! A binary records absolute build paths (`/home/ci/work/app/pkg/x.go`, from any machine and
//! folder), or with `-trimpath` module paths (`example.com/app/pkg/x.go`); dependencies sit
//! in the module cache (`…/pkg/mod/github.com/a/b@v1.2.3/x.go`) or in `vendor/`. In order:
//! module-cache paths are dependencies; a path that starts with a module path declared by a
//! `go.mod` at the revision (every one in the tree, so multi-module repos and go.work
//! workspaces are covered) maps into that module's folder; anything else maps to the
//! repository file sharing the longest run of trailing path components with it, when one
//! file wins outright.
//!
//! Own code is what maps into the repository outside `vendor/`. A function of package `main`
//! or of a package under one of the repository's module paths is own code even when its file
//! cannot be found: that is missing source, reported as a warning, never silently dropped.

use std::collections::{HashMap, HashSet};

use crate::blocking::{is_std_function, package_path};
use crate::model::Exclusion;
use crate::source::repo::{RepoError, Source};

/// A Go module declared by a `go.mod` at the revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Module {
    /// The module path (`example.com/app`).
    pub path: String,
    /// Its folder in the repository, `""` at the root.
    pub dir: String,
}

/// Where a profile's file is in the repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mapped {
    /// Own code at this repository path.
    Own(String),
    /// Not own code: the standard library, a dependency, vendored code.
    Foreign {
        repo_path: Option<String>,
        why: Exclusion,
    },
    /// Own code by its package, but no file at the revision matches (or several do).
    Missing { why: String },
}

pub struct PathMapper {
    files: HashSet<String>,
    /// File name → every repository path with that name.
    by_name: HashMap<String, Vec<String>>,
    /// Longest module path first, so nested modules win over their parents.
    modules: Vec<Module>,
}

impl PathMapper {
    /// Lists the files at the revision and reads every `go.mod` among them.
    pub fn new(source: &Source) -> Result<PathMapper, RepoError> {
        let files = source.files()?;
        let mut modules = Vec::new();
        let mut by_name: HashMap<String, Vec<String>> = HashMap::new();
        for file in &files {
            let name = file.rsplit('/').next().unwrap_or(file);
            by_name
                .entry(name.to_string())
                .or_default()
                .push(file.clone());
            if name == "go.mod" && !has_component(file, "vendor") {
                let Ok(Some(bytes)) = source.read(file) else {
                    continue;
                };
                if let Some(path) = module_path(&String::from_utf8_lossy(&bytes)) {
                    let dir = file.strip_suffix("go.mod").unwrap_or_default();
                    let dir = dir.strip_suffix('/').unwrap_or(dir).to_string();
                    modules.push(Module { path, dir });
                }
            }
        }
        modules.sort_by(|a, b| {
            b.path
                .len()
                .cmp(&a.path.len())
                .then_with(|| a.dir.cmp(&b.dir))
        });
        Ok(PathMapper {
            files: files.into_iter().collect(),
            by_name,
            modules,
        })
    }

    pub fn modules(&self) -> &[Module] {
        &self.modules
    }

    /// The Go files of the folder `dir` (repository-relative, `""` at the root), sorted: a
    /// package, for analyses that look beyond one file.
    pub fn go_files_in(&self, dir: &str) -> Vec<&str> {
        let mut files: Vec<&str> = self
            .files
            .iter()
            .map(String::as_str)
            .filter(|file| {
                let parent = file.rsplit_once('/').map_or("", |(parent, _)| parent);
                parent == dir && file.ends_with(".go")
            })
            .collect();
        files.sort_unstable();
        files
    }

    /// Maps the file of a frame of `function`.
    pub fn map(&self, profile_file: &str, function: &str) -> Mapped {
        if is_std_function(function) {
            return Mapped::Foreign {
                repo_path: None,
                why: Exclusion::StandardLibrary,
            };
        }
        let file = profile_file.replace('\\', "/");
        if let Some(module) = module_cache_module(&file) {
            return Mapped::Foreign {
                repo_path: None,
                why: Exclusion::ModuleCache { module },
            };
        }
        if !is_absolute(&file) {
            for module in &self.modules {
                let Some(rest) = file
                    .strip_prefix(&module.path)
                    .and_then(|r| r.strip_prefix('/'))
                else {
                    continue;
                };
                let candidate = if module.dir.is_empty() {
                    rest.to_string()
                } else {
                    format!("{}/{rest}", module.dir)
                };
                if self.files.contains(&candidate) {
                    return self.classify(candidate);
                }
            }
        }
        let own_package = self.is_own_package(function);
        match self.longest_suffix(&file, own_package) {
            Suffix::One(path) => self.classify(path),
            Suffix::Ambiguous(paths) => Mapped::Missing {
                why: format!(
                    "{file} matches several files equally well ({}); the source is not analysed",
                    paths.join(", ")
                ),
            },
            Suffix::None if own_package => Mapped::Missing {
                why: format!("{file} is not in the repository"),
            },
            Suffix::None => Mapped::Foreign {
                repo_path: None,
                why: Exclusion::OtherPackage {
                    package: package_path(function).to_string(),
                },
            },
        }
    }

    fn classify(&self, path: String) -> Mapped {
        if has_component(&path, "vendor") {
            Mapped::Foreign {
                why: Exclusion::Vendored { path: path.clone() },
                repo_path: Some(path),
            }
        } else {
            Mapped::Own(path)
        }
    }

    /// Package `main`, or a package under one of the repository's module paths.
    pub fn is_own_package(&self, function: &str) -> bool {
        let package = package_path(function).replace("%2e", ".");
        package == "main"
            || self.modules.iter().any(|module| {
                package == module.path
                    || package
                        .strip_prefix(module.path.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
    }

    fn longest_suffix(&self, file: &str, own_package: bool) -> Suffix {
        let name = file.rsplit('/').next().unwrap_or(file);
        let Some(candidates) = self.by_name.get(name) else {
            return Suffix::None;
        };
        let mut best = 0;
        let mut winners: Vec<&String> = Vec::new();
        for candidate in candidates {
            let shared = shared_trailing_components(file, candidate);
            if shared > best {
                best = shared;
                winners.clear();
            }
            if shared == best {
                winners.push(candidate);
            }
        }
        // A file name alone is weak evidence: enough only for code known to be ours.
        if best == 0 || (best == 1 && !own_package) {
            return Suffix::None;
        }
        match winners.as_slice() {
            [one] => Suffix::One((*one).clone()),
            many => Suffix::Ambiguous(many.iter().map(|path| (*path).clone()).collect()),
        }
    }
}

enum Suffix {
    One(String),
    Ambiguous(Vec<String>),
    None,
}

fn shared_trailing_components(a: &str, b: &str) -> usize {
    a.rsplit('/')
        .zip(b.rsplit('/'))
        .take_while(|(x, y)| x == y)
        .count()
}

fn has_component(path: &str, component: &str) -> bool {
    path.split('/').any(|part| part == component)
}

fn is_absolute(path: &str) -> bool {
    path.starts_with('/') || path.as_bytes().get(1) == Some(&b':')
}

/// `…/pkg/mod/github.com/a/b@v1.2.3/x.go` or, with -trimpath, `github.com/a/b@v1.2.3/x.go` →
/// `github.com/a/b@v1.2.3`.
fn module_cache_module(file: &str) -> Option<String> {
    let after = match file.find("/pkg/mod/") {
        Some(at) => &file[at + "/pkg/mod/".len()..],
        None if !is_absolute(file) => file,
        None => return None,
    };
    let mut module = Vec::new();
    for part in after.split('/') {
        module.push(part);
        if part.contains('@') {
            return Some(module.join("/"));
        }
    }
    None
}

/// The path of the `module` directive of a go.mod file.
pub fn module_path(go_mod: &str) -> Option<String> {
    for line in go_mod.lines() {
        let line = line.split("//").next().unwrap_or_default().trim();
        let Some(rest) = line.strip_prefix("module") else {
            continue;
        };
        if !rest.starts_with([' ', '\t', '"']) {
            continue;
        }
        let path = rest.trim().trim_matches(|c| c == '"' || c == '`');
        if !path.is_empty() {
            return Some(path.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapper(files: &[&str], modules: &[(&str, &str)]) -> PathMapper {
        let mut by_name: HashMap<String, Vec<String>> = HashMap::new();
        for file in files {
            by_name
                .entry(file.rsplit('/').next().unwrap().to_string())
                .or_default()
                .push(file.to_string());
        }
        let mut modules: Vec<Module> = modules
            .iter()
            .map(|(path, dir)| Module {
                path: path.to_string(),
                dir: dir.to_string(),
            })
            .collect();
        modules.sort_by_key(|module| std::cmp::Reverse(module.path.len()));
        PathMapper {
            files: files.iter().map(|f| f.to_string()).collect(),
            by_name,
            modules,
        }
    }

    /// A mapping as the report words it: the exclusion by its sentence.
    #[derive(Debug, PartialEq)]
    enum Shown {
        Own(String),
        Foreign(Option<String>, String),
        Missing(String),
    }

    fn check(mapper: &PathMapper, file: &str, function: &str, expected: Shown) {
        let got = match mapper.map(file, function) {
            Mapped::Own(path) => Shown::Own(path),
            Mapped::Foreign { repo_path, why } => Shown::Foreign(repo_path, why.to_string()),
            Mapped::Missing { why } => Shown::Missing(why),
        };
        assert_eq!(got, expected, "{file} ({function})");
    }

    fn own(path: &str) -> Shown {
        Shown::Own(path.to_string())
    }

    fn foreign(repo_path: Option<&str>, why: &str) -> Shown {
        Shown::Foreign(repo_path.map(str::to_string), why.to_string())
    }

    fn missing(why: &str) -> Shown {
        Shown::Missing(why.to_string())
    }

    #[test]
    fn mapping() {
        let repo = mapper(
            &[
                "go.mod",
                "cmd/server/main.go",
                "internal/orders/orders.go",
                "tools/go.mod",
                "tools/gen/main.go",
                "vendor/github.com/lib/pq/conn.go",
                "a/util.go",
                "b/util.go",
            ],
            &[
                ("example.com/shop", ""),
                ("example.com/shop/tools", "tools"),
            ],
        );
        let f = "example.com/shop/internal/orders.(*Svc).run";
        check(
            &repo,
            "/home/ci/build/internal/orders/orders.go",
            f,
            own("internal/orders/orders.go"),
        );
        check(
            &repo,
            "C:\\src\\shop\\internal\\orders\\orders.go",
            f,
            own("internal/orders/orders.go"),
        );
        check(
            &repo,
            "example.com/shop/internal/orders/orders.go",
            f,
            own("internal/orders/orders.go"),
        );
        // The nested module wins over its parent.
        check(
            &repo,
            "example.com/shop/tools/gen/main.go",
            "main.main",
            own("tools/gen/main.go"),
        );
        check(
            &repo,
            "/build/cmd/server/main.go",
            "main.main",
            own("cmd/server/main.go"),
        );
        check(
            &repo,
            "/root/go/pkg/mod/github.com/a/b@v1.2.3/x.go",
            "github.com/a/b.F",
            foreign(None, "dependency github.com/a/b@v1.2.3 (module cache)"),
        );
        check(
            &repo,
            "github.com/a/b@v1.2.3/x.go",
            "github.com/a/b.F",
            foreign(None, "dependency github.com/a/b@v1.2.3 (module cache)"),
        );
        check(
            &repo,
            "/build/vendor/github.com/lib/pq/conn.go",
            "github.com/lib/pq.(*conn).recv",
            foreign(
                Some("vendor/github.com/lib/pq/conn.go"),
                "vendored (vendor/github.com/lib/pq/conn.go)",
            ),
        );
        check(
            &repo,
            "/usr/lib/go/src/net/http/transport.go",
            "net/http.(*persistConn).readLoop",
            foreign(None, "standard library"),
        );
        check(
            &repo,
            "/build/c/util.go",
            "main.f",
            missing(
                "/build/c/util.go matches several files equally well (a/util.go, b/util.go); the source is not analysed",
            ),
        );
        check(
            &repo,
            "/build/internal/orders/gone.go",
            f,
            missing("/build/internal/orders/gone.go is not in the repository"),
        );
        check(
            &repo,
            "/elsewhere/util.go",
            "github.com/x/y.F",
            foreign(None, "not in the repository (package github.com/x/y)"),
        );
        check(
            &repo,
            "/elsewhere/lib/orders.go",
            "github.com/x/y.F",
            foreign(None, "not in the repository (package github.com/x/y)"),
        );
    }

    #[test]
    fn go_mod_module_lines() {
        for (text, expected) in [
            (
                "module example.com/shop\n\ngo 1.22\n",
                Some("example.com/shop"),
            ),
            (
                "// comment\nmodule \"example.com/q\" // trailing\n",
                Some("example.com/q"),
            ),
            ("go 1.22\n", None),
            ("modules x\n", None),
        ] {
            assert_eq!(module_path(text).as_deref(), expected, "{text:?}");
        }
    }
}
