//! The chip-family registry: which maker's applet a CIE runs, guessed from its ATR.
//!
//! The official middleware (italia/cie-middleware-linux, `cie-pkcs11/CSP/ATR.cpp`) keeps a
//! table of byte patterns and names the chip family after the first pattern found in the
//! ATR (docs/protocol.md §7.2 and 8.1). The family decides how the host enters the IAS level
//! (`00 A4 04 0C` + AID, or the bare `00 A4 00 00`) and whether the DH parameters come in one
//! GET DATA (the first Gemalto family) or in three.
//!
//! This crate uses the family only as a **hint**: [`ChipFamily::from_atr`] returns `None` for
//! an unknown chip and nothing refuses to talk to such a card (the host always has the select
//! fallback of docs/protocol.md §1.2). New applets keep appearing: the Actalis B946 one was unknown
//! to the middleware snapshot the design documents describe.
//!
//! # The matcher
//!
//! The middleware sorts the bytes of the ATR and of the pattern and tests multiset
//! inclusion, so an ATR that merely contains the same bytes in another order matches too
//! (and a short pattern such as STM2's `80 80 01 01` matches far too much). Here a pattern
//! must occur **contiguously** in the ATR, as M0Rf30/opencie-pkcs11 does. If no pattern
//! occurs, the ATR is parsed (ISO/IEC 7816-3, at most [`MAX_ATR_LEN`] bytes) and its
//! historical bytes are compared with each family's historical-byte signature, so the
//! contact form of an ATR (different interface bytes and TCK) is recognised as well.
//!
//! # The ATRs
//!
//! * **Observed**: the full ATR reported from a real card in a public source (Gemalto:
//!   OpenSC issue #2486, pcsc_scan; Actalis B946: opencie-pkcs11 issue #34, Alcor AK9567).
//! * **Contactless** ([`ChipFamily::contactless_atr`]): the PC/SC pseudo-ATR a contactless
//!   reader builds from the ISO 14443-4 answer: `3B 8n 80 01 <n historical bytes> TCK`, with
//!   TCK the XOR of every byte after TS. For the families whose middleware pattern starts
//!   with `80 01` and ends with the TCK, this reproduces the pattern byte for byte. STM2 has
//!   no historical bytes: `3B 80 80 01 01`, the last byte being the TCK.
//! * **Contact** ([`ChipFamily::contact_atr`]): constructed here, not observed (CIE 3.0 may
//!   have no contact plate at all): `3B 9n 18 81 31 FE 45 <n historical bytes> TCK`, i.e.
//!   TA1 = `18` (Fi 372, Di 12), TD1 = `81` (TD2 follows, T=1), TD2 = `31` (TA3 and TB3
//!   follow, T=1), TA3 = `FE` (IFSC 254), TB3 = `45` (BWI 4, CWI 5), the same historical
//!   bytes as the contactless form, and the TCK.

use core::fmt;

mod atr;

pub use atr::{Atr, AtrError, MAX_ATR_LEN, ParsedAtr};

/// The historical bytes shared by the Gemalto and Actalis/Bit4id contactless ATRs after the
/// family-specific part (`12 0F FF 82 90 00`).
const TAIL: [u8; 6] = [0x12, 0x0F, 0xFF, 0x82, 0x90, 0x00];

/// A chip family (maker and applet generation) of the CIE 3.0, as the official middleware
/// names them (docs/protocol.md §7.2), plus Actalis B946 (italia/cie-middleware-linux PR #89).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChipFamily {
    /// NXP ("IT" "NXP" in the historical bytes).
    Nxp,
    /// Gemalto, first generation: the only family whose DH parameters come in one GET DATA.
    Gemalto,
    /// Gemalto, second generation.
    Gemalto2,
    /// STMicroelectronics.
    Stm,
    /// STMicroelectronics, bare type-B pseudo-ATR (ambiguous: any type-B card without
    /// historical bytes looks like this).
    Stm2,
    /// STMicroelectronics, third form.
    Stm3,
    /// Actalis applet "ITJ4" + `41`.
    Actalis,
    /// Actalis applet of 2023 ("ITJ4" + `43`).
    Actalis2023,
    /// Actalis applet B946 ("ITJ4" + `4C`), observed on a real card.
    ActalisB946,
    /// Bit4id applet ("ITJ4" + `42`).
    Bit4id,
    /// Bit4id applet of 2023 ("ITJ4" + `44`).
    Bit4id2023,
    /// Bit4id applet B9547 ("ITJ4" + `49`).
    Bit4idB9547,
}

