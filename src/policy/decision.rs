//! What the engine decides: deliveries, contact changes, requirements still to meet, and
//! refusals. A refusal is data (rule id, Italian and English text), not an error.

use alloc::vec::Vec;

use super::address::{EmailAddress, MobileNumber};
use super::profile::ProfileId;
use super::request::Requester;
use super::rule::RuleId;
use crate::codes::{CodeKind, Half};

/// How a half travels.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeliveryChannel {
    /// Printed on paper and handed over in person (at the counter or at home).
    Paper,
    /// Sent by e-mail by the issuance system.
    Email,
}

/// Where a half goes.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Destination {
    /// Handed over in person to this requester.
    InPerson(Requester),
    /// This e-mail mailbox (never a PEC, R5).
    Email(EmailAddress),
}

/// One half to release.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Delivery {
    /// The code.
    #[cfg_attr(feature = "serde", serde(with = "super::serde_forms::code_kind"))]
    pub code: CodeKind,
    /// The half.
    #[cfg_attr(feature = "serde", serde(with = "super::serde_forms::half"))]
    pub half: Half,
    /// The channel.
    pub channel: DeliveryChannel,
    /// The destination.
    pub destination: Destination,
    /// The rule that allows this delivery (R3, R4 or R6).
    pub rule: RuleId,
}

/// A contact change the officer may record.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ContactChange {
    /// Register this e-mail address.
    Email(EmailAddress),
    /// Register this mobile number.
    Mobile(MobileNumber),
}

/// Something still to obtain before (part of) the request can proceed.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Need {
    /// Identify the requester in person (CIE or identity document).
    Identification,
    /// The digitally signed request form (PEC channel).
    DigitallySignedForm,
    /// The paper consent form of R6, signed and acquired.
    PaperConsentForm,
    /// The holder's signed delegation.
    SignedDelegation,
    /// The holder's statement of being unable to come or sign digitally.
    HolderUnableStatement,
    /// The act of appointment of the legal representative.
    ActOfAppointment,
    /// The medical certificate or proof of permanent inability.
    MedicalCertificate,
    /// A copy of an identity document.
    IdentityDocumentCopy,
    /// A phone number.
    PhoneNumber,
    /// A booked appointment (the appointment season of M5).
    Appointment,
    /// The date of the home visit, which the office fixes (M3).
    HomeVisitDate,
    /// The holder's own CIE, the only identification this Comune accepts (M6).
    OwnCie,
    /// Check that the card whose codes are asked for is the holder's (R9).
    CardOfHolder,
    /// Check that the holder is resident in the Comune (M7).
    Residence,
    /// The holder's statement that they cannot come to the counter (M1, delegation for a
    /// holder who cannot come).
    HolderCannotCome,
    /// The officer's confirmation that an address on an unknown domain is an ordinary
    /// mailbox, not a PEC (R5).
    ConfirmOrdinaryMailbox,
}

