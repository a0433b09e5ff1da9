//! `--format html` on real profiles: every finding is on the page, escaped, with a chart when
//! the profiles make a time series, and the page opens in headless Chromium. CI installs it
//! (`apt-get install -y chromium`); without it the browser test fails rather than skip.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use crate::support::{leakprof, path_str, testdata};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// 2026-11-27T20:00:00Z, the first snapshot of the series built below.
const SERIES_START: u64 = 1_795_809_600;

/// The report as HTML and as JSON, from one set of arguments.
fn reports(args: &[&str]) -> (String, Value) {
    let render = |format: &str| {
        let mut argv = vec!["report"];
        argv.extend_from_slice(args);
        argv.extend_from_slice(&["--format", format]);
        let run = leakprof(&argv);
        assert_eq!(run.code, 1, "leakprof {argv:?}\nstderr:\n{}", run.stderr);
        run
    };
    (render("html").stdout, render("json").json())
}

fn findings<'a>(json: &'a Value, status: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(move |finding| finding["status"] == status)
}

/// `text` as the page writes it.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The reported findings each have a row that links to their section, with the source line
/// escaped; the page is whole and fetches nothing.
fn check_page(html: &str, json: &Value) {
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.ends_with("</body>\n</html>\n"));
    let reported = findings(json, "reported").count();
    assert!(reported > 0);
    let headline = match reported {
        1 => "1 suspected goroutine leak".to_string(),
        n => format!("{n} suspected goroutine leaks"),
    };
    assert!(html.contains(&format!("<h1>leakprof: {headline}</h1>")));
    for finding in findings(json, "reported") {
        let id = finding["id"].as_str().expect("id");
        let place = format!(
            "{}:{}",
            finding["file"].as_str().expect("file"),
            finding["line"]
        );
        let link = format!("<a href=\"#finding-{id}\"><code>{place}</code></a>");
        assert!(html.contains(&link), "no row for {place}: {link}");
        assert!(html.contains(&format!("<section class=\"finding\" id=\"finding-{id}\">")));
        // The finding's line, marked among the lines around it.
        let snippet = finding["source"]["snippet"].as_str().expect("snippet");
        let line = finding["line"].as_u64().expect("line");
        let marked = html
            .lines()
            .filter(|l| {
                l.contains("<mark>") && l.ends_with(&format!("{}</mark>", escaped(snippet)))
            })
            .any(|l| l.contains(&format!("\">{line}</span>")));
        assert!(marked, "line {line} is not marked: {snippet}");
    }
    for finding in findings(json, "suppressed") {
        let reason = finding["suppression"]["reason"].as_str().expect("reason");
        assert!(html.contains(&escaped(reason)), "no reason: {reason}");
    }
    assert_eq!(html.matches("<section class=\"finding\"").count(), reported);
    // Links to the source (when the repository's remote is on GitHub or GitLab) are not
    // fetches; nothing else may name a URL.
    let without_links: String = html
        .split("<a href=\"http")
        .enumerate()
        .map(|(index, part)| match index {
            0 => part,
            _ => part.split_once('"').map_or(part, |(_, after)| after),
        })
        .collect();
    for needle in [
        "<script", "<link", "<img", "url(", "@import", "http://", "https://",
    ] {
        assert!(!without_links.contains(needle), "{needle} on the page");
    }
}

#[test]
fn one_profile() {
    let profile = testdata("profiles/go1.27/goroutine.pb.gz");
    let args = ["--profile", path_str(&profile), "--repo", REPO];
    let (html, json) = reports(&args);
    check_page(&html, &json);
    // Runtime frames are left out of the example stacks, as in text and Markdown.
    assert!(html.contains("<pre class=\"stack\">main.timeoutLeak.func1 "));
    assert!(!html.contains("runtime.gopark"));
    assert!(html.contains("Channel <code>done</code> made unbuffered at line 37."));
    // One snapshot: no series, so neither chart nor trend.
    assert!(!html.contains("<svg"));
    assert!(!html.contains("/hour"));
    assert_eq!(reports(&args).0, html, "same profiles, same bytes");
}

