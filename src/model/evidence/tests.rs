use super::*;

#[test]
fn context_around_a_line() {
    fn check(text: &str, line: u32, expected: Option<(u32, &[&str])>) {
        let found = SourceContext::around(text, line);
        let found = found.as_ref().map(|c| {
            (
                c.first_line,
                c.lines.iter().map(String::as_str).collect::<Vec<_>>(),
            )
        });
        let expected = expected.map(|(first, lines)| (first, lines.to_vec()));
        assert_eq!(found, expected, "{text:?} line {line}");
    }
    let text = "a\nb\nc\nd\ne\nf\n";
    check(text, 3, Some((1, &["a", "b", "c", "d", "e"])));
    check(text, 1, Some((1, &["a", "b", "c"])));
    check(text, 6, Some((4, &["d", "e", "f"])));
    check("\tx <- 1\r\n", 1, Some((1, &["\tx <- 1"])));
    check(text, 7, None);
    check(text, 0, None);
    check("", 1, None);
}
