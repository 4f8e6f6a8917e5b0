//! The block-cipher primitives of secure messaging: two-key 3DES in CBC mode with a zero IV,
//! ISO/IEC 9797-1 padding method 2 and ISO/IEC 9797-1 MAC algorithm 3 ("retail MAC").
//!
//! The key schedules are computed once, when a channel is opened, and live in [`Keys`]. The
//! `des` crate is built with its `zeroize` feature, so every schedule is wiped when it is
//! dropped (closing a channel drops its `Keys`).

use cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use des::{Des, TdesEde2};
use zeroize::Zeroize;

/// The DES / 3DES block size.
pub(crate) const BLOCK: usize = 8;

/// The key schedules of one channel: 3DES for confidentiality, the two single-DES halves of
/// the MAC key for the retail MAC.
pub(crate) struct Keys {
    enc: TdesEde2,
    mac1: Des,
    mac2: Des,
}

#[inline(always)]
fn des_enc(c: &Des, x: u64) -> u64 {
    let mut b = Array::from(x.to_be_bytes());
    c.encrypt_block(&mut b);
    u64::from_be_bytes(b.into())
}

#[inline(always)]
fn des_dec(c: &Des, x: u64) -> u64 {
    let mut b = Array::from(x.to_be_bytes());
    c.decrypt_block(&mut b);
    u64::from_be_bytes(b.into())
}

#[inline(always)]
fn tdes_enc(c: &TdesEde2, x: u64) -> u64 {
    let mut b = Array::from(x.to_be_bytes());
    c.encrypt_block(&mut b);
    u64::from_be_bytes(b.into())
}

#[inline(always)]
fn tdes_dec(c: &TdesEde2, x: u64) -> u64 {
    let mut b = Array::from(x.to_be_bytes());
    c.decrypt_block(&mut b);
    u64::from_be_bytes(b.into())
}

impl Keys {
    /// Computes the three key schedules from the two 16-byte session keys.
    pub(crate) fn new(ks_enc: &[u8; 16], ks_mac: &[u8; 16]) -> Self {
        let enc = TdesEde2::new(ks_enc.into());
        let mut whole = u128::from_be_bytes(*ks_mac);
        let mut k1 = ((whole >> 64) as u64).to_be_bytes();
        let mut k2 = (whole as u64).to_be_bytes();
        let mac1 = Des::new((&k1).into());
        let mac2 = Des::new((&k2).into());
        whole.zeroize();
        k1.zeroize();
        k2.zeroize();
        Self { enc, mac1, mac2 }
    }

    /// Encrypts `buf` in place with 3DES-CBC, IV 0. A trailing partial block (never present
    /// when the caller padded) is left untouched.
    pub(crate) fn cbc_encrypt(&self, buf: &mut [u8]) {
        let (blocks, _) = buf.as_chunks_mut::<BLOCK>();
        let mut chain = 0u64;
        for b in blocks {
            chain = tdes_enc(&self.enc, u64::from_be_bytes(*b) ^ chain);
            *b = chain.to_be_bytes();
        }
    }

    /// Decrypts one 3DES-CBC block `ct` whose predecessor ciphertext block is `prev` (0 for
    /// the first block).
    #[inline]
    pub(crate) fn cbc_decrypt_block(&self, prev: u64, ct: &[u8; BLOCK]) -> [u8; BLOCK] {
        (tdes_dec(&self.enc, u64::from_be_bytes(*ct)) ^ prev).to_be_bytes()
    }

    /// Decrypts the whole blocks of `ct` (3DES-CBC, IV 0) into `out`; the two slices are
    /// walked in step and the shorter one ends the work.
    pub(crate) fn cbc_decrypt(&self, ct: &[u8], out: &mut [u8]) {
        let (cblocks, _) = ct.as_chunks::<BLOCK>();
        let (oblocks, _) = out.as_chunks_mut::<BLOCK>();
        let mut prev = 0u64;
        for (c, o) in cblocks.iter().zip(oblocks.iter_mut()) {
            let cv = u64::from_be_bytes(*c);
            *o = (tdes_dec(&self.enc, cv) ^ prev).to_be_bytes();
            prev = cv;
        }
    }

    /// Starts a retail MAC computation.
    #[inline]
    pub(crate) fn mac(&self) -> RetailMac<'_> {
        RetailMac {
            keys: self,
            state: 0,
            buf: [0; BLOCK],
            fill: 0,
        }
    }
}

/// A streaming ISO/IEC 9797-1 MAC algorithm 3 over padding method 2: single DES with K1 over
/// every block, then DES⁻¹ with K2 and DES with K1 on the last chaining value. Because method-2
/// padding always adds a block or part of one, every complete block can be absorbed at once.
pub(crate) struct RetailMac<'k> {
    keys: &'k Keys,
    state: u64,
    buf: [u8; BLOCK],
    fill: usize,
}

