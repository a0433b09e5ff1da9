//! Links from a report to the source it was checked against, at the commit that was checked:
//! from `--link-template`, else from the repository's remote when it is on GitHub or GitLab
//! (github.com, gitlab.com, or a host whose name says which, as self-hosted instances usually
//! do). No commit, no link: a link to a branch would drift from what was profiled.

use crate::config::RenderOptions;
use crate::model::{Finding, Report};

/// Makes the link of each finding of one report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Links {
    /// `{path}` and `{line}` left to fill; `{rev}` filled.
    template: String,
}

/// A forge whose file URLs leakprof knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forge {
    GitHub,
    GitLab,
}

impl Links {
    /// The links of `report`, when there can be any.
    pub fn new(report: &Report, options: &RenderOptions) -> Option<Links> {
        let source = report.source.as_ref()?;
        let template = match &options.link_template {
            Some(template) => template.clone(),
            None => {
                let (forge, base) = web_base(source.remote.as_deref()?)?;
                match forge {
                    Forge::GitHub => format!("{base}/blob/{{rev}}/{{path}}#L{{line}}"),
                    Forge::GitLab => format!("{base}/-/blob/{{rev}}/{{path}}#L{{line}}"),
                }
            }
        };
        let template = if template.contains("{rev}") {
            template.replace("{rev}", source.commit.as_deref()?)
        } else {
            template
        };
        Some(Links { template })
    }

    /// The URL of the finding's line, when its file is in the repository.
    pub fn place(&self, report: &Report, finding: &Finding) -> Option<String> {
        let path = report.repository_path(finding)?;
        Some(
            self.template
                .replace("{path}", &encode_path(&path))
                .replace("{line}", &finding.line.to_string()),
        )
    }
}

/// The forge and web address of a repository from its remote URL: `https://host/owner/repo`
/// for `git@host:owner/repo.git`, `ssh://git@host:22/owner/repo`, `https://host/owner/repo.git`.
/// None for a local path or a host that is neither GitHub nor GitLab.
pub fn web_base(remote: &str) -> Option<(Forge, String)> {
    let (host, path) = match remote.split_once("://") {
        Some((scheme, rest)) => {
            if !matches!(scheme, "https" | "http" | "ssh" | "git" | "git+ssh") {
                return None;
            }
            let (authority, path) = rest.split_once('/')?;
            let host = authority.rsplit('@').next()?;
            // An ssh port is not the web's; an https one is kept.
            let host = match (scheme, host.split_once(':')) {
                ("https" | "http", _) | (_, None) => host,
                (_, Some((name, _))) => name,
            };
            (host.to_string(), path)
        }
        None => {
            // scp-like `[user@]host:path`; a local path has no `:` before its first `/`.
            let (authority, path) = remote.split_once(':')?;
            if authority.contains('/') || path.starts_with("//") {
                return None;
            }
            (authority.rsplit('@').next()?.to_string(), path)
        }
    };
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    if host.is_empty() || path.is_empty() {
        return None;
    }
    let name = host.split(':').next().unwrap_or(&host).to_ascii_lowercase();
    let forge = if name == "github.com" || name.split(['.', '-']).any(|part| part == "github") {
        Forge::GitHub
    } else if name == "gitlab.com" || name.split(['.', '-']).any(|part| part == "gitlab") {
        Forge::GitLab
    } else {
        return None;
    };
    Some((forge, format!("https://{host}/{path}")))
}

/// The repository as an absolute URI, for SARIF's `versionControlProvenance`: its web address
/// on GitHub and GitLab, else the remote when it is a URL, `ssh://host/path` for
/// `host:path`, `file://` for an absolute local path. None for a relative path.
pub fn repository_uri(remote: &str) -> Option<String> {
    if let Some((_, base)) = web_base(remote) {
        return Some(base);
    }
    if let Some((scheme, _)) = remote.split_once("://") {
        let valid = !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        return valid.then(|| remote.replace(' ', "%20"));
    }
    if remote.starts_with('/') {
        return Some(format!("file://{}", encode_path(remote)));
    }
    let (authority, path) = remote.split_once(':')?;
    if authority.is_empty() || authority.contains('/') || path.is_empty() {
        return None;
    }
    let host = authority.rsplit('@').next()?;
    Some(format!(
        "ssh://{host}/{}",
        encode_path(path.trim_start_matches('/'))
    ))
}

/// A repository path as a URL path: each segment percent-encoded, `/` kept.
pub fn encode_path(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for &byte in path.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'/' | b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_bases() {
        fn check(remote: &str, expected: Option<(Forge, &str)>) {
            let found = web_base(remote);
            let found = found.as_ref().map(|(forge, base)| (*forge, base.as_str()));
            assert_eq!(found, expected, "{remote}");
        }
        use Forge::*;
        check(
            "https://github.com/acme/api.git",
            Some((GitHub, "https://github.com/acme/api")),
        );
        check(
            "https://github.com/acme/api",
            Some((GitHub, "https://github.com/acme/api")),
        );
        check(
            "git@github.com:acme/api.git",
            Some((GitHub, "https://github.com/acme/api")),
        );
        check(
            "ssh://git@github.com/acme/api.git",
            Some((GitHub, "https://github.com/acme/api")),
        );
        check(
            "ssh://git@gitlab.example.com:2222/group/sub/api.git",
            Some((GitLab, "https://gitlab.example.com/group/sub/api")),
        );
        check(
            "https://gitlab.com/group/sub/api.git/",
            Some((GitLab, "https://gitlab.com/group/sub/api")),
        );
        check(
            "https://github.example.com:8443/acme/api",
            Some((GitHub, "https://github.example.com:8443/acme/api")),
        );
        check("https://bitbucket.org/acme/api.git", None);
        check("https://notgithub.com/acme/api.git", None);
        check("/srv/git/api.git", None);
        check("../api", None);
        check("file:///srv/git/api.git", None);
        check("C:/src/api", None);
        check("https://github.com/", None);
    }

    #[test]
    fn repository_uris() {
        for (remote, expected) in [
            (
                "git@github.com:acme/api.git",
                Some("https://github.com/acme/api"),
            ),
            (
                "https://git.example.com/r/api.git",
                Some("https://git.example.com/r/api.git"),
            ),
            (
                "git@git.example.com:r/api.git",
                Some("ssh://git.example.com/r/api.git"),
            ),
            ("/srv/git/my api.git", Some("file:///srv/git/my%20api.git")),
            ("file:///srv/git/api.git", Some("file:///srv/git/api.git")),
            ("../api", None),
        ] {
            assert_eq!(repository_uri(remote).as_deref(), expected, "{remote}");
        }
    }

    #[test]
    fn paths_are_encoded() {
        assert_eq!(encode_path("svc/a b/x#1.go"), "svc/a%20b/x%231.go");
        assert_eq!(encode_path("é.go"), "%C3%A9.go");
    }
}
