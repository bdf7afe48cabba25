//! The common JSONL line, read without serde: one flat object whose values
//! are all strings.
//!
//! serde_json unescapes a string into a scratch buffer that starts empty for
//! every line and grows by doubling, then the text is copied out of it: for a
//! corpus of short articles that was most of the reading stage. Here each
//! field is unescaped once into a string of its raw length. Anything else
//! (a value that is not a string, an escape for a surrogate, a control
//! character, a repeated field, an escape in a key, text after the object)
//! returns `None`, and serde reads the line, with the result or error it
//! always gave.

/// The fields kommunegraf reads, as they stand in the line (not trimmed).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FlatLine {
    pub id: Option<String>,
    pub text: Option<String>,
    pub title: Option<String>,
    pub date: Option<String>,
    pub url: Option<String>,
}

/// JSON's white space.
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// Read `line` as a flat object of strings; see the module docs.
pub fn flat_object(line: &str) -> Option<FlatLine> {
    let b = line.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    let mut out = FlatLine::default();
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return (skip_ws(b, i + 1) == b.len()).then_some(out);
    }
    loop {
        // A key: no escapes (serde would unescape it before naming the field).
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = i + 1 + memchr::memchr(b'"', &b[i + 1..])?;
        let key = &b[i + 1..key_end];
        if key.iter().any(|&c| c == b'\\' || c < 0x20) {
            return None;
        }
        i = skip_ws(b, key_end + 1);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(b, i + 1);
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let slot = match key {
            b"id" => Some(&mut out.id),
            b"text" => Some(&mut out.text),
            b"title" => Some(&mut out.title),
            b"date" => Some(&mut out.date),
            b"url" => Some(&mut out.url),
            _ => None,
        };
        let (value, end) = string(line, i + 1)?;
        if let Some(slot) = slot {
            if slot.is_some() {
                return None; // serde: "duplicate field"
            }
            *slot = Some(value);
        }
        i = skip_ws(b, end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return (skip_ws(b, i + 1) == b.len()).then_some(out),
            _ => return None,
        }
    }
}

/// Whether a byte ends a stretch of a string that is copied as it is: a
/// quote, a backslash, or a control character (which JSON forbids there).
fn is_special(c: u8) -> bool {
    c == b'"' || c == b'\\' || c < 0x20
}

/// The sixteen bytes at `p`, and a mask with bit `k` set when byte `k` of
/// them is [`is_special`]: both scans of a string's stretches ask it.
///
/// # Safety
/// Sixteen bytes must be readable at `p` (SSE2 is part of the x86-64
/// baseline, and the load may be unaligned).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn special_bits(p: *const u8) -> (std::arch::x86_64::__m128i, u32) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of the x86-64 baseline; the load reads the
    // sixteen bytes the caller promises.
    unsafe {
        let x = _mm_loadu_si128(p.cast::<__m128i>());
        // `c < 0x20` unsigned: `max(c, 0x1F) == 0x1F`.
        let control = _mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8(0x1F)), _mm_set1_epi8(0x1F));
        let quote = _mm_cmpeq_epi8(x, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(x, _mm_set1_epi8(b'\\' as i8));
        (x, _mm_movemask_epi8(_mm_or_si128(control, _mm_or_si128(quote, backslash))) as u32)
    }
}

/// The first [`is_special`] byte of `b` at or after `i`. Sixteen bytes a
/// step with SSE2: one pass finds the end of a stretch and any control
/// character in it (a search for the quote or backslash, then a look at the
/// stretch for control characters, cost a search set-up for each of the
/// escapes that break an article's text).
#[cfg(target_arch = "x86_64")]
fn next_special(b: &[u8], mut i: usize) -> Option<usize> {
    while i + 16 <= b.len() {
        // SAFETY: bytes i..i+16 are inside `b`.
        let (_, bits) = unsafe { special_bits(b.as_ptr().add(i)) };
        if bits != 0 {
            return Some(i + bits.trailing_zeros() as usize);
        }
        i += 16;
    }
    b[i..].iter().position(|&c| is_special(c)).map(|k| i + k)
}

/// See the x86-64 version: a byte at a time elsewhere.
#[cfg(not(target_arch = "x86_64"))]
fn next_special(b: &[u8], i: usize) -> Option<usize> {
    b[i..].iter().position(|&c| is_special(c)).map(|k| i + k)
}