/// How the host enters the IAS level on a family, as the official middleware does it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IasSelect {
    /// `00 A4 04 0C 0D` + the IAS AID.
    ByAid,
    /// `00 A4 00 00` (case 1, no data).
    Implicit,
}

/// How the host fetches the DH group from a family, as the official middleware does it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DhFetch {
    /// One GET DATA `4D 08 70 06 BF A1 01 02 A3 80` answering g, p and q.
    AllAtOnce,
    /// Three GET DATA, `… A3 02 97 00`, `… 98 00`, `… 99 00`.
    PerParameter,
}

/// The registry row of one family: all data, no code.
struct Entry {
    family: ChipFamily,
    name: &'static str,
    /// The middleware's match pattern, as printed in docs/protocol.md §7.2.
    pattern: &'static [u8],
    /// The family's historical bytes (the contactless ATR's, which the contact form shares).
    historical: &'static [u8],
    /// A full ATR seen on a real card in a public source, if any.
    observed: Option<&'static [u8]>,
}

macro_rules! itj4 {
    ($b:expr) => {
        &[
            0x80, 0x31, 0x80, 0x65, 0x49, 0x54, 0x4A, 0x34, $b, TAIL[0], TAIL[1], TAIL[2], TAIL[3],
            TAIL[4], TAIL[5],
        ]
    };
}

macro_rules! itj4_pattern {
    ($b:expr, $tck:expr) => {
        &[
            0x80, 0x01, 0x80, 0x31, 0x80, 0x65, 0x49, 0x54, 0x4A, 0x34, $b, 0x12, 0x0F, 0xFF, 0x82,
            0x90, 0x00, $tck,
        ]
    };
}

/// The registry, in the middleware's table order (first hit wins), Actalis B946 after the
/// other Actalis rows.
static REGISTRY: [Entry; 12] = [
    Entry {
        family: ChipFamily::Nxp,
        name: "NXP",
        pattern: &[0x80, 0x31, 0x80, 0x65, 0x49, 0x54, 0x4E, 0x58, 0x50],
        historical: &[0x80, 0x31, 0x80, 0x65, 0x49, 0x54, 0x4E, 0x58, 0x50],
        observed: None,
    },
    Entry {
        family: ChipFamily::Gemalto,
        name: "Gemalto",
        pattern: &[0x80, 0x31, 0x80, 0x65, 0xB0, 0x85, 0x04, 0x00, 0x11],
        historical: &[
            0x80, 0x31, 0x80, 0x65, 0xB0, 0x85, 0x04, 0x00, 0x11, 0x12, 0x0F, 0xFF, 0x82, 0x90,
            0x00,
        ],
        // OpenSC issue #2486 (pcsc_scan of a real CIE).
        observed: Some(&[
            0x3B, 0x8F, 0x80, 0x01, 0x80, 0x31, 0x80, 0x65, 0xB0, 0x85, 0x04, 0x00, 0x11, 0x12,
            0x0F, 0xFF, 0x82, 0x90, 0x00, 0x8A,
        ]),
    },
    Entry {
        family: ChipFamily::Gemalto2,
        name: "Gemalto2",
        pattern: &[0x80, 0x31, 0x80, 0x65, 0xB0, 0x85, 0x03, 0x00, 0xEF],
        historical: &[0x80, 0x31, 0x80, 0x65, 0xB0, 0x85, 0x03, 0x00, 0xEF],
        observed: None,
    },
    Entry {
        family: ChipFamily::Stm,
        name: "STM",
        pattern: &[0x80, 0x66, 0x47, 0x50, 0x00, 0xB8, 0x00, 0x7F],
        // The pattern and the status indicator `82 90 00`, as on the observed card.
        historical: &[
            0x80, 0x66, 0x47, 0x50, 0x00, 0xB8, 0x00, 0x7F, 0x82, 0x90, 0x00,
        ],
        // italia/cie-middleware issue #173 (2026, pcsc_scan of a real CIE on an ACR122U; the
        // middleware of that time failed on it).
        observed: Some(&[
            0x3B, 0x8B, 0x80, 0x01, 0x80, 0x66, 0x47, 0x50, 0x00, 0xB8, 0x00, 0x7F, 0x82, 0x90,
            0x00, 0x2E,
        ]),
    },
    Entry {
        family: ChipFamily::Stm2,
        name: "STM2",
        pattern: &[0x80, 0x80, 0x01, 0x01],
        historical: &[],
        observed: None,
    },
    Entry {
        family: ChipFamily::Stm3,
        name: "STM3",
        pattern: &[
            0x80, 0x01, 0x80, 0x66, 0x47, 0x50, 0x00, 0xB8, 0x00, 0x94, 0x82, 0x90, 0x00, 0xC5,
        ],
        historical: &[
            0x80, 0x66, 0x47, 0x50, 0x00, 0xB8, 0x00, 0x94, 0x82, 0x90, 0x00,
        ],
        observed: None,
    },
    Entry {
        family: ChipFamily::Actalis,
        name: "Actalis",
        pattern: itj4_pattern!(0x41, 0x88),
        historical: itj4!(0x41),
        observed: None,
    },
    Entry {
        family: ChipFamily::Actalis2023,
        name: "Actalis_2023",
        pattern: itj4_pattern!(0x43, 0x8A),
        historical: itj4!(0x43),
        observed: None,
    },
    Entry {
        family: ChipFamily::ActalisB946,
        name: "Actalis_B946",
        pattern: itj4_pattern!(0x4C, 0x85),
        historical: itj4!(0x4C),
        // opencie-pkcs11 issue #34 (Alcor AK9567 contactless slot).
        observed: Some(&[
            0x3B, 0x8F, 0x80, 0x01, 0x80, 0x31, 0x80, 0x65, 0x49, 0x54, 0x4A, 0x34, 0x4C, 0x12,
            0x0F, 0xFF, 0x82, 0x90, 0x00, 0x85,
        ]),
    },
    Entry {
        family: ChipFamily::Bit4id,
        name: "Bit4id",
        pattern: itj4_pattern!(0x42, 0x8B),
        historical: itj4!(0x42),
        observed: None,
    },
    Entry {
        family: ChipFamily::Bit4id2023,
        name: "Bit4id_2023",
        pattern: itj4_pattern!(0x44, 0x8D),
        historical: itj4!(0x44),
        // M0Rf30/cie-middleware-linux issue #103 (2024, pcsc_scan, ACS ACR1581 PICC slot).
        observed: Some(&[
            0x3B, 0x8F, 0x80, 0x01, 0x80, 0x31, 0x80, 0x65, 0x49, 0x54, 0x4A, 0x34, 0x44, 0x12,
            0x0F, 0xFF, 0x82, 0x90, 0x00, 0x8D,
        ]),
    },
    Entry {
        family: ChipFamily::Bit4idB9547,
        name: "Bit4id_B9547",
        pattern: itj4_pattern!(0x49, 0x80),
        historical: itj4!(0x49),
        observed: None,
    },
];

