//! Constant-time matching of the contacts the holder types against the registered ones (P2).
//!
//! Each of the two slots (e-mail, mobile) is reduced to a SHA-256 digest of a tag, a presence
//! byte and the normalised value; the two typed digests are compared with the two registered
//! ones with `subtle`, and the results are combined without branching. The same work is done
//! whether a contact is registered or not, and the answer is one bit: it does not say which
//! slot differed.

use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};

use crate::policy::{Contacts, EmailAddress, MobileNumber};

fn email_digest(e: Option<&EmailAddress>) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"cie-pinpuk-recovery-email-v1");
    match e {
        Some(a) => {
            h.update([1u8]);
            for c in a.as_str().bytes() {
                h.update([c.to_ascii_lowercase()]);
            }
        }
        None => h.update([0u8]),
    }
    h.finalize().into()
}

/// The national significant number: an Italian `+39` or `0039` prefix removed, so that
/// `+39 333 1234567` and `3331234567` match.
fn national(m: &MobileNumber) -> &str {
    let s = m.as_str();
    s.strip_prefix("+39")
        .or_else(|| s.strip_prefix("0039"))
        .unwrap_or(s)
}

fn mobile_digest(m: Option<&MobileNumber>) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"cie-pinpuk-recovery-mobile-v1");
    match m {
        Some(n) => {
            h.update([1u8]);
            h.update(national(n).as_bytes());
        }
        None => h.update([0u8]),
    }
    h.finalize().into()
}

/// `true` when the typed contacts are exactly the registered ones: the same e-mail (ignoring
/// ASCII case) if one is registered, none if none is, and likewise for the mobile number.
pub(crate) fn contacts_match(typed: &Contacts, registered: &Contacts) -> bool {
    let e: Choice =
        email_digest(typed.email.as_ref()).ct_eq(&email_digest(registered.email.as_ref()));
    let m: Choice =
        mobile_digest(typed.mobile.as_ref()).ct_eq(&mobile_digest(registered.mobile.as_ref()));
    bool::from(e & m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(email: Option<&str>, mobile: Option<&str>) -> Contacts {
        Contacts {
            email: email.map(|e| EmailAddress::parse(e).unwrap()),
            mobile: mobile.map(|m| MobileNumber::parse(m).unwrap()),
        }
    }

    #[test]
    fn p2_contacts_match_exactly_ignoring_case_and_prefix() {
        let reg = c(Some("Mario.Rossi@example.it"), Some("+39 333 1234567"));
        assert!(contacts_match(
            &c(Some("mario.rossi@EXAMPLE.it"), Some("3331234567")),
            &reg
        ));
        assert!(!contacts_match(
            &c(Some("mario.rossi@example.it"), None),
            &reg
        ));
        assert!(!contacts_match(&c(None, Some("3331234567")), &reg));
        assert!(!contacts_match(
            &c(Some("mario.rossi@example.it"), Some("3331234568")),
            &reg
        ));
        let only_mail = c(Some("a@example.it"), None);
        assert!(contacts_match(&c(Some("a@example.it"), None), &only_mail));
        assert!(!contacts_match(
            &c(Some("a@example.it"), Some("3331234567")),
            &only_mail
        ));
        assert!(contacts_match(&c(None, None), &c(None, None)));
    }
}
