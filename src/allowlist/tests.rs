//! Unit tests of `allowlist`.

use super::*;

/// Parses `text` as `r.yaml` and expects the rules' ids, or exactly these
/// `LINE:COL: message` errors.
fn check(text: &str, expected: Result<&[&str], &[&str]>) {
    let found = parse(text, "r.yaml", RuleSource::User(0))
        .map(|rules| rules.into_iter().map(|rule| rule.id).collect::<Vec<_>>())
        .map_err(|errors| {
            errors
                .iter()
                .map(|error| {
                    assert_eq!(error.file, "r.yaml");
                    format!("{}:{}: {}", error.line, error.column, error.message)
                })
                .collect::<Vec<_>>()
        });
    let expected = expected
        .map(|ids| ids.iter().map(ToString::to_string).collect::<Vec<_>>())
        .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>());
    assert_eq!(found, expected, "{text:?}");
}

const ENTRY: &str = "version: 1\nsuppressions:\n  - id: a\n    reason: r\n";

#[test]
fn valid_files() {
    let rows: &[(&str, &[&str])] = &[
        ("version: 1\n", &[]),
        ("version: 1\nsuppressions:\n", &[]),
        ("version: 1\nsuppressions: ~\n", &[]),
        ("version: 1\nsuppressions: []\n", &[]),
        ("# about\n  \nversion: 1\n", &[]),
        ("\u{feff}version: 1\nsuppressions: []\n", &[]),
        (
            "version: 1\r\nsuppressions:\r\n  - id: a\r\n    reason: r\r\n    stack: s\r\n",
            &["a"],
        ),
        (
            "version: 1\nsuppressions: [{id: a, reason: r, file: x.go}, {id: b, reason: r, function: f}]\n",
            &["a", "b"],
        ),
        // Optional keys without a value are absent.
        (
            &format!("{ENTRY}    function: f\n    owner: ~\n    line:\n    op: null\n"),
            &["a"],
        ),
    ];
    for (text, ids) in rows {
        check(text, Ok(ids));
    }
}

#[test]
fn every_key_is_read() {
    let text = format!(
        "{ENTRY}    function: \"main.(*T).run*\"\n    file: \"svc/**/*.go\"\n    line: 12\n    op: nil_send\n    stack: \"net/http.*\"\n    max_goroutines: 50\n    owner: \" @team \"\n    expires: \" 2027-03-31 \"\n"
    );
    let rules = parse(&text, "r.yaml", RuleSource::Repo).unwrap();
    let rule = &rules[0];
    assert_eq!(
        (rule.id.as_str(), rule.reason.as_str(), rule.line, rule.op),
        ("a", "r", Some(12), Some(Op::NilSend))
    );
    assert_eq!(
        rule.function.as_ref().map(Glob::as_str),
        Some("main.(*T).run*")
    );
    assert_eq!(rule.file.as_ref().map(Glob::as_str), Some("svc/**/*.go"));
    assert_eq!(rule.stack.as_ref().map(Glob::as_str), Some("net/http.*"));
    assert_eq!(rule.max_goroutines, Some(50));
    assert_eq!(rule.owner.as_deref(), Some("@team"));
    assert_eq!(rule.expires, Date::parse("2027-03-31"));
    assert_eq!(rule.source, RuleSource::Repo);
    assert_eq!(rule.origin, "r.yaml:3");
    assert_eq!(rule.position, ("r.yaml".to_string(), 3, 9));
    for (name, op) in OP_NAMES {
        assert_eq!(parse_op(name), Ok(*op));
    }
    assert_eq!(
            parse_op("Send"),
            Err("unknown op \"Send\", expected one of send, receive, range, select, select_no_cases, nil_send, nil_receive".to_string())
        );
}

