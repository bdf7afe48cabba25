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

#[cfg(test)]
mod tests {
    use super::*;

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
