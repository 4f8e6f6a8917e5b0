//! The profile files: the shipped ones load and say what the seeds say; a mistake in a field
//! names its line and field; a profile that contradicts a national rule is refused naming the
//! rule (R1, R5, R6, R7, R8, R9, I1).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cie_pinpuk::policy::*;
use sha2::{Digest, Sha256};

const HEAD: &str = "format = 1\nname = \"prova\"\nversion = \"1\"\n";

fn load(body: &str) -> Result<Profile, ProfileError> {
    Profile::from_toml(&format!("{HEAD}{body}"))
}

#[test]
fn every_shipped_profile_loads_with_its_name_and_hash() {
    for p in Preset::ALL {
        let profile = p.load().unwrap_or_else(|e| panic!("{}: {e}", p.name()));
        assert_eq!(profile.id.name, p.name());
        assert_eq!(
            profile.id.sha256,
            <[u8; 32]>::from(Sha256::digest(p.text().as_bytes()))
        );
        assert_eq!(Preset::from_name(p.name()), Some(p));
        assert_eq!(profile.id.sha256_hex().len(), 64);
    }
}

#[test]
fn national_file_is_the_national_baseline() {
    assert_eq!(Preset::National.load().unwrap(), Profile::national());
    assert_eq!(
        Profile::from_toml(NATIONAL_TOML).unwrap(),
        Profile::national()
    );
}

#[test]
fn an_empty_profile_defaults_to_the_national_baseline() {
    let p = load("").unwrap();
    let mut national = Profile::national();
    national.id = p.id.clone();
    assert_eq!(p, national);
    assert_eq!(p.id.name, "prova");
    assert_eq!(p.id.version, "1");
}

#[test]
fn m1_to_m7_of_the_shipped_practices() {
    let r = Preset::ResidentsWithDelegation.load().unwrap();
    assert_eq!(r.delegation, Delegation::HolderCannotCome);
    assert_eq!(r.residency, Residency::ResidentsOnly);
    assert_eq!(r.requesters.holder.identification, AcceptedIds::OWN_CIE);
    assert_eq!(r.fee, Fee::Free);
    assert!(r.remote.none_accepted());

    let p = Preset::PecInadRequests.load().unwrap();
    assert_eq!(p.delegation, Delegation::FirstHalvesOnly);
    assert_eq!(p.remote, RemoteRequests::PEC_OR_INAD);
    assert_eq!(
        p.representatives.contact_changes,
        ContactChanges::HolderOnly
    );
    assert_eq!(p.requesters.holder.identification, AcceptedIds::ANY);
    assert_eq!(p.residency, Residency::Anyone);

    let h = Preset::HomeVisitsAppointmentSeason.load().unwrap();
    assert_eq!(h.delegation, Delegation::NotAllowed);
    assert!(h.remote.none_accepted());
    assert_eq!(h.home_visits, HomeVisits::WithMedicalCertificate);
    assert_eq!(
        h.representatives.contact_changes,
        ContactChanges::HolderOrRepresentative
    );
    assert_eq!(h.requesters.holder.identification, AcceptedIds::OWN_CIE);
    assert_eq!(h.comune.name, "Esempio");
    assert_eq!(h.comune.phone, "0123 456789");
    let Opening::Hours { seasons, .. } = &h.opening else {
        panic!("M5: hours expected");
    };
    assert_eq!(seasons.len(), 1);
    assert_eq!(seasons[0].dates.first, CivilDate::new(2025, 6, 1).unwrap());
    assert_eq!(seasons[0].dates.last, CivilDate::new(2025, 9, 30).unwrap());
    assert_eq!(seasons[0].admission, Admission::AppointmentOnly);
}

fn refused(body: &str) -> ProfileError {
    load(body).expect_err("the profile should be refused")
}

#[test]
fn a_toml_syntax_error_names_its_line() {
    let e = refused("[comune]\nname = \"x\n");
    assert_eq!(e.line, 5, "{e}");
}

#[test]
fn an_unknown_field_names_its_line_and_field() {
    let e = refused("[requesters.delegate]\npractise = \"not-allowed\"\n");
    assert_eq!(e.line, 5, "{e}");
    assert!(e.field.starts_with("requesters.delegate"), "{e}");
    assert!(e.message.contains("practise"), "{e}");
}