/// The string whose contents start at `from` (after its opening quote),
/// unescaped, and the offset after its closing quote.
fn string(line: &str, from: usize) -> Option<(String, usize)> {
    let b = line.as_bytes();
    let k = next_special(b, from)?;
    if b[k] == b'"' {
        // A string without escapes is copied once, at its size.
        return Some((line[from..k].to_owned(), k + 1));
    }
    // Escapes only shorten the text (`\n` is one byte, `\u00e6` two): the
    // rest of the line after `from`, and sixteen bytes for the last
    // stretch's store, is room enough ([`copy_to_special`]).
    let mut out = Vec::with_capacity(b.len() - from + 16);
    out.extend_from_slice(&b[from..k]);
    let mut k = k;
    loop {
        match b[k] {
            b'"' => {
                // SAFETY: `out` holds the stretches of `line` between its
                // ASCII quotes, backslashes and escapes, whole, and the
                // characters of the escapes: UTF-8.
                return Some((unsafe { String::from_utf8_unchecked(out) }, k + 1));
            }
            c if c < 0x20 => return None,
            _ => {}
        }
        let c = match *b.get(k + 1)? {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0C,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let hex = std::str::from_utf8(b.get(k + 2..k + 6)?).ok()?;
                if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                    return None;
                }
                // Surrogates (pairs and lone halves) are left to serde.
                let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                k = copy_to_special(b, k + 6, &mut out)?;
                continue;
            }
            _ => return None,
        };
        out.push(c);
        k = copy_to_special(b, k + 2, &mut out)?;
    }
}

/// Appends `b[i..k]` to `out`, `k` being the first [`is_special`] byte at
/// or after `i`, and returns `k`. The stretch is copied as it is scanned,
/// sixteen bytes a step (one pass, and no copy call for each of the
/// escapes that break an article's text: the `\n`s between its
/// paragraphs). `out` must have room for sixteen bytes more than what is
/// left of `b` after `i`: each step stores all sixteen bytes it loads, and
/// keeps those before the special one.
#[cfg(target_arch = "x86_64")]
fn copy_to_special(b: &[u8], mut i: usize, out: &mut Vec<u8>) -> Option<usize> {
    use std::arch::x86_64::{__m128i, _mm_storeu_si128};
    assert!(out.capacity() - out.len() >= b.len() - i + 16, "room for the stretch and a store");
    let (dst, mut len) = (out.as_mut_ptr(), out.len());
    while i + 16 <= b.len() {
        // SAFETY: the load reads bytes i..i+16, inside `b`, and the store
        // writes sixteen bytes from `len`, inside `out`'s capacity (asserted
        // above, and every step adds to `len` no more than it moves `i` on).
        // An unaligned store is allowed.
        let bits = unsafe {
            let (x, bits) = special_bits(b.as_ptr().add(i));
            _mm_storeu_si128(dst.add(len).cast::<__m128i>(), x);
            bits
        };
        if bits != 0 {
            let kept = bits.trailing_zeros() as usize;
            // SAFETY: the stores wrote every byte up to `len + kept`.
            unsafe { out.set_len(len + kept) };
            return Some(i + kept);
        }
        len += 16;
        i += 16;
    }
    // SAFETY: as above.
    unsafe { out.set_len(len) };
    let k = next_special(b, i)?;
    out.extend_from_slice(&b[i..k]);
    Some(k)
}

