//! The bundled texts (Italian, English, German): the same message ids and arguments in every
//! language, a text for every variant of every localised type, the fallback to Italian, an
//! integrator's own language from `.ftl` files, and the wording per medium (contact / NFC).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::collections::{BTreeMap, BTreeSet};

use cie_pinpuk::StatusWord;
use cie_pinpuk::card::{CardError, Describe, Lang, PinError, Step};
use cie_pinpuk::codes::Half;
use cie_pinpuk::codes::{CodeError, CodeKind, PinQualityError, RetryStatus};
use cie_pinpuk::i18n::{BUNDLED, Localize, Medium, TextError, Texts};
use cie_pinpuk::issuance::{CardState, IssuanceError};
use cie_pinpuk::journal::SignerError;
use cie_pinpuk::journal::Timestamp;
use cie_pinpuk::notify::NotifyError;
use cie_pinpuk::policy::{
    ContactChange, Delivery, DeliveryChannel, Destination, EmailAddress, MobileNumber, Need,
    Outcome, Reason, Refusal, Requester, Requirement, RuleId, Subject,
};
use cie_pinpuk::recovery::activation::{self, Missing};
use cie_pinpuk::recovery::{self as recovery, RecoveryError, RefusalReason};
use cie_pinpuk::transport::{TransportError, TransportErrorKind};
use fluent_syntax::ast;

type Vars = BTreeSet<String>;

fn walk_pattern(p: &ast::Pattern<&str>, vars: &mut Vars) {
    for el in &p.elements {
        if let ast::PatternElement::Placeable { expression } = el {
            walk_expr(expression, vars);
        }
    }
}

fn walk_inline(e: &ast::InlineExpression<&str>, vars: &mut Vars) {
    match e {
        ast::InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_string());
        }
        ast::InlineExpression::Placeable { expression } => walk_expr(expression, vars),
        _ => {}
    }
}

fn walk_expr(e: &ast::Expression<&str>, vars: &mut Vars) {
    match e {
        ast::Expression::Inline(i) => walk_inline(i, vars),
        ast::Expression::Select { selector, variants } => {
            walk_inline(selector, vars);
            for v in variants {
                walk_pattern(&v.value, vars);
            }
        }
    }
}

/// Message id -> the variables it uses, for one bundled language.
fn messages(source: &str) -> BTreeMap<String, Vars> {
    let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(_, errors)| {
        panic!("a bundled resource does not parse: {errors:?}");
    });
    let mut out = BTreeMap::new();
    for entry in &resource.body {
        match entry {
            ast::Entry::Message(m) => {
                let mut vars = Vars::new();
                if let Some(v) = &m.value {
                    walk_pattern(v, &mut vars);
                }
                assert!(
                    out.insert(m.id.name.to_string(), vars).is_none(),
                    "{} defined twice",
                    m.id.name
                );
            }
            ast::Entry::Junk { content } => panic!("junk in a bundled resource: {content}"),
            _ => {}
        }
    }
    out
}

#[test]
fn i18n1_every_message_id_is_in_every_bundled_language() {
    let all: Vec<(&str, BTreeMap<String, Vars>)> =
        BUNDLED.iter().map(|(l, s)| (*l, messages(s))).collect();
    let (base_lang, base) = &all[0];
    assert_eq!(*base_lang, "it");
    for (lang, msgs) in &all[1..] {
        let a: BTreeSet<_> = base.keys().collect();
        let b: BTreeSet<_> = msgs.keys().collect();
        assert_eq!(
            a.difference(&b).collect::<Vec<_>>(),
            Vec::<&&String>::new(),
            "in it, not in {lang}"
        );
        assert_eq!(
            b.difference(&a).collect::<Vec<_>>(),
            Vec::<&&String>::new(),
            "in {lang}, not in it"
        );
        // The same arguments are used (a translation that drops `$remaining` or the half
        // would be wrong; `medium` is given to every message, so it may be used or not).
        for (id, vars) in msgs {
            let mut theirs = vars.clone();
            let mut ours = base[id].clone();
            theirs.remove("medium");
            ours.remove("medium");
            assert_eq!(ours, theirs, "{id}: arguments differ between it and {lang}");
        }
    }
}

