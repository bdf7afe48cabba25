//! Character classes at byte offsets, without decoding where it can be avoided.
//!
//! Matching, segmentation and discovery each walk every character of every
//! document and ask whether it is a letter, a digit or a capital. The standard
//! library answers through Unicode tables; for ASCII and for the Latin-1
//! letters that make up nearly all Danish text (`æøåÆØÅé`...) one table
//! lookup gives the same answer. Other characters take the standard path.

use std::sync::LazyLock;

/// `char::is_alphanumeric`.
pub const ALNUM: u8 = 1;
/// `char::is_alphabetic`.
pub const ALPHA: u8 = 2;
/// `char::is_uppercase`.
pub const UPPER: u8 = 4;
/// `char::is_lowercase`.
pub const LOWER: u8 = 8;

/// The classes of one character.
#[inline]
pub fn classes_of(c: char) -> u8 {
    let mut f = 0;
    if c.is_alphanumeric() {
        f |= ALNUM;
    }
    if c.is_alphabetic() {
        f |= ALPHA;
    }
    if c.is_uppercase() {
        f |= UPPER;
    }
    if c.is_lowercase() {
        f |= LOWER;
    }
    f
}

/// The classes of U+0000–U+00FF, computed once from the standard library.
static LATIN1: LazyLock<[u8; 256]> = LazyLock::new(|| {
    let mut t = [0u8; 256];
    for (cp, f) in t.iter_mut().enumerate() {
        *f = char::from_u32(cp as u32).map_or(0, classes_of);
    }
    t
});

/// A character of a text, found at a byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    pub ch: char,
    /// Its length in bytes.
    pub len: usize,
    /// Its classes ([`ALNUM`], [`ALPHA`], [`UPPER`], [`LOWER`]).
    pub class: u8,
}

/// Reads characters and their classes from one text.
#[derive(Clone, Copy)]
pub struct Classifier<'t> {
    text: &'t str,
    latin1: &'static [u8; 256],
}

impl<'t> Classifier<'t> {
    pub fn new(text: &'t str) -> Self {
        Classifier { text, latin1: &LATIN1 }
    }

    /// The classes of an ASCII byte.
    #[inline(always)]
    pub fn ascii(&self, b: u8) -> u8 {
        self.latin1[(b & 0x7F) as usize]
    }

    /// The classes of the character `C3 d` (U+00C0–U+00FF: the Latin-1
    /// letters, `×` and `÷`), `d` being a continuation byte.
    #[inline(always)]
    pub fn c3(&self, d: u8) -> u8 {
        self.latin1[0xC0 | usize::from(d & 0x3F)]
    }

    /// The character starting at byte `i`, which must be a character
    /// boundary below `text.len()`.
    #[inline(always)]
    pub fn at(&self, i: usize) -> At {
        let b = self.text.as_bytes();
        let c = b[i];
        if c < 0x80 {
            return At { ch: c as char, len: 1, class: self.latin1[c as usize] };
        }
        if c == 0xC2 || c == 0xC3 {
            if let Some(&d) = b.get(i + 1) {
                let cp = (u32::from(c & 0x1F) << 6) | u32::from(d & 0x3F);
                let ch = char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER);
                return At { ch, len: 2, class: self.latin1[cp as usize] };
            }
        }
        let ch = self.text[i..].chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
        // General Punctuation (U+2000–U+206F: dashes, curly quotes, `…`,
        // spaces), common in news text, holds no letter, digit or case.
        let class = if ('\u{2000}'..='\u{206F}').contains(&ch) { 0 } else { classes_of(ch) };
        At { ch, len: ch.len_utf8(), class }
    }
}

/// Classes of the bytes of a 64-byte block, as bit masks (bit `i` for byte
/// `i`): the scans that look at every byte of a document (runs of letters,
/// dates) find what they need by counting bits instead of stepping bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    /// ASCII letters and digits, and every byte of a non-ASCII character
    /// (which may be a letter: only those stretches are decoded).
    pub word: u64,
    /// Bytes of non-ASCII characters (`>= 0x80`).
    pub high: u64,
    /// ASCII digits.
    pub digit: u64,
    /// `C3` bytes: the lead byte of U+00C0–U+00FF, where the Latin-1
    /// letters (`æøåéÆØÅ`...) are.
    pub c3: u64,
    /// `97` and `B7` bytes: after `C3`, the two characters of that range
    /// that are no letter (`×`, `÷`).
    pub not_letter_after_c3: u64,
}

/// The [`Block`]s of `b` with their offsets; the last is padded with zero
/// bytes, which are in no class.
#[inline]
pub fn blocks(b: &[u8]) -> impl Iterator<Item = (usize, Block)> + '_ {
    blocks_of(b, block)
}

/// `f` of each 64-byte block of `b`, with the block's offset; the last block
/// is padded with zero bytes (which `f` must read as nothing of interest).
#[inline]
pub fn blocks_of<'a, T: 'a>(
    b: &'a [u8],
    f: impl Fn(&[u8; 64]) -> T + Copy + 'a,
) -> impl Iterator<Item = (usize, T)> + 'a {
    let tail = &b[b.len() - b.len() % 64..];
    let full = b.chunks_exact(64).map(move |c| f(c.try_into().unwrap_or(&[0; 64])));
    let last = (!tail.is_empty()).then(|| {
        let mut padded = [0u8; 64];
        padded[..tail.len()].copy_from_slice(tail);
        f(&padded)
    });
    full.chain(last).enumerate().map(|(i, m)| (i * 64, m))
}