#[test]
fn a_wrong_value_names_its_line_and_field() {
    let e = refused("[residency]\nserved = \"everybody\"\n");
    assert_eq!((e.line, e.field.as_str()), (5, "residency.served"), "{e}");
    let e = refused(
        "[opening]\nadmission = \"walk-in\"\nhours = [{ days = [\"mon\"], from = \"13:00\", to = \"09:00\" }]\n",
    );
    assert_eq!((e.line, e.field.as_str()), (6, "opening.hours.to"), "{e}");
    let e = refused(
        "[opening]\nadmission = \"walk-in\"\nhours = [{ days = [\"mon\"], from = \"9\", to = \"13:00\" }]\n",
    );
    assert_eq!((e.line, e.field.as_str()), (6, "opening.hours.from"), "{e}");
    let e = refused(
        "[opening]\nadmission = \"walk-in\"\nhours = []\n[[opening.seasons]]\nfirst = 2026-09-30\nlast = 2026-06-01\nadmission = \"walk-in\"\nhours = []\n",
    );
    assert_eq!(
        (e.line, e.field.as_str()),
        (9, "opening.seasons.last"),
        "{e}"
    );
    let e = Profile::from_toml("format = 2\nname = \"x\"\nversion = \"1\"\n").unwrap_err();
    assert_eq!((e.line, e.field.as_str()), (1, "format"), "{e}");
    let e = Profile::from_toml("format = 1\nname = \"Comune X\"\nversion = \"1\"\n").unwrap_err();
    assert_eq!((e.line, e.field.as_str()), (2, "name"), "{e}");
    let e = Profile::from_toml("format = 1\nversion = \"1\"\n").unwrap_err();
    assert!(e.message.contains("name"), "{e}");
}

fn assert_rule(body: &str, line: usize, field: &str, rule: RuleId) {
    let e = refused(body);
    assert_eq!(
        (e.line, e.field.as_str(), e.rule),
        (line, field, Some(rule)),
        "{e}"
    );
    assert!(e.to_string().contains(rule.as_str()), "{e}");
}

#[test]
fn r5_a_profile_sending_second_halves_to_pec_is_refused() {
    assert_rule(
        "[second-halves]\nto = [\"registered-email\", \"other-email\", \"paper-with-consent-form\", \"pec\"]\n",
        5,
        "second-halves.to",
        RuleId::R5,
    );
}

#[test]
fn i1_a_profile_giving_second_halves_to_a_delegate_is_refused() {
    assert_rule(
        "[requesters.delegate]\npractice = \"holder-cannot-come\"\nsecond-halves = \"delegate-in-person\"\n",
        6,
        "requesters.delegate.second-halves",
        RuleId::I1,
    );
    assert_rule(
        "[second-halves]\nto = [\"registered-email\", \"other-email\", \"paper-with-consent-form\", \"delegate\"]\n",
        5,
        "second-halves.to",
        RuleId::I1,
    );
}

#[test]
fn r6_a_profile_printing_second_halves_without_consent_is_refused() {
    assert_rule(
        "[second-halves]\nto = [\"registered-email\", \"other-email\", \"paper\"]\n",
        5,
        "second-halves.to",
        RuleId::R6,
    );
}

#[test]
fn r4_national_destinations_cannot_be_withdrawn() {
    assert_rule(
        "[second-halves]\nto = [\"registered-email\", \"paper-with-consent-form\"]\n",
        5,
        "second-halves.to",
        RuleId::R4,
    );
}

#[test]
fn r7_a_profile_letting_a_delegate_change_contacts_is_refused() {
    assert_rule(
        "[contacts]\nchanged-by = [\"holder\", \"delegate\"]\n",
        5,
        "contacts.changed-by",
        RuleId::R7,
    );
    assert_rule(
        "[contacts]\nchanged-by = [\"parent-of-minor\", \"legal-representative\"]\n",
        5,
        "contacts.changed-by",
        RuleId::R7,
    );
}

#[test]
fn r8_a_profile_making_the_counter_not_immediate_is_refused() {
    assert_rule(
        "[service]\nimmediate = false\n",
        5,
        "service.immediate",
        RuleId::R8,
    );
}

#[test]
fn r1_a_profile_identifying_nobody_or_taking_email_requests_is_refused() {
    assert_rule(
        "[requesters.holder]\nidentification = []\n",
        5,
        "requesters.holder.identification",
        RuleId::R1,
    );
    assert_rule(
        "[remote]\nchannels = [\"pec-signed-form\", \"email\"]\n",
        5,
        "remote.channels",
        RuleId::R1,
    );
}

#[test]
fn r9_representation_needs_its_proof() {
    assert_rule(
        "[requesters.legal-representative]\nallowed = true\ndocuments = []\n",
        6,
        "requesters.legal-representative.documents",
        RuleId::R9,
    );
    assert_rule(
        "[requesters.delegate]\npractice = \"first-halves-only\"\ndocuments = []\n",
        6,
        "requesters.delegate.documents",
        RuleId::R9,
    );
}

