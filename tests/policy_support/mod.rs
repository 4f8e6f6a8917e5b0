//! A proptest strategy for `Profile`: every municipal option drawn independently, with
//! random dated opening hours and seasons, as any Comune might write them (within what a
//! profile file can express: at least one identification document per kind of requester, the
//! documents that prove a representation).
#![allow(dead_code, unreachable_pub)]

use cie_pinpuk::policy::*;
use proptest::prelude::*;

fn permission() -> impl Strategy<Value = Permission> {
    prop_oneof![Just(Permission::Allowed), Just(Permission::NotAllowed)]
}

fn ids() -> impl Strategy<Value = AcceptedIds> {
    (permission(), permission())
        .prop_map(|(cie, other_document)| AcceptedIds {
            cie,
            other_document,
        })
        .prop_filter("at least one document (R1)", |a| !a.is_empty())
}

fn documents() -> impl Strategy<Value = DocumentSet> {
    (0u8..64).prop_map(DocumentSet::from_bits)
}

fn asker(must: Option<Document>) -> impl Strategy<Value = Asker> {
    (ids(), documents()).prop_map(move |(identification, documents)| Asker {
        identification,
        documents: must.map_or(documents, |d| documents.with(d)),
    })
}

fn date() -> impl Strategy<Value = CivilDate> {
    (2025u16..=2027, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| CivilDate::new(y, m, d).unwrap())
}

fn range() -> impl Strategy<Value = DateRange> {
    (date(), date()).prop_map(|(a, b)| DateRange {
        first: a.min(b),
        last: a.max(b),
    })
}

fn window() -> impl Strategy<Value = Window> {
    (
        0u8..128,
        0u16..1439,
        1u16..600,
        proptest::collection::vec(range(), 0..2),
    )
        .prop_map(|(days, from, len, except)| {
            let days: Vec<Weekday> = [
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
                Weekday::Friday,
                Weekday::Saturday,
                Weekday::Sunday,
            ]
            .into_iter()
            .enumerate()
            .filter(|(i, _)| days & (1 << i) != 0)
            .map(|(_, d)| d)
            .collect();
            Window {
                days: WeekdaySet::of(&days),
                from: TimeOfDay::from_minutes(from).unwrap(),
                to: TimeOfDay::from_minutes((from + len).min(1439)).unwrap(),
                except,
            }
        })
}

fn admission() -> impl Strategy<Value = Admission> {
    prop_oneof![Just(Admission::WalkIn), Just(Admission::AppointmentOnly)]
}

fn opening() -> impl Strategy<Value = Opening> {
    prop_oneof![
        Just(Opening::Unrestricted),
        (
            proptest::collection::vec(window(), 0..3),
            admission(),
            proptest::collection::vec(
                (
                    range(),
                    admission(),
                    proptest::collection::vec(window(), 0..3),
                    proptest::collection::vec(range(), 0..2)
                ),
                0..3
            ),
        )
            .prop_map(|(regular, admission, seasons)| Opening::Hours {
                regular,
                admission,
                seasons: seasons
                    .into_iter()
                    .map(|(dates, admission, hours, except)| Season {
                        dates,
                        admission,
                        hours,
                        except,
                    })
                    .collect(),
            }),
    ]
}

/// Any profile a Comune might write.
pub fn profile() -> impl Strategy<Value = Profile> {
    let options = (
        prop_oneof![
            Just(Delegation::NotAllowed),
            Just(Delegation::FirstHalvesOnly),
            Just(Delegation::HolderCannotCome)
        ],
        (permission(), permission()),
        prop_oneof![
            Just(HomeVisits::NotOffered),
            Just(HomeVisits::WithMedicalCertificate)
        ],
        (
            permission(),
            permission(),
            prop_oneof![
                Just(ContactChanges::HolderOnly),
                Just(ContactChanges::HolderOrRepresentative)
            ],
        ),
        prop_oneof![Just(Residency::Anyone), Just(Residency::ResidentsOnly)],
        prop_oneof![Just(Fee::Free), Just(Fee::NotStated)],
    );
    let people = (
        asker(None),
        asker(None),
        asker(Some(Document::ActOfAppointment)),
        asker(Some(Document::SignedDelegation)),
    );
    (
        "[a-z][a-z0-9-]{0,20}",
        "[0-9]{4}\\.[0-9]{1,2}",
        any::<[u8; 32]>(),
        "[A-Za-z ]{0,20}",
        options,
        people,
        opening(),
    )
        .prop_map(
            |(name, version, sha256, comune, options, people, opening)| {
                let (delegation, remote, home_visits, reps, residency, fee) = options;
                Profile {
                    id: ProfileId {
                        name,
                        version,
                        sha256,
                    },
                    comune: Comune {
                        name: comune,
                        ..Comune::default()
                    },
                    delegation,
                    remote: RemoteRequests {
                        pec_signed_form: remote.0,
                        inad_domicile: remote.1,
                    },
                    home_visits,
                    representatives: Representatives {
                        parent_of_minor: reps.0,
                        legal_representative: reps.1,
                        contact_changes: reps.2,
                    },
                    opening,
                    requesters: Requesters {
                        holder: people.0,
                        parent_of_minor: people.1,
                        legal_representative: people.2,
                        delegate: people.3,
                    },
                    residency,
                    fee,
                }
            },
        )
}