/// See [`Block`]: sixteen bytes per step with SSE2, which every x86-64 has.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn block(bytes: &[u8; 64]) -> Block {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8,
    };
    let (mut word, mut high, mut digit, mut c3, mut not_letter) = (0u64, 0u64, 0u64, 0u64, 0u64);
    for k in 0..4 {
        // SAFETY: SSE2 is part of the x86-64 baseline, and the load reads
        // bytes 16k..16k+16 of a 64-byte array (an unaligned load is allowed).
        let (w, h, d, c, n) = unsafe {
            let x = _mm_loadu_si128(bytes.as_ptr().add(16 * k).cast::<__m128i>());
            // Signed compares: bytes >= 0x80 are negative and fail both
            // ranges; they are counted by the sign mask instead.
            let lower = _mm_or_si128(x, _mm_set1_epi8(0x20));
            let letter =
                _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8(0x60)), _mm_cmplt_epi8(lower, _mm_set1_epi8(0x7B)));
            let digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(0x2F)), _mm_cmplt_epi8(x, _mm_set1_epi8(0x3A)));
            let h = _mm_movemask_epi8(x) as u16;
            let d = _mm_movemask_epi8(digit) as u16;
            let c = _mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(0xC3_u8 as i8))) as u16;
            let n = _mm_movemask_epi8(_mm_or_si128(
                _mm_cmpeq_epi8(x, _mm_set1_epi8(0x97_u8 as i8)),
                _mm_cmpeq_epi8(x, _mm_set1_epi8(0xB7_u8 as i8)),
            )) as u16;
            (_mm_movemask_epi8(letter) as u16 | d | h, h, d, c, n)
        };
        word |= u64::from(w) << (16 * k);
        high |= u64::from(h) << (16 * k);
        digit |= u64::from(d) << (16 * k);
        c3 |= u64::from(c) << (16 * k);
        not_letter |= u64::from(n) << (16 * k);
    }
    Block { word, high, digit, c3, not_letter_after_c3: not_letter }
}

/// See [`Block`]: byte by byte where SSE2 is not at hand.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub fn block(bytes: &[u8; 64]) -> Block {
    block_bytewise(bytes)
}

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn block_bytewise(bytes: &[u8; 64]) -> Block {
    let mut m = Block { word: 0, high: 0, digit: 0, c3: 0, not_letter_after_c3: 0 };
    for (i, &b) in bytes.iter().enumerate() {
        m.word |= u64::from(b >= 0x80 || b.is_ascii_alphanumeric()) << i;
        m.high |= u64::from(b >= 0x80) << i;
        m.digit |= u64::from(b.is_ascii_digit()) << i;
        m.c3 |= u64::from(b == 0xC3) << i;
        m.not_letter_after_c3 |= u64::from(b == 0x97 || b == 0xB7) << i;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_masks_agree_with_bytewise() {
        let mut bytes = [0u8; 64];
        for c in 0..=255u8 {
            for pos in [0, 7, 15, 16, 31, 40, 63] {
                for (i, x) in bytes.iter_mut().enumerate() {
                    *x = b"aZ09 -\xC3\xA6.Q"[i % 10];
                }
                bytes[pos] = c;
                assert_eq!(block(&bytes), block_bytewise(&bytes), "byte {c:#x} at {pos}");
            }
        }
    }

    #[test]
    fn blocks_cover_the_text_once() {
        for n in [0, 1, 63, 64, 65, 128, 130] {
            let text: Vec<u8> = (0..n).map(|i| if i % 3 == 0 { b'7' } else { b' ' }).collect();
            let got: Vec<(usize, u64)> = blocks(&text).map(|(at, m)| (at, m.digit)).collect();
            let want: Vec<(usize, u64)> = text
                .chunks(64)
                .enumerate()
                .map(|(k, c)| (k * 64, c.iter().enumerate().map(|(i, &b)| u64::from(b == b'7') << i).sum()))
                .collect();
            assert_eq!(got, want, "{n} bytes");
        }
    }

    #[test]
    fn agrees_with_the_standard_library() {
        let mut text = String::new();
        let samples = ['\u{0}', 'A', 'z', '9', '-', 'µ', 'ª', '²', '¼', '×', '÷', 'ß', 'ÿ', 'Æ', 'ø', 'Å', '\u{a0}'];
        for c in ('\u{0}'..='\u{2ff}')
            .chain('\u{1ff0}'..='\u{2080}')
            .chain(samples)
            .chain(['’', '…', '–', 'Ω', 'ǅ', '٣', '👍', '\u{301}'])
        {
            text.push(c);
        }
        let k = Classifier::new(&text);
        for (i, c) in text.char_indices() {
            let got = k.at(i);
            assert_eq!(got, At { ch: c, len: c.len_utf8(), class: classes_of(c) }, "{c:?}");
        }
    }
}
