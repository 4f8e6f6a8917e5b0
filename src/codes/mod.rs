//! The PIN and PUK model (rules C1-C2 of RULES.md).

/// Which of the card's two codes a value belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CodeKind {
    /// The PIN (Personal Identification Number), reference 81 on the card.
    Pin,
    /// The PUK (Personal Unblocking Key), reference 82 on the card.
    Puk,
}

/// Which half of a code: digits 1-4 (the receipt handed over at the counter) or digits 5-8
/// (the letter in the envelope with the card). Rule C2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Half {
    /// Digits 1-4.
    First,
    /// Digits 5-8.
    Second,
}
