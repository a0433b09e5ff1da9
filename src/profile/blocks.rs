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
/// include the separating blank lines. Carriage returns are dropped, so CRLF dumps read the
/// same as LF ones. Returns the number of bytes read.
pub fn for_each(
    reader: &mut dyn Read,
    mut each: impl FnMut(&[u8], End) -> Result<(), ProfileError>,
) -> Result<u64, ProfileError> {
    let separator = memmem::Finder::new(b"\n\n");
    let mut buf: Vec<u8> = vec![0; CHUNK];
    let mut filled = 0;
    let mut total: u64 = 0;
    let mut crlf: Option<bool> = None;
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
        total += n as u64;
        let eof = n == 0;
        let mut end = filled + n;
        let has_crlf = *crlf.get_or_insert_with(|| memchr::memchr(b'\r', &buf[..end]).is_some());
        if has_crlf {
            end = filled + drop_carriage_returns(&mut buf[filled..end]);
        }
        filled = end;

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

fn drop_carriage_returns(bytes: &mut [u8]) -> usize {
    let mut kept = 0;
    for index in 0..bytes.len() {
        if bytes[index] != b'\r' {
            bytes[kept] = bytes[index];
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
        check("", &[]);
        check("\n\na\n\n", &[("a\n", End::Blank)]);
    }
}