impl Need {
    /// The text for the officer, in Italian.
    pub const fn it(self) -> &'static str {
        match self {
            Need::Identification => {
                "Identificare il richiedente: esibizione della CIE o di un altro documento di riconoscimento valido."
            }
            Need::DigitallySignedForm => {
                "La domanda via PEC deve contenere il modulo firmato digitalmente dal titolare."
            }
            Need::PaperConsentForm => {
                "Stampare il modulo di delega generato da CieOnline (il consenso alla stampa su carta, da non confondere con la delega a terzi), farlo firmare al richiedente e acquisirlo a sistema: solo dopo si può stampare la seconda metà dei codici."
            }
            Need::SignedDelegation => {
                "Il delegato deve consegnare la delega compilata e firmata dal titolare (la parte del modulo del Comune dedicata alla delega)."
            }
            Need::HolderUnableStatement => {
                "La delega è ammessa solo se il titolare non può presentarsi né firmare digitalmente il modulo: serve la sua dichiarazione."
            }
            Need::ActOfAppointment => {
                "Il rappresentante legale deve esibire copia dell'atto di nomina."
            }
            Need::MedicalCertificate => {
                "Per il servizio a domicilio serve un certificato del medico di base o di degenza, o documentazione dell'impossibilità permanente a recarsi in ufficio."
            }
            Need::IdentityDocumentCopy => {
                "Per il servizio a domicilio serve copia di un documento di riconoscimento."
            }
            Need::PhoneNumber => {
                "Per il servizio a domicilio serve un recapito telefonico per fissare l'appuntamento."
            }
            Need::Appointment => {
                "Serve un appuntamento: in questo periodo il servizio è disponibile solo su prenotazione."
            }
            Need::HomeVisitDate => {
                "L'ufficio contatta il richiedente entro 30 giorni dalla domanda e fissa la data della visita a domicilio: la ristampa avviene in quel giorno."
            }
            Need::OwnCie => {
                "In questo Comune il richiedente si identifica esibendo la propria Carta d'Identità Elettronica."
            }
            Need::CardOfHolder => {
                "Verificare che la CIE di cui si chiedono i codici sia quella del titolare (del richiedente stesso o della persona che rappresenta)."
            }
            Need::Residence => {
                "Il servizio è riservato ai residenti: verificare la residenza del titolare nell'anagrafe del Comune."
            }
            Need::HolderCannotCome => {
                "La delega è ammessa solo per il titolare che non è in grado di recarsi allo sportello: serve la sua dichiarazione nel modulo di delega."
            }
            Need::ConfirmOrdinaryMailbox => {
                "L'indirizzo e-mail indicato non è di un gestore noto: confermare con il richiedente che si tratta di una casella ordinaria e non di una PEC prima di inviarvi la seconda metà dei codici."
            }
        }
    }

    /// The text for the officer, in English.
    pub const fn en(self) -> &'static str {
        match self {
            Need::Identification => {
                "Identify the requester: the CIE or another valid identity document must be shown."
            }
            Need::DigitallySignedForm => {
                "A request by PEC must carry the form digitally signed by the holder."
            }
            Need::PaperConsentForm => {
                "Print the consent form CieOnline generates (the consent to paper printing, not a third-party delegation), have the requester sign it and acquire it into the system: only then can the second half be printed."
            }
            Need::SignedDelegation => {
                "The delegate must hand in the delegation filled in and signed by the holder (the part of the Comune's form dedicated to it)."
            }
            Need::HolderUnableStatement => {
                "Delegation is allowed only when the holder can neither come nor sign the form digitally: their statement is needed."
            }
            Need::ActOfAppointment => {
                "The legal representative must show a copy of the act of appointment."
            }
            Need::MedicalCertificate => {
                "A home visit needs a certificate from the family doctor or of a hospital stay, or proof of permanent inability to come to the office."
            }
            Need::IdentityDocumentCopy => "A home visit needs a copy of an identity document.",
            Need::PhoneNumber => "A home visit needs a phone number to agree the appointment.",
            Need::Appointment => {
                "An appointment is needed: in this period the service is by appointment only."
            }
            Need::HomeVisitDate => {
                "The office calls the requester back within 30 days of the application and fixes the date of the home visit: the reprint happens on that day."
            }
            Need::OwnCie => {
                "In this Comune the requester is identified by showing their own electronic identity card."
            }
            Need::CardOfHolder => {
                "Check that the CIE whose codes are asked for is the holder's (the requester's own, or that of the person represented)."
            }
            Need::Residence => {
                "The service is for residents only: check that the holder is in the Comune's population register."
            }
            Need::HolderCannotCome => {
                "Delegation is allowed only for a holder who cannot come to the counter: their statement in the delegation form is needed."
            }
            Need::ConfirmOrdinaryMailbox => {
                "The e-mail address given is not on a known provider's domain: confirm with the requester that it is an ordinary mailbox, not a PEC, before a second half is sent there."
            }
        }
    }
}

/// A requirement: what is missing and the rule that asks for it.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Requirement {
    /// The rule.
    pub rule: RuleId,
    /// What is missing.
    pub need: Need,
}

impl Requirement {
    /// The Italian text.
    pub const fn it(&self) -> &'static str {
        self.need.it()
    }

    /// The English text.
    pub const fn en(&self) -> &'static str {
        self.need.en()
    }
}

/// What a refusal concerns.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    /// The whole request.
    Request,
    /// One half.
    Half(
        #[cfg_attr(feature = "serde", serde(with = "super::serde_forms::code_kind"))] CodeKind,
        #[cfg_attr(feature = "serde", serde(with = "super::serde_forms::half"))] Half,
    ),
    /// The change of the registered e-mail.
    ContactEmail,
    /// The change of the registered mobile number.
    ContactMobile,
}

