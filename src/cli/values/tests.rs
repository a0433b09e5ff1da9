use super::*;

#[test]
fn sizes() {
    for (text, expected) in [
        ("1GiB", Ok(1 << 30)),
        ("512MiB", Ok(512 << 20)),
        ("100MB", Ok(100_000_000)),
        ("4096", Ok(4096)),
        ("0", Err(())),
        ("lots", Err(())),
        ("5 parsecs", Err(())),
        ("99999999999999999999", Err(())),
    ] {
        assert_eq!(parse_size(text).map_err(|_| ()), expected, "{text}");
    }
}

#[test]
fn outputs() {
    let plain = |path: &str| {
        Ok(OutputSpec {
            format: None,
            path: Some(PathBuf::from(path)),
        })
    };
    let typed = |format, path: Option<&str>| {
        Ok(OutputSpec {
            format: Some(format),
            path: path.map(PathBuf::from),
        })
    };
    for (text, expected) in [
        ("leaks.json", plain("leaks.json")),
        (
            "sarif:leaks.sarif",
            typed(OutputFormat::Sarif, Some("leaks.sarif")),
        ),
        ("markdown:-", typed(OutputFormat::Markdown, None)),
        (
            "codeclimate:out/gl.json",
            typed(OutputFormat::Codeclimate, Some("out/gl.json")),
        ),
        ("concise:a:b", typed(OutputFormat::Concise, Some("a:b"))),
        // Not a format before the colon: a plain path.
        ("C:/reports/x.json", plain("C:/reports/x.json")),
        ("Sarif:x", plain("Sarif:x")),
        (
            "-",
            Ok(OutputSpec {
                format: None,
                path: None,
            }),
        ),
        ("sarif:", Err(())),
        ("", Err(())),
    ] {
        assert_eq!(parse_output(text).map_err(|_| ()), expected, "{text}");
    }
}

#[test]
fn durations() {
    for (text, expected) in [
        ("30s", Ok(30_000)),
        ("5m", Ok(300_000)),
        ("2h", Ok(7_200_000)),
        ("250ms", Ok(250)),
        ("9999999999999999h", Err(())),
        ("5 parsecs", Err(())),
        ("soon", Err(())),
    ] {
        let got = parse_duration(text)
            .map(|d| d.as_millis() as u64)
            .map_err(|_| ());
        assert_eq!(got, expected, "{text}");
    }
}
