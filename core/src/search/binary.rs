//! ripgrep 13's handling of binary data (a NUL byte), reproduced so that
//! the same lines are reported.
//!
//! A file found by walking a directory is read through a line buffer of
//! 64 KiB: each fill reads until the new bytes hold a `\n`, and the buffer
//! up to its last `\n` is then searched. When a fill brings in a NUL,
//! ripgrep stops: that buffer is not searched at all, so what was searched
//! is exactly the buffers filled before it. Two details decide where those
//! buffers end: the first read returns only 3 bytes (they were peeked to
//! look for a byte-order mark), and a buffer that fills up without a `\n`
//! grows to three times its size. Checked against rg 13.0.0 on randomised
//! files in the integration tests.
//!
//! Two things are not reproduced. rg's worker threads keep their buffer
//! from one file to the next, so after a line longer than 64 KiB a thread
//! continues with a bigger one; which files a thread gets is up to the
//! scheduler, so rg itself is not deterministic there, and we model a
//! fresh buffer for every file. And rg transcodes UTF-16 in pieces of its
//! own; we apply the same rule to the transcoded text, which can differ
//! only for a UTF-16 file holding a U+0000 character.

/// The size of ripgrep's line buffer, and of the prefix it checks for NUL
/// bytes in a file named on the command line.
pub(crate) const RG_BUFFER: usize = 64 * 1024;

/// How many bytes the first read returns when no byte-order mark was
/// removed (the peeked bytes are handed back on their own).
pub(crate) const PEEKED: usize = 3;

/// The length of the start of `data` that ripgrep searches before the
/// fill that brings in the NUL at `nul` makes it stop. `first_read` limits
/// the first read (see [`PEEKED`]). The result is 0 or just after a `\n`.
pub(crate) fn searched_before_nul(data: &[u8], nul: usize, first_read: Option<usize>) -> usize {
    debug_assert!(nul < data.len() && data[nul] == 0);
    let mut capacity = RG_BUFFER;
    let mut first_read = first_read;
    // The buffer holds data[start..end]; `start` is where the previous
    // fill's searched part ended.
    let mut start = 0;
    let mut end = 0;
    loop {
        let searched_to = loop {
            if end - start == capacity {
                capacity *= 3;
            }
            let mut want = capacity - (end - start);
            if let Some(limit) = first_read.take() {
                want = want.min(limit);
            }
            let got = want.min(data.len() - end);
            if got == 0 || nul < end + got {
                // This fill reads the NUL (the end of the data cannot come
                // first, since the NUL lies before it): nothing more is searched.
                return start;
            }
            let new = end..end + got;
            end += got;
            if let Some(i) = memchr::memrchr(b'\n', &data[new.clone()]) {
                break new.start + i + 1;
            }
        };
        start = searched_to;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `lines` lines of `line_len` bytes each (the `\n` included), with a
    /// NUL at `nul` when given.
    fn file(lines: usize, line_len: usize, nul: Option<usize>) -> Vec<u8> {
        let mut d = Vec::new();
        for _ in 0..lines {
            d.extend(std::iter::repeat_n(b'x', line_len - 1));
            d.push(b'\n');
        }
        if let Some(at) = nul {
            d[at] = 0;
        }
        d
    }

    #[test]
    fn a_nul_in_the_first_buffer_stops_before_anything_is_searched() {
        let d = file(2000, 100, Some(65_535));
        assert_eq!(searched_before_nul(&d, 65_535, Some(PEEKED)), 0);
        let d = file(2000, 100, Some(0));
        assert_eq!(searched_before_nul(&d, 0, Some(PEEKED)), 0);
    }

    #[test]
    fn later_nuls_keep_the_buffers_filled_before_them() {
        let d = file(2000, 100, Some(65_536));
        // The first buffer is bytes 0..65536; its last `\n` is at 65499.
        assert_eq!(searched_before_nul(&d, 65_536, Some(PEEKED)), 65_500);
        // The second starts at 65500 and holds 64 KiB: 65500..131036.
        let d = file(2000, 100, Some(131_035));
        assert_eq!(searched_before_nul(&d, 131_035, Some(PEEKED)), 65_500);
        let d = file(2000, 100, Some(131_036));
        assert_eq!(searched_before_nul(&d, 131_036, Some(PEEKED)), 131_000);
    }

    #[test]
    fn a_newline_in_the_peeked_bytes_shifts_every_buffer() {
        // "a\n" then 100-byte lines: the first fill is just "a\nx", the
        // second covers 3..65538 and ends its search at its last `\n`.
        let mut d = b"a\n".to_vec();
        d.extend(file(1000, 100, None));
        d[65_537] = 0;
        assert_eq!(searched_before_nul(&d, 65_537, Some(PEEKED)), 2);
        d[65_537] = b'x';
        d[65_538] = 0;
        assert_eq!(searched_before_nul(&d, 65_538, Some(PEEKED)), 65_502);
        // Without the peek (a byte-order mark was removed) the first
        // buffer is 64 KiB and the NUL at 65537 falls in the second.
        d[65_538] = b'x';
        d[65_537] = 0;
        assert_eq!(searched_before_nul(&d, 65_537, None), 65_502);
    }

    #[test]
    fn a_line_longer_than_the_buffer_triples_it() {
        let mut d = vec![b'L'; 70_000];
        d.push(b'\n');
        d.extend(file(2000, 100, None));
        // 0..65536 has no `\n`, so the buffer grows to 196608 bytes and the
        // NUL at 150000 arrives in the first fill.
        d[150_000] = 0;
        assert_eq!(searched_before_nul(&d, 150_000, Some(PEEKED)), 0);
    }
}
