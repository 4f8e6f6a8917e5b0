//! A small civil calendar (proleptic Gregorian date, weekday, minute of the day), enough for
//! opening hours and appointment windows (rule M5) without a date-time dependency.

use core::fmt;

/// A calendar date. Always valid: built only through [`CivilDate::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CivilDate {
    year: u16,
    month: u8,
    day: u8,
}

/// A day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Weekday {
    /// Lunedì.
    Monday,
    /// Martedì.
    Tuesday,
    /// Mercoledì.
    Wednesday,
    /// Giovedì.
    Thursday,
    /// Venerdì.
    Friday,
    /// Sabato.
    Saturday,
    /// Domenica.
    Sunday,
}

impl Weekday {
    /// The bit of this day in a [`WeekdaySet`].
    const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of weekdays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct WeekdaySet(u8);

impl WeekdaySet {
    /// Monday to Friday.
    pub const MON_FRI: WeekdaySet = WeekdaySet(0b001_1111);
    /// No day.
    pub const EMPTY: WeekdaySet = WeekdaySet(0);

    /// The set of the given days.
    pub fn of(days: &[Weekday]) -> WeekdaySet {
        WeekdaySet(days.iter().fold(0, |b, d| b | d.bit()))
    }

    /// Whether `day` is in the set.
    pub const fn contains(self, day: Weekday) -> bool {
        self.0 & day.bit() != 0
    }
}

/// The date is not a day of the Gregorian calendar (or its year is outside 1..=9999).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a valid calendar date")]
pub struct InvalidDate;

const fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

const fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl CivilDate {
    /// A date; `Err` unless it exists (year 1 to 9999).
    ///
    /// ```
    /// use cie_pinpuk::policy::{CivilDate, Weekday};
    /// let d = CivilDate::new(2025, 6, 3).unwrap();
    /// assert_eq!(d.weekday(), Weekday::Tuesday);
    /// assert!(CivilDate::new(2025, 2, 29).is_err());
    /// ```
    pub const fn new(year: u16, month: u8, day: u8) -> Result<CivilDate, InvalidDate> {
        if year == 0 || year > 9999 || day == 0 || day > days_in_month(year, month) {
            return Err(InvalidDate);
        }
        Ok(CivilDate { year, month, day })
    }

    /// The year.
    pub const fn year(self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub const fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub const fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before), by the days-from-civil method.
    // Bounded inputs (year 1..=9999, month 1..=12, day 1..=31): no operation can overflow i64.
    #[allow(clippy::arithmetic_side_effects)]
    pub const fn days_since_epoch(self) -> i64 {
        let y = self.year as i64 - if self.month <= 2 { 1 } else { 0 };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.month as i64;
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The day of the week.
    // The day count is within +-3.7 million: adding 3 cannot overflow.
    #[allow(clippy::arithmetic_side_effects)]
    pub const fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday.
        match (self.days_since_epoch() + 3).rem_euclid(7) {
            0 => Weekday::Monday,
            1 => Weekday::Tuesday,
            2 => Weekday::Wednesday,
            3 => Weekday::Thursday,
            4 => Weekday::Friday,
            5 => Weekday::Saturday,
            _ => Weekday::Sunday,
        }
    }
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }
}

/// A time of day to the minute, 00:00 to 23:59.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    /// `hour:minute`; `None` unless 0-23 and 0-59.
    // Checked ranges: at most 1439.
    #[allow(clippy::arithmetic_side_effects)]
    pub const fn new(hour: u8, minute: u8) -> Option<TimeOfDay> {
        if hour > 23 || minute > 59 {
            return None;
        }
        Some(TimeOfDay(hour as u16 * 60 + minute as u16))
    }

    /// `hour:minute`, each clamped to its range (23, 59).
    ///
    /// ```
    /// use cie_pinpuk::policy::TimeOfDay;
    /// assert_eq!(TimeOfDay::saturating(15, 30).minutes(), 930);
    /// assert_eq!(TimeOfDay::saturating(99, 99).minutes(), 23 * 60 + 59);
    /// ```
    // h <= 23 and m <= 59: at most 1439.
    #[allow(clippy::arithmetic_side_effects)]
    pub const fn saturating(hour: u8, minute: u8) -> TimeOfDay {
        let h = if hour > 23 { 23 } else { hour };
        let m = if minute > 59 { 59 } else { minute };
        TimeOfDay(h as u16 * 60 + m as u16)
    }

    /// Minutes since midnight.
    pub const fn minutes(self) -> u16 {
        self.0
    }

    /// From minutes since midnight; `None` past 23:59.
    pub const fn from_minutes(m: u16) -> Option<TimeOfDay> {
        if m < 24 * 60 {
            Some(TimeOfDay(m))
        } else {
            None
        }
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// The moment of a visit or request: the date and the local time (Europe/Rome, as the
/// officer's clock shows it). The engine never reads a clock: the caller passes this.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VisitTime {
    /// The date.
    pub date: CivilDate,
    /// The local time.
    pub time: TimeOfDay,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_weekdays() {
        assert_eq!(
            CivilDate::new(1970, 1, 1).unwrap().weekday(),
            Weekday::Thursday
        );
        assert_eq!(
            CivilDate::new(2026, 11, 23).unwrap().weekday(),
            Weekday::Monday
        );
        assert_eq!(
            CivilDate::new(2000, 2, 29).unwrap().weekday(),
            Weekday::Tuesday
        );
        assert!(CivilDate::new(1900, 2, 29).is_err());
        assert!(CivilDate::new(2024, 13, 1).is_err());
    }

    proptest! {
        #[test]
        fn consecutive_days_advance_the_weekday(y in 1u16..9999, m in 1u8..=12, d in 1u8..=27) {
            let a = CivilDate::new(y, m, d).unwrap();
            let b = CivilDate::new(y, m, d + 1).unwrap();
            prop_assert_eq!(b.days_since_epoch() - a.days_since_epoch(), 1);
            prop_assert_eq!((b.weekday() as u8 + 7 - a.weekday() as u8) % 7, 1);
            prop_assert!(a < b);
        }
    }
}
