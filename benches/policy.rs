//! Cost of `policy::evaluate` per request (target: under 10 µs, so an office system can
//! re-evaluate on every keystroke).

use std::hint::black_box;

use cie_pinpuk::codes::CodeKind;
use cie_pinpuk::policy::*;
use criterion::{Criterion, criterion_group, criterion_main};

fn scenarios() -> Vec<(&'static str, Request, Profile)> {
    let Ok(date) = CivilDate::new(2025, 7, 15) else {
        return Vec::new();
    };
    let at = VisitTime {
        date,
        time: TimeOfDay::saturating(16, 0),
    };
    let mail = |s: &str| EmailAddress::parse(s).ok();
    let mut holder = Request::new(Requester::Holder, Channel::Counter, at);
    holder.identification = Identification::Cie;
    holder.card = CardCheck::HoldersCard;
    holder.residence = Residence::Resident;
    holder.wanted = HalfSet::ALL;
    holder.registered.email = mail("mario.rossi@libero.it");
    holder.appointment = Appointment::Booked;

    let mut pec = holder.clone();
    if let Some(a) = mail("mario.rossi@pec.comune.esempio.it") {
        pec.second_half_to = SecondHalfTo::Email(a);
    }

    let mut delegate = holder.clone();
    delegate.requester = Requester::Delegate;
    delegate.identification = Identification::IdentityDocument;
    delegate.documents =
        DocumentSet::of(&[Document::SignedDelegation, Document::HolderUnableStatement]);
    delegate.contact_update.email = mail("nuova@libero.it");

    let mut paper = holder.clone();
    paper.wanted = HalfSet::both(CodeKind::Puk);
    paper.second_half_to = SecondHalfTo::Paper;

    vec![
        (
            "holder_email_seed002_season",
            holder,
            Profile::preset(Preset::HomeVisitsAppointmentSeason)
                .unwrap_or_else(|_| Profile::national()),
        ),
        (
            "holder_pec_seed000",
            pec,
            Profile::preset(Preset::ResidentsWithDelegation)
                .unwrap_or_else(|_| Profile::national()),
        ),
        (
            "delegate_contacts_seed001",
            delegate,
            Profile::preset(Preset::PecInadRequests).unwrap_or_else(|_| Profile::national()),
        ),
        (
            "holder_paper_national",
            paper,
            Profile::preset(Preset::National).unwrap_or_else(|_| Profile::national()),
        ),
    ]
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("policy_evaluate");
    for (name, request, profile) in scenarios() {
        g.bench_function(name, |b| {
            b.iter(|| evaluate(black_box(&request), black_box(&profile)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
