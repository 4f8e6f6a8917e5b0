//! Contact addresses with their syntax checked once, at the edge: an e-mail address and a
//! mobile number. An address that does not parse is a clear error, never a silent refusal.

use alloc::string::String;
use core::fmt;

/// Why an address was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// No `@`, or more than one.
    #[error("an e-mail address needs exactly one '@'")]
    At,
    /// The part before `@` is empty, too long (over 64) or has a character outside the
    /// unquoted RFC 5322 set, or a misplaced dot.
    #[error("the part before '@' is not a valid mailbox name")]
    LocalPart,
    /// The domain is not a dotted sequence of at least two DNS labels with an alphabetic
    /// top-level label.
    #[error("the part after '@' is not a valid domain")]
    Domain,
    /// The whole address is longer than 254 characters.
    #[error("the address is too long")]
    TooLong,
    /// A mobile number is not an optional `+` followed by 6 to 15 digits.
    #[error("a mobile number is an optional '+' and 6 to 15 digits")]
    Mobile,
}

/// A syntactically valid e-mail address (the unquoted subset of RFC 5322 that mailbox
/// providers accept). The domain is kept in lower case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress {
    text: String,
    at: usize,
}

fn local_char_ok(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&c)
}

fn label_ok(label: &[u8]) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && label
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && label.first() != Some(&b'-')
        && label.last() != Some(&b'-')
}

impl EmailAddress {
    /// Parses and checks an address.
    ///
    /// ```
    /// use cie_pinpuk::policy::{AddressError, EmailAddress};
    /// let a = EmailAddress::parse("Mario.Rossi@Example.IT").unwrap();
    /// assert_eq!(a.as_str(), "Mario.Rossi@example.it");
    /// assert_eq!(a.domain(), "example.it");
    /// assert_eq!(EmailAddress::parse("mario@"), Err(AddressError::Domain));
    /// ```
    pub fn parse(s: &str) -> Result<EmailAddress, AddressError> {
        let s = s.trim();
        if s.len() > 254 {
            return Err(AddressError::TooLong);
        }
        let mut parts = s.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(AddressError::At);
        };
        let lb = local.as_bytes();
        if lb.is_empty()
            || lb.len() > 64
            || !lb.iter().all(|c| local_char_ok(*c))
            || lb.first() == Some(&b'.')
            || lb.last() == Some(&b'.')
            || local.contains("..")
        {
            return Err(AddressError::LocalPart);
        }
        let mut labels = 0usize;
        let mut last: &[u8] = &[];
        for label in domain.split('.') {
            if !label_ok(label.as_bytes()) {
                return Err(AddressError::Domain);
            }
            labels = labels.saturating_add(1);
            last = label.as_bytes();
        }
        if labels < 2 || last.len() < 2 || !last.iter().all(u8::is_ascii_alphabetic) {
            return Err(AddressError::Domain);
        }
        let mut text = String::with_capacity(s.len());
        text.push_str(local);
        text.push('@');
        for c in domain.chars() {
            text.push(c.to_ascii_lowercase());
        }
        Ok(EmailAddress {
            text,
            at: local.len(),
        })
    }

    /// The whole address.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The domain, lower case.
    pub fn domain(&self) -> &str {
        self.text.get(self.at.saturating_add(1)..).unwrap_or("")
    }

    /// The mailbox name before `@`.
    pub fn local_part(&self) -> &str {
        self.text.get(..self.at).unwrap_or("")
    }

    /// Whether two addresses name the same mailbox (the domain ignores case already; the
    /// local part is compared ignoring ASCII case too, as every Italian provider does).
    pub fn same_mailbox(&self, other: &EmailAddress) -> bool {
        self.text.eq_ignore_ascii_case(&other.text)
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A mobile number: an optional `+` and 6 to 15 digits (ITU-T E.164 length), spaces removed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MobileNumber(String);

impl MobileNumber {
    /// Parses a number, ignoring spaces.
    ///
    /// ```
    /// use cie_pinpuk::policy::MobileNumber;
    /// assert_eq!(MobileNumber::parse("+39 333 123 4567").unwrap().as_str(), "+393331234567");
    /// assert!(MobileNumber::parse("333-12").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<MobileNumber, AddressError> {
        let mut out = String::with_capacity(s.len());
        for (i, c) in s.trim().chars().filter(|c| *c != ' ').enumerate() {
            if c.is_ascii_digit() || (i == 0 && c == '+') {
                out.push(c);
            } else {
                return Err(AddressError::Mobile);
            }
        }
        let digits = out.bytes().filter(u8::is_ascii_digit).count();
        if !(6..=15).contains(&digits) {
            return Err(AddressError::Mobile);
        }
        Ok(MobileNumber(out))
    }

    /// The number, `+` and digits only.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MobileNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use proptest::prelude::*;

    #[test]
    fn syntax_invalid_addresses_are_clear_errors() {
        assert_eq!(EmailAddress::parse("no-at-sign"), Err(AddressError::At));
        assert_eq!(EmailAddress::parse("a@b@c.it"), Err(AddressError::At));
        assert_eq!(
            EmailAddress::parse("@example.it"),
            Err(AddressError::LocalPart)
        );
        assert_eq!(
            EmailAddress::parse(".a@example.it"),
            Err(AddressError::LocalPart)
        );
        assert_eq!(
            EmailAddress::parse("a..b@example.it"),
            Err(AddressError::LocalPart)
        );
        assert_eq!(
            EmailAddress::parse("a b@example.it"),
            Err(AddressError::LocalPart)
        );
        assert_eq!(
            EmailAddress::parse("a@localhost"),
            Err(AddressError::Domain)
        );
        assert_eq!(EmailAddress::parse("a@-x.it"), Err(AddressError::Domain));
        assert_eq!(EmailAddress::parse("a@x.1t"), Err(AddressError::Domain));
        assert_eq!(EmailAddress::parse("a@x..it"), Err(AddressError::Domain));
    }

    proptest! {
        #[test]
        fn email_parse_round_trips(local in "[a-z0-9][a-z0-9._+-]{0,20}[a-z0-9]",
                                   dom in "[a-z0-9]{1,10}(\\.[a-z0-9]{1,10}){0,2}\\.[a-z]{2,6}") {
            let s = format!("{local}@{dom}");
            prop_assume!(!local.contains(".."));
            let a = EmailAddress::parse(&s).unwrap();
            prop_assert_eq!(a.as_str(), s.as_str());
            prop_assert_eq!(a.domain(), dom.as_str());
            prop_assert_eq!(a.local_part(), local.as_str());
            let again = EmailAddress::parse(a.as_str()).unwrap();
            prop_assert_eq!(again, a);
        }

        #[test]
        fn email_parse_never_panics(s in ".{0,300}") {
            let _ = EmailAddress::parse(&s);
            let _ = MobileNumber::parse(&s);
        }

        #[test]
        fn mobile_round_trips(n in "\\+?[0-9]{6,15}") {
            let m = MobileNumber::parse(&n).unwrap();
            prop_assert_eq!(m.as_str(), n.as_str());
        }
    }
}
