//! Splits a text profile into blank-line separated blocks while streaming it in fixed-size
//! chunks, so memory stays flat however large the dump is.

use std::io::{self, Read};

use memchr::memmem;

use super::ProfileError;

/// Bytes read per refill; a block longer than this makes the buffer grow.
const CHUNK: usize = 4 << 20;
/// No goroutine stack comes near this; a "block" larger than it is not a dump.
const MAX_BLOCK: usize = 64 << 20;

/// How a block ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// A blank line follows: the block is complete.
    Blank,
    /// The block runs to the end of the input.
    Eof,
}

/// Calls `each` for every blank-line separated block of `reader`, in order. Blocks never
/// include the separating blank lines. A carriage return that ends a line is dropped, line by
/// line, so CRLF dumps (or CRLF sections of a dump, wherever they start) read the same as LF
/// ones. Returns the number of bytes read.
pub fn for_each(
    reader: &mut dyn Read,
    mut each: impl FnMut(&[u8], End) -> Result<(), ProfileError>,
) -> Result<u64, ProfileError> {
    let separator = memmem::Finder::new(b"\n\n");
    let mut buf: Vec<u8> = vec![0; CHUNK];
    let mut filled = 0;
    let mut total: u64 = 0;
    loop {
        if filled == buf.len() {
            if buf.len() >= MAX_BLOCK {
                return Err(ProfileError::Malformed(format!(
                    "no blank line within {} MiB at byte offset {}: not a goroutine dump",
                    MAX_BLOCK >> 20,
                    total - filled as u64
                )));
            }
            buf.resize(buf.len() * 2, 0);
        }
        let n = read_full(reader, &mut buf[filled..])?;
        total = total.saturating_add(n as u64);
        let eof = n == 0;
        // A carriage return kept at the end of the last read may turn out to end a line.
        let from = match filled.checked_sub(1) {
            Some(last) if buf[last] == b'\r' => last,
            _ => filled,
        };
        filled = from + drop_line_end_carriage_returns(&mut buf[from..filled + n], eof);

        let data = &buf[..filled];
        let complete = if eof {
            filled
        } else {
            match memmem::rfind(data, b"\n\n") {
                Some(at) => at + 2,
                None => continue,
            }
        };
        let mut start = 0;
        while start < complete && data[start] == b'\n' {
            start += 1;
        }
        for at in separator.find_iter(&data[..complete]) {
            if at > start {
                each(&data[start..at + 1], End::Blank)?;
            }
            start = at + 2;
            // Runs of blank lines are one separator.
            while start < complete && data[start] == b'\n' {
                start += 1;
            }
        }
        if eof {
            if start < filled {
                each(&data[start..filled], End::Eof)?;
            }
            return Ok(total);
        }
        buf.copy_within(complete..filled, 0);
        filled -= complete;
    }
}

/// Reads until `buf` is full or the input ends.
pub(super) fn read_full(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

/// Drops every carriage return followed by a line feed (or ending the input, at its end),
/// moving the rest down; returns the length kept. A carriage return at the end of `bytes` is
/// kept until the next read says what follows it.
fn drop_line_end_carriage_returns(bytes: &mut [u8], at_end: bool) -> usize {
    let Some(first) = memchr::memchr(b'\r', bytes) else {
        return bytes.len();
    };
    let mut kept = first;
    for index in first..bytes.len() {
        let byte = bytes[index];
        let ends_line = byte == b'\r'
            && match bytes.get(index + 1) {
                Some(&next) => next == b'\n',
                None => at_end,
            };
        if !ends_line {
            bytes[kept] = byte;
            kept += 1;
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &[(&str, End)]) {
        let mut seen = Vec::new();
        for_each(&mut input.as_bytes(), |block, end| {
            seen.push((String::from_utf8(block.to_vec()).unwrap(), end));
            Ok(())
        })
        .unwrap();
        let expected: Vec<(String, End)> = expected
            .iter()
            .map(|(text, end)| (text.to_string(), *end))
            .collect();
        assert_eq!(seen, expected, "input {input:?}");
    }

    #[test]
    fn splits_on_blank_lines() {
        check("a\nb\n\nc\n", &[("a\nb\n", End::Blank), ("c\n", End::Eof)]);
        check("a\n\n\n\nb", &[("a\n", End::Blank), ("b", End::Eof)]);
        check("a\r\n\r\nb\r\n", &[("a\n", End::Blank), ("b\n", End::Eof)]);
        // Line by line: LF and CRLF sections mix, and a lone carriage return is content.
        check(
            "a\nb\r\n\r\nc\rd\n\nx\r",
            &[
                ("a\nb\n", End::Blank),
                ("c\rd\n", End::Blank),
                ("x", End::Eof),
            ],
        );
        check("", &[]);
        check("\n\na\n\n", &[("a\n", End::Blank)]);
    }

    #[test]
    fn crlf_after_the_first_chunk() {
        // LF for a whole read, then CRLF; and the first CRLF pair split across two reads.
        for prefix in [
            "x\n".repeat(CHUNK / 2),
            format!("y{}", "x\n".repeat(CHUNK / 2 - 1)),
        ] {
            let mut input = prefix.into_bytes();
            input.extend_from_slice(b"\r\n\r\ngoroutine 1 [chan send]:\r\nmain.f()\r\n\r\n");
            let mut blocks = Vec::new();
            for_each(&mut input.as_slice(), |block, _| {
                blocks.push(block.to_vec());
                Ok(())
            })
            .unwrap();
            assert_eq!(blocks.len(), 2);
            assert_eq!(blocks[1], b"goroutine 1 [chan send]:\nmain.f()\n");
            assert!(!blocks[0].contains(&b'\r'));
        }
    }
}
