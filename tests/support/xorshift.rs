//! A fixed pseudo-random sequence (xorshift64) for generated test and bench
//! texts: the same texts on every run and machine, with no crate for it.
//! Included by path where needed (`tests/properties.rs`, `benches/pipeline.rs`).

/// Marsaglia's xorshift64 from a fixed seed.
pub struct XorShift(u64);

impl XorShift {
    pub fn fixed() -> Self {
        XorShift(0x2545_f491_4f6c_dd1d)
    }

    /// The next number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}
