//! The rule identifiers of the crate's rule catalogue, shared by the policy engine, the desk journal and the
//! PUK self-recovery workflow.

use core::fmt;

/// One rule of the crate's rule catalogue (listed in `docs/profiles.md`). Every refusal, requirement and journal entry names
/// the rules it applies, so an officer or a reviewer can look them up.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RuleId {
    /// C1: PIN and PUK are 8 decimal digits each.
    C1,
    /// C2: each code has a first half (digits 1-4) and a second half (digits 5-8).
    C2,
    /// C3: the PIN blocks after 3 consecutive wrong entries.
    C3,
    /// C4: the PUK unblocks a blocked PIN and sets a new one.
    C4,
    /// C5: the PIN can be changed by presenting the current PIN.
    C5,
    /// C6: the PUK has its own retry counter; exhausted, the card must be replaced.
    C6,
    /// A1: level 1-2 activation with fiscal code, serial and first half of the PUK, if a
    /// mobile number was registered; possible right after the request, before the card arrives.
    A1,
    /// A2: level 3 needs the card, its PIN and a reader or NFC phone.
    A2,
    /// P1: PUK self-recovery needs contacts registered at the card request.
    P1,
    /// P2: the serial and the registered contacts must match.
    P2,
    /// P3: the PUK is released only after 48 hours.
    P3,
    /// P4: a request for the PUK alone may be made online.
    P4,
    /// R1: the officer identifies the requester before anything is reprinted.
    R1,
    /// R2: either half, or both, of the PIN and/or the PUK can be reprinted.
    R2,
    /// R3: first halves are printed on paper at the counter, at once.
    R3,
    /// R4: second halves are sent by e-mail (registered address or another one given).
    R4,
    /// R5: a PEC address is never a destination for a second half; an address on an unknown
    /// domain needs the officer's confirmation that it is an ordinary mailbox.
    R5,
    /// R6: the second half on paper needs the signed paper consent form, acquired first.
    R6,
    /// R7: registered contacts are changed only by the holder (or, where the Comune allows
    /// it, a parent of a minor or a legal representative), never by a third-party delegate;
    /// remotely only through a channel the Comune accepts (M2).
    R7,
    /// R8: the reprint is immediate at the counter.
    R8,
    /// R9: the codes reprinted are those of the holder's own card, or of the person the
    /// requester represents.
    R9,
    /// M1: third-party delegation, as the Comune allows it.
    M1,
    /// M2: remote requests (PEC with a digitally signed form, INAD domicile).
    M2,
    /// M3: home visits for people who cannot come.
    M3,
    /// M4: who may ask besides the holder (parent of a minor, legal representative).
    M4,
    /// M5: opening hours and appointment windows.
    M5,
    /// M6: which documents identify the requester.
    M6,
    /// M7: who is served (e.g. residents only).
    M7,
    /// I1: no third-party delegate ever receives a second half.
    I1,
    /// I2: a second half never goes to a PEC address.
    I2,
    /// I3: a second half is printed on paper only after the signed consent form is acquired.
    I3,
    /// I4: contacts are never changed by a delegate, nor through a remote channel that the
    /// profile does not accept as the holder's own signed request.
    I4,
    /// I5: nothing is reprinted before the requester is identified, nor for a card that is not
    /// the holder's.
    I5,
    /// I6: the self-recovered PUK is never released before 48 hours.
    I6,
    /// I7: the two halves of one code never travel the same channel to the same destination,
    /// except on paper to the holder (or legal representative) in person after I3.
    I7,
}

impl RuleId {
    /// Every rule id, in catalogue order.
    pub const ALL: [RuleId; 35] = [
        RuleId::C1,
        RuleId::C2,
        RuleId::C3,
        RuleId::C4,
        RuleId::C5,
        RuleId::C6,
        RuleId::A1,
        RuleId::A2,
        RuleId::P1,
        RuleId::P2,
        RuleId::P3,
        RuleId::P4,
        RuleId::R1,
        RuleId::R2,
        RuleId::R3,
        RuleId::R4,
        RuleId::R5,
        RuleId::R6,
        RuleId::R7,
        RuleId::R8,
        RuleId::R9,
        RuleId::M1,
        RuleId::M2,
        RuleId::M3,
        RuleId::M4,
        RuleId::M5,
        RuleId::M6,
        RuleId::M7,
        RuleId::I1,
        RuleId::I2,
        RuleId::I3,
        RuleId::I4,
        RuleId::I5,
        RuleId::I6,
        RuleId::I7,
    ];

    /// The id as written in the catalogue, e.g. `"R5"`.
    ///
    /// ```
    /// use cie_pinpuk::policy::RuleId;
    /// assert_eq!(RuleId::R5.as_str(), "R5");
    /// assert_eq!(RuleId::from_str_id("M3"), Some(RuleId::M3));
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            RuleId::C1 => "C1",
            RuleId::C2 => "C2",
            RuleId::C3 => "C3",
            RuleId::C4 => "C4",
            RuleId::C5 => "C5",
            RuleId::C6 => "C6",
            RuleId::A1 => "A1",
            RuleId::A2 => "A2",
            RuleId::P1 => "P1",
            RuleId::P2 => "P2",
            RuleId::P3 => "P3",
            RuleId::P4 => "P4",
            RuleId::R1 => "R1",
            RuleId::R2 => "R2",
            RuleId::R3 => "R3",
            RuleId::R4 => "R4",
            RuleId::R5 => "R5",
            RuleId::R6 => "R6",
            RuleId::R7 => "R7",
            RuleId::R8 => "R8",
            RuleId::R9 => "R9",
            RuleId::M1 => "M1",
            RuleId::M2 => "M2",
            RuleId::M3 => "M3",
            RuleId::M4 => "M4",
            RuleId::M5 => "M5",
            RuleId::M6 => "M6",
            RuleId::M7 => "M7",
            RuleId::I1 => "I1",
            RuleId::I2 => "I2",
            RuleId::I3 => "I3",
            RuleId::I4 => "I4",
            RuleId::I5 => "I5",
            RuleId::I6 => "I6",
            RuleId::I7 => "I7",
        }
    }

    /// Parses an id as written in the catalogue (`"R5"`); `None` for anything else.
    pub fn from_str_id(s: &str) -> Option<RuleId> {
        RuleId::ALL.iter().copied().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_round_trip_through_their_text() {
        for r in RuleId::ALL {
            assert_eq!(RuleId::from_str_id(r.as_str()), Some(r));
        }
        assert_eq!(RuleId::from_str_id("R10"), None);
    }
}
