//! HTML escaping. Every string the page takes from a report (function names, paths, rule
//! reasons, the source line) passes through here, so none of it can add markup or a fetch,
//! and none can hide what it says behind control or bidirectional characters.

use std::fmt;

use crate::report::present;

/// `text` made safe for HTML text and for double- or single-quoted attribute values.
pub(super) fn escape(text: &str) -> Escaped<'_> {
    Escaped(text)
}

/// Writes its text with control and bidirectional characters shown as escapes, as every
/// other format shows them ([`present::safe_lines`]), and `& < > " '` replaced by character
/// references; allocates only for text holding such a character.
pub(super) struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = present::safe_lines(self.0);
        let mut rest: &str = &shown;
        while let Some(index) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..index])?;
            f.write_str(match rest.as_bytes()[index] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[index + 1..];
        }
        f.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_and_attributes() {
        for (text, expected) in [
            ("", ""),
            ("plain", "plain"),
            ("done <- v", "done &lt;- v"),
            (
                "main.F[go.shape.*uint8](...)",
                "main.F[go.shape.*uint8](...)",
            ),
            ("a && b > c", "a &amp;&amp; b &gt; c"),
            (
                "<script src=\"x\">'</script>",
                "&lt;script src=&quot;x&quot;&gt;&#39;&lt;/script&gt;",
            ),
            ("&amp;", "&amp;amp;"),
            ("héllo <ü>", "héllo &lt;ü&gt;"),
            ("a\tb\nc", "a\tb\nc"),
            ("if admin \u{202e} {", "if admin \\u{202e} {"),
            ("bell\u{7}<", "bell\\x07&lt;"),
        ] {
            assert_eq!(escape(text).to_string(), expected, "{text:?}");
        }
    }
}