/// Every message id the library can produce (the `Message::new("...")` literals of the
/// sources that build messages) has a text in every bundled language.
#[test]
fn i18n2_every_id_the_code_produces_has_a_text() {
    let sources = [
        include_str!("../src/i18n/impls.rs"),
        include_str!("../src/i18n/policy.rs"),
        include_str!("../src/notify/template.rs"),
        include_str!("../src/recovery/service/completion.rs"),
    ];
    let mut ids = BTreeSet::new();
    for src in sources {
        for part in src.split("Message::new(\"").skip(1) {
            if let Some(id) = part.split('"').next() {
                ids.insert(id.to_string());
            }
        }
        // Ids chosen by a `match` inside `Message::new(match ... { X => "id", ... })`.
        for line in src.lines() {
            let line = line.trim();
            if let Some((_, rest)) = line.split_once("=> \"")
                && let Some(id) = rest.split('"').next()
                && id.contains('-')
                && !id.contains(' ')
            {
                ids.insert(id.to_string());
            }
        }
    }
    assert!(ids.len() > 60, "{ids:?}");
    for (lang, source) in BUNDLED {
        let have = messages(source);
        for id in &ids {
            if [
                "card-removed",
                "reader-gone",
                "no-service",
                "read-file",
                "get-data",
            ]
            .contains(&id.as_str())
                || id.starts_with("key-")
                || id.starts_with("device-")
                || id.starts_with("pin-command")
                || id.starts_with("servizi-")
                || id.starts_with("buffer-")
            {
                continue; // selector values, not message ids
            }
            assert!(have.contains_key(id), "{lang} has no text for {id}");
        }
    }
}

fn sw(v: u16) -> StatusWord {
    StatusWord::from_u16(v)
}