/// Whether `pattern` occurs contiguously in `haystack`.
fn contains(haystack: &[u8], pattern: &[u8]) -> bool {
    !pattern.is_empty() && haystack.windows(pattern.len()).any(|w| w == pattern)
}

impl ChipFamily {
    /// Every family, in the order the matcher tries them.
    pub const ALL: [ChipFamily; 12] = [
        ChipFamily::Nxp,
        ChipFamily::Gemalto,
        ChipFamily::Gemalto2,
        ChipFamily::Stm,
        ChipFamily::Stm2,
        ChipFamily::Stm3,
        ChipFamily::Actalis,
        ChipFamily::Actalis2023,
        ChipFamily::ActalisB946,
        ChipFamily::Bit4id,
        ChipFamily::Bit4id2023,
        ChipFamily::Bit4idB9547,
    ];

    fn entry(self) -> &'static Entry {
        // REGISTRY holds one row per variant in ALL's order; the fallback is never taken.
        let index = ChipFamily::ALL.iter().position(|f| *f == self).unwrap_or(0);
        REGISTRY.get(index).unwrap_or(&REGISTRY[0])
    }

    /// The middleware's name of the family (`"Gemalto"`, `"Actalis_2023"`, …).
    pub fn name(self) -> &'static str {
        self.entry().name
    }

    /// The middleware's match pattern (docs/protocol.md §7.2), to be found contiguously in an ATR.
    pub fn pattern(self) -> &'static [u8] {
        self.entry().pattern
    }

    /// The family's historical bytes.
    pub fn historical_bytes(self) -> &'static [u8] {
        self.entry().historical
    }

    /// A full ATR reported from a real card of this family in a public source, if any.
    pub fn observed_atr(self) -> Option<&'static [u8]> {
        self.entry().observed
    }

    /// The PC/SC contactless pseudo-ATR of the family (see the module docs).
    ///
    /// ```
    /// use cie_pinpuk::card::chip::ChipFamily;
    /// let atr = ChipFamily::Gemalto.contactless_atr();
    /// assert_eq!(Some(atr.as_bytes()), ChipFamily::Gemalto.observed_atr());
    /// ```
    pub fn contactless_atr(self) -> Atr {
        let historical = self.historical_bytes();
        Atr::assemble(0x80, &[0x80, 0x01], historical, true).unwrap_or(Atr::EMPTY)
    }

    /// A contact-interface ATR constructed for the family (see the module docs).
    pub fn contact_atr(self) -> Atr {
        Atr::assemble(
            0x90,
            &[0x18, 0x81, 0x31, 0xFE, 0x45],
            self.historical_bytes(),
            true,
        )
        .unwrap_or(Atr::EMPTY)
    }

    /// The ATR the virtual card presents by default: the observed one, else the contactless
    /// pseudo-ATR.
    pub fn default_atr(self) -> Atr {
        self.observed_atr()
            .and_then(Atr::from_bytes)
            .unwrap_or_else(|| self.contactless_atr())
    }

    /// How the official middleware enters the IAS level on this family (`type < NXP` selects
    /// by AID).
    pub fn ias_select(self) -> IasSelect {
        match self {
            ChipFamily::Gemalto
            | ChipFamily::Gemalto2
            | ChipFamily::Stm
            | ChipFamily::Stm2
            | ChipFamily::Stm3 => IasSelect::ByAid,
            _ => IasSelect::Implicit,
        }
    }

    /// How the official middleware fetches the DH group from this family.
    pub fn dh_fetch(self) -> DhFetch {
        match self {
            ChipFamily::Gemalto => DhFetch::AllAtOnce,
            _ => DhFetch::PerParameter,
        }
    }

    /// Guesses the family from an ATR: a **hint** only, `None` for an unknown chip (which
    /// must still be tried). Input longer than [`MAX_ATR_LEN`] bytes gives `None` unread.
    ///
    /// First the middleware patterns are searched contiguously, in table order; then the
    /// ATR's historical bytes are compared with each family's.
    ///
    /// ```
    /// use cie_pinpuk::card::chip::ChipFamily;
    /// let gemalto = [0x3B, 0x8F, 0x80, 0x01, 0x80, 0x31, 0x80, 0x65, 0xB0, 0x85, 0x04, 0x00,
    ///                0x11, 0x12, 0x0F, 0xFF, 0x82, 0x90, 0x00, 0x8A];
    /// assert_eq!(ChipFamily::from_atr(&gemalto), Some(ChipFamily::Gemalto));
    /// assert_eq!(ChipFamily::from_atr(&[0x3B, 0x00]), None);
    /// ```
    pub fn from_atr(atr: &[u8]) -> Option<ChipFamily> {
        if atr.len() > MAX_ATR_LEN {
            return None;
        }
        if let Some(e) = REGISTRY.iter().find(|e| contains(atr, e.pattern)) {
            return Some(e.family);
        }
        let parsed = ParsedAtr::parse(atr).ok()?;
        REGISTRY
            .iter()
            .find(|e| !e.historical.is_empty() && parsed.historical.starts_with(e.historical))
            .map(|e| e.family)
    }
}