#[test]
fn every_problem_is_reported() {
    let rows: &[(String, &[&str])] = &[
            ("".into(), &["1:1: the file is empty; a rules file starts with `version: 1`"]),
            (" \n# only\n".into(), &["1:1: the file is empty; a rules file starts with `version: 1`"]),
            ("- 1\n".into(), &["1:1: invalid type: sequence, expected a YAML mapping; a rules file maps `version` and `suppressions`"]),
            ("version: x\n".into(), &["1:10: version: invalid type: string \"x\", expected u64"]),
            ("version: 1\nsuppressions: 5\n".into(), &["2:15: suppressions: invalid type: integer `5`, expected a sequence"]),
            ("version: 1\n7: x\n".into(), &["2:1: unknown field `7`, expected `version` or `suppressions`"]),
            (
                "suppressions:\n  - id: a\n    reason: r\n    function: f\n  - id: a\n    reason: r\n    function: f\n".into(),
                &[
                    "1:1: missing field `version`",
                    "5:9: duplicate id \"a\": already defined at r.yaml:2",
                ],
            ),
            // A problem that keeps the first entry out does not hide the duplicate.
            (
                "version: 1\nsuppressions:\n  - id: a\n    function: f\n  - id: a\n    reason: r\n    function: f\n".into(),
                &[
                    "3:5: suppressions[0]: missing field `reason`",
                    "5:9: duplicate id \"a\": already defined at r.yaml:3",
                ],
            ),
            (
                format!("{ENTRY}    id2: x\n"),
                &["5:5: suppressions[0]: unknown field `id2`, expected one of `id`, `reason`, `function`, `file`, `line`, `op`, `stack`, `max_goroutines`, `bound_reason`, `over_bound`, `owner`, `expires`"],
            ),
            (
                format!("{ENTRY}    function: 5\n"),
                &["5:15: suppressions[0].function: invalid type: integer `5`, expected a string"],
            ),
            (
                format!("{ENTRY}    file: [x]\n    stack: ' '\n    owner: ''\n    max_goroutines: 0\n"),
                &[
                    "5:11: suppressions[0].file: invalid type: sequence, expected a string",
                    "6:12: suppressions[0].stack: the glob is empty",
                    "7:12: suppressions[0].owner: must not be empty",
                    "8:21: suppressions[0].max_goroutines: must be at least 1",
                ],
            ),
            (
                "version: 1\nsuppressions:\n  - id: ~\n    reason: 5\n    function: f\n  - id: \"\\t\"\n    reason: r\n    file: a\n  - id: \"a\\x01b\"\n    reason: r\n    file: a\n".into(),
                &[
                    "3:9: suppressions[0].id: invalid type: unit value, expected a string",
                    "4:13: suppressions[0].reason: invalid type: integer `5`, expected a string",
                    "6:9: suppressions[1].id: \"\\t\" must be a non-empty word without spaces",
                    "9:9: suppressions[2].id: \"a\\u{1}b\" must be a non-empty word without spaces",
                ],
            ),
            (
                "version: 1\nsuppressions:\n  - reason: r\n    function: f\n".into(),
                &["3:5: suppressions[0]: missing field `id`"],
            ),
            (
                "version: 1\nsuppressions: [x]\n".into(),
                &["2:16: suppressions[0]: invalid type: string \"x\", expected a YAML mapping"],
            ),
            (
                format!("version: 1\nsuppressions: {}\n", "[".repeat(17)),
                &["2:31: `[` and `{` nest deeper than 16 levels; a rules file needs two"],
            ),
        ];
    for (text, errors) in rows {
        check(text, Err(errors));
    }
    // Built-in ids are reserved for built-in files.
    let builtin = format!("{ENTRY}    function: f\n").replace("id: a", "id: leakprof.x");
    assert!(parse(&builtin, "b.yaml", RuleSource::Builtin).is_ok());
    assert!(parse(&builtin, "r.yaml", RuleSource::Repo).is_err());
}