impl RetailMac<'_> {
    #[inline(always)]
    fn absorb(&mut self, block: [u8; BLOCK]) {
        self.state = des_enc(&self.keys.mac1, self.state ^ u64::from_be_bytes(block));
    }

    /// Feeds bytes into the MAC.
    pub(crate) fn update(&mut self, mut data: &[u8]) {
        if self.fill != 0 {
            let take = BLOCK.saturating_sub(self.fill).min(data.len());
            let (head, tail) = data.split_at_checked(take).unwrap_or((data, &[]));
            for (slot, byte) in self.buf.iter_mut().skip(self.fill).zip(head) {
                *slot = *byte;
            }
            self.fill = self.fill.saturating_add(take);
            data = tail;
            if self.fill < BLOCK {
                return;
            }
            let full = self.buf;
            self.absorb(full);
            self.fill = 0;
        }
        let (blocks, rest) = data.as_chunks::<BLOCK>();
        for b in blocks {
            self.absorb(*b);
        }
        for (slot, byte) in self.buf.iter_mut().zip(rest.iter()) {
            *slot = *byte;
        }
        self.fill = rest.len();
    }

    /// Pads (method 2), finishes and returns the 8-byte MAC.
    pub(crate) fn finalize(mut self) -> [u8; BLOCK] {
        let mut last = [0u8; BLOCK];
        for (slot, byte) in last.iter_mut().zip(self.buf.iter().take(self.fill)) {
            *slot = *byte;
        }
        if let Some(p) = last.get_mut(self.fill) {
            *p = 0x80;
        }
        self.absorb(last);
        let h = des_enc(&self.keys.mac1, des_dec(&self.keys.mac2, self.state));
        self.state = 0;
        self.buf.zeroize();
        h.to_be_bytes()
    }
}

/// Removes ISO/IEC 9797-1 method-2 padding from the LAST block of a message: returns how many
/// data bytes the block holds (0..=7), or `None` when the last non-zero byte is not `80`
/// (which also rejects a block of zeros, i.e. padding that would reach an earlier block).
/// The scan touches every byte whatever the content.
pub(crate) fn unpad_last_block(block: &[u8; BLOCK]) -> Option<usize> {
    let mut marker = None;
    let mut decided = false;
    for (i, b) in block.iter().enumerate().rev() {
        if !decided && *b != 0 {
            decided = true;
            if *b == 0x80 {
                marker = Some(i);
            }
        }
    }
    marker
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn sc4_unpad_rules() {
        assert_eq!(unpad_last_block(&[1, 2, 3, 0x80, 0, 0, 0, 0]), Some(3));
        assert_eq!(unpad_last_block(&[0x80, 0, 0, 0, 0, 0, 0, 0]), Some(0));
        assert_eq!(unpad_last_block(&[1, 2, 3, 4, 5, 6, 7, 0x80]), Some(7));
        assert_eq!(unpad_last_block(&[0; 8]), None);
        assert_eq!(unpad_last_block(&[1, 2, 3, 0x80, 0, 0, 1, 0]), None);
        assert_eq!(unpad_last_block(&[1, 2, 3, 4, 5, 6, 7, 8]), None);
    }

    #[test]
    fn sc6_retail_mac_icao_d3_mutual_auth() {
        // ICAO Doc 9303-11 Appendix D.3: M_IFD = MAC(K_mac, E_IFD) = 5F1448EEA8AD90A7.
        let kmac: [u8; 16] = hex::decode("7962D9ECE03D1ACD4C76089DCE131543")
            .unwrap()
            .try_into()
            .unwrap();
        let keys = Keys::new(&[0; 16], &kmac);
        let e = hex::decode("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2")
            .unwrap();
        // Streamed in uneven pieces, the MAC must not change.
        for split in 0..e.len() {
            let mut m = keys.mac();
            m.update(&e[..split]);
            m.update(&e[split..]);
            assert_eq!(hex::encode_upper(m.finalize()), "5F1448EEA8AD90A7");
        }
    }

    #[test]
    fn sc6_tdes_cbc_icao_d3_encryption() {
        // ICAO Doc 9303-11 Appendix D.3: E_IFD = 3DES-CBC(K_enc, RND.IFD || RND.IC || K.IFD).
        let kenc: [u8; 16] = hex::decode("AB94FDECF2674FDFB9B391F85D7F76F2")
            .unwrap()
            .try_into()
            .unwrap();
        let keys = Keys::new(&kenc, &[0; 16]);
        let mut s = hex::decode("781723860C06C2264608F919887022120B795240CB7049B01C19B33E32804F0B")
            .unwrap();
        let plain = s.clone();
        keys.cbc_encrypt(&mut s);
        assert_eq!(
            hex::encode_upper(&s),
            "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2"
        );
        let mut back = vec![0u8; s.len()];
        keys.cbc_decrypt(&s, &mut back);
        assert_eq!(back, plain);
    }
}
