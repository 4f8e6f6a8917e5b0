//! The JSON forms of the policy types that are not plain derives (feature `serde`): a date as
//! `"YYYY-MM-DD"`, a time as `"HH:MM"`, a set of weekdays, documents or halves as a list of
//! names, an address as its text, a hash as lower-case hex. See `docs/json.md`.

/// `[u8; 32]` as 64 lower-case hex digits.
pub(crate) mod hex32 {
    use alloc::string::String;
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub(crate) fn serialize<S: Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        let mut out = String::with_capacity(64);
        for b in v {
            let _ = core::fmt::Write::write_fmt(&mut out, format_args!("{b:02x}"));
        }
        s.serialize_str(&out)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(d)?;
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return Err(D::Error::custom("expected 64 hex digits"));
        }
        let mut out = [0u8; 32];
        for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            let digit = |c: u8| match c {
                b'0'..=b'9' => Ok(c.wrapping_sub(b'0')),
                b'a'..=b'f' => Ok(c.wrapping_sub(b'a').wrapping_add(10)),
                _ => Err(D::Error::custom("expected lower-case hex digits")),
            };
            let (Some(h), Some(l)) = (pair.first(), pair.get(1)) else {
                return Err(D::Error::custom("expected 64 hex digits"));
            };
            *o = (digit(*h)? << 4) | digit(*l)?;
        }
        Ok(out)
    }
}

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::address::{EmailAddress, MobileNumber};
use super::date::{CivilDate, TimeOfDay, Weekday, WeekdaySet};
use super::request::{Document, DocumentSet, HalfSet};
use crate::codes::{CodeKind, Half};

impl Serialize for CivilDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = String::with_capacity(10);
        let _ = write!(
            t,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        );
        s.serialize_str(&t)
    }
}

impl<'de> Deserialize<'de> for CivilDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = String::deserialize(d)?;
        let bad = || D::Error::custom("expected a date \"YYYY-MM-DD\"");
        let mut parts = t.split('-');
        let (Some(y), Some(m), Some(day), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || day.len() != 2 {
            return Err(bad());
        }
        let (Ok(y), Ok(m), Ok(day)) = (y.parse(), m.parse(), day.parse()) else {
            return Err(bad());
        };
        CivilDate::new(y, m, day).map_err(|_| bad())
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = String::with_capacity(5);
        let _ = write!(t, "{self}");
        s.serialize_str(&t)
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = String::deserialize(d)?;
        let bad = || D::Error::custom("expected a time \"HH:MM\"");
        let (h, m) = t.split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(bad());
        }
        let (Ok(h), Ok(m)) = (h.parse(), m.parse()) else {
            return Err(bad());
        };
        TimeOfDay::new(h, m).ok_or_else(bad)
    }
}

const DAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "mon"),
    (Weekday::Tuesday, "tue"),
    (Weekday::Wednesday, "wed"),
    (Weekday::Thursday, "thu"),
    (Weekday::Friday, "fri"),
    (Weekday::Saturday, "sat"),
    (Weekday::Sunday, "sun"),
];

/// Serializes the names of the members of a set, in a fixed order.
fn names<S: Serializer, T: Copy>(
    s: S,
    all: &[(T, &'static str)],
    has: impl Fn(T) -> bool,
) -> Result<S::Ok, S::Error> {
    let v: Vec<&str> = all
        .iter()
        .filter(|(x, _)| has(*x))
        .map(|(_, n)| *n)
        .collect();
    v.serialize(s)
}

/// Reads a list of names back into the members.
fn members<'de, D: Deserializer<'de>, T: Copy>(
    d: D,
    all: &[(T, &'static str)],
) -> Result<Vec<T>, D::Error> {
    let v: Vec<String> = Vec::deserialize(d)?;
    v.iter()
        .map(|n| {
            all.iter()
                .find(|(_, name)| name == n)
                .map(|(x, _)| *x)
                .ok_or_else(|| D::Error::custom("unknown name in a set"))
        })
        .collect()
}

impl Serialize for WeekdaySet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        names(s, &DAYS, |d| self.contains(d))
    }
}

impl<'de> Deserialize<'de> for WeekdaySet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(WeekdaySet::of(&members(d, &DAYS)?))
    }
}

const DOCUMENTS: [(Document, &str); 6] = [
    (Document::SignedDelegation, "signed-delegation"),
    (Document::HolderUnableStatement, "holder-unable-statement"),
    (Document::ActOfAppointment, "act-of-appointment"),
    (Document::MedicalCertificate, "medical-certificate"),
    (Document::IdentityDocumentCopy, "identity-document-copy"),
    (Document::PhoneNumber, "phone-number"),
];

impl Serialize for DocumentSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        names(s, &DOCUMENTS, |d| self.contains(d))
    }
}

impl<'de> Deserialize<'de> for DocumentSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(DocumentSet::of(&members(d, &DOCUMENTS)?))
    }
}

const HALVES: [((CodeKind, Half), &str); 4] = [
    ((CodeKind::Pin, Half::First), "pin-first"),
    ((CodeKind::Pin, Half::Second), "pin-second"),
    ((CodeKind::Puk, Half::First), "puk-first"),
    ((CodeKind::Puk, Half::Second), "puk-second"),
];

impl Serialize for HalfSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        names(s, &HALVES, |(c, h)| self.contains(c, h))
    }
}

impl<'de> Deserialize<'de> for HalfSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(HalfSet::of(&members(d, &HALVES)?))
    }
}

impl Serialize for EmailAddress {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EmailAddress {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = String::deserialize(d)?;
        EmailAddress::parse(&t).map_err(D::Error::custom)
    }
}

impl Serialize for MobileNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for MobileNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = String::deserialize(d)?;
        MobileNumber::parse(&t).map_err(D::Error::custom)
    }
}

/// [`CodeKind`] as `"pin"` / `"puk"` (a label, not a code: no code or half is serialisable).
pub(crate) mod code_kind {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &CodeKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match v {
            CodeKind::Pin => "pin",
            CodeKind::Puk => "puk",
        })
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<CodeKind, D::Error> {
        match String::deserialize(d)?.as_str() {
            "pin" => Ok(CodeKind::Pin),
            "puk" => Ok(CodeKind::Puk),
            _ => Err(D::Error::custom("expected \"pin\" or \"puk\"")),
        }
    }
}

/// [`Half`] as `"first"` / `"second"` (a label, not a half's digits).
pub(crate) mod half {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &Half, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match v {
            Half::First => "first",
            Half::Second => "second",
        })
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Half, D::Error> {
        match String::deserialize(d)?.as_str() {
            "first" => Ok(Half::First),
            "second" => Ok(Half::Second),
            _ => Err(D::Error::custom("expected \"first\" or \"second\"")),
        }
    }
}