/// The size limit holds to the byte, with or without a byte order mark.
#[test]
fn size_limit() {
    let rule = "version: 1\nsuppressions: [{id: a, reason: r, function: f}]\n";
    let padded = |size: usize| format!("{rule}{}\n", "#".repeat(size - rule.len() - 1));
    check(&padded(MAX_FILE_SIZE), Ok(&["a"]));
    check(&format!("\u{feff}{}", padded(MAX_FILE_SIZE)), Ok(&["a"]));
    check(
        &padded(MAX_FILE_SIZE + 1),
        Err(&[
            "1:1: the file is 1048577 bytes, over the 1024 KiB limit for a rules file; split it",
        ]),
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.yaml");
    std::fs::write(&path, padded(MAX_FILE_SIZE)).unwrap();
    assert_eq!(read_file(&path).unwrap(), padded(MAX_FILE_SIZE));
    std::fs::write(&path, padded(MAX_FILE_SIZE + 1)).unwrap();
    assert!(matches!(read_file(&path), Err(ReadError::TooLarge { .. })));
    std::fs::write(&path, b"version: 1\n\xff").unwrap();
    let error = read_file(&path).unwrap_err();
    assert!(
        matches!(error, ReadError::NotUtf8 { offset: 11, .. }),
        "{error}"
    );
    let missing = dir.path().join("missing.yaml");
    assert!(matches!(read_file(&missing), Err(ReadError::Io { .. })));
}

#[test]
fn every_builtin_file_loads() {
    let rules = builtin();
    assert!(rules.len() >= 30, "{} built-in rules", rules.len());
    assert!(rules.iter().all(|rule| rule.id.starts_with(BUILTIN_PREFIX)));
    assert!(duplicate_ids(&rules).is_empty());
}

/// rules/README.md: every built-in rule names one function, says why its bound is what it
/// is (or why there is none), and a bounded one says what a count over it means.
#[test]
fn every_builtin_rule_states_its_bound() {
    for rule in builtin() {
        let id = &rule.id;
        let function = rule.function.as_ref().map(Glob::as_str).unwrap_or_default();
        assert!(!function.is_empty(), "{id} names no function");
        // A glob that starts with `*` matches forks and wrappers it was not written for.
        assert!(!function.starts_with('*'), "{id}: {function}");
        assert!(rule.bound_reason.is_some(), "{id} has no bound_reason");
        match rule.max_goroutines {
            Some(_) => assert!(rule.over_bound.is_some(), "{id} has no over_bound"),
            None => assert!(
                rule.bound_reason
                    .as_deref()
                    .is_some_and(|why| why.starts_with("not bounded:")),
                "{id}: an unbounded rule's bound_reason starts with `not bounded:`"
            ),
        }
    }
}

fn one(text: &str) -> Result<Rule, Vec<String>> {
    let file = format!("version: 1\nsuppressions:\n  - id: r\n    reason: x\n{text}");
    parse(&file, "r.yaml", RuleSource::User(0))
        .map(|mut rules| rules.remove(0))
        .map_err(|errors| errors.iter().map(ToString::to_string).collect())
}

#[test]
fn bound_words() {
    let rule = one(
        "    function: f\n    max_goroutines: 4\n    bound_reason: \" one per DB \"\n    \
             over_bound: \"openers: one per DB\"\n",
    )
    .unwrap();
    assert_eq!(rule.bound_reason.as_deref(), Some("one per DB"));
    assert_eq!(rule.over_bound.as_deref(), Some("openers: one per DB"));
    let table: &[(&str, &str)] = &[
        (
            "    function: f\n    over_bound: many\n",
            "r.yaml:6:17: suppressions[0].over_bound: says what a count over \
                 `max_goroutines` means, and the rule has none: add `max_goroutines` or remove \
                 `over_bound`",
        ),
        (
            "    function: f\n    bound_reason: \" \"\n",
            "r.yaml:6:19: suppressions[0].bound_reason: must not be empty",
        ),
    ];
    for (text, expected) in table {
        assert_eq!(one(text).unwrap_err(), [expected.to_string()], "{text}");
    }
    // Mistyped max_goroutines: one error, not a second one about over_bound.
    let errors = one("    function: f\n    max_goroutines: x\n    over_bound: many\n").unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
}
