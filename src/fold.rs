//! Danish case folding that never moves a byte.
//!
//! Matching runs on a folded copy of the text so that one automaton serves every
//! spelling of `ÆØÅ`/`æøå`. The fold maps each byte to a byte of the same UTF-8
//! length, so an offset into the folded text is the same offset into the original:
//! ASCII `A–Z` become `a–z`, and the Latin-1 capitals `À–Þ` (except `×`), which are
//! all two-byte `C3 80–9E`, become `à–þ` (`C3 A0–BE`) by changing one byte.

/// Fold `text` into `out`, replacing its contents. `out.len() == text.len()` after.
pub fn fold_into(text: &str, out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(text.as_bytes());
    fold_in_place(out);
}

/// The folded form of byte `c`, given the byte before it.
#[inline(always)]
pub fn fold_byte(prev: u8, c: u8) -> u8 {
    // Both cases set bit 0x20: ASCII `A`→`a`, and `C3 80`→`C3 A0` (`À`→`à`).
    let latin1_capital = prev == 0xC3 && (0x80..=0x9E).contains(&c) && c != 0x97;
    if c.is_ascii_uppercase() || latin1_capital { c | 0x20 } else { c }
}

/// Fold a UTF-8 byte buffer in place (see the module docs for the mapping).
pub fn fold_in_place(bytes: &mut [u8]) {
    let mut prev = 0u8;
    for b in bytes.iter_mut() {
        let c = *b;
        *b = fold_byte(prev, c);
        prev = c;
    }
}

/// `word.to_lowercase().ends_with(suffix)` for a lower-case `suffix`,
/// without allocating when `word` is ASCII or Latin-1 (where lowercasing is
/// the fold and keeps every byte in place).
pub fn ends_with_lowercase(word: &str, suffix: &str) -> bool {
    let (w, s) = (word.as_bytes(), suffix.as_bytes());
    if w.iter().any(|&b| b >= 0xC4) {
        return word.to_lowercase().ends_with(suffix);
    }
    let Some(off) = w.len().checked_sub(s.len()) else { return false };
    let mut prev = if off > 0 { w[off - 1] } else { 0 };
    for (&c, &want) in w[off..].iter().zip(s) {
        if fold_byte(prev, c) != want {
            return false;
        }
        prev = c;
    }
    true
}

/// The folded form of a string (used for dictionary aliases).
pub fn fold(text: &str) -> String {
    let mut v = Vec::with_capacity(text.len());
    fold_into(text, &mut v);
    // Folding maps valid UTF-8 to valid UTF-8: only ASCII letters and the second
    // byte of a two-byte sequence change, and both stay in their byte class.
    String::from_utf8(v).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_danish_letters_without_moving_offsets() {
        let cases = [
            ("ÆØÅ æøå", "æøå æøå"),
            ("Århus Kommune", "århus kommune"),
            ("KØBENHAVNS", "københavns"),
            ("Ægir ÉÈ Ü ×", "ægir éè ü ×"),
            ("“Citat” – ok €", "“citat” – ok €"),
        ];
        for (input, want) in cases {
            let got = fold(input);
            assert_eq!(got, want, "fold({input:?})");
            assert_eq!(got.len(), input.len());
        }
    }

    #[test]
    fn ends_with_lowercase_agrees_with_to_lowercase() {
        let words = [
            "It-chef",
            "IT-CHEF",
            "Direktør",
            "DIREKTØR",
            "Rådmand",
            "ØKONOMICHEF",
            "Ǆchef",
            "Σchef",
            "chef",
            "ef",
            "",
        ];
        for w in words {
            for s in ["chef", "direktør", "rådmand", "ef", "f", ""] {
                assert_eq!(ends_with_lowercase(w, s), w.to_lowercase().ends_with(s), "{w:?} {s:?}");
            }
        }
    }

    #[test]
    fn fold_agrees_with_unicode_lowercase_on_latin1_letters() {
        for c in ('A'..='Z').chain('\u{C0}'..='\u{DE}') {
            if c == '\u{D7}' {
                continue;
            }
            let s = c.to_string();
            assert_eq!(fold(&s), s.to_lowercase(), "{c}");
        }
    }
}
