//! PEC (posta elettronica certificata) detection, for rules R5 and I2: a second half is never
//! addressed to a certified-mail mailbox.
//!
//! A PEC mailbox cannot be recognised from syntax alone. The crate ships a built-in list of the
//! certified-mail providers' domains and the naming conventions that public bodies use for their
//! PEC domains; an integrator plugs the national registries (INAD for citizens' digital
//! domiciles, IPA for public bodies, INI-PEC for businesses and professionals) through
//! [`PecDirectory`]. The check is conservative: an address is treated as PEC when either the
//! built-in list or the directory says so; a directory cannot clear an address the list flags.

use super::address::EmailAddress;

/// What a directory knows about an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PecStatus {
    /// The address is a PEC mailbox.
    Pec,
    /// The directory knows the address and it is an ordinary mailbox.
    NotPec,
    /// The directory does not know the address.
    Unknown,
}

/// A registry of PEC mailboxes (INAD, IPA, INI-PEC, or a Comune's own cache of them).
/// Synchronous and pure from the engine's point of view: an integrator that queries a remote
/// registry does it before evaluating and answers from what it fetched.
pub trait PecDirectory {
    /// What the directory knows about `address`.
    fn status(&self, address: &EmailAddress) -> PecStatus;
}

/// The built-in knowledge only (no registry).
#[derive(Clone, Copy, Debug, Default)]
pub struct BuiltinPecList;

impl PecDirectory for BuiltinPecList {
    fn status(&self, address: &EmailAddress) -> PecStatus {
        if builtin_is_pec(address.domain()) {
            PecStatus::Pec
        } else {
            PecStatus::Unknown
        }
    }
}

impl<T: PecDirectory + ?Sized> PecDirectory for &T {
    fn status(&self, address: &EmailAddress) -> PecStatus {
        (**self).status(address)
    }
}

/// Domains whose mailboxes are all certified mail: the mail domains of the accredited PEC
/// providers (gestori PEC) listed by AgID in its public list of PEC providers
/// (<https://www.agid.gov.it/it/piattaforme/posta-elettronica-certificata/elenco-gestori-pec>),
/// as far as they offer mailboxes to citizens, plus the shared domains of the best-known
/// consumer offers. Subdomains match too (`x.legalmail.it`).
pub const PEC_PROVIDER_DOMAINS: &[&str] = &[
    "pec.it",
    "arubapec.it",
    "legalmail.it",
    "postecert.it",
    "postacert.it",
    "pec.poste.it",
    "pec.libero.it",
    "pec.aruba.it",
    "sicurezzapostale.it",
    "actaliscertymail.it",
    "cert.legalmail.it",
    "pecimprese.it",
    "mypec.eu",
    "pec.register.it",
    "registerpec.it",
    "gigapec.it",
    "pecveneto.it",
    "pec-email.it",
    "cgn.legalmail.it",
    "pec.buffetti.it",
    "pec.cloud",
    "pecsicura.it",
    "casellapec.com",
    "postecertificata.it",
    "emailcertificatapec.it",
    "certmail.it",
    "pec.net",
    "pec.email",
];

/// DNS labels that Italian public bodies, professional orders and businesses use to name a
/// certified-mail domain (`comune.xyz.pec.it`, `pec.comune.xyz.it`,
/// `postacert.regione.xyz.it`, `cert.provincia.xyz.it`): a domain with one of these labels
/// is treated as PEC.
pub const PEC_LABELS: &[&str] = &[
    "pec",
    "postacert",
    "postecert",
    "legalmail",
    "cert",
    "certmail",
    "pecmail",
    "arubapec",
    "sicurezzapostale",
    "actaliscertymail",
];

/// Whether the built-in knowledge flags `domain` (lower case) as a PEC domain.
///
/// ```
/// use cie_pinpuk::policy::pec::builtin_is_pec;
/// assert!(builtin_is_pec("pec.it"));
/// assert!(builtin_is_pec("ordineavvocati.legalmail.it"));
/// assert!(builtin_is_pec("pec.comune.livorno.it"));
/// assert!(!builtin_is_pec("gmail.com"));
/// assert!(!builtin_is_pec("specchio.it"));
/// ```
pub fn builtin_is_pec(domain: &str) -> bool {
    let provider = PEC_PROVIDER_DOMAINS.iter().any(|p| {
        domain.eq_ignore_ascii_case(p)
            || (domain.len() > p.len()
                && domain
                    .get(domain.len().saturating_sub(p.len())..)
                    .is_some_and(|tail| tail.eq_ignore_ascii_case(p))
                && domain
                    .as_bytes()
                    .get(domain.len().saturating_sub(p.len()).saturating_sub(1))
                    == Some(&b'.'))
    });
    provider
        || domain
            .split('.')
            .any(|label| PEC_LABELS.iter().any(|l| label.eq_ignore_ascii_case(l)))
}

/// Whether `address` must be treated as a PEC mailbox: the built-in list flags it, or the
/// directory says it is one.
pub fn is_pec(address: &EmailAddress, directory: &dyn PecDirectory) -> bool {
    builtin_is_pec(address.domain()) || directory.status(address) == PecStatus::Pec
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Inad;
    impl PecDirectory for Inad {
        fn status(&self, a: &EmailAddress) -> PecStatus {
            match a.as_str() {
                "mario.rossi@domicilio.example.it" => PecStatus::Pec,
                "mario.rossi@pec.it" => PecStatus::NotPec,
                _ => PecStatus::Unknown,
            }
        }
    }

    #[test]
    fn r5_builtin_list_flags_provider_domains_and_pec_labels() {
        for a in [
            "mario.rossi@pec.it",
            "m.rossi@legalmail.it",
            "x@Arubapec.IT",
            "studio@ordine.legalmail.it",
            "protocollo@pec.comune.livorno.it",
            "anagrafe@comune.esempio.pec.it",
            "info@postacert.regione.esempio.it",
        ] {
            let a = EmailAddress::parse(a).unwrap();
            assert!(is_pec(&a, &BuiltinPecList), "{a}");
        }
        for a in [
            "mario.rossi@gmail.com",
            "a@specchio.it",
            "a@pecora.it",
            "a@libero.it",
        ] {
            let a = EmailAddress::parse(a).unwrap();
            assert!(!is_pec(&a, &BuiltinPecList), "{a}");
        }
    }

    #[test]
    fn r5_directory_adds_pec_mailboxes_but_cannot_clear_the_builtin_list() {
        let inad = EmailAddress::parse("mario.rossi@domicilio.example.it").unwrap();
        assert!(!is_pec(&inad, &BuiltinPecList));
        assert!(is_pec(&inad, &Inad));
        let listed = EmailAddress::parse("mario.rossi@pec.it").unwrap();
        assert!(is_pec(&listed, &Inad));
    }
}
