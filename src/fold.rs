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

/// Calls `f` with `word` lower-cased: folded in a buffer on the stack when
/// the word is short and ASCII or Latin-1 (where lower-casing is the fold and
/// keeps every byte in place), else by `to_lowercase`. Discovery asks this of
/// many words; an allocation each was a measurable share of a run.
pub fn with_lowercase<R>(word: &str, f: impl FnOnce(&[u8]) -> R) -> R {
    const MAX: usize = 32;
    let w = word.as_bytes();
    if w.len() > MAX || w.iter().any(|&b| b >= 0xC4) {
        return f(word.to_lowercase().as_bytes());
    }
    let mut buf = [0u8; MAX];
    let out = &mut buf[..w.len()];
    out.copy_from_slice(w);
    fold_in_place(out);
    f(out)
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
    fn with_lowercase_agrees_with_to_lowercase() {
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
            "Ærø-ÅRHUS-Sønderborg",
            "BESKÆFTIGELSESMINISTEREN-OG-UNDERVISNINGSMINISTEREN",
            "ẞtraße",
        ];
        for w in words {
            assert_eq!(with_lowercase(w, |l| l.to_vec()), w.to_lowercase().into_bytes(), "{w:?}");
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