#[test]
fn m5_the_season_is_data_of_the_file() {
    let text = Preset::HomeVisitsAppointmentSeason
        .text()
        .replace("2025-06-01", "2026-06-01")
        .replace("2025-09-30", "2026-09-30")
        .replace("2025-08-01", "2026-08-01")
        .replace("2025-08-31", "2026-08-31");
    let p = Profile::from_toml(&text).unwrap();
    let at = |m, d, h| VisitTime {
        date: CivilDate::new(2026, m, d).unwrap(),
        time: TimeOfDay::new(h, 0).unwrap(),
    };
    // Wednesday 1 July 2026, 12:00: by appointment in the new season.
    assert_eq!(
        p.opening.status(at(7, 1, 12)),
        CounterStatus::OpenByAppointment
    );
    // Wednesday 1 July 2026, 10:00: closed (season hours 11-13).
    assert_eq!(p.opening.status(at(7, 1, 10)), CounterStatus::Closed);
    // Tuesday 4 August 2026, 16:00: afternoons not held in August.
    assert_eq!(p.opening.status(at(8, 4, 16)), CounterStatus::Closed);
    // Tuesday 7 July 2026, 16:00: afternoon by appointment.
    assert_eq!(
        p.opening.status(at(7, 7, 16)),
        CounterStatus::OpenByAppointment
    );
    assert_ne!(
        p.id.sha256,
        Preset::HomeVisitsAppointmentSeason
            .load()
            .unwrap()
            .id
            .sha256
    );
}

mod mutations {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

        /// Any text, and any shipped file with one byte changed, loads or gives an error with
        /// a line inside the file; never a panic.
        #[test]
        fn profile_loading_never_panics_and_errors_point_inside_the_file(
            which in 0usize..4,
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
            junk in ".{0,200}",
        ) {
            let mut text = Preset::ALL[which].text().as_bytes().to_vec();
            let i = at.index(text.len());
            text[i] = byte;
            for t in [String::from_utf8_lossy(&text).into_owned(), junk] {
                match Profile::from_toml(&t) {
                    Ok(p) => prop_assert!(!p.id.name.is_empty()),
                    Err(e) => {
                        prop_assert!(e.line <= t.lines().count() + 1, "{e}");
                        prop_assert!(!e.message.is_empty());
                    }
                }
            }
        }
    }
}

/// The desk writes the profile that decided (name, version, SHA-256 of the file) into the
/// decision's journal entry, which the officer's signature covers.
#[test]
fn the_journal_entry_of_a_decision_names_its_profile() {
    use cie_pinpuk::desk::ReprintDesk;
    use cie_pinpuk::issuance::{CardNumber, InMemoryIssuance};
    use cie_pinpuk::journal::{self, EntryKind, OrderSigner, SoftwareSigner};
    use cie_pinpuk::notify::RecordingNotifier;

    let officer = SoftwareSigner::from_bytes(&[9; 32]).unwrap();
    let key = officer.verifying_key();
    let profile = Preset::PecInadRequests.load().unwrap();
    let id = profile.id.clone();
    let mut desk = ReprintDesk::new(
        InMemoryIssuance::with_fixtures(key),
        RecordingNotifier::new(),
        profile,
        Box::new(officer),
    )
    .unwrap();
    let mut r = Request::new(
        Requester::Holder,
        Channel::Counter,
        VisitTime {
            date: CivilDate::new(2026, 3, 2).unwrap(),
            time: TimeOfDay::new(10, 0).unwrap(),
        },
    );
    r.identification = Identification::Cie;
    r.card = CardCheck::HoldersCard;
    r.wanted = HalfSet::of(&[(
        cie_pinpuk::codes::CodeKind::Pin,
        cie_pinpuk::codes::Half::First,
    )]);
    let report = desk
        .run(&CardNumber::parse("CA00000AA").unwrap(), r)
        .unwrap();
    assert_eq!(report.decision.profile, id);
    let entries = desk.journal_entries().unwrap();
    journal::verify(&entries, &key).unwrap();
    let decision = entries
        .iter()
        .find(|e| e.kind == EntryKind::Decision)
        .unwrap();
    assert!(
        decision.detail.contains(" profile=pec-inad-requests "),
        "{}",
        decision.detail
    );
    assert!(
        decision.detail.contains(" profile_version=2026.1 "),
        "{}",
        decision.detail
    );
    assert!(
        decision
            .detail
            .contains(&format!(" profile_sha256={} ", id.sha256_hex())),
        "{}",
        decision.detail
    );
}
