//! The virtual card's deterministic random generator: SHA-256 in counter mode over a 32-byte
//! seed (`block_i = SHA-256("cie-pinpuk virtual card rng" ‖ seed ‖ i)`).
//!
//! Deterministic on purpose: a card built with the same seed and driven by the same commands
//! answers the same bytes, so transcripts replay. It is not a general-purpose RNG (it is only
//! as secret as its seed); the card's seed is personalisation data (saved with the card
//! state). Public so that tests, fuzz harnesses and examples can drive the host side
//! deterministically too.

use core::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// SHA-256 counter-mode generator over a 32-byte seed (see the module docs).
///
/// ```
/// use cie_pinpuk::emulator::SeededRng;
/// use rand_core::Rng;
/// let (mut a, mut b) = (SeededRng::new([1; 32]), SeededRng::new([1; 32]));
/// assert_eq!(a.next_u64(), b.next_u64());
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SeededRng {
    seed: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl core::fmt::Debug for SeededRng {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SeededRng")
            .field("counter", &self.counter)
            .finish_non_exhaustive()
    }
}

impl SeededRng {
    /// A generator at the start of its stream.
    pub fn new(seed: [u8; 32]) -> SeededRng {
        SeededRng::resume(seed, 0)
    }

    pub(crate) fn resume(seed: [u8; 32], counter: u64) -> SeededRng {
        SeededRng {
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

impl TryRng for SeededRng {
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

impl TryCryptoRng for SeededRng {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_resumable() {
        let mut a = SeededRng::new([7; 32]);
        let mut x = [0u8; 64];
        a.fill(&mut x);
        let mut b = SeededRng::resume([7; 32], 1);
        let mut y = [0u8; 32];
        b.fill(&mut y);
        assert_eq!(&x[32..], &y);
        assert_ne!(&x[..32], &x[32..]);
        assert_eq!(a.counter(), 2);
    }
}