/// One value of every variant of every localised type (their `match`es in the library are
/// exhaustive, so a new variant cannot go without a message id).
fn samples() -> Vec<Box<dyn Localize>> {
    let mut v: Vec<Box<dyn Localize>> = Vec::new();
    for code in [CodeKind::Pin, CodeKind::Puk] {
        for remaining in [1, 2, 9] {
            v.push(Box::new(PinError::Wrong { code, remaining }));
        }
        v.push(Box::new(PinError::WrongNoCount { code }));
        v.push(Box::new(PinError::LastTryGuard { code, remaining: 1 }));
        for cause in [
            TransportErrorKind::CardRemoved,
            TransportErrorKind::ReaderGone,
            TransportErrorKind::ServiceUnavailable,
            TransportErrorKind::Reset,
            TransportErrorKind::Timeout,
            TransportErrorKind::Busy,
            TransportErrorKind::Other,
        ] {
            v.push(Box::new(PinError::CounterUnknown { code, cause }));
        }
    }
    v.push(Box::new(PinError::Blocked));
    v.push(Box::new(PinError::PukBlocked));
    v.push(Box::new(PinError::WrongLength));
    v.push(Box::new(PinError::NotAuthorized));
    v.push(Box::new(PinError::StateUnknown { sw: sw(0x6581) }));
    v.push(Box::new(PinError::ConfirmationMismatch));
    v.push(Box::new(PinError::Card { sw: sw(0x6A88) }));
    for q in [
        PinQualityError::AllDigitsEqual,
        PinQualityError::AscendingRun,
        PinQualityError::DescendingRun,
        PinQualityError::SameAsOld,
    ] {
        v.push(Box::new(q));
        v.push(Box::new(PinError::Quality(q)));
        v.push(Box::new(CodeError::Quality(q)));
    }
    v.push(Box::new(CodeError::Empty));
    for (expected, found) in [(8, 1), (8, 7), (4, 8), (4, 3)] {
        v.push(Box::new(CodeError::WrongLength { expected, found }));
    }
    v.push(Box::new(CodeError::NotADigit { position: 3 }));
    v.push(Box::new(CodeError::WrongKind {
        expected: CodeKind::Pin,
        found: CodeKind::Puk,
    }));
    v.push(Box::new(CardError::SessionClosed));
    v.push(Box::new(CardError::SecurityStatusLost));
    for step in [
        Step::Select,
        Step::ReadFile,
        Step::GetData,
        Step::KeyAgreement,
        Step::DeviceAuthentication,
        Step::PinCommand,
        Step::ServiziAuthentication,
    ] {
        v.push(Box::new(CardError::Status {
            step,
            sw: sw(0x6A82),
        }));
        v.push(Box::new(CardError::Malformed { step }));
    }
    v.push(Box::new(CardError::Unprotected { sw: sw(0x6988) }));
    for e in [
        TransportError::CardRemoved,
        TransportError::ReaderGone,
        TransportError::ServiceUnavailable,
        TransportError::Reset,
        TransportError::Timeout,
        TransportError::Busy,
        TransportError::BufferTooSmall { needed: 300 },
        TransportError::Other("x".into()),
    ] {
        v.push(Box::new(e));
    }
    for r in [
        RetryStatus::Remaining(1),
        RetryStatus::Remaining(3),
        RetryStatus::Verified,
        RetryStatus::Blocked,
        RetryStatus::Unknown,
    ] {
        v.push(Box::new(r));
    }
    v.push(Box::new(NotifyError::PecDestination));
    v.push(Box::new(NotifyError::NotASecondHalf));
    v.push(Box::new(NotifyError::Gateway("smtp down".into())));
    v.push(Box::new(IssuanceError::InvalidCardNumber));
    v.push(Box::new(IssuanceError::UnknownCard));
    for s in [CardState::Valid, CardState::Revoked, CardState::Expired] {
        v.push(Box::new(IssuanceError::CardNotUsable(s)));
    }
    v.push(Box::new(IssuanceError::BadOrderSignature));
    v.push(Box::new(IssuanceError::OrderMismatch));
    v.push(Box::new(IssuanceError::ConsentMissing));
    v.push(Box::new(IssuanceError::UnknownConsentForm));
    v.push(Box::new(IssuanceError::EmptyScan));
    v.push(Box::new(IssuanceError::Unavailable("timeout".into())));
    v.push(Box::new(SignerError::Device("no card".into())));
    for r in [
        RefusalReason::NoContactsRegistered,
        RefusalReason::NoMatch,
        RefusalReason::CardNotVerified,
        RefusalReason::PukOnly,
        RefusalReason::TooEarly {
            not_before: Timestamp(1),
        },
        RefusalReason::WrongCode { remaining: 0 },
        RefusalReason::WrongCode { remaining: 1 },
        RefusalReason::WrongCode { remaining: 4 },
        RefusalReason::Closed,
        RefusalReason::Expired,
        RefusalReason::AlreadyReleased,
        RefusalReason::UnknownProcedure,
    ] {
        v.push(Box::new(r));
    }
    v.extend(policy_samples());
    v.extend(activation_samples());
    v.push(Box::new(RecoveryError::Busy));
    v.push(Box::new(RecoveryError::TimeOverflow));
    v.push(Box::new(cie_pinpuk::Error::Apdu(
        cie_pinpuk::ApduError::TooShort { len: 1, min: 4 },
    )));
    v
}

/// Every need of the policy engine (i8).
const NEEDS: [Need; 16] = [
    Need::Identification,
    Need::DigitallySignedForm,
    Need::PaperConsentForm,
    Need::SignedDelegation,
    Need::HolderUnableStatement,
    Need::ActOfAppointment,
    Need::MedicalCertificate,
    Need::IdentityDocumentCopy,
    Need::PhoneNumber,
    Need::Appointment,
    Need::HomeVisitDate,
    Need::OwnCie,
    Need::CardOfHolder,
    Need::Residence,
    Need::HolderCannotCome,
    Need::ConfirmOrdinaryMailbox,
];

/// Every refusal reason of the policy engine (i8).
const REASONS: [Reason; 22] = [
    Reason::NothingRequested,
    Reason::EmailRequestNotAccepted,
    Reason::RemoteNotAccepted,
    Reason::RemoteOnlyFromHolder,
    Reason::HomeVisitNotOffered,
    Reason::DelegationNotAllowed,
    Reason::DelegateOnlyAtCounter,
    Reason::ParentNotAccepted,
    Reason::HolderNotMinor,
    Reason::RepresentativeNotAccepted,
    Reason::CounterClosed,
    Reason::FirstHalfOnlyInPerson,
    Reason::DelegateNeverGetsSecondHalf,
    Reason::PecAddress,
    Reason::NoRegisteredEmail,
    Reason::PaperNeedsPresence,
    Reason::DelegateCannotChangeContacts,
    Reason::RemoteCannotChangeContacts,
    Reason::OnlyHolderChangesContacts,
    Reason::PecAsContact,
    Reason::NotHoldersCard,
    Reason::NotResident,
];

