//! What `collect` is told to reach: each `--url` parsed into a [`Target`] (scheme, host, port,
//! pprof base path, and the folder its profiles go to), and the Authorization header's value
//! from `--auth-env`.
//!
//! URLs are parsed here rather than by the HTTP client so that every mistake is an exit-2
//! message naming the URL before anything is fetched, and so that the folder name, which must
//! never change between runs, does not depend on a crate's normalisation.

use super::CollectError;

/// The pprof path a URL without one gets.
const DEFAULT_BASE_PATH: &str = "/debug/pprof/";
/// Help sentences that end several messages.
const BASE_URL_HELP: &str = "give the pprof base URL, such as http://10.0.0.7:6060/debug/pprof/";
const AUTH_HELP: &str =
    "put the Authorization header's value in an environment variable and name it with --auth-env";

/// How a target is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Http,
    /// TLS through rustls; the server's certificate is checked against `--ca-file` or, without
    /// it, the Mozilla roots bundled in the binary.
    Https,
}

impl Scheme {
    fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// One `--url`: a Go service's pprof endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub scheme: Scheme,
    /// A host name or IP address; an IPv6 address without its brackets.
    pub host: String,
    /// 80 (http) or 443 (https) when the URL has none.
    pub port: u16,
    /// Starts and ends with `/`, e.g. `/debug/pprof/`.
    pub base_path: String,
}

impl Target {
    /// Parses `http[s]://HOST[:PORT][/PATH]`. Without a path (or with `/`) the target gets
    /// `/debug/pprof/`; a path without a trailing `/` gets one.
    pub fn parse(text: &str) -> Result<Target, String> {
        let text = text.trim();
        let scheme_end = text.find("://").unwrap_or(0);
        let scheme = match text[..scheme_end].to_ascii_lowercase().as_str() {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            _ => return Err(format!("not an http:// or https:// URL; {BASE_URL_HELP}")),
        };
        let rest = &text[scheme_end + 3..];
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(authority_end);
        if authority.contains('@') {
            return Err(format!("credentials in the URL are not sent; {AUTH_HELP}"));
        }
        let (host, port) = split_authority(authority)?;
        if host.is_empty() {
            return Err("the URL has no host".into());
        }
        let host_char = |c: char| c.is_ascii_alphanumeric() || "-._:".contains(c);
        if !host.chars().all(host_char) {
            return Err(format!("{host:?} is not a host name or IP address"));
        }
        let port = match port {
            None => scheme.default_port(),
            Some(text) => match text.parse::<u16>() {
                Ok(port) if port > 0 && text.bytes().all(|b| b.is_ascii_digit()) => port,
                _ => return Err(format!("{text:?} is not a port number")),
            },
        };
        if path.contains(['?', '#']) {
            return Err(format!("the URL has a query or fragment; {BASE_URL_HELP}"));
        }
        if !path.chars().all(|c| c.is_ascii_graphic()) {
            return Err(
                "the path holds spaces, control or non-ASCII characters; percent-encode them"
                    .into(),
            );
        }
        let base_path = match path {
            "" | "/" => DEFAULT_BASE_PATH.to_string(),
            _ if path.ends_with('/') => path.to_string(),
            _ => format!("{path}/"),
        };
        Ok(Target {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
            base_path,
        })
    }

    /// `host:port`, with brackets around an IPv6 address: how progress lines name the target.
    pub fn label(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The URL of one profile (`""` for the base URL). The port is always written, so that
    /// messages show where the request really went.
    pub fn url(&self, profile: &str) -> String {
        format!(
            "{}://{}{}{profile}",
            self.scheme.as_str(),
            self.label(),
            self.base_path
        )
    }

    /// The target's folder under `--out`: host and port made safe for any file system
    /// (`10.0.0.7_6060`), and the path when it is not `/debug/pprof/`. The scheme is left out,
    /// so a service moved from http to https keeps its folder (and one `--url` per endpoint).
    pub fn folder(&self) -> String {
        let safe = |c: char| {
            if c.is_ascii_alphanumeric() || "-.".contains(c) {
                c
            } else {
                '_'
            }
        };
        let mut name: String = self.host.chars().map(safe).collect();
        name.push_str(&format!("_{}", self.port));
        if self.base_path != DEFAULT_BASE_PATH {
            name.push('_');
            name.extend(self.base_path.trim_matches('/').chars().map(safe));
        }
        name
    }
}

/// `host[:port]` or `[v6][:port]` → host and the port's text.
fn split_authority(authority: &str) -> Result<(&str, Option<&str>), String> {
    let Some(bracketed) = authority.strip_prefix('[') else {
        return Ok(match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        });
    };
    let Some((host, after)) = bracketed.split_once(']') else {
        return Err("an IPv6 address lacks its closing `]`".into());
    };
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_hexdigit() || ":.".contains(c))
    {
        return Err(format!("{host:?} is not an IPv6 address"));
    }
    match after {
        "" => Ok((host, None)),
        _ => match after.strip_prefix(':') {
            Some(port) => Ok((host, Some(port))),
            None => Err(format!("unexpected {after:?} after the IPv6 address")),
        },
    }
}

/// Parses every `--url` and checks that no two share a folder.
pub fn parse_targets(urls: &[String]) -> Result<Vec<Target>, CollectError> {
    let mut targets: Vec<Target> = Vec::with_capacity(urls.len());
    for url in urls {
        let target = Target::parse(url).map_err(|problem| CollectError::Url {
            url: url.clone(),
            problem,
        })?;
        if let Some(earlier) = targets.iter().find(|t| t.folder() == target.folder()) {
            return Err(CollectError::SameFolder {
                first: earlier.url(""),
                second: target.url(""),
                folder: target.folder(),
            });
        }
        targets.push(target);
    }
    Ok(targets)
}

