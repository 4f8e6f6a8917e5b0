//! [`NewPinRules`]: a configurable quality check for a new PIN, separate from parsing.

use subtle::ConstantTimeEq;

use super::{Pin, PinQualityError};

/// Which weak new PINs to refuse when the holder changes or resets the PIN (docs/testing.md N10).
///
/// Parsing ([`Pin::new`]) only checks the format (rule C1); these rules judge a well-formed
/// PIN. Each rule can be switched on or off with a builder-style method:
///
/// - **all digits equal**: `00000000` … `99999999`;
/// - **ascending run**: each digit is one more than the previous one: `01234567`,
///   `12345678`, `23456789`;
/// - **descending run**: each digit is one less than the previous one: `98765432`,
///   `87654321`, `76543210`;
/// - **wrap-around**: off by default. When on, the runs also continue through `9 → 0`
///   (ascending, as in `90123456`) and `0 → 9` (descending, as in `10987654`). When off,
///   those PINs are accepted: a run is taken literally, the way a person reads it;
/// - **same as old** (only in [`check_change`](Self::check_change)): the new PIN equals the
///   current one, compared in constant time.
///
/// Each rule reads every digit, with no early exit inside the rule, and a refusal names the rule only
/// ([`PinQualityError`]), never the digits.
///
/// ```
/// use cie_pinpuk::codes::{NewPinRules, Pin, PinQualityError};
/// let rules = NewPinRules::official();
/// assert_eq!(rules.check(&Pin::new("11111111")?), Err(PinQualityError::AllDigitsEqual));
/// assert_eq!(rules.check(&Pin::new("12345678")?), Err(PinQualityError::AscendingRun));
/// assert_eq!(rules.check(&Pin::new("87654321")?), Err(PinQualityError::DescendingRun));
/// assert_eq!(rules.check(&Pin::new("90123456")?), Ok(()));
/// assert_eq!(rules.check(&Pin::new("40271953")?), Ok(()));
/// assert_eq!(NewPinRules::none().check(&Pin::new("11111111")?), Ok(()));
/// # Ok::<(), cie_pinpuk::codes::CodeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NewPinRules {
    all_equal: bool,
    ascending: bool,
    descending: bool,
    wrap_around: bool,
    same_as_old: bool,
}

impl Default for NewPinRules {
    /// The same as [`NewPinRules::official`].
    fn default() -> Self {
        Self::official()
    }
}

impl NewPinRules {
    /// What the official CIE client refuses, as the project brief describes it: all-equal
    /// digits and ascending or descending runs (no wrap-around); plus a new PIN equal to the
    /// current one in [`check_change`](Self::check_change).
    pub const fn official() -> Self {
        Self {
            all_equal: true,
            ascending: true,
            descending: true,
            wrap_around: false,
            same_as_old: true,
        }
    }

    /// No rule at all: every well-formed PIN is accepted.
    pub const fn none() -> Self {
        Self {
            all_equal: false,
            ascending: false,
            descending: false,
            wrap_around: false,
            same_as_old: false,
        }
    }

    /// Refuse (or accept) a PIN whose digits are all equal.
    #[must_use]
    pub const fn refuse_all_equal(mut self, on: bool) -> Self {
        self.all_equal = on;
        self
    }

    /// Refuse (or accept) an ascending run such as `12345678`.
    #[must_use]
    pub const fn refuse_ascending(mut self, on: bool) -> Self {
        self.ascending = on;
        self
    }

    /// Refuse (or accept) a descending run such as `87654321`.
    #[must_use]
    pub const fn refuse_descending(mut self, on: bool) -> Self {
        self.descending = on;
        self
    }

    /// Let ascending and descending runs wrap around between `9` and `0`, so that
    /// `90123456` and `10987654` count as runs. Has no effect when both run rules are off.
    #[must_use]
    pub const fn wrap_around(mut self, on: bool) -> Self {
        self.wrap_around = on;
        self
    }

    /// Refuse (or accept) a new PIN equal to the current one in
    /// [`check_change`](Self::check_change).
    #[must_use]
    pub const fn refuse_same_as_old(mut self, on: bool) -> Self {
        self.same_as_old = on;
        self
    }

    /// Whether all-equal PINs are refused.
    pub const fn refuses_all_equal(&self) -> bool {
        self.all_equal
    }

    /// Whether ascending runs are refused.
    pub const fn refuses_ascending(&self) -> bool {
        self.ascending
    }

    /// Whether descending runs are refused.
    pub const fn refuses_descending(&self) -> bool {
        self.descending
    }

    /// Whether runs wrap around between `9` and `0`.
    pub const fn wraps_around(&self) -> bool {
        self.wrap_around
    }

    /// Whether a new PIN equal to the current one is refused.
    pub const fn refuses_same_as_old(&self) -> bool {
        self.same_as_old
    }

    /// Checks a new PIN on its own (all-equal, ascending, descending), in that order.
    pub fn check(&self, new: &Pin) -> Result<(), PinQualityError> {
        let digits = new.expose_ascii();
        if self.all_equal && steps_all(digits, Step::Same, false) {
            return Err(PinQualityError::AllDigitsEqual);
        }
        if self.ascending && steps_all(digits, Step::Up, self.wrap_around) {
            return Err(PinQualityError::AscendingRun);
        }
        if self.descending && steps_all(digits, Step::Down, self.wrap_around) {
            return Err(PinQualityError::DescendingRun);
        }
        Ok(())
    }

    /// Checks a new PIN that replaces `old`: first [`check`](Self::check), then the
    /// same-as-old rule, which compares the two PINs in constant time.
    ///
    /// ```
    /// use cie_pinpuk::codes::{NewPinRules, Pin, PinQualityError};
    /// let old = Pin::new("40271953")?;
    /// let rules = NewPinRules::official();
    /// assert_eq!(rules.check_change(&old, &Pin::new("40271953")?), Err(PinQualityError::SameAsOld));
    /// assert_eq!(rules.check_change(&old, &Pin::new("40271954")?), Ok(()));
    /// # Ok::<(), cie_pinpuk::codes::CodeError>(())
    /// ```
    pub fn check_change(&self, old: &Pin, new: &Pin) -> Result<(), PinQualityError> {
        self.check(new)?;
        if self.same_as_old && bool::from(old.ct_eq(new)) {
            return Err(PinQualityError::SameAsOld);
        }
        Ok(())
    }
}

/// How each digit relates to the previous one in a pattern.
#[derive(Clone, Copy)]
enum Step {
    Same,
    Up,
    Down,
}

/// The digit value (0-9) that follows `a` in the pattern, if any.
fn follow(a: u8, step: Step, wrap: bool) -> Option<u8> {
    match step {
        Step::Same => Some(a),
        Step::Up if a < 9 => Some(a.wrapping_add(1)),
        Step::Up => wrap.then_some(0),
        Step::Down if a > 0 => Some(a.wrapping_sub(1)),
        Step::Down => wrap.then_some(9),
    }
}

/// True when every digit follows the previous one by `step`. Visits every pair, with no
/// early exit. The digits are ASCII `'0'..='9'` (guaranteed by [`Pin`]).
fn steps_all(digits: &[u8], step: Step, wrap: bool) -> bool {
    digits
        .iter()
        .zip(digits.iter().skip(1))
        .fold(true, |acc, (&a, &b)| {
            let a = a.wrapping_sub(b'0');
            let b = b.wrapping_sub(b'0');
            acc & (follow(a, step, wrap) == Some(b))
        })
}