/// Four debug=2 dumps cut from one real dump taken after the goroutineleak profile (so its
/// goroutines carry `(leaked)`): dump N keeps N of every 4 goroutines, and is dated an hour
/// after the one before through its modification time, as for dumps saved by hand.
fn growing_series(dir: &Path) -> PathBuf {
    let text = fs::read_to_string(testdata("profiles/go1.27/goroutine-after-leak.debug2.txt"))
        .expect("the go1.27 dump");
    let goroutines: Vec<&str> = text.trim_end().split("\n\n").collect();
    let series = dir.join("series");
    fs::create_dir(&series).expect("series dir");
    for kept in 1..=4u64 {
        let dump: Vec<&str> = goroutines
            .iter()
            .enumerate()
            .filter(|(index, _)| (*index as u64 % 4) < kept)
            .map(|(_, goroutine)| *goroutine)
            .collect();
        let path = series.join(format!("goroutine-{kept}.txt"));
        fs::write(&path, dump.join("\n\n") + "\n").expect("write dump");
        let taken = SystemTime::UNIX_EPOCH + Duration::from_secs(SERIES_START + (kept - 1) * 3600);
        fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|file| file.set_modified(taken))
            .expect("set the dump's time");
    }
    series
}

#[test]
fn time_series_has_charts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let series = growing_series(dir.path());
    let (html, json) = reports(&["--profile", path_str(&series), "--repo", REPO]);
    check_page(&html, &json);
    // A chart for every reported place, and, folded, for the suppressed and quiet ones.
    let charted = ["reported", "suppressed", "below_threshold"]
        .iter()
        .flat_map(|status| findings(&json, status))
        .filter(|finding| finding["series"].as_array().is_some_and(|s| s.len() >= 2))
        .count();
    assert!(charted > findings(&json, "reported").count());
    assert_eq!(html.matches("<svg class=\"chart\"").count(), charted);
    assert!(html.contains(">2026-11-27 20:00:00 UTC</text>"));
    assert!(html.contains(">2026-11-27 23:00:00 UTC</text>"));
    // timeoutLeak's 200 goroutines, a quarter more each hour, on an axis from 0.
    assert!(html.contains("d=\"M64.0,126.0 L250.7,88.0 L437.3,50.0 L624.0,12.0\""));
    assert!(html.contains("<td class=\"growing\">growing (+50.0/hour)</td>"));
    assert!(html.contains("<span class=\"badge confirmed\""));
}

/// The captured timeline of `testdata/series/service`: a chart per reported finding, from its
/// first snapshot's time to its last, with a dot per snapshot.
#[test]
fn captured_timeline() {
    let timeline = testdata("series/captures/timeline");
    let (html, json) = reports(&["--profile", path_str(&timeline), "--repo", REPO]);
    check_page(&html, &json);
    let utc = |point: &Value| {
        let time = point["time"].as_str().expect("time");
        format!(
            ">{} UTC</text>",
            time.replace('T', " ").trim_end_matches('Z')
        )
    };
    for finding in findings(&json, "reported") {
        let series = finding["series"].as_array().expect("series");
        assert!(series.len() >= 2, "{finding}");
        let id = finding["id"].as_str().expect("id");
        let section = html
            .split_once(&format!("id=\"finding-{id}\">"))
            .and_then(|(_, rest)| rest.split_once("</section>"))
            .map(|(section, _)| section)
            .expect("the finding's section");
        assert_eq!(section.matches("<svg class=\"chart\"").count(), 1);
        assert_eq!(section.matches("<circle ").count(), series.len());
        assert!(section.contains(&utc(&series[0])));
        assert!(section.contains(&utc(&series[series.len() - 1])));
        let trend = finding["trend"]
            .as_str()
            .expect("a trend from 3+ snapshots");
        assert!(section.contains(&format!("<span class=\"{trend}\">{trend}</span>")));
    }
}

