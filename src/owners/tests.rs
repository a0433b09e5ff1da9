//! Unit tests of `owners`.

use super::*;

/// Parses `text`, expects exactly `problems` as (line, part of the message), then the
/// owners of each path.
fn check(text: &str, problems: &[(usize, &str)], cases: Cases) {
    let (owners, found) = CodeOwners::parse(text);
    assert_eq!(
        found.iter().map(|(line, _)| *line).collect::<Vec<_>>(),
        problems.iter().map(|(line, _)| *line).collect::<Vec<_>>(),
        "problem lines for:\n{text}\ngot {found:?}"
    );
    for ((_, message), (_, part)) in found.iter().zip(problems) {
        assert!(message.contains(part), "{message:?} lacks {part:?}");
    }
    for (path, expected) in cases {
        assert_eq!(
            &owners.owners(path),
            expected,
            "owners of {path:?} in:\n{text}"
        );
    }
}

/// Paths and the owners expected for them.
type Cases<'a> = &'a [(&'a str, &'a [&'a str])];

const NONE: &[&str] = &[];

/// The example file of GitHub's "About code owners" page, verbatim (current version).
const GITHUB_EXAMPLE: &str = "\
# This is a comment.
# Each line is a file pattern followed by one or more owners.

# These owners will be the default owners for everything in
# the repo. Unless a later match takes precedence,
# @global-owner1 and @global-owner2 will be requested for
# review when someone opens a pull request.
*       @global-owner1 @global-owner2

# Order is important; the last matching pattern takes the most
# precedence. When someone opens a pull request that only
# modifies JS files, only @js-owner and not the global
# owner(s) will be requested for a review.
*.js    @js-owner #This is an inline comment.

# You can also use email addresses if you prefer. They'll be
# used to look up users just like we do for commit author
# emails.
*.go docs@example.com

# Teams can be specified as code owners as well. Teams should
# be identified in the format @org/team-name. Teams must have
# explicit write access to the repository. In this example,
# the octocats team in the octo-org organization owns all .txt files.
*.txt @octo-org/octocats

# In this example, @doctocat owns any files in the build/logs
# directory at the root of the repository and any of its
# subdirectories.
/build/logs/ @doctocat

# The `docs/*` pattern will match files like
# `docs/getting-started.md` but not further nested files like
# `docs/build-app/troubleshooting.md`.
docs/*  docs@example.com

# In this example, @octocat owns any file in an apps directory
# anywhere in your repository.
apps/ @octocat

# In this example, @doctocat owns any file in the `/docs`
# directory in the root of your repository and any of its
# subdirectories.
/docs/ @doctocat

# In this example, any change inside the `/scripts` directory
# will require approval from @doctocat or @octocat.
/scripts/ @doctocat @octocat

# In this example, @octocat owns any file in a `/logs` directory such as
# `/build/logs`, `/scripts/logs`, and `/deeply/nested/logs`. Any changes
# in a `/logs` directory will require approval from @octocat.
**/logs @octocat

# In this example, @octocat owns any file in the `/apps`
# directory in the root of your repository except for the `/apps/github`
# subdirectory, as its owners are left empty.
/apps/ @octocat
/apps/github

# In this example, @octocat owns any file in the `/apps`
# directory in the root of your repository except for the `/apps/github`
# subdirectory, as this subdirectory has its own owner @doctocat
/apps/ @octocat
/apps/github @doctocat
";

#[test]
fn github_example_file_as_a_whole() {
    let global: &[&str] = &["@global-owner1", "@global-owner2"];
    check(
        GITHUB_EXAMPLE,
        &[],
        &[
            ("README.md", global),
            ("web/app.js", &["@js-owner"]),
            ("cmd/main.go", &["docs@example.com"]),
            ("notes/todo.txt", &["@octo-org/octocats"]),
            // `/docs/` comes after `docs/*`, and `**/logs` after `/build/logs/`.
            ("docs/getting-started.md", &["@doctocat"]),
            ("build/logs/today.log", &["@octocat"]),
            ("scripts/deploy.sh", &["@doctocat", "@octocat"]),
            ("apps/main.go", &["@octocat"]),
            ("apps/github/main.go", &["@doctocat"]),
        ],
    );
}

/// Each example line of GitHub's page, with what its comment says it does.
#[test]
fn github_example_lines_do_what_their_comments_say() {
    let global: &[&str] = &["@global-owner1", "@global-owner2"];
    let default = "*       @global-owner1 @global-owner2\n";
    let table: &[(&str, Cases)] = &[
        // Default owners for everything in the repo.
        (
            default,
            &[("README.md", global), ("src/deep/er/file.rs", global)],
        ),
        // Only @js-owner, not the global owners, for JS files; the inline comment is
        // not an owner.
        (
            "*       @global-owner1 @global-owner2\n\
                 *.js    @js-owner #This is an inline comment.\n",
            &[
                ("app.js", &["@js-owner"]),
                ("web/static/app.js", &["@js-owner"]),
                ("app.ts", global),
            ],
        ),
        // Email addresses as owners.
        (
            "*.go docs@example.com\n",
            &[
                ("main.go", &["docs@example.com"]),
                ("x/y/z.go", &["docs@example.com"]),
            ],
        ),
        // The octocats team owns all .txt files.
        (
            "*.txt @octo-org/octocats\n",
            &[
                ("a.txt", &["@octo-org/octocats"]),
                ("a/b/c.txt", &["@octo-org/octocats"]),
                ("a.txt.bak", NONE),
            ],
        ),
        // build/logs at the root and any of its subdirectories.
        (
            "/build/logs/ @doctocat\n",
            &[
                ("build/logs/a.log", &["@doctocat"]),
                ("build/logs/2024/01/a.log", &["@doctocat"]),
                ("src/build/logs/a.log", NONE),
                ("build/logs", NONE),
            ],
        ),
        // docs/getting-started.md but not docs/build-app/troubleshooting.md.
        (
            "docs/*  docs@example.com\n",
            &[
                ("docs/getting-started.md", &["docs@example.com"]),
                ("docs/build-app/troubleshooting.md", NONE),
                ("src/docs/getting-started.md", NONE),
            ],
        ),
        // Any file in an apps directory anywhere.
        (
            "apps/ @octocat\n",
            &[
                ("apps/main.go", &["@octocat"]),
                ("apps/a/b/main.go", &["@octocat"]),
                ("services/x/apps/main.go", &["@octocat"]),
                ("apps", NONE),
                ("myapps/main.go", NONE),
            ],
        ),
        // Any file in /docs at the root and its subdirectories.
        (
            "/docs/ @doctocat\n",
            &[
                ("docs/a.md", &["@doctocat"]),
                ("docs/build-app/troubleshooting.md", &["@doctocat"]),
                ("src/docs/a.md", NONE),
            ],
        ),
        // Approval from @doctocat or @octocat inside /scripts.
        (
            "/scripts/ @doctocat @octocat\n",
            &[
                ("scripts/deploy.sh", &["@doctocat", "@octocat"]),
                ("deploy.sh", NONE),
            ],
        ),
        // /build/logs, /scripts/logs and /deeply/nested/logs.
        (
            "**/logs @octocat\n",
            &[
                ("build/logs/a.log", &["@octocat"]),
                ("scripts/logs/b.log", &["@octocat"]),
                ("deeply/nested/logs/c.log", &["@octocat"]),
                ("logs/d.log", &["@octocat"]),
                ("build/logsx/a.log", NONE),
            ],
        ),
        // /apps except /apps/github, whose owners are left empty.
        (
            "/apps/ @octocat\n/apps/github\n",
            &[
                ("apps/main.go", &["@octocat"]),
                ("apps/github/main.go", NONE),
                ("apps/github", NONE),
                ("apps/githubber/main.go", &["@octocat"]),
            ],
        ),
        // /apps except /apps/github, which has its own owner.
        (
            "/apps/ @octocat\n/apps/github @doctocat\n",
            &[
                ("apps/main.go", &["@octocat"]),
                ("apps/github/deep/main.go", &["@doctocat"]),
            ],
        ),
        // Branch protection examples of earlier versions of the page: any change inside
        // /apps needs @doctocat; @doctocat or @octocat; a member of the team.
        ("/apps/ @doctocat\n", &[("apps/main.go", &["@doctocat"])]),
        (
            "/apps/ @doctocat @octocat\n",
            &[("apps/main.go", &["@doctocat", "@octocat"])],
        ),
        (
            "/apps/ @example-org/content-team\n",
            &[("apps/main.go", &["@example-org/content-team"])],
        ),
    ];
    for (text, cases) in table {
        check(text, &[], cases);
    }
}

#[test]
fn last_matching_rule_wins() {
    check(
        "* @all\n*.go @gophers\n/src/ @src\n",
        &[],
        &[
            ("src/main.go", &["@src"]),
            ("main.go", &["@gophers"]),
            ("README.md", &["@all"]),
        ],
    );
    check(
        "/src/ @src\n*.go @gophers\n* @all\n",
        &[],
        &[("src/main.go", &["@all"]), ("main.go", &["@all"])],
    );
}

#[test]
fn anchoring_and_depth() {
    check(
        "/README.md @root\nLICENSE @anywhere\na/b @middle-slash\n",
        &[],
        &[
            ("README.md", &["@root"]),
            ("docs/README.md", NONE),
            ("LICENSE", &["@anywhere"]),
            ("vendor/x/LICENSE", &["@anywhere"]),
            // A slash in the middle anchors like a leading one.
            ("a/b", &["@middle-slash"]),
            ("a/b/c.go", &["@middle-slash"]),
            ("x/a/b", NONE),
        ],
    );
    // `/*` is the entries at the root, not what is nested below them.
    check(
        "/* @root-files\n",
        &[],
        &[("main.go", &["@root-files"]), ("cmd/main.go", NONE)],
    );
    check(
        "docs @docs\n*.go @gophers\n",
        &[],
        &[
            // A slashless name is a file or a directory at any depth, and its contents.
            ("docs", &["@docs"]),
            ("a/b/docs", &["@docs"]),
            ("docs/index.md", &["@docs"]),
            ("a/docs/x/index.md", &["@docs"]),
            ("docs.md", NONE),
            ("main.go", &["@gophers"]),
            ("a/b/c/main.go", &["@gophers"]),
            ("main.go.orig", NONE),
        ],
    );
}

#[test]
fn trailing_slash_is_a_directory() {
    check(
        "logs/ @logs\n/build/ @build\n",
        &[],
        &[
            ("logs", NONE),
            ("logs/a", &["@logs"]),
            ("x/y/logs/a/b", &["@logs"]),
            ("build", NONE),
            ("build/out", &["@build"]),
            ("x/build/out", NONE),
        ],
    );
}

#[test]
fn double_star_forms() {
    check(
        "**/logs @a\n",
        &[],
        &[("logs", &["@a"]), ("x/logs", &["@a"])],
    );
    check(
        "docs/** @a\n",
        &[],
        &[
            ("docs/a.md", &["@a"]),
            ("docs/a/b/c.md", &["@a"]),
            ("docs", NONE),
            ("x/docs/a.md", NONE),
        ],
    );
    check(
        "a/**/b @a\n",
        &[],
        &[
            ("a/b", &["@a"]),
            ("a/x/b", &["@a"]),
            ("a/x/y/b", &["@a"]),
            ("a/x/b/inside.go", &["@a"]),
            ("a/bb", NONE),
            ("x/a/b", NONE),
        ],
    );
    check(
        "/src/**/*.go @a\n",
        &[],
        &[
            ("src/main.go", &["@a"]),
            ("src/x/y/main.go", &["@a"]),
            ("src/x/main.rs", NONE),
        ],
    );
    check("** @all\n", &[], &[("a", &["@all"]), ("a/b/c", &["@all"])]);
    // `**` inside a segment is two ordinary stars.
    check(
        "/a**b @a\n",
        &[],
        &[("ab", &["@a"]), ("axxb", &["@a"]), ("ax/xb", NONE)],
    );
}

#[test]
fn wildcards_stay_within_a_segment() {
    check(
        "/file?.go @q\n/cmd/*.go @star\n",
        &[],
        &[
            ("file1.go", &["@q"]),
            ("file10.go", NONE),
            ("file.go", NONE),
            ("cmd/main.go", &["@star"]),
            ("cmd/x/main.go", NONE),
        ],
    );
}

#[test]
fn comments_and_escapes() {
    check(
        "# a comment\n   \t# an indented comment\n\n\
             *.go @gophers # trailing comment @not-an-owner\n\
             /c#sharp/ @hash-inside\n\
             /\\*.md @literal-star\n\
             /\\!important.txt @literal-bang\n",
        &[],
        &[
            ("main.go", &["@gophers"]),
            ("c#sharp/x", &["@hash-inside"]),
            ("*.md", &["@literal-star"]),
            ("README.md", NONE),
            ("!important.txt", &["@literal-bang"]),
        ],
    );
    // GitHub documents that `\#` does not escape a leading `#`.
    check(
        "* @all\n\\#notes.md @hash\n",
        &[(2, "leading `#`")],
        &[("#notes.md", &["@all"])],
    );
    // A lone `#` owner word starts a comment too: the rule has no owners.
    check("* @all\n/vendor/ #unowned\n", &[], &[("vendor/x.go", NONE)]);
}

#[test]
fn invalid_lines_are_reported_and_skipped() {
    check(
        "* @all\n\
             !vendor/ @nobody\n\
             *.[ch] @c\n\
             /tools/ tools-team\n\
             /bin\\\n\
             /ok/ @ok\n\
             /\n\
             /src/x]y @z\n\
             /lib/ @a/b/c\n",
        &[
            (2, "negation"),
            (3, "character ranges"),
            (4, "not an owner"),
            (5, "escapes nothing"),
            (7, "matches no path"),
            (8, "character ranges"),
            (9, "not an owner"),
        ],
        &[
            ("vendor/x.go", &["@all"]),
            ("main.c", &["@all"]),
            ("tools/x", &["@all"]),
            ("ok/x", &["@ok"]),
            ("lib/x", &["@all"]),
        ],
    );
    // Escaped brackets are literal characters.
    check(
        "/pages/\\[id\\].tsx @web\n",
        &[],
        &[("pages/[id].tsx", &["@web"])],
    );
}

#[test]
fn empty_owner_list_clears_ownership() {
    check(
        "* @all\n/vendor/\n/vendor/ours/ @us\n",
        &[],
        &[
            ("main.go", &["@all"]),
            ("vendor/x/y.go", NONE),
            ("vendor/ours/y.go", &["@us"]),
        ],
    );
}

#[test]
fn paths_are_case_sensitive() {
    check(
        "/Docs/ @docs\n*.GO @upper\n",
        &[],
        &[
            ("Docs/a.md", &["@docs"]),
            ("docs/a.md", NONE),
            ("main.GO", &["@upper"]),
            ("main.go", NONE),
        ],
    );
}

#[test]
fn paths_with_spaces() {
    check(
        "docs/* @docs\n*.md @md\n/my\\ tools/ @tools\n/a\\ b\\ c.txt @abc\n",
        &[],
        &[
            ("docs/my file.go", &["@docs"]),
            ("release notes/read me.md", &["@md"]),
            ("my tools/run.sh", &["@tools"]),
            ("my/run.sh", NONE),
            ("a b c.txt", &["@abc"]),
        ],
    );
}

#[test]
fn owners_in_order_without_duplicates() {
    check(
        "* @b @a @b @A ops@example.com OPS@example.com @org/team\n",
        &[],
        &[("x", &["@b", "@a", "ops@example.com", "@org/team"])],
    );
}

#[test]
fn unmatched_empty_and_odd_input() {
    check("", &[], &[("main.go", NONE)]);
    check("/src/ @src\n", &[], &[("main.go", NONE), ("", NONE)]);
    // CRLF line ends and a byte order mark, as editors on Windows write them.
    check(
        "\u{feff}/src/ @src\r\n!x @y\r\n*.go @go\r\n",
        &[(2, "negation")],
        &[("src/a.rs", &["@src"]), ("a.go", &["@go"])],
    );
}

/// GitHub's order of preference: `.github/`, then the root, then `docs/`.
#[test]
fn the_first_location_found_wins() {
    let table: &[(&[&str], Option<&str>)] = &[
        (&[], None),
        (&["docs/CODEOWNERS"], Some("docs/CODEOWNERS")),
        (&["CODEOWNERS", "docs/CODEOWNERS"], Some("CODEOWNERS")),
        (
            &["docs/CODEOWNERS", "CODEOWNERS", ".github/CODEOWNERS"],
            Some(".github/CODEOWNERS"),
        ),
        (&["src/CODEOWNERS", "codeowners"], None),
    ];
    for (present, expected) in table {
        let mut asked = Vec::new();
        let found = locate(|location| {
            asked.push(location);
            present
                .contains(&location)
                .then(|| format!("text of {location}"))
        });
        assert_eq!(
            found,
            expected.map(|location| (location, format!("text of {location}"))),
            "{present:?}"
        );
        // Nothing is read past the file that is used.
        match expected {
            Some(location) => assert_eq!(asked.last(), Some(location)),
            None => assert_eq!(asked, LOCATIONS),
        }
    }
}

#[test]
fn pathological_patterns_finish() {
    let mut path = "a/".repeat(2_000);
    path.push_str(&"bcd".repeat(2_000));
    path.push_str(".txt");
    let long_name = "a".repeat(20_000);
    check(
        "a/**/**/**/**/**/b*c*d*e* @slow\n\
             a/**/a*/**/*a/**/a*a/**/b*c*d*e* @slow\n\
             *a*a*a*a*a*a*a*a*a*b @slower\n",
        &[],
        &[(path.as_str(), NONE), (long_name.as_str(), NONE)],
    );
}
