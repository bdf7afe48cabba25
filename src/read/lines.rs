//! The lines of a JSON Lines file, handed out where they were read.
//!
//! A `BufReader` and `read_until` copy every line out of the reader's buffer
//! into a line buffer: a pass over the whole corpus that does nothing. Here
//! the file is read into one buffer and a line is a slice of it; only the
//! unfinished line at the end of the buffer is moved, once per refill.

use std::io::{ErrorKind, Read, Result};

/// A buffer larger than this is shrunk after its line: a document of
/// hundreds of MB would otherwise hold its line for the rest of the run.
const HUGE: usize = 16 << 20;

/// Lines of a reader, each with its `\n` (the last may have none).
pub struct Lines<R> {
    inner: R,
    /// Read bytes are `buf[start..end]`; `buf.len()` is the room to read into.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// How much is read at a time, and the smallest the buffer is kept.
    chunk: usize,
    eof: bool,
}

impl<R: Read> Lines<R> {
    /// Reads `chunk` bytes at a time (more for a line that is longer).
    pub fn with_chunk(inner: R, chunk: usize) -> Self {
        Lines { inner, buf: Vec::new(), start: 0, end: 0, chunk: chunk.max(1), eof: false }
    }

    /// The next line, `None` after the last. After an error the reader is
    /// not to be asked again.
    pub fn next_line(&mut self) -> Result<Option<&[u8]>> {
        self.release_if_huge();
        // Where the search for `\n` goes on from: bytes before it have none.
        let mut from = self.start;
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[from..self.end]) {
                let line = self.start..from + i + 1;
                self.start = line.end;
                return Ok(Some(&self.buf[line]));
            }
            from = self.end;
            if self.eof {
                let line = self.start..self.end;
                self.start = self.end;
                return Ok((!line.is_empty()).then(|| &self.buf[line]));
            }
            if self.start > 0 {
                // The unfinished line moves to the front, making room behind it.
                self.buf.copy_within(self.start..self.end, 0);
                (from, self.end, self.start) = (from - self.start, self.end - self.start, 0);
            }
            if self.end == self.buf.len() {
                // Full of one line (or not yet made): a long line doubles the room.
                let room = (self.buf.len() * 2).max(self.chunk);
                self.buf.resize(room, 0);
            }
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// After a huge line, the buffer goes back to its usual size (keeping
    /// what is read but not yet handed out).
    fn release_if_huge(&mut self) {
        if self.buf.len() <= HUGE.max(2 * self.chunk) {
            return;
        }
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        self.buf.truncate(self.end.max(self.chunk));
        self.buf.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader};

    /// Every line `read_until` reads, for any chunk size: line ends in the
    /// middle of a read, at its end, across reads, and none at the end.
    fn agrees_with_read_until(input: &[u8]) {
        for chunk in [1, 2, 3, 7, 64, 4096] {
            let mut ours = Lines::with_chunk(input, chunk);
            let mut std_ = BufReader::new(input);
            loop {
                let mut want = Vec::new();
                let n = std_.read_until(b'\n', &mut want).unwrap();
                let got = ours.next_line().unwrap();
                if n == 0 {
                    assert_eq!(got, None, "chunk {chunk}");
                    break;
                }
                assert_eq!(got, Some(&want[..]), "chunk {chunk}");
            }
        }
    }

    #[test]
    fn lines_are_the_lines_read_until_reads() {
        agrees_with_read_until(b"ab\n\nc\xc3\xa6d\r\nlast line without end");
        agrees_with_read_until(b"");
        agrees_with_read_until(b"\n");
        agrees_with_read_until(b"one line\n");
        let long: Vec<u8> = (0..5000u32).map(|i| if i % 997 == 0 { b'\n' } else { b'a' + (i % 26) as u8 }).collect();
        agrees_with_read_until(&long);
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_split_as_read_until_splits_them(
            input in proptest::collection::vec(proptest::sample::select(vec![b'\n', b'\r', b'a', 0xC3]), 0..200)
        ) {
            agrees_with_read_until(&input);
        }
    }

    /// A reader that fails after some bytes, as a disk error would.
    struct Failing<'a>(&'a [u8]);

    impl Read for Failing<'_> {
        fn read(&mut self, out: &mut [u8]) -> Result<usize> {
            if self.0.is_empty() {
                return Err(std::io::Error::other("disk gone"));
            }
            let n = out.len().min(self.0.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_read_error_is_given_after_the_whole_lines_before_it() {
        let mut lines = Lines::with_chunk(Failing(b"first\nsecond, cut"), 4);
        assert_eq!(lines.next_line().unwrap(), Some(&b"first\n"[..]));
        assert_eq!(lines.next_line().unwrap_err().to_string(), "disk gone");
    }

    #[test]
    fn a_huge_line_does_not_keep_its_buffer() {
        let mut input = vec![b'x'; HUGE + 10];
        input.extend_from_slice(b"\nnext\n");
        let mut lines = Lines::with_chunk(&input[..], 1 << 10);
        assert_eq!(lines.next_line().unwrap().map(<[u8]>::len), Some(HUGE + 11));
        assert_eq!(lines.next_line().unwrap(), Some(&b"next\n"[..]));
        assert!(lines.buf.capacity() < HUGE, "{} bytes kept", lines.buf.capacity());
        assert_eq!(lines.next_line().unwrap(), None);
    }
}