/// Every missing element of the activation check (i8).
const MISSING: [Missing; 12] = [
    Missing::FiscalCode,
    Missing::FiscalCodeInvalid,
    Missing::Serial,
    Missing::SerialInvalid,
    Missing::PukFirstHalf,
    Missing::PinHalfInsteadOfPuk,
    Missing::MobileNotRegistered,
    Missing::Card,
    Missing::Pin,
    Missing::Reader,
    Missing::CieIdApp,
    Missing::CieSoftware,
];

/// What the policy decision shows: outcome, deliveries, contact changes, subjects,
/// requirements and refusals, every variant.
fn policy_samples() -> Vec<Box<dyn Localize>> {
    let mut v: Vec<Box<dyn Localize>> = Vec::new();
    for o in [
        Outcome::Allowed,
        Outcome::Partial,
        Outcome::Deferred,
        Outcome::Refused,
    ] {
        v.push(Box::new(o));
    }
    for c in [DeliveryChannel::Paper, DeliveryChannel::Email] {
        v.push(Box::new(c));
    }
    let mail = EmailAddress::parse("mario.rossi@example.it").unwrap();
    for code in [CodeKind::Pin, CodeKind::Puk] {
        for half in [Half::First, Half::Second] {
            v.push(Box::new(half));
            v.push(Box::new(Subject::Half(code, half)));
            for r in [
                Requester::Holder,
                Requester::ParentOfMinor,
                Requester::LegalRepresentative,
                Requester::Delegate,
            ] {
                v.push(Box::new(Delivery {
                    code,
                    half,
                    channel: DeliveryChannel::Paper,
                    destination: Destination::InPerson(r),
                    rule: RuleId::R3,
                }));
            }
            v.push(Box::new(Delivery {
                code,
                half,
                channel: DeliveryChannel::Email,
                destination: Destination::Email(mail.clone()),
                rule: RuleId::R4,
            }));
        }
    }
    v.push(Box::new(ContactChange::Email(mail)));
    v.push(Box::new(ContactChange::Mobile(
        MobileNumber::parse("+39 347 000 1122").unwrap(),
    )));
    for s in [
        Subject::Request,
        Subject::ContactEmail,
        Subject::ContactMobile,
    ] {
        v.push(Box::new(s));
    }
    for need in NEEDS {
        v.push(Box::new(need));
        v.push(Box::new(Requirement {
            rule: RuleId::R1,
            need,
        }));
    }
    for reason in REASONS {
        v.push(Box::new(reason));
        v.push(Box::new(Refusal {
            rule: RuleId::R5,
            subject: Subject::Request,
            reason,
        }));
    }
    v
}

/// The activation answers and the recovery refusals with their rule, every variant.
fn activation_samples() -> Vec<Box<dyn Localize>> {
    let mut v: Vec<Box<dyn Localize>> = Vec::new();
    for m in MISSING {
        v.push(Box::new(m));
    }
    // The reasons as the check gives them (with their rule).
    let e = activation::level_3(&activation::WithCard {
        card: activation::Presence::Absent,
        pin: activation::Presence::Absent,
        reader: activation::Reader::None,
    });
    assert!(!e.reasons().is_empty());
    for r in e.reasons() {
        v.push(Box::new(*r));
    }
    v.push(Box::new(recovery::Refusal {
        rule: RuleId::P3,
        reason: RefusalReason::Closed,
    }));
    v
}

