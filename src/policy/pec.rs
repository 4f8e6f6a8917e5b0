//! PEC (posta elettronica certificata) detection, for rules R5 and I2: a second half is never
//! addressed to a certified-mail mailbox.
//!
//! A PEC mailbox cannot be recognised from syntax alone, and no fixed list of domains is
//! complete: professional orders, companies and public bodies run PEC domains of their own.
//! An address counts as PEC when a PEC registry says so ([`PecRegistry`]: INI-PEC for
//! businesses and professionals, INAD for citizens' digital domiciles, IPA for public bodies;
//! [`InMemoryPecRegistry`] is the reference implementation an integrator fills from them), or
//! when its domain is an accredited PEC provider's domain or carries a PEC label
//! ([`builtin_is_pec`]). An address that is neither PEC nor on a known ordinary provider's
//! domain is [`MailboxKind::Unknown`]: before a second half goes there, the officer confirms
//! that it is an ordinary mailbox (a requirement of R5). A registry cannot clear an address
//! that the built-in list flags.

use alloc::collections::BTreeMap;
use alloc::string::String;

use super::address::EmailAddress;

/// What a registry knows about an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PecStatus {
    /// The address is a PEC mailbox.
    Pec,
    /// The registry knows the address and it is an ordinary mailbox.
    NotPec,
    /// The registry does not know the address.
    Unknown,
}

/// A registry of PEC mailboxes (INI-PEC, INAD, IPA, or a Comune's own cache of them).
/// Synchronous and pure from the engine's point of view: an integrator that queries a remote
/// registry does it before evaluating and answers from what it fetched.
pub trait PecRegistry {
    /// What the registry knows about `address`.
    fn status(&self, address: &EmailAddress) -> PecStatus;
}

pub use PecRegistry as PecDirectory;

/// The built-in knowledge only (no registry).
#[derive(Clone, Copy, Debug, Default)]
pub struct BuiltinPecList;

impl PecRegistry for BuiltinPecList {
    fn status(&self, address: &EmailAddress) -> PecStatus {
        if builtin_is_pec(address.domain()) {
            PecStatus::Pec
        } else if is_known_ordinary_domain(address.domain()) {
            PecStatus::NotPec
        } else {
            PecStatus::Unknown
        }
    }
}

impl<T: PecRegistry + ?Sized> PecRegistry for &T {
    fn status(&self, address: &EmailAddress) -> PecStatus {
        (**self).status(address)
    }
}

/// Which national registry an entry comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegistrySource {
    /// INI-PEC: the PEC addresses of businesses and professionals.
    IniPec,
    /// INAD: the digital domiciles of citizens.
    Inad,
    /// IPA: the PEC addresses and domains of public bodies.
    Ipa,
    /// Entered by the Comune itself (e.g. an address an officer checked).
    Local,
}

/// A PEC registry held in memory: addresses and whole domains, each with its source. The
/// reference implementation of [`PecRegistry`]; an integrator fills it from INI-PEC, INAD and
/// IPA extracts, or wraps its own client in the trait.
///
/// ```
/// use cie_pinpuk::policy::pec::{InMemoryPecRegistry, PecRegistry, PecStatus, RegistrySource};
/// use cie_pinpuk::policy::EmailAddress;
/// let mut r = InMemoryPecRegistry::new();
/// r.add_pec_domain("ordineavvocati.example.it", RegistrySource::IniPec);
/// r.add_pec("mario.rossi@domicilio.example.it", RegistrySource::Inad);
/// r.add_ordinary("anna@studio.example.it", RegistrySource::Local);
/// let a = |s| EmailAddress::parse(s).unwrap();
/// assert_eq!(r.status(&a("x@ordineavvocati.example.it")), PecStatus::Pec);
/// assert_eq!(r.status(&a("Mario.Rossi@domicilio.example.it")), PecStatus::Pec);
/// assert_eq!(r.status(&a("anna@studio.example.it")), PecStatus::NotPec);
/// assert_eq!(r.status(&a("x@altro.example.it")), PecStatus::Unknown);
/// ```
#[derive(Clone, Debug, Default)]
pub struct InMemoryPecRegistry {
    addresses: BTreeMap<String, (PecStatus, RegistrySource)>,
    pec_domains: BTreeMap<String, RegistrySource>,
}

fn lower(s: &str) -> String {
    s.trim().to_ascii_lowercase()
}

impl InMemoryPecRegistry {
    /// An empty registry.
    pub fn new() -> InMemoryPecRegistry {
        InMemoryPecRegistry::default()
    }

    /// Records `address` as a PEC mailbox.
    pub fn add_pec(&mut self, address: &str, source: RegistrySource) {
        self.addresses
            .insert(lower(address), (PecStatus::Pec, source));
    }

    /// Records `address` as an ordinary mailbox.
    pub fn add_ordinary(&mut self, address: &str, source: RegistrySource) {
        self.addresses
            .insert(lower(address), (PecStatus::NotPec, source));
    }

    /// Records a whole domain (and its subdomains) as PEC.
    pub fn add_pec_domain(&mut self, domain: &str, source: RegistrySource) {
        self.pec_domains.insert(lower(domain), source);
    }