/// Why something is refused.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// Neither a half nor a contact change was asked.
    NothingRequested,
    /// Requests by ordinary e-mail are not accepted.
    EmailRequestNotAccepted,
    /// This Comune does not accept requests through this remote channel.
    RemoteNotAccepted,
    /// Remote requests come from the holder only.
    RemoteOnlyFromHolder,
    /// This Comune does not offer home visits.
    HomeVisitNotOffered,
    /// This Comune does not allow third-party delegation.
    DelegationNotAllowed,
    /// A delegate acts only at the counter.
    DelegateOnlyAtCounter,
    /// This Comune does not accept requests from a parent of a minor.
    ParentNotAccepted,
    /// The holder is of age: a parent cannot ask.
    HolderNotMinor,
    /// This Comune does not accept requests from a legal representative.
    RepresentativeNotAccepted,
    /// The counter is closed for this service at this time.
    CounterClosed,
    /// First halves are handed over on paper only, in person.
    FirstHalfOnlyInPerson,
    /// A delegate never receives a second half.
    DelegateNeverGetsSecondHalf,
    /// A second half is never sent to a PEC address.
    PecAddress,
    /// No e-mail is registered for the card.
    NoRegisteredEmail,
    /// A second half on paper needs the requester in person.
    PaperNeedsPresence,
    /// A delegate cannot change contacts.
    DelegateCannotChangeContacts,
    /// Contacts cannot be changed through a remote channel.
    RemoteCannotChangeContacts,
    /// Only the holder changes contacts in this Comune.
    OnlyHolderChangesContacts,
    /// A PEC cannot be registered as the contact e-mail for the codes.
    PecAsContact,
    /// The card is not the holder's (R9).
    NotHoldersCard,
    /// The Comune serves its residents only (M7).
    NotResident,
}

impl Reason {
    /// The text for the officer, in Italian.
    pub const fn it(self) -> &'static str {
        match self {
            Reason::NothingRequested => {
                "Non è stata indicata né una metà dei codici da ristampare né una modifica dei contatti."
            }
            Reason::EmailRequestNotAccepted => {
                "Non si accettano richieste di ristampa tramite posta elettronica ordinaria."
            }
            Reason::RemoteNotAccepted => {
                "Questo Comune non accetta richieste attraverso questo canale: il titolare deve presentarsi allo sportello."
            }
            Reason::RemoteOnlyFromHolder => {
                "La richiesta a distanza può essere presentata solo dal titolare della carta."
            }
            Reason::HomeVisitNotOffered => "Questo Comune non offre il servizio a domicilio.",
            Reason::DelegationNotAllowed => {
                "Questo Comune non consente di delegare a terzi il ritiro dei codici."
            }
            Reason::DelegateOnlyAtCounter => {
                "Il delegato può ritirare i codici soltanto di persona allo sportello."
            }
            Reason::ParentNotAccepted => {
                "Questo Comune non accetta la richiesta da parte del genitore."
            }
            Reason::HolderNotMinor => {
                "Il titolare è maggiorenne: il genitore non può presentare la richiesta al suo posto."
            }
            Reason::RepresentativeNotAccepted => {
                "Questo Comune non accetta la richiesta da parte del rappresentante legale."
            }
            Reason::CounterClosed => {
                "In questo giorno e a quest'ora lo sportello non effettua il servizio di ristampa dei codici."
            }
            Reason::FirstHalfOnlyInPerson => {
                "La prima metà dei codici si stampa su carta e si consegna solo di persona."
            }
            Reason::DelegateNeverGetsSecondHalf => {
                "Al delegato non può essere consegnata la seconda metà dei codici: va inviata solo ai recapiti del titolare registrati sul portale CIE."
            }
            Reason::PecAddress => {
                "La seconda metà dei codici non può essere inviata a un indirizzo PEC: indicare un indirizzo e-mail ordinario."
            }
            Reason::NoRegisteredEmail => {
                "Per questa carta non risulta registrato un indirizzo e-mail a cui inviare la seconda metà dei codici."
            }
            Reason::PaperNeedsPresence => {
                "La seconda metà su carta si consegna solo di persona, dopo la firma del modulo di delega."
            }
            Reason::DelegateCannotChangeContacts => {
                "Il delegato non può modificare i contatti: li modifica il titolare (o, dove il Comune lo prevede, il genitore del minore o il rappresentante legale)."
            }
            Reason::RemoteCannotChangeContacts => {
                "I contatti si modificano a distanza solo su richiesta del titolare stesso, tramite un canale accettato da questo Comune."
            }
            Reason::OnlyHolderChangesContacts => {
                "In questo Comune i contatti possono essere modificati esclusivamente dal titolare."
            }
            Reason::PecAsContact => {
                "Un indirizzo PEC non può essere registrato come contatto per ricevere i codici."
            }
            Reason::NotHoldersCard => {
                "Si possono ristampare solo i codici della CIE del titolare (del richiedente o della persona che rappresenta): la carta indicata è di un'altra persona."
            }
            Reason::NotResident => {
                "Il servizio di questo Comune è riservato ai residenti: il titolare si rivolga al Comune di residenza."
            }
        }
    }

    /// The text for the officer, in English.
    pub const fn en(self) -> &'static str {
        match self {
            Reason::NothingRequested => {
                "Neither a half of a code nor a contact change was asked for."
            }
            Reason::EmailRequestNotAccepted => {
                "Reprint requests by ordinary e-mail are not accepted."
            }
            Reason::RemoteNotAccepted => {
                "This Comune does not accept requests through this channel: the holder must come to the counter."
            }
            Reason::RemoteOnlyFromHolder => "A remote request can be made only by the card holder.",
            Reason::HomeVisitNotOffered => "This Comune does not offer home visits.",
            Reason::DelegationNotAllowed => {
                "This Comune does not allow a third person to collect the codes."
            }
            Reason::DelegateOnlyAtCounter => {
                "A delegate collects codes only in person at the counter."
            }
            Reason::ParentNotAccepted => "This Comune does not accept the request from a parent.",
            Reason::HolderNotMinor => "The holder is of age: a parent cannot ask in their place.",
            Reason::RepresentativeNotAccepted => {
                "This Comune does not accept the request from a legal representative."
            }
            Reason::CounterClosed => {
                "The counter does not serve code reprints at this day and time."
            }
            Reason::FirstHalfOnlyInPerson => {
                "First halves are printed on paper and handed over in person only."
            }
            Reason::DelegateNeverGetsSecondHalf => {
                "A delegate never receives a second half: it goes only to the holder's contacts registered on the CIE portal."
            }
            Reason::PecAddress => {
                "A second half is never sent to a PEC address: give an ordinary e-mail address."
            }
            Reason::NoRegisteredEmail => {
                "No e-mail address is registered for this card to send the second half to."
            }
            Reason::PaperNeedsPresence => {
                "A second half on paper is handed over only in person, after the consent form is signed."
            }
            Reason::DelegateCannotChangeContacts => {
                "A delegate cannot change the contacts: the holder does (or, where the Comune allows it, the parent of a minor or the legal representative)."
            }
            Reason::RemoteCannotChangeContacts => {
                "Contacts are changed remotely only on the holder's own request, through a channel this Comune accepts."
            }
            Reason::OnlyHolderChangesContacts => {
                "In this Comune only the holder may change the contacts."
            }
            Reason::PecAsContact => {
                "A PEC address cannot be registered as the contact for the codes."
            }
            Reason::NotHoldersCard => {
                "Only the codes of the holder's own CIE (the requester's, or the represented person's) can be reprinted: this card belongs to someone else."
            }
            Reason::NotResident => {
                "This Comune serves its residents only: the holder should turn to the Comune of residence."
            }
        }
    }
}

