//! The virtual card's deterministic random generator: SHA-256 in counter mode over a 32-byte
//! seed (`block_i = SHA-256("cie-pinpuk virtual card rng" ‖ seed ‖ i)`).
//!
//! Deterministic on purpose: a card built with the same seed and driven by the same commands
//! answers the same bytes, so transcripts replay. It is not a general-purpose RNG; the seed is
//! personalisation data (saved with the card state).

use core::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// SHA-256 counter-mode generator.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct CardRng {
    seed: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl core::fmt::Debug for CardRng {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CardRng")
            .field("counter", &self.counter)
            .finish_non_exhaustive()
    }
}

impl CardRng {
    pub(crate) fn new(seed: [u8; 32], counter: u64) -> CardRng {
        CardRng {
            seed,
            counter,
            block: [0; 32],
            used: 32,
        }
    }

    /// The position to save (whole blocks drawn so far).
    pub(crate) fn counter(&self) -> u64 {
        self.counter
    }

    fn refill(&mut self) {
        let mut h = Sha256::new();
        h.update(b"cie-pinpuk virtual card rng");
        h.update(self.seed);
        h.update(self.counter.to_be_bytes());
        self.block.copy_from_slice(&h.finalize());
        self.counter = self.counter.wrapping_add(1);
        self.used = 0;
    }

    pub(crate) fn fill(&mut self, dst: &mut [u8]) {
        for b in dst {
            if self.used >= self.block.len() {
                self.refill();
            }
            *b = self.block.get(self.used).copied().unwrap_or(0);
            self.used = self.used.saturating_add(1);
        }
    }
}

impl TryRng for CardRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.fill(&mut b);
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.fill(&mut b);
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.fill(dst);
        Ok(())
    }
}

impl TryCryptoRng for CardRng {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_resumable() {
        let mut a = CardRng::new([7; 32], 0);
        let mut x = [0u8; 64];
        a.fill(&mut x);
        let mut b = CardRng::new([7; 32], 1);
        let mut y = [0u8; 32];
        b.fill(&mut y);
        assert_eq!(&x[32..], &y);
        assert_ne!(&x[..32], &x[32..]);
        assert_eq!(a.counter(), 2);
    }
}