/// Headless Chromium: `$LEAKPROF_CHROMIUM`, else `chromium` on PATH.
fn chromium() -> PathBuf {
    let browser: PathBuf =
        std::env::var_os("LEAKPROF_CHROMIUM").map_or_else(|| "chromium".into(), PathBuf::from);
    let found = Command::new(&browser)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|out| out.status.success());
    assert!(
        found,
        "headless Chromium is needed for this test: `apt-get install -y chromium` \
         (or set LEAKPROF_CHROMIUM to a Chromium or Chrome binary)"
    );
    browser
}

/// Runs the browser on `page` with `args`, in a fresh profile with nothing that could reach
/// the network, and returns its standard output; fails after two minutes.
fn run_chromium(browser: &Path, work: &Path, page: &Path, args: &[&str], name: &str) -> String {
    let stdout_path = work.join(format!("{name}.stdout"));
    let stderr_path = work.join(format!("{name}.stderr"));
    let user_data = work.join(format!("{name}-profile"));
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", path_str(&user_data)))
        .args(args)
        .arg(format!("file://{}", path_str(page)))
        .stdin(Stdio::null())
        .stdout(fs::File::create(&stdout_path).expect("stdout file"))
        .stderr(fs::File::create(&stderr_path).expect("stderr file"))
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        match child.try_wait().expect("wait for chromium") {
            Some(status) => break status,
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium {args:?} did not finish in two minutes");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    let stderr = fs::read_to_string(&stderr_path).unwrap_or_default();
    assert!(status.success(), "chromium {args:?}: {status}\n{stderr}");
    fs::read_to_string(&stdout_path).expect("chromium's output")
}

#[test]
fn opens_in_chromium() {
    let browser = chromium();
    let dir = tempfile::tempdir().expect("temp dir");
    let series = growing_series(dir.path());
    let (html, json) = reports(&["--profile", path_str(&series), "--repo", REPO]);
    let page = dir.path().join("report.html");
    fs::write(&page, &html).expect("write the page");

    let dom = run_chromium(&browser, dir.path(), &page, &["--dump-dom"], "dom");
    // The browser parsed the page into the same structure: one row per finding that is not
    // excluded, a section and a chart per reported finding.
    let listed = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["status"] != "excluded")
        .count();
    let table = dom
        .split_once("<table class=\"findings\">")
        .and_then(|(_, rest)| rest.split_once("</table>"))
        .map(|(table, _)| table)
        .expect("the findings table in the DOM");
    assert_eq!(
        table.matches("<tr").count(),
        listed + 1,
        "rows and a header"
    );
    for finding in findings(&json, "reported") {
        let place = format!(
            "{}:{}",
            finding["file"].as_str().expect("file"),
            finding["line"]
        );
        assert!(
            table.contains(&format!("<code>{place}</code>")),
            "no row for {place}"
        );
    }
    let reported = findings(&json, "reported").count();
    assert_eq!(dom.matches("<section class=\"finding\"").count(), reported);
    let suspected = dom
        .split_once("id=\"suspected\"")
        .and_then(|(_, rest)| rest.split_once("<h2"))
        .map(|(section, _)| section)
        .expect("the suspected leaks in the DOM");
    assert_eq!(suspected.matches("<svg class=\"chart\"").count(), reported);
    assert!(dom.contains("<path d=\"M64.0,126.0 L250.7,88.0"));

    let screenshot = dir.path().join("page.png");
    run_chromium(
        &browser,
        dir.path(),
        &page,
        &[
            &format!("--screenshot={}", path_str(&screenshot)),
            "--window-size=1200,2000",
        ],
        "screenshot",
    );
    let png = fs::read(&screenshot).expect("the screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(png.len() > 10_000, "a blank page? {} bytes", png.len());
    if let Some(keep) = std::env::var_os("LEAKPROF_KEEP_SCREENSHOT") {
        fs::copy(&screenshot, keep).expect("keep the screenshot");
    }
}