/// i8: the decision, the activation answers and the recovery refusals carry their rule id
/// (the officer sees which rule decided) and have distinct texts in it, en and de.
#[test]
fn i8_policy_and_activation_texts_in_every_language() {
    let texts = Texts::bundled();
    let it = texts.localizer_for("it");
    let en = texts.localizer_for("en");
    let de = texts.localizer_for("de");
    for need in NEEDS {
        let r = Requirement {
            rule: RuleId::M6,
            need,
        };
        assert_eq!(
            r.message().arg("rule"),
            Some(&cie_pinpuk::i18n::Arg::from("M6"))
        );
        let (i, e, d) = (
            it.try_text(&r).unwrap(),
            en.try_text(&r).unwrap(),
            de.try_text(&r).unwrap(),
        );
        assert!(i != e && e != d && i != d, "{need:?}");
    }
    for reason in REASONS {
        let r = Refusal {
            rule: RuleId::R9,
            subject: Subject::Request,
            reason,
        };
        assert_eq!(
            r.message().arg("rule"),
            Some(&cie_pinpuk::i18n::Arg::from("R9"))
        );
        let (i, e, d) = (
            it.try_text(&r).unwrap(),
            en.try_text(&r).unwrap(),
            de.try_text(&r).unwrap(),
        );
        assert!(i != e && e != d && i != d, "{reason:?}");
    }
    for m in MISSING {
        let (i, e, d) = (
            it.try_text(&m).unwrap(),
            en.try_text(&m).unwrap(),
            de.try_text(&m).unwrap(),
        );
        assert!(i != e && e != d && i != d, "{m:?}");
    }
    let pec = Refusal {
        rule: RuleId::R5,
        subject: Subject::Half(CodeKind::Puk, Half::Second),
        reason: Reason::PecAddress,
    };
    assert!(it.text(&pec).contains("PEC"));
    assert!(de.text(&pec).contains("PEC-Adresse"));
    let delivery = Delivery {
        code: CodeKind::Pin,
        half: Half::First,
        channel: DeliveryChannel::Paper,
        destination: Destination::InPerson(Requester::Delegate),
        rule: RuleId::R3,
    };
    assert_eq!(
        it.text(&delivery),
        "Prima metà del PIN: stampa su carta e consegna al delegato."
    );
    assert_eq!(
        de.text(&delivery),
        "Erste Hälfte der PIN: Ausdruck auf Papier und Aushändigung an die bevollmächtigte Person."
    );
    assert_eq!(it.text(&Outcome::Partial), "Richiesta accolta in parte");
    assert_eq!(de.text(&Outcome::Refused), "Antrag abgelehnt");
}

#[test]
fn i18n3_every_variant_has_a_text_in_every_language_for_every_medium() {
    let texts = Texts::bundled();
    for (lang, _) in BUNDLED {
        for medium in [Medium::Contact, Medium::Contactless] {
            let loc = texts.localizer_for(lang).with_medium(medium);
            // Without the fallback: the language's own resource must have the text.
            let mut own = Texts::default();
            own.add_ftl(lang, BUNDLED.iter().find(|(l, _)| l == lang).unwrap().1)
                .unwrap();
            let own = own.localizer_for(lang).with_medium(medium);
            for s in samples() {
                let m = s.message();
                let text = loc
                    .try_text(&*s)
                    .unwrap_or_else(|e| panic!("{lang} {m:?}: {e}"));
                assert_eq!(own.try_text(&*s).unwrap(), text, "{lang} {m:?}");
                assert!(!text.trim().is_empty(), "{lang} {m:?}");
                assert!(!text.contains('{') && !text.contains('}'), "{lang}: {text}");
                assert!(!text.contains("  "), "{lang} double space: {text:?}");
                // No Debug name leaks into a text.
                for debug in ["Pin", "Puk", "CardRemoved", "Some(", "Revoked", "ReadFile"] {
                    assert!(!text.contains(debug), "{lang}: {debug} in {text}");
                }
            }
        }
    }
}