impl fmt::Display for ChipFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GEMALTO: [u8; 20] = [
        0x3B, 0x8F, 0x80, 0x01, 0x80, 0x31, 0x80, 0x65, 0xB0, 0x85, 0x04, 0x00, 0x11, 0x12, 0x0F,
        0xFF, 0x82, 0x90, 0x00, 0x8A,
    ];

    #[test]
    fn observed_atrs_are_recognised_and_have_valid_tck() {
        assert_eq!(ChipFamily::from_atr(&GEMALTO), Some(ChipFamily::Gemalto));
        for f in ChipFamily::ALL {
            if let Some(atr) = f.observed_atr() {
                assert_eq!(ChipFamily::from_atr(atr), Some(f));
                let p = ParsedAtr::parse(atr).unwrap();
                assert!(p.tck_valid, "{f}");
                assert_eq!(p.historical, f.historical_bytes());
                assert_eq!(f.contactless_atr().as_bytes(), atr, "{f}");
            }
        }
    }

    #[test]
    fn every_family_round_trips_through_both_atr_forms() {
        for f in ChipFamily::ALL {
            let cl = f.contactless_atr();
            assert_eq!(
                ChipFamily::from_atr(cl.as_bytes()),
                Some(f),
                "contactless {f}"
            );
            let parsed = ParsedAtr::parse(cl.as_bytes()).unwrap();
            assert!(parsed.tck_valid || parsed.tck.is_none());
            if f == ChipFamily::Stm2 {
                continue;
            }
            let ct = f.contact_atr();
            let p = ParsedAtr::parse(ct.as_bytes()).unwrap();
            assert!(p.tck_valid, "{f}");
            assert_eq!(p.protocols, 1 << 1, "T=1 only");
            assert_eq!(p.historical, f.historical_bytes());
            assert_eq!(ChipFamily::from_atr(ct.as_bytes()), Some(f), "contact {f}");
        }
    }

    #[test]
    fn patterns_ending_in_tck_are_reproduced_by_the_contactless_form() {
        for f in ChipFamily::ALL {
            let p = f.pattern();
            if p.starts_with(&[0x80, 0x01]) {
                assert!(f.contactless_atr().as_bytes().ends_with(p), "{f}");
            }
        }
        assert_eq!(
            ChipFamily::Stm2.contactless_atr().as_bytes(),
            &[0x3B, 0x80, 0x80, 0x01, 0x01]
        );
    }

    #[test]
    fn actalis_pattern_atr_of_protocol_8_1() {
        let atr = [
            0x3B, 0x8F, 0x80, 0x01, 0x80, 0x31, 0x80, 0x65, 0x49, 0x54, 0x4A, 0x34, 0x41, 0x12,
            0x0F, 0xFF, 0x82, 0x90, 0x00, 0x88,
        ];
        assert_eq!(ChipFamily::from_atr(&atr), Some(ChipFamily::Actalis));
        assert!(ParsedAtr::parse(&atr).unwrap().tck_valid);
        assert_eq!(ChipFamily::Actalis.ias_select(), IasSelect::Implicit);
        assert_eq!(ChipFamily::Gemalto.ias_select(), IasSelect::ByAid);
        assert_eq!(ChipFamily::Gemalto.dh_fetch(), DhFetch::AllAtOnce);
        assert_eq!(ChipFamily::Gemalto2.dh_fetch(), DhFetch::PerParameter);
    }

    #[test]
    fn matcher_is_contiguous_not_multiset() {
        // The Gemalto pattern's bytes, sorted: the middleware's multiset test would accept it.
        let mut shuffled = GEMALTO;
        shuffled.get_mut(4..13).unwrap().sort_unstable();
        assert_ne!(ChipFamily::from_atr(&shuffled), Some(ChipFamily::Gemalto));
    }

    #[test]
    fn unknown_and_oversized_atrs_give_no_hint() {
        assert_eq!(ChipFamily::from_atr(&[]), None);
        assert_eq!(ChipFamily::from_atr(&[0x3B, 0x02, 0x14, 0x50]), None);
        let mut long = [0u8; 34];
        long.get_mut(..20).unwrap().copy_from_slice(&GEMALTO);
        assert_eq!(ChipFamily::from_atr(&long), None);
        assert_eq!(ParsedAtr::parse(&long), Err(AtrError::TooLong));
    }

    #[test]
    fn parser_rejects_malformed_atrs() {
        assert_eq!(ParsedAtr::parse(&[0x3B]), Err(AtrError::Truncated));
        assert_eq!(
            ParsedAtr::parse(&[0x12, 0x00]),
            Err(AtrError::BadInitialCharacter)
        );
        assert_eq!(
            ParsedAtr::parse(&[0x3B, 0x02, 0x01]),
            Err(AtrError::Truncated)
        );
        assert_eq!(
            ParsedAtr::parse(&[0x3B, 0x00, 0x01]),
            Err(AtrError::TrailingBytes)
        );
        let p = ParsedAtr::parse(&[0x3B, 0x02, 0x14, 0x50]).unwrap();
        assert_eq!(p.historical, &[0x14, 0x50]);
        assert_eq!(p.protocols, 1);
        assert_eq!(p.tck, None);
    }

    proptest::proptest! {
        /// Both constructed ATR forms parse back to the historical bytes they were built
        /// from, with a valid TCK.
        #[test]
        fn atr_forms_round_trip(hist in proptest::collection::vec(proptest::num::u8::ANY, 0..=15)) {
            let cl = Atr::assemble(0x80, &[0x80, 0x01], &hist, true).unwrap();
            let ct = Atr::assemble(0x90, &[0x18, 0x81, 0x31, 0xFE, 0x45], &hist, true).unwrap();
            for atr in [cl, ct] {
                let p = ParsedAtr::parse(atr.as_bytes()).unwrap();
                proptest::prop_assert_eq!(p.historical, hist.as_slice());
                proptest::prop_assert!(p.tck_valid);
                proptest::prop_assert_eq!(p.protocols & 0b10, 0b10);
            }
        }

        #[test]
        fn atr_parse_and_hint_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..40)) {
            let _ = ParsedAtr::parse(&bytes);
            let _ = ChipFamily::from_atr(&bytes);
        }
    }
}