/// See the x86-64 version: the stretch found, then copied, elsewhere.
#[cfg(not(target_arch = "x86_64"))]
fn copy_to_special(b: &[u8], i: usize, out: &mut Vec<u8>) -> Option<usize> {
    let k = next_special(b, i)?;
    out.extend_from_slice(&b[i..k]);
    Some(k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{Field, Line};
    use proptest::prelude::*;

    /// What serde makes of the line, in the fast path's terms; `Err` when it
    /// rejects the line, `Ok(None)` when a field is not a string.
    fn by_serde(line: &str) -> Result<Option<FlatLine>, String> {
        let l: Line = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let mut strings = true;
        let mut s = |f: Option<Field>| match f {
            Some(Field::Str(s)) => Some(s.into_owned()),
            Some(Field::Other(_)) => {
                strings = false;
                None
            }
            None => None,
        };
        let f = FlatLine { id: s(l.id), text: s(l.text), title: s(l.title), date: s(l.date), url: s(l.url) };
        Ok(strings.then_some(f))
    }

    #[test]
    fn a_plain_line_is_read_here() {
        let line = r#" {"id": "d1", "url": "", "text": "Læs også:\n\n\"KMD\" \u00e6\/ \\ \t\u20ac", "x": "y"}"#;
        let got = flat_object(line).expect("taken by the fast path");
        assert_eq!(got.id.as_deref(), Some("d1"));
        assert_eq!(got.url.as_deref(), Some(""));
        assert_eq!(got.text.as_deref(), Some("Læs også:\n\n\"KMD\" æ/ \\ \t€"));
        assert_eq!((got.title, got.date), (None, None));
        assert_eq!(Ok(Some(flat_object(line).unwrap())), by_serde(line));
        assert_eq!(flat_object("{}\n"), Some(FlatLine::default()));
    }

    #[test]
    fn anything_else_is_left_to_serde() {
        for line in [
            r#"{"id": 7, "text": "a"}"#,
            r#"{"id": "a", "text": null}"#,
            r#"{"id": "a", "meta": {"x": "y"}, "text": "b"}"#,
            r#"{"id": "a", "text": "b", "text": "c"}"#,
            r#"{"id": "a", "text": "\ud83d\ude00"}"#,
            "{\"id\": \"a\", \"text\": \"tab\there\"}",
            r#"{"i\u0064": "a", "text": "b"}"#,
            r#"{"id": "a", "text": "b"} x"#,
            r#"{"id": "a", "text": "b}"#,
            r#"{"id" "a"}"#,
            r#"{"id": "a",}"#,
            r#"{"id": "a\x"}"#,
            r#"{"id": "a\u00g1"}"#,
            r#"{"id": "a\u+0e6"}"#,
            r#"["id", "a"]"#,
        ] {
            assert_eq!(flat_object(line), None, "{line}");
        }
    }

    proptest! {
        /// The SSE2 search finds what a byte-by-byte one finds, from any
        /// start, across the sixteen-byte steps and in the tail.
        #[test]
        fn the_next_special_byte_is_the_first_one(
            bytes in prop::collection::vec(prop::sample::select(vec![b'a', b' ', b'"', b'\\', 0x00, 0x1F, 0x20, 0x7F, 0x80, 0xC3, 0xFF]), 0..80),
            from in 0usize..80,
        ) {
            let from = from.min(bytes.len());
            let want = bytes[from..].iter().position(|&c| is_special(c)).map(|k| from + k);
            prop_assert_eq!(next_special(&bytes, from), want);
        }
    }

    const ESCAPE_PIECES: &[&str] =
        &["a", "\\", "n", "u", "00e6", "d83d", "dc00", "\\\"", "\t", "é", " ", "/", "b", "\\n", "\\u00f8", "\\x"];

    proptest! {
        /// Lines as serde_json writes them are all read here, to the same strings.
        #[test]
        fn serde_written_lines_read_the_same(
            id in "\\PC{0,12}",
            text in "(\\PC|[\n\t\r\"\\\\/\u{1}\u{1f}])*",
            other in "[a-z\"\\\\]{0,6}",
            gap in "[ \t\r\n]{0,2}",
        ) {
            let q = |s: &str| serde_json::to_string(s).unwrap();
            let line = format!("{{{gap}\"id\"{gap}:{gap}{}{gap},\"other\":{},\"text\":{}}}{gap}", q(&id), q(&other), q(&text));
            let got = flat_object(&line);
            prop_assert_eq!(got.as_ref().and_then(|f| f.text.as_deref()), Some(text.as_str()));
            prop_assert_eq!(got.as_ref().and_then(|f| f.id.as_deref()), Some(id.as_str()));
        }

        /// Long stretches between the escapes (copied sixteen bytes a step
        /// as they are scanned, across the steps and in the tail) come out
        /// whole, each escape in its place.
        #[test]
        fn long_stretches_between_escapes_read_whole(
            parts in prop::collection::vec(("[a-zæé ]{0,40}", prop::sample::select(vec!["\n", "\"", "\\", "/", "\u{1}", "ø"])), 0..8),
            tail in "[a-zæ]{0,40}",
        ) {
            let text: String = parts.iter().map(|(run, esc)| format!("{run}{esc}")).collect::<String>() + &tail;
            let line = format!("{{\"text\":{}}}", serde_json::to_string(&text).unwrap());
            prop_assert_eq!(flat_object(&line).and_then(|f| f.text), Some(text));
        }

        /// Whatever the fast path reads, serde reads the same; what serde
        /// rejects, the fast path leaves to it.
        #[test]
        fn never_reads_what_serde_reads_otherwise(
            pieces in prop::collection::vec(prop::sample::select(vec![
                "{", "}", "\"", ":", ",", " ", "\\", "n", "u", "00e6", "d83d", "id", "text", "title", "\t", "1", "null", "é", "[", "]",
            ]), 0..24),
        ) {
            let line: String = pieces.concat();
            if let Some(f) = flat_object(&line) {
                prop_assert_eq!(by_serde(&line), Ok(Some(f)), "{}", line);
            }
        }

        /// The same inside the shape of a line, where most are read here:
        /// strings of escapes, valid or not, under known and unknown keys.
        #[test]
        fn strings_of_escapes_read_as_serde_reads_them(
            key in prop::sample::select(vec!["text", "title", "id", "x", "i\\u0064", "date"]),
            a in prop::collection::vec(prop::sample::select(ESCAPE_PIECES.to_vec()), 0..12),
            b in prop::collection::vec(prop::sample::select(ESCAPE_PIECES.to_vec()), 0..12),
        ) {
            let line = format!("{{\"id\": \"{}\", \"{key}\": \"{}\"}}", a.concat(), b.concat());
            match flat_object(&line) {
                Some(f) => prop_assert_eq!(by_serde(&line), Ok(Some(f)), "{}", line),
                None => prop_assert!(by_serde(&line).is_err() || key.contains('\\') || key == "id"
                    || line.contains("\\ud") || line.contains('\t'), "{}", line),
            }
        }
    }
}
