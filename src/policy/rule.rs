//! The rule identifiers of the rule catalogue (`docs/rules.md` in the package), shared by the
//! policy engine, the desk journal and the PUK self-recovery workflow.

use core::fmt;

/// One rule of the catalogue (`docs/rules.md` in the package, which quotes the public page
/// each rule comes from and lists the tests that check it). Every refusal, requirement and
/// journal entry names the rules it applies, so an officer or a reviewer can look them up.
///
/// The *seeds* cited below are the five public pages the rules are read from: 000, 001 and 002
/// are three Comuni's service pages for lost PIN and PUK (002 is the Comune di Livorno's), 003
/// the retelling of the Ministry's "Come attivare la CIE" pages, 004 the Ministry's
/// instructions to Comuni officers for the reprint function of the issuance system.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RuleId {
    /// **C1** (national; seeds 001, 003): PIN and PUK are 8 decimal digits each.
    C1,
    /// **C2** (national; seeds 000-003): each code has a first half (digits 1-4, on the receipt
    /// handed over at the counter when the card is requested) and a second half (digits 5-8, in
    /// the letter that comes in the sealed envelope with the card).
    C2,
    /// **C3** (national; seeds 000, 002): the PIN is blocked after 3 consecutive wrong entries;
    /// a right entry sets the count back to 3.
    C3,
    /// **C4** (national; seeds 000, 001, 003): the PUK unblocks a blocked PIN and sets a new
    /// PIN ("Sblocca carta").
    C4,
    /// **C5** (national; the card's behaviour): the PIN can be changed by presenting the current
    /// PIN.
    C5,
    /// **C6** (national; the card's behaviour): the PUK has its own retry counter; when it is
    /// exhausted nothing on the card can restore the PIN, and the holder needs a new card.
    C6,
    /// **A1** (national; seed 003): level 1 and 2 credentials can be activated without reading
    /// the card, with the fiscal code, the card's serial number and the first half of the PUK,
    /// only if a mobile number was registered when the card was requested; possible right after
    /// the request, before the card arrives.
    A1,
    /// **A2** (national; seed 003): level 3 needs the card itself, its PIN, and an NFC phone with
    /// the CieID app or a computer with a smart-card reader and the CIE software.
    A2,
    /// **P1** (national; seeds 000, 001, 003): PUK self-recovery is possible only if contacts
    /// (e-mail and/or mobile) were registered when the card was requested.
    P1,
    /// **P2** (national; seed 003): the holder taps the card and enters its serial number and the
    /// registered contacts; they must match.
    P2,
    /// **P3** (national; seed 003): the PUK is released only after 48 hours, when a notification
    /// (SMS or e-mail) lets the holder complete the procedure and see it. Never earlier.
    P3,
    /// **P4** (national; seed 000): a request for the PUK alone may be made online.
    P4,
    /// **R1** (national; seed 004): the officer identifies the requester before anything is
    /// reprinted; which documents identify is a profile option.
    R1,
    /// **R2** (national; seed 004): either half, or both halves, of the PIN and/or the PUK can be
    /// reprinted.
    R2,
    /// **R3** (national; seeds 004, 000, 001): first halves are printed on paper at the counter,
    /// at once.
    R3,
    /// **R4** (national; seeds 004, 000): second halves are sent by e-mail, to the address
    /// registered at the card request or to another address the citizen gives.
    R4,
    /// **R5** (national; seed 004): a PEC address is never a destination for a second half. An
    /// address counts as PEC when a PEC registry (INI-PEC, INAD, IPA, behind
    /// [`PecDirectory`](super::PecDirectory)) or the domains of the accredited PEC providers say
    /// so; an address on a domain that is neither a known PEC domain nor a known ordinary
    /// provider needs the officer's confirmation that it is an ordinary mailbox.
    R5,
    /// **R6** (national; seed 004): a requester without e-mail may explicitly ask for the second
    /// half on paper: the issuance system generates the paper consent form (*modulo di delega*,
    /// not the third-party delegation of M1), the holder signs it, it is acquired digitally, and
    /// only then is the second half printed.
    R6,
    /// **R7** (national; seeds 001, 002): registered contacts are changed only by the holder
    /// (seed 002 also lets the parent of a minor or a legal representative do it), never by a
    /// third-party delegate; whether remotely follows M2.
    R7,
    /// **R8** (national; seeds 000, 001, 002): the reprint is immediate at the counter; seed 000
    /// also states that the service is free.
    R8,
    /// **R9** (national; seed 004): the codes reprinted are those of the requester's own CIE, or
    /// of the person the requester represents (delegate, parent, legal representative): the card
    /// shown or named must belong to that holder.
    R9,
    /// **M1** (municipal profile option; seeds 000, 001, 002): third-party delegation: a
    /// delegate with the signed form collects the codes (000), collects only the first halves
    /// when the holder can neither come nor sign digitally (001), or no delegation at all (002).
    M1,
    /// **M2** (municipal profile option; seeds 001, 002): remote requests: by PEC with the form
    /// digitally signed, or from the holder's INAD domicile (001); none by e-mail or PEC (002).
    M2,
    /// **M3** (municipal profile option; seed 002): a home visit for people who cannot come
    /// (a medical certificate or proof of permanent inability); the office calls back within 30
    /// days; at home both halves can be printed and contacts changed.
    M3,
    /// **M4** (municipal profile option; seeds 001, 002): who may ask besides the holder: the
    /// parent of a minor, or a legal representative with the act of appointment (002); the
    /// holder alone (001).
    M4,
    /// **M5** (municipal profile option; seed 002): opening hours and appointment windows, as
    /// data a Comune updates every year (walk-in Monday to Friday 9-13; a seasonal window by
    /// appointment only).
    M5,
    /// **M6** (municipal profile option; seeds 000, 002, 004): which documents identify the
    /// requester: the holder's own CIE (000, 002), or any document the officer accepts (004).
    M6,
    /// **M7** (municipal profile option; seed 000): who is served: residents only (000).
    M7,
    /// **I1** (national invariant; seed 001, R4-R6): no third-party delegate ever receives a
    /// second half, by any channel.
    I1,
    /// **I2** (national invariant; R5): a second half never goes to a PEC address.
    I2,
    /// **I3** (national invariant; R6): a second half is printed on paper only after the signed
    /// paper consent form is acquired.
    I3,
    /// **I4** (national invariant; R7, M2): contacts are never changed by a third-party delegate,
    /// nor through a remote channel that the profile does not accept as the holder's own signed
    /// request.
    I4,
    /// **I5** (national invariant; R1): nothing is reprinted before the requester is identified,
    /// and never for a card that is not the holder's.
    I5,
    /// **I6** (national invariant; P3): the PUK from self-recovery is never released less than 48
    /// hours after the request.
    I6,
    /// **I7** (national invariant; a design choice of the crate, stated by no seed): the first and
    /// second half of one code never travel through the same channel to the same destination,
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
