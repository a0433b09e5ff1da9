//! The patterns on Go written for these tests (`cases.go`: each operation's expected pattern
//! in a `// want ID [patch|nopatch]` comment on its line), and on the testdata/patterns
//! program, whose code after leakprof's own patches must name no pattern any more.

use super::*;
use crate::source::analyze::ParsedFile;

const CASES: &str = include_str!("cases.go");

/// The program's files and their text.
const PROGRAM: &[(&str, &str)] = &[
    (
        "main.go",
        include_str!("../../../../testdata/patterns/main.go"),
    ),
    (
        "timeout.go",
        include_str!("../../../../testdata/patterns/timeout.go"),
    ),
    (
        "premature.go",
        include_str!("../../../../testdata/patterns/premature.go"),
    ),
    (
        "ncast.go",
        include_str!("../../../../testdata/patterns/ncast.go"),
    ),
    (
        "rangeclose.go",
        include_str!("../../../../testdata/patterns/rangeclose.go"),
    ),
    (
        "doublesend.go",
        include_str!("../../../../testdata/patterns/doublesend.go"),
    ),
    (
        "neverclosed.go",
        include_str!("../../../../testdata/patterns/neverclosed.go"),
    ),
    (
        "nilchan.go",
        include_str!("../../../../testdata/patterns/nilchan.go"),
    ),
    (
        "forever.go",
        include_str!("../../../../testdata/patterns/forever.go"),
    ),
    (
        "global.go",
        include_str!("../../../../testdata/patterns/global.go"),
    ),
    (
        "escaped.go",
        include_str!("../../../../testdata/patterns/escaped.go"),
    ),
];
const EXPECTED: &str = include_str!("../../../../testdata/patterns/expected.tsv");

/// Classifies the operation at `line` of `files[file]` (path, text).
fn classify_in(files: &[(&str, &str)], file: usize, line: u32, op: Op) -> Classified {
    let parsed: Vec<ParsedFile<'_>> = files
        .iter()
        .map(|(_, text)| ParsedFile::parse(text))
        .collect();
    let package: Vec<PackageFile<'_>> = files
        .iter()
        .zip(&parsed)
        .map(|((path, _), parsed)| PackageFile { path, parsed })
        .collect();
    classify(
        &package,
        file,
        &Target {
            line,
            op,
            caller_line: None,
        },
    )
}

/// `(id, patch)` of a classification, `("none", false)` when the line holds no operation.
fn summary(classified: &Classified) -> (String, bool) {
    match &classified.pattern {
        Some(pattern) => (pattern.id.to_string(), pattern.fix.patch.is_some()),
        None => ("none".into(), false),
    }
}

#[test]
fn cases() {
    let files = [("cases.go", CASES)];
    let mut checked = 0;
    for (index, text) in CASES.lines().enumerate() {
        let Some(want) = text.split("// want ").nth(1) else {
            continue;
        };
        let mut words = want.split_whitespace();
        let id = words.next().unwrap_or_default();
        let patch = words.next();
        let line = index as u32 + 1;
        let classified = classify_in(&files, 0, line, Op::Unknown);
        let (got, has_patch) = summary(&classified);
        let pattern = classified.pattern.as_ref();
        assert_eq!(got, id, "line {line}: {text}\n{pattern:#?}");
        match patch {
            Some("patch") => assert!(has_patch, "line {line}: no patch\n{pattern:#?}"),
            Some("nopatch") => assert!(!has_patch, "line {line}: a patch\n{pattern:#?}"),
            _ => {}
        }
        // A named pattern has its case; `other` has none, and says why there is no patch.
        let pattern = pattern.expect("a pattern");
        assert_eq!(pattern.evidence.is_empty(), id == "other", "line {line}");
        assert!(
            pattern.fix.patch.is_some() || pattern.fix.no_patch.is_some(),
            "line {line}: neither a patch nor a reason"
        );
        checked += 1;
    }
    assert_eq!(checked, CASES.matches("// want ").count());
    assert!(checked > 20, "only {checked} cases");
}

/// Patches of the cases: the n-cast takes the loop's bound, and the bound must mean the same
/// where the channel is made.
#[test]
fn patch_contents() {
    let files = [("cases.go", CASES)];
    let line_of = |needle: &str| {
        CASES
            .lines()
            .position(|line| line.contains(needle))
            .map(|index| index as u32 + 1)
            .unwrap_or_else(|| panic!("no line with {needle}"))
    };
    for (needle, added) in [
        (
            "answers <- work() // want ncast patch",
            "+\tanswers := make(chan int, n)",
        ),
        (
            "done <- work() // want timeout patch",
            "+\tdone := make(chan int, 1)",
        ),
        (
            "for v := range ch { // want unclosed_range patch",
            "+\tclose(ch)",
        ),
        ("errc <- nil // want double_send patch", "+\t\t\treturn"),
        (
            "<-ctx.Done() // want premature_return patch",
            "+\tdefer cancel()",
        ),
    ] {
        let classified = classify_in(&files, 0, line_of(needle), Op::Unknown);
        let patch = classified
            .pattern
            .and_then(|pattern| pattern.fix.patch)
            .unwrap_or_default();
        assert!(
            patch.lines().any(|line| line == added),
            "{needle}: {added:?} not in\n{patch}"
        );
    }
}

