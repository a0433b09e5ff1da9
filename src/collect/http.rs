//! One GET of one profile over http or https, through `ureq` (TLS by rustls with the ring
//! provider), and the [`FetchError`] that says why it failed in words a user can act on.
//!
//! The agent is set up to behave as leakprof's own client did: the whole request (resolving,
//! connecting, the TLS handshake, headers, body) is bounded by `--timeout`, the body by
//! `--max-size`; one connection per request (`Connection: close`, no pool), no redirects
//! followed (a 3xx is an answer like a 404: the URL is wrong), no proxy from the environment,
//! no decoding of the body (profiles are stored as sent). Certificates are checked against
//! `--ca-file` when given, else against the Mozilla roots built into the binary.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::time::Duration;

use ureq::Agent;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig, TlsProvider};

use super::CollectError;
use super::target::Target;

/// A CA file larger than this is not a CA file (the Mozilla bundle is about 200 KiB).
const MAX_CA_FILE: u64 = 16 << 20;
/// The status line and headers of a response may not be longer than this.
const MAX_HEAD: usize = 64 * 1024;

/// Why one request failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("cannot resolve {host}")]
    Resolve { host: String },
    #[error("cannot connect to {address}: {source}")]
    Connect { address: String, source: io::Error },
    #[error("timed out; raise --timeout if the target is slow to answer")]
    TimedOut,
    #[error("the connection failed while the profile was read: {0}")]
    Transfer(io::Error),
    #[error("the server answered `{line}`{}", status_help(*.code))]
    Status { code: u16, line: String },
    #[error("the response is larger than --max-size ({max} bytes)")]
    TooLarge { max: u64 },
    #[error("malformed HTTP response: {0}")]
    Malformed(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error(
        "the body is not a gzipped pprof profile (it starts with {0}); is the URL the pprof base, \
         such as http://host:6060/debug/pprof/?"
    )]
    NotGzip(String),
    #[error("the body is not a goroutine profile leakprof can read ({0}); nothing was saved")]
    NotProfile(String),
}

fn status_help(code: u16) -> &'static str {
    match code {
        300..400 => "; leakprof does not follow redirects: give the URL the redirect points to",
        400 => "; if the endpoint serves https, give an https:// URL",
        401 | 403 => "; does the endpoint need --auth-env?",
        404 => "; is the URL the pprof base, such as http://host:6060/debug/pprof/?",
        _ => "",
    }
}

impl FetchError {
    /// Whether trying again may help: the network and overloaded servers, not a wrong URL, an
    /// untrusted certificate or a body that is too large or not a profile.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Status { code, .. } => *code == 429 || *code >= 500,
            FetchError::TooLarge { .. }
            | FetchError::NotGzip(_)
            | FetchError::NotProfile(_)
            | FetchError::Tls(_) => false,
            _ => true,
        }
    }
}

/// Where a request was when it failed: the same I/O error means a different thing before and
/// after the response's head came.
#[derive(Clone, Copy)]
enum Phase {
    Head,
    Body,
}

/// What every request of a run sends and accepts.
pub struct Client {
    agent: Agent,
    max_size: u64,
    authorization: Option<String>,
}

impl Client {
    /// `roots`: the certificates of `--ca-file`, trusted instead of the built-in roots.
    pub fn new(
        timeout: Duration,
        max_size: u64,
        authorization: Option<String>,
        roots: Option<Vec<Certificate<'static>>>,
    ) -> Client {
        let roots = match roots {
            Some(certificates) => RootCerts::from(certificates),
            None => RootCerts::WebPki,
        };
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .root_certs(roots)
            .build();
        let agent: Agent = Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .user_agent(format!("leakprof/{}", env!("CARGO_PKG_VERSION")))
            .accept_encoding("identity")
            .max_response_header_size(MAX_HEAD)
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .tls_config(tls)
            .build()
            .into();
        Client {
            agent,
            max_size,
            authorization,
        }
    }

    /// One GET of one profile: the whole body, or why not.
    pub fn get(&self, target: &Target, profile: &str) -> Result<Vec<u8>, FetchError> {
        let fail = |phase, error| classify(error, phase, target, self.max_size);
        let mut request = self
            .agent
            .get(target.url(profile))
            .header("Connection", "close");
        if let Some(value) = &self.authorization {
            request = request.header("Authorization", value);
        }
        let mut response = request.call().map_err(|error| fail(Phase::Head, error))?;
        let status = response.status();
        if status != 200 {
            let reason = status.canonical_reason().unwrap_or("");
            let line = format!("{:?} {} {reason}", response.version(), status.as_u16());
            return Err(FetchError::Status {
                code: status.as_u16(),
                line: line.trim_end().to_string(),
            });
        }
        let body = response.body_mut();
        if body
            .content_length()
            .is_some_and(|length| length > self.max_size)
        {
            return Err(FetchError::TooLarge { max: self.max_size });
        }
        body.with_config()
            .limit(self.max_size)
            .read_to_vec()
            .map_err(|error| fail(Phase::Body, error))
    }
}

/// Turns ureq's error into one that says what went wrong and what to do.
fn classify(error: ureq::Error, phase: Phase, target: &Target, max_size: u64) -> FetchError {
    match error {
        ureq::Error::Timeout(_) => FetchError::TimedOut,
        ureq::Error::HostNotFound => FetchError::Resolve {
            host: target.host.clone(),
        },
        ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge { max: max_size },
        ureq::Error::Io(error) => classify_io(error, phase, target),
        ureq::Error::Protocol(error) => FetchError::Malformed(error.to_string()),
        ureq::Error::LargeResponseHeader(_, limit) => FetchError::Malformed(format!(
            "the status line and headers are longer than {limit} bytes"
        )),
        ureq::Error::Rustls(error) => FetchError::Tls(describe_tls(&error, target)),
        ureq::Error::Tls(problem) => FetchError::Tls(problem.to_string()),
        other => FetchError::Malformed(other.to_string()),
    }
}