#[test]
fn i18n4_the_wrong_texts_of_issue_16_are_corrected() {
    let it = |x: &dyn Localize| Lang::It.localizer().text(x);
    // A 4-digit half, a half of the other code and a weak PIN each have their own text.
    let half = it(&CodeError::WrongLength {
        expected: 4,
        found: 5,
    });
    assert!(half.contains("4 cifre"), "{half}");
    let code = it(&CodeError::WrongLength {
        expected: 8,
        found: 5,
    });
    assert!(code.contains("8 cifre"), "{code}");
    let kind = it(&CodeError::WrongKind {
        expected: CodeKind::Pin,
        found: CodeKind::Puk,
    });
    assert!(kind.contains("PUK") && kind.contains("PIN"), "{kind}");
    let weak = it(&CodeError::Quality(PinQualityError::AscendingRun));
    assert!(weak.contains("crescente"), "{weak}");
    assert_eq!(
        [&half, &code, &kind, &weak]
            .iter()
            .collect::<BTreeSet<_>>()
            .len(),
        4
    );
    // No "start a new session" for a citizen.
    for e in [
        CardError::SessionClosed,
        CardError::Unprotected { sw: sw(0x6988) },
    ] {
        for lang in [Lang::It, Lang::En, Lang::De] {
            let t = e.describe(lang).to_lowercase();
            assert!(
                !t.contains("sessione") && !t.contains("session") && !t.contains("sitzung"),
                "{t}"
            );
        }
    }
    // Display texts carry no Debug names.
    let wrong = PinError::Wrong {
        code: CodeKind::Pin,
        remaining: 2,
    };
    assert_eq!(wrong.to_string(), "wrong PIN: 2 tries left");
    assert_eq!(
        IssuanceError::CardNotUsable(CardState::Revoked).to_string(),
        "the card is not usable (revoked)"
    );
    assert!(
        !CardError::Malformed {
            step: Step::ReadFile
        }
        .to_string()
        .contains("ReadFile")
    );
}

#[test]
fn i18n5_texts_follow_the_medium() {
    let texts = Texts::bundled();
    let removed = TransportError::CardRemoved;
    let contact = texts.localizer_for("it").text(&removed);
    let nfc = texts
        .localizer_for("it")
        .with_medium(Medium::Contactless)
        .text(&removed);
    assert!(
        contact.contains("rimossa") && contact.contains("Inserirla"),
        "{contact}"
    );
    assert!(
        nfc.contains("allontanata") && nfc.contains("Avvicinarla"),
        "{nfc}"
    );
    let de = texts
        .localizer_for("de")
        .with_medium(Medium::Contactless)
        .text(&removed);
    assert!(de.contains("halten Sie"), "{de}");
    assert_eq!(
        Medium::from_atr(&[0x3B, 0x8F, 0x80, 0x01, 0x80]),
        Medium::Contactless
    );
    assert_eq!(Medium::from_atr(&[0x3B, 0xFF, 0x18, 0x00]), Medium::Contact);
}

#[test]
fn i18n6_counter_unknown_says_why() {
    let e = PinError::CounterUnknown {
        code: CodeKind::Pin,
        cause: TransportErrorKind::CardRemoved,
    };
    let it = e.describe(Lang::It);
    assert!(
        it.starts_with("La carta è stata rimossa dal lettore durante il comando del PIN"),
        "{it}"
    );
    assert!(it.contains("Inserire di nuovo la carta"), "{it}");
    let en = e.describe(Lang::En);
    assert!(en.contains("taken out of the reader"), "{en}");
    // The cause is the error's source as well.
    let source = std::error::Error::source(&e).map(ToString::to_string);
    assert_eq!(source.as_deref(), Some("the card was removed"));
}