/// A refusal: what, why, by which rule.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Refusal {
    /// The rule.
    pub rule: RuleId,
    /// What is refused.
    pub subject: Subject,
    /// Why.
    pub reason: Reason,
}

impl Refusal {
    /// The Italian text.
    pub const fn it(&self) -> &'static str {
        self.reason.it()
    }

    /// The English text.
    pub const fn en(&self) -> &'static str {
        self.reason.en()
    }
}

/// The overall outcome.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Everything asked can be done now.
    Allowed,
    /// Some of it can be done now, the rest is refused.
    Partial,
    /// Something is still missing (see the requirements).
    Deferred,
    /// Nothing can be done.
    Refused,
}

/// The engine's decision on one request.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Decision {
    /// The profile that decided: its name, version and file hash.
    pub profile: ProfileId,
    /// The halves to release now.
    pub deliveries: Vec<Delivery>,
    /// The contact changes to record now.
    pub contact_changes: Vec<ContactChange>,
    /// What is still missing.
    pub requirements: Vec<Requirement>,
    /// What is refused.
    pub refusals: Vec<Refusal>,
}

impl Decision {
    /// The overall outcome.
    pub fn outcome(&self) -> Outcome {
        let acts = !self.deliveries.is_empty() || !self.contact_changes.is_empty();
        if !self.requirements.is_empty() {
            Outcome::Deferred
        } else if acts && self.refusals.is_empty() {
            Outcome::Allowed
        } else if acts {
            Outcome::Partial
        } else {
            Outcome::Refused
        }
    }

    /// Every rule id the decision applies (deliveries, requirements, refusals), sorted and
    /// without repeats.
    pub fn rules(&self) -> Vec<RuleId> {
        let mut v: Vec<RuleId> = self
            .deliveries
            .iter()
            .map(|d| d.rule)
            .chain(self.requirements.iter().map(|r| r.rule))
            .chain(self.refusals.iter().map(|r| r.rule))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    pub(crate) fn refuse(&mut self, rule: RuleId, subject: Subject, reason: Reason) {
        self.refusals.push(Refusal {
            rule,
            subject,
            reason,
        });
    }

    pub(crate) fn require(&mut self, rule: RuleId, need: Need) {
        if !self.requirements.iter().any(|r| r.need == need) {
            self.requirements.push(Requirement { rule, need });
        }
    }
}