fn classify_io(error: io::Error, phase: Phase, target: &Target) -> FetchError {
    // rustls reports a failed handshake as an I/O error that wraps its own.
    let tls = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    if let Some(tls) = tls {
        return FetchError::Tls(describe_tls(tls, target));
    }
    match (error.kind(), phase) {
        (io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock, _) => FetchError::TimedOut,
        (io::ErrorKind::UnexpectedEof, Phase::Head) => {
            FetchError::Malformed("the server closed the connection without answering".into())
        }
        (io::ErrorKind::UnexpectedEof, Phase::Body) => {
            FetchError::Malformed("the connection closed before the whole body came".into())
        }
        (_, Phase::Head) => FetchError::Connect {
            address: target.label(),
            source: error,
        },
        (_, Phase::Body) => FetchError::Transfer(error),
    }
}

/// A certificate problem in words, with the flag that fixes it.
fn describe_tls(error: &rustls::Error, target: &Target) -> String {
    use rustls::CertificateError as Cert;
    let help = "give the certificate of the CA that signed it with --ca-file PEM \
                (or LEAKPROF_CA_FILE)";
    match error {
        rustls::Error::InvalidCertificate(problem) => match problem {
            Cert::UnknownIssuer | Cert::BadSignature => format!(
                "the server's certificate is not signed by a trusted CA ({problem:?}); {help}"
            ),
            Cert::NotValidForName | Cert::NotValidForNameContext { .. } => format!(
                "the server's certificate is not valid for {}; reach the target by a name the \
                 certificate lists",
                target.host
            ),
            Cert::Expired | Cert::ExpiredContext { .. } => {
                "the server's certificate has expired".into()
            }
            Cert::NotValidYet | Cert::NotValidYetContext { .. } => {
                "the server's certificate is not valid yet; is this machine's clock right?".into()
            }
            other => format!("the server's certificate was refused: {other:?}"),
        },
        rustls::Error::InvalidMessage(_) => format!(
            "the server does not speak TLS ({error}); if the endpoint is plain http, give an \
             http:// URL"
        ),
        other => format!("the handshake failed: {other}"),
    }
}

/// Reads the certificates of `--ca-file` (or `LEAKPROF_CA_FILE`, as `named_by` says): PEM, one
/// or more `CERTIFICATE` blocks (other blocks, such as a key, are ignored).
pub fn load_ca_file(
    named_by: &'static str,
    path: &Path,
) -> Result<Vec<Certificate<'static>>, CollectError> {
    let bad = |problem: String| CollectError::CaFile {
        named_by,
        path: path.to_path_buf(),
        problem,
    };
    let mut pem = Vec::new();
    File::open(path)
        .and_then(|file| file.take(MAX_CA_FILE + 1).read_to_end(&mut pem))
        .map_err(|error| bad(format!("cannot read it: {error}")))?;
    if pem.len() as u64 > MAX_CA_FILE {
        return Err(bad(format!(
            "is larger than {} MiB, which no CA file is",
            MAX_CA_FILE >> 20
        )));
    }
    let mut certificates = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(certificate)) => certificates.push(certificate),
            Ok(_) => {}
            Err(error) => return Err(bad(format!("is not valid PEM: {error}"))),
        }
    }
    if certificates.is_empty() {
        return Err(bad(
            "holds no certificate; give the CA's certificate in PEM (-----BEGIN CERTIFICATE-----)"
                .into(),
        ));
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_errors() {
        let status = |code| FetchError::Status {
            code,
            line: String::new(),
        };
        for (error, transient) in [
            (FetchError::TimedOut, true),
            (FetchError::Malformed(String::new()), true),
            (
                FetchError::Transfer(io::ErrorKind::ConnectionReset.into()),
                true,
            ),
            (status(503), true),
            (status(429), true),
            (status(404), false),
            (status(401), false),
            (status(302), false),
            (FetchError::TooLarge { max: 1 }, false),
            (FetchError::NotGzip(String::new()), false),
            (FetchError::NotProfile(String::new()), false),
            (FetchError::Tls(String::new()), false),
        ] {
            assert_eq!(error.is_transient(), transient, "{error:?}");
        }
    }

    #[test]
    fn ca_files() {
        let dir = tempfile::tempdir().unwrap();
        for (name, content, expected) in [
            ("missing.pem", None, "cannot read it"),
            ("empty.pem", Some(&b""[..]), "holds no certificate"),
            (
                "key-only.pem",
                Some(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
                "holds no certificate",
            ),
            (
                "broken.pem",
                Some(b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n"),
                "is not valid PEM",
            ),
        ] {
            let path = dir.path().join(name);
            if let Some(content) = content {
                std::fs::write(&path, content).unwrap();
            }
            let message = load_ca_file("--ca-file", &path)
                .err()
                .map(|error| error.to_string());
            let message = message.unwrap_or_default();
            assert!(
                message.starts_with(&format!("--ca-file {}: ", path.display()))
                    && message.contains(expected),
                "{name}: {message:?} lacks {expected:?}"
            );
        }
    }
}