/// The program's places as expected.tsv lists them: function, file, line, op, pattern.
fn expected() -> Vec<(String, usize, u32, Op, String, bool)> {
    EXPECTED
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let file = PROGRAM
                .iter()
                .position(|(path, _)| *path == fields[1])
                .expect("a file of the program");
            let op = match fields[3] {
                "send" => Op::Send,
                "receive" => Op::Receive,
                "range" => Op::Range,
                "select" => Op::Select,
                "select_no_cases" => Op::SelectNoCases,
                "nil_send" => Op::NilSend,
                other => panic!("op {other}"),
            };
            (
                fields[0].to_string(),
                file,
                fields[2].parse().expect("line"),
                op,
                fields[5].to_string(),
                fields[6] == "yes",
            )
        })
        .collect()
}

/// The operation at `line` of `files[file]` once the edits of `pattern`'s fix are made,
/// moved by the lines they add above it: its classification.
fn after_fix(
    files: &[(&str, &str)],
    file: usize,
    line: u32,
    op: Op,
    pattern: &Pattern,
) -> Classified {
    let mut edited: Vec<(&str, String)> = files
        .iter()
        .map(|(path, text)| (*path, text.to_string()))
        .collect();
    let mut moved = line;
    for (path, text) in edited.iter_mut() {
        let edits: Vec<(std::ops::Range<usize>, &str)> = pattern
            .fix
            .edits
            .iter()
            .filter(|edit| edit.file == *path)
            .map(|edit| (edit.bytes.clone(), edit.text.as_str()))
            .collect();
        if edits.is_empty() {
            continue;
        }
        if *path == files[file].0 {
            let start = text
                .match_indices('\n')
                .nth(line as usize - 2)
                .map_or(0, |(at, _)| at + 1);
            moved += edits
                .iter()
                .filter(|(range, _)| range.start <= start)
                .map(|(_, inserted)| inserted.matches('\n').count() as u32)
                .sum::<u32>();
        }
        let file_edits = crate::diff::FileEdits { path, text, edits };
        *text = crate::diff::apply(&file_edits).expect("the edits apply");
    }
    let fixed: Vec<(&str, &str)> = edited
        .iter()
        .map(|(path, text)| (*path, text.as_str()))
        .collect();
    classify_in(&fixed, file, moved, op)
}

/// Each place of the program names its pattern from the source alone; once leakprof's own
/// patch is applied, the same operation (moved by the lines the patch adds) names none.
#[test]
fn fixed_code_is_quiet() {
    for (function, file, line, op, id, patched) in expected() {
        let classified = classify_in(PROGRAM, file, line, op);
        let pattern = classified.pattern.expect("a pattern");
        assert_eq!(pattern.id.as_str(), id, "{function}");
        assert_eq!(pattern.fix.patch.is_some(), patched, "{function}");
        if patched {
            let again = after_fix(PROGRAM, file, line, op, &pattern);
            assert_eq!(
                summary(&again).0,
                "other",
                "{function} after its fix: {again:#?}"
            );
        }
    }
}

/// The leaky program of the other tests: its places' patterns from the source alone, and the
/// same quiet once its patches are made.
#[test]
fn leaky_program() {
    let files = [
        (
            "leaks.go",
            include_str!("../../../../testdata/leaky/leaks.go"),
        ),
        (
            "main.go",
            include_str!("../../../../testdata/leaky/main.go"),
        ),
    ];
    let expected = include_str!("../../../../testdata/leaky/expected.tsv");
    let patterns = [
        ("main.prematureReturn.func1", "premature_return"),
        ("main.timeoutLeak.func1", "timeout"),
        ("main.firstResponse.func1", "ncast"),
        ("main.rangeNeverClosed.func1", "unclosed_range"),
        ("main.tickerLoop.func1", "other"),
        ("main.afterLoop.func1", "other"),
        ("main.ctxLoop.func1", "other"),
        ("main.nilSend.func1", "nil_channel"),
        ("main.nilReceive.func1", "nil_channel"),
        ("main.selectForever.func1", "select_forever"),
        ("main.sendOne", "premature_return"),
        ("main.selectNoTimer.func1", "premature_return"),
        ("main.globalReceive.func1", "global_channel"),
        ("main.smallLeak.func1", "premature_return"),
    ];
    let mut patched = 0;
    for row in expected.lines().skip(1) {
        let fields: Vec<&str> = row.split('\t').collect();
        let op = match fields[3] {
            "send" => Op::Send,
            "receive" => Op::Receive,
            "select" => Op::Select,
            "select_no_cases" => Op::SelectNoCases,
            "nil_send" => Op::NilSend,
            "nil_receive" => Op::NilReceive,
            _ => continue,
        };
        let line: u32 = fields[2].parse().expect("line");
        let classified = classify_in(&files, 0, line, op);
        let pattern = classified.pattern.expect("a pattern");
        let want = patterns
            .iter()
            .find(|(function, _)| *function == fields[0])
            .map(|(_, id)| *id)
            .unwrap_or_else(|| panic!("no pattern written down for {}", fields[0]));
        assert_eq!(pattern.id.as_str(), want, "{}", fields[0]);
        if pattern.fix.patch.is_some() {
            patched += 1;
            let again = after_fix(&files, 0, line, op, &pattern);
            assert_eq!(
                summary(&again).0,
                "other",
                "{} after its fix: {again:#?}",
                fields[0]
            );
        }
    }
    assert_eq!(
        patched, 5,
        "timeout, premature return (twice), n-cast, unclosed range"
    );
}

#[test]
fn points_count_utf16() {
    for (text, byte, expected) in [
        ("ab\ncd", 4, (2, 2)),
        ("", 0, (1, 1)),
        ("é€x", "é€".len(), (1, 3)),
        ("😀x", "😀".len(), (1, 3)),
    ] {
        let at = point(text, byte);
        assert_eq!((at.line, at.column), expected, "{text:?} {byte}");
    }
}