    /// The source of what the registry knows about `address`, if it knows it.
    pub fn source(&self, address: &EmailAddress) -> Option<RegistrySource> {
        if let Some((_, s)) = self.addresses.get(&lower(address.as_str())) {
            return Some(*s);
        }
        self.domain_entry(address.domain())
    }

    fn domain_entry(&self, domain: &str) -> Option<RegistrySource> {
        let mut d = domain;
        loop {
            if let Some(s) = self.pec_domains.get(d) {
                return Some(*s);
            }
            match d.split_once('.') {
                Some((_, rest)) if rest.contains('.') => d = rest,
                _ => return None,
            }
        }
    }

    /// How many entries (addresses and domains).
    pub fn len(&self) -> usize {
        self.addresses.len().saturating_add(self.pec_domains.len())
    }

    /// Whether the registry is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl PecRegistry for InMemoryPecRegistry {
    fn status(&self, address: &EmailAddress) -> PecStatus {
        if let Some((st, _)) = self.addresses.get(&lower(address.as_str())) {
            return *st;
        }
        if self.domain_entry(address.domain()).is_some() {
            PecStatus::Pec
        } else {
            PecStatus::Unknown
        }
    }
}

/// What kind of mailbox an address is, for a second half.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MailboxKind {
    /// A PEC mailbox: never a destination for a second half (R5).
    Pec,
    /// An ordinary mailbox: a known provider's domain, or a registry says it is not PEC.
    Ordinary,
    /// Neither a known PEC domain nor a known ordinary provider: the officer must confirm that
    /// it is an ordinary mailbox first (R5).
    Unknown,
}

/// The mail domains of the large ordinary (non-certified) mailbox providers used in Italy.
/// An address on one of these (or a subdomain) is an ordinary mailbox, unless it is PEC by
/// the built-in list or a registry.
pub const ORDINARY_PROVIDER_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "libero.it",
    "virgilio.it",
    "alice.it",
    "tim.it",
    "tin.it",
    "hotmail.com",
    "hotmail.it",
    "outlook.com",
    "outlook.it",
    "live.com",
    "live.it",
    "msn.com",
    "yahoo.com",
    "yahoo.it",
    "ymail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "tiscali.it",
    "fastwebnet.it",
    "email.it",
    "inwind.it",
    "iol.it",
    "aruba.it",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.it",
    "vodafone.it",
    "teletu.it",
    "katamail.com",
];

fn matches_domain(domain: &str, p: &str) -> bool {
    domain.eq_ignore_ascii_case(p)
        || (domain.len() > p.len()
            && domain
                .get(domain.len().saturating_sub(p.len())..)
                .is_some_and(|tail| tail.eq_ignore_ascii_case(p))
            && domain
                .as_bytes()
                .get(domain.len().saturating_sub(p.len()).saturating_sub(1))
                == Some(&b'.'))
}

/// Whether `domain` is a known ordinary provider's domain ([`ORDINARY_PROVIDER_DOMAINS`]) and
/// not a PEC domain.
///
/// ```
/// use cie_pinpuk::policy::pec::is_known_ordinary_domain;
/// assert!(is_known_ordinary_domain("gmail.com"));
/// assert!(!is_known_ordinary_domain("pec.libero.it"));
/// assert!(!is_known_ordinary_domain("studio-rossi.it"));
/// ```
pub fn is_known_ordinary_domain(domain: &str) -> bool {
    !builtin_is_pec(domain)
        && ORDINARY_PROVIDER_DOMAINS
            .iter()
            .any(|p| matches_domain(domain, p))
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
    let provider = PEC_PROVIDER_DOMAINS
        .iter()
        .any(|p| matches_domain(domain, p));
    provider
        || domain
            .split('.')
            .any(|label| PEC_LABELS.iter().any(|l| label.eq_ignore_ascii_case(l)))
}

/// Whether `address` must be treated as a PEC mailbox: the built-in list flags it, or the
/// registry says it is one.
pub fn is_pec(address: &EmailAddress, registry: &dyn PecRegistry) -> bool {
    builtin_is_pec(address.domain()) || registry.status(address) == PecStatus::Pec
}

/// The kind of mailbox `address` is: PEC (built-in list or registry), ordinary (a known
/// provider, or the registry knows it is not PEC), or unknown.
///
/// ```
/// use cie_pinpuk::policy::pec::{classify, BuiltinPecList, MailboxKind};
/// use cie_pinpuk::policy::EmailAddress;
/// let a = |s| EmailAddress::parse(s).unwrap();
/// assert_eq!(classify(&a("m@pec.it"), &BuiltinPecList), MailboxKind::Pec);
/// assert_eq!(classify(&a("m@gmail.com"), &BuiltinPecList), MailboxKind::Ordinary);
/// assert_eq!(classify(&a("m@studio-rossi.it"), &BuiltinPecList), MailboxKind::Unknown);
/// ```
pub fn classify(address: &EmailAddress, registry: &dyn PecRegistry) -> MailboxKind {
    if is_pec(address, registry) {
        return MailboxKind::Pec;
    }
    if is_known_ordinary_domain(address.domain()) || registry.status(address) == PecStatus::NotPec {
        MailboxKind::Ordinary
    } else {
        MailboxKind::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Inad;
    impl PecRegistry for Inad {
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
