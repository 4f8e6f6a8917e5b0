//! The virtual card's file system and access conditions (docs/protocol.md §1.3 and the reference
//! profile).
//!
//! ```text
//! MF / IAS level      D003 PAN          clear
//!                     D004 EF.DH        clear
//!   DF_CIE (A0 00 00 00 00 39)
//!                     1001 NIS   SFI 1  clear
//!                     1002 serial SFI 2 SM (authenticated session), no PIN
//!                     1003 cert  SFI 3  SM (authenticated session), no PIN
//!                     1004 chip key SFI 4  clear
//!                     1005 servizi key SFI 5  clear
//!                     1006 SOD   SFI 6  clear
//! ```
//!
//! The MF and the IAS application are one level here: `00 A4 00 00`, the MF by FID and the
//! IAS AID all land on it. D003 and D004 are also found while DF_CIE is current (the official
//! middleware's `C_SetPIN` selects D003 from there, docs/protocol.md §8.2).

/// IAS-ECC application AID.
pub(crate) const AID_IAS: [u8; 13] = [
    0xA0, 0x00, 0x00, 0x00, 0x30, 0x80, 0x00, 0x00, 0x00, 0x09, 0x81, 0x60, 0x01,
];
/// CIE application AID.
pub(crate) const AID_CIE: [u8; 6] = [0xA0, 0x00, 0x00, 0x00, 0x00, 0x39];

/// The current dedicated file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    /// Nothing selected since power-on (the MF is implicitly current).
    Mf,
    /// DF_CIE.
    Cie,
}

/// Who may read a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// Anyone, in clear or under SM.
    Clear,
    /// Only under secure messaging of a session that completed device authentication.
    SecureMessaging,
}

/// An elementary file of the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Ef {
    Pan,
    DhParams,
    Nis,
    Serial,
    Certificate,
    ChipKey,
    ServiziKey,
    Sod,
}

impl Ef {
    pub(crate) const ALL: [Ef; 8] = [
        Ef::Pan,
        Ef::DhParams,
        Ef::Nis,
        Ef::Serial,
        Ef::Certificate,
        Ef::ChipKey,
        Ef::ServiziKey,
        Ef::Sod,
    ];

    pub(crate) fn fid(self) -> u16 {
        match self {
            Ef::Pan => 0xD003,
            Ef::DhParams => 0xD004,
            Ef::Nis => 0x1001,
            Ef::Serial => 0x1002,
            Ef::Certificate => 0x1003,
            Ef::ChipKey => 0x1004,
            Ef::ServiziKey => 0x1005,
            Ef::Sod => 0x1006,
        }
    }

    pub(crate) fn access(self) -> Access {
        match self {
            Ef::Serial | Ef::Certificate => Access::SecureMessaging,
            _ => Access::Clear,
        }
    }

    fn in_cie(self) -> bool {
        !matches!(self, Ef::Pan | Ef::DhParams)
    }

    /// The EF with this FID reachable from `level`.
    pub(crate) fn by_fid(level: Level, fid: u16) -> Option<Ef> {
        let ef = Ef::ALL.into_iter().find(|e| e.fid() == fid)?;
        (level == Level::Cie || !ef.in_cie()).then_some(ef)
    }

    /// The EF with this short identifier under `level` (DF_CIE files 1001-1006 only).
    pub(crate) fn by_sfi(level: Level, sfi: u8) -> Option<Ef> {
        if level != Level::Cie || !(1..=6).contains(&sfi) {
            return None;
        }
        Ef::by_fid(level, 0x1000 | u16::from(sfi))
    }
}

/// `62 { 80 size, 82 01 01, 83 FID }` — the FCP the card returns for `00 A4 02 04`.
pub(crate) fn fcp(fid: u16, size: usize, out: &mut alloc::vec::Vec<u8>) {
    let size = u16::try_from(size).unwrap_or(u16::MAX).to_be_bytes();
    let fid = fid.to_be_bytes();
    out.extend_from_slice(&[
        0x62, 0x0E, 0x80, 0x02, size[0], size[1], 0x82, 0x01, 0x01, 0x83, 0x02, fid[0], fid[1],
        0x8A, 0x01, 0x05,
    ]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_by_fid_and_sfi() {
        assert_eq!(Ef::by_fid(Level::Mf, 0xD003), Some(Ef::Pan));
        assert_eq!(Ef::by_fid(Level::Cie, 0xD003), Some(Ef::Pan));
        assert_eq!(Ef::by_fid(Level::Mf, 0x1001), None);
        assert_eq!(Ef::by_fid(Level::Cie, 0x1001), Some(Ef::Nis));
        assert_eq!(Ef::by_sfi(Level::Cie, 5), Some(Ef::ServiziKey));
        assert_eq!(Ef::by_sfi(Level::Cie, 7), None);
        assert_eq!(Ef::by_sfi(Level::Mf, 1), None);
        assert_eq!(Ef::Serial.access(), Access::SecureMessaging);
        assert_eq!(Ef::Nis.access(), Access::Clear);
    }
}