/// The Authorization header's value from the variable `--auth-env` names. The value is never
/// printed, not even in errors.
pub fn authorization(var: Option<&str>) -> Result<Option<String>, CollectError> {
    let Some(var) = var else {
        return Ok(None);
    };
    let bad = |problem| CollectError::Auth {
        var: var.to_string(),
        problem,
    };
    let value = match std::env::var(var) {
        Ok(value) => value,
        Err(std::env::VarError::NotPresent) => {
            return Err(bad("the environment variable is not set"));
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(bad("the environment variable is not valid UTF-8"));
        }
    };
    let value = value.trim();
    if value.is_empty() {
        return Err(bad("the environment variable is empty"));
    }
    if value.chars().any(char::is_control) {
        return Err(bad(
            "the value holds a control character (a line break?), which cannot go in a header",
        ));
    }
    Ok(Some(value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Ok((host, port, URL of the goroutine profile, folder))` or `Err(part of the problem)`.
    type Parsed<'a> = Result<(&'a str, u16, &'a str, &'a str), &'a str>;

    fn check(text: &str, expected: Parsed) {
        match (Target::parse(text), expected) {
            (Ok(target), Ok(expected)) => {
                let got = (
                    target.host.as_str(),
                    target.port,
                    target.url("goroutine"),
                    target.folder(),
                );
                let expected = (
                    expected.0,
                    expected.1,
                    expected.2.to_string(),
                    expected.3.to_string(),
                );
                assert_eq!(got, expected, "{text}");
            }
            (Err(problem), Err(part)) => {
                assert!(problem.contains(part), "{text}: {problem:?} lacks {part:?}");
            }
            (got, expected) => panic!("{text}: got {got:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn urls_and_folders() {
        let pprof = "http://10.0.0.7:6060/debug/pprof/goroutine";
        for (text, expected) in [
            (
                "http://10.0.0.7:6060/debug/pprof/",
                Ok(("10.0.0.7", 6060, pprof, "10.0.0.7_6060")),
            ),
            (
                "http://10.0.0.7:6060/debug/pprof",
                Ok(("10.0.0.7", 6060, pprof, "10.0.0.7_6060")),
            ),
            (
                " http://10.0.0.7:6060 ",
                Ok(("10.0.0.7", 6060, pprof, "10.0.0.7_6060")),
            ),
            (
                "HTTP://Svc.Example/",
                Ok((
                    "svc.example",
                    80,
                    "http://svc.example:80/debug/pprof/goroutine",
                    "svc.example_80",
                )),
            ),
            (
                "http://[::1]:6060/debug/pprof/",
                Ok((
                    "::1",
                    6060,
                    "http://[::1]:6060/debug/pprof/goroutine",
                    "__1_6060",
                )),
            ),
            (
                "http://api_1:8080/admin/debug/pprof/",
                Ok((
                    "api_1",
                    8080,
                    "http://api_1:8080/admin/debug/pprof/goroutine",
                    "api_1_8080_admin_debug_pprof",
                )),
            ),
            (
                "https://10.0.0.7:6060/debug/pprof/",
                Ok((
                    "10.0.0.7",
                    6060,
                    "https://10.0.0.7:6060/debug/pprof/goroutine",
                    "10.0.0.7_6060",
                )),
            ),
            (
                "HTTPS://svc.example",
                Ok((
                    "svc.example",
                    443,
                    "https://svc.example:443/debug/pprof/goroutine",
                    "svc.example_443",
                )),
            ),
            ("ftp://10.0.0.7/", Err("not an http:// or https:// URL")),
            (
                "10.0.0.7:6060/debug/pprof/",
                Err("not an http:// or https://"),
            ),
            ("http://", Err("no host")),
            ("http:///debug/pprof/", Err("no host")),
            ("https://:6060/debug/pprof/", Err("no host")),
            ("http://h:0/", Err("not a port")),
            ("http://h:99999/", Err("not a port")),
            ("http://h:/", Err("not a port")),
            ("http://h:+80/", Err("not a port")),
            ("http://h:1:2/", Err("not a port")),
            ("http://user:secret@h:6060/", Err("--auth-env")),
            ("https://user:secret@h:6060/", Err("--auth-env")),
            ("http://h:6060/debug/pprof/?debug=2", Err("query")),
            ("http://h:6060?x", Err("query")),
            ("http://h a:6060/", Err("not a host name")),
            ("http://h\r\nX: y/", Err("not a host name")),
            ("http://[::1:6060/", Err("closing `]`")),
            ("http://[::1]x/", Err("after the IPv6 address")),
            ("http://[zz]:80/", Err("not an IPv6 address")),
            ("http://h:6060/debug pprof/", Err("spaces")),
        ] {
            check(text, expected);
        }
    }

    #[test]
    fn one_folder_per_target() {
        let urls = |list: &[&str]| list.iter().map(|url| url.to_string()).collect::<Vec<_>>();
        let error = parse_targets(&urls(&["http://h:6060/", "https://h:6060/debug/pprof"]))
            .err()
            .map(|error| error.to_string());
        assert_eq!(
            error.as_deref(),
            Some(
                "--url http://h:6060/debug/pprof/ and --url https://h:6060/debug/pprof/ both go \
                 to the folder h_6060; give each target once"
            )
        );
        let targets = parse_targets(&urls(&["http://h:6060/", "http://h:6061/"])).unwrap();
        assert_eq!(targets.len(), 2);
    }
}
