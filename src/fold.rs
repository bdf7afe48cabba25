//! Danish case folding that never moves a byte.
//!
//! Matching runs on a folded copy of the text so that one automaton serves every
//! spelling of `ÆØÅ`/`æøå`. The fold maps each byte to a byte of the same UTF-8
//! length, so an offset into the folded text is the same offset into the original:
//! ASCII `A–Z` become `a–z`, and the Latin-1 capitals `À–Þ` (except `×`), which are
//! all two-byte `C3 80–9E`, become `à–þ` (`C3 A0–BE`) by changing one byte.

/// Fold `text` into `out`, replacing its contents. `out.len() == text.len()` after.
pub fn fold_into(text: &str, out: &mut Vec<u8>) {
    fold_bytes_into(text.as_bytes(), out);
}

/// [`fold_into`] for any bytes: each byte of `src` folded given the byte
/// before it, written once into `out` (a copy and then a fold in place were
/// two passes over every document).
fn fold_bytes_into(src: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.reserve(src.len());
    let dst = &mut out.spare_capacity_mut()[..src.len()];
    let mut i = 0;
    if let Some(&first) = src.first() {
        dst[0].write(fold_byte(0, first));
        i = fold_blocks(src, dst);
    }
    for k in i.max(1)..src.len() {
        dst[k].write(fold_byte(src[k - 1], src[k]));
    }
    // SAFETY: the writes above set every byte of `out[..src.len()]`: the first,
    // those of the blocks `1..i` and the rest.
    unsafe { out.set_len(src.len()) };
}

/// Folds `src[1..i]` into `dst[1..i]`, sixteen bytes a step with SSE2, and
/// returns `i`: every byte of every document is folded (a byte at a time
/// that was 1.5 instructions a byte). Each step loads the bytes before its
/// sixteen from `src`: the fold asks only whether that byte is `C3`, which
/// folding never makes nor unmakes. (Loaded from the buffer the step before
/// had just stored into, they cost more wall time than their instructions;
/// an AVX2 version of these steps saved 0.6% of instructions and no
/// measurable wall time.)
#[cfg(target_arch = "x86_64")]
fn fold_blocks(src: &[u8], dst: &mut [std::mem::MaybeUninit<u8>]) -> usize {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
        _mm_or_si128, _mm_set1_epi8, _mm_storeu_si128,
    };
    assert!(dst.len() >= src.len());
    let mut i = 1;
    while i + 16 <= src.len() {
        // SAFETY: SSE2 is part of the x86-64 baseline; with 1 <= i and
        // i + 16 <= len, the loads read src[i-1..i+15] and src[i..i+16] and
        // the store writes dst[i..i+16], all in bounds (unaligned is allowed).
        unsafe {
            let x = _mm_loadu_si128(src.as_ptr().add(i).cast::<__m128i>());
            let before = _mm_loadu_si128(src.as_ptr().add(i - 1).cast::<__m128i>());
            // ASCII `A`-`Z` (signed compares: bytes >= 0x80 are negative).
            let upper = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(0x40)), _mm_cmplt_epi8(x, _mm_set1_epi8(0x5B)));
            // `80`-`9E` after `C3`, but `97` (`×`): as signed bytes, below -97.
            let latin1 = _mm_andnot_si128(
                _mm_cmpeq_epi8(x, _mm_set1_epi8(0x97_u8 as i8)),
                _mm_and_si128(
                    _mm_cmpeq_epi8(before, _mm_set1_epi8(0xC3_u8 as i8)),
                    _mm_cmplt_epi8(x, _mm_set1_epi8(0x9F_u8 as i8)),
                ),
            );
            let bit = _mm_and_si128(_mm_or_si128(upper, latin1), _mm_set1_epi8(0x20));
            _mm_storeu_si128(dst.as_mut_ptr().add(i).cast::<__m128i>(), _mm_or_si128(x, bit));
        }
        i += 16;
    }
    i
}

/// See the x86-64 version: the caller folds every byte after the first.
#[cfg(not(target_arch = "x86_64"))]
fn fold_blocks(_src: &[u8], _dst: &mut [std::mem::MaybeUninit<u8>]) -> usize {
    1
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

    proptest::proptest! {
        /// The SSE2 fold gives the bytes the byte-at-a-time one gives, for
        /// any bytes (valid UTF-8 or not) and across its sixteen-byte steps.
        #[test]
        fn the_fold_in_blocks_is_the_fold_byte_by_byte(bytes in proptest::collection::vec(proptest::sample::select(vec![
            b'A', b'Z', b'@', b'[', b'a', b'z', 0x40, 0xC3, 0xC3, 0x80, 0x85, 0x96, 0x97, 0x98, 0x9E, 0x9F, 0xA5, 0xC2, 0xFF, 0x00,
        ]), 0..140)) {
            let mut want = bytes.clone();
            fold_in_place(&mut want);
            // A used buffer, as between documents: nothing of it may remain.
            let mut got = vec![0x41; 90];
            fold_bytes_into(&bytes, &mut got);
            proptest::prop_assert_eq!(got, want);
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