#[test]
fn i18n7_an_integrator_adds_and_overrides_languages_at_run_time() {
    let dir = std::env::temp_dir().join(format!("cie-i18n-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("fr.ftl"),
        "pin-blocked = Le PIN est bloqué. Utilisez le PUK pour le débloquer.\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("de.ftl"),
        "pin-blocked = Die PIN ist gesperrt (Gemeinde).\n",
    )
    .unwrap();
    std::fs::write(dir.join("README.txt"), "not a resource").unwrap();
    let mut texts = Texts::bundled();
    let added = texts.add_dir(&dir).unwrap();
    assert_eq!(
        added.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["de", "fr"]
    );
    let fr = texts.localizer_for("fr_CH.UTF-8");
    assert!(fr.text(&PinError::Blocked).starts_with("Le PIN est bloqué"));
    // What fr lacks falls back to Italian.
    assert_eq!(
        fr.text(&PinError::PukBlocked),
        Lang::It.localizer().text(&PinError::PukBlocked)
    );
    // de is overridden message by message; the rest stays bundled.
    let de = texts.localizer_for("de-IT");
    assert_eq!(
        de.text(&PinError::Blocked),
        "Die PIN ist gesperrt (Gemeinde)."
    );
    assert!(de.text(&TransportError::Timeout).contains("rechtzeitig"));
    // An unknown language (sl without a file) is Italian.
    let sl = texts.localizer_for("sl");
    assert!(sl.text(&PinError::Blocked).starts_with("Il PIN è bloccato"));
    // A broken file is refused and changes nothing.
    assert!(matches!(
        texts.add_ftl("fr", "pin-blocked = { $"),
        Err(TextError::Syntax { .. })
    ));
    assert!(matches!(
        texts.add_ftl("not a tag!", "a = b"),
        Err(TextError::Language(_))
    ));
    assert!(
        texts
            .localizer_for("fr")
            .text(&PinError::Blocked)
            .starts_with("Le PIN")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[ignore = "prints every text, for a reviewer"]
fn print_all_texts() {
    let texts = Texts::bundled();
    for (lang, _) in BUNDLED {
        let loc = texts.localizer_for(lang);
        for s in samples() {
            println!("{lang} {}: {}", s.message().id(), loc.text(&*s));
        }
    }
}

/// The rules in a few words (the officer sees them beside the rule's id), the outbox lines
/// and the reasons of a failed delivery: a text of its own in each bundled language, never
/// the message id, never the same words in two languages.
#[test]
fn i18n9_rules_outbox_and_failures_in_every_language() {
    use cie_pinpuk::notify::{
        DeliveryFailure, FailureKind, IdempotencyKey, OutboxRecord, OutboxState,
    };
    let texts = Texts::bundled();
    let locs: Vec<_> = BUNDLED
        .iter()
        .map(|(l, _)| texts.localizer_for(l))
        .collect();
    let distinct = |what: &str, v: Vec<String>| {
        for t in &v {
            assert!(!t.is_empty() && !t.contains('{'), "{what}: {t:?}");
        }
        let set: BTreeSet<&String> = v.iter().collect();
        assert_eq!(
            set.len(),
            v.len(),
            "{what}: the same text in two languages: {v:?}"
        );
    };
    for r in RuleId::ALL {
        let v: Vec<String> = locs.iter().map(|l| l.try_text(&r).unwrap()).collect();
        distinct(r.as_str(), v);
    }
    let kinds = [
        FailureKind::Gateway,
        FailureKind::PecDestination,
        FailureKind::Template,
        FailureKind::HalfUnavailable,
        FailureKind::Other,
    ];
    for loc in &locs {
        // Each kind its own reason in each language.
        let reasons: BTreeSet<String> = kinds
            .iter()
            .map(|k| {
                let f = DeliveryFailure {
                    kind: *k,
                    detail: String::new(),
                    at: Timestamp(0),
                    attempts: 3,
                };
                let t = loc.try_text(&f).unwrap();
                assert!(t.contains('3'), "{t}");
                t
            })
            .collect();
        assert_eq!(reasons.len(), kinds.len());
    }
    for state in [OutboxState::Pending, OutboxState::Sent] {
        let r = OutboxRecord {
            key: IdempotencyKey::from_stored("k"),
            card: "CA00000AA".into(),
            code: CodeKind::Puk,
            half: Half::Second,
            to: EmailAddress::parse("mario.rossi@example.it").unwrap(),
            state,
            language: "it".into(),
            failure: None,
        };
        let v: Vec<String> = locs.iter().map(|l| l.try_text(&r).unwrap()).collect();
        for t in &v {
            assert!(
                t.contains("PUK") && t.contains("mario.rossi@example.it"),
                "{t}"
            );
        }
        distinct("outbox", v);
    }
    let halves: Vec<String> = locs
        .iter()
        .map(|l| {
            l.try_render(
                &cie_pinpuk::i18n::Message::new("half-of")
                    .with("half", "first")
                    .with("code", "PIN"),
            )
            .unwrap()
        })
        .collect();
    assert_eq!(
        halves,
        [
            "prima metà del PIN",
            "first half of the PIN",
            "erste Hälfte der PIN"
        ]
    );
}
