//! Cost of `policy::evaluate` per request (target: under 10 µs, so an office system can
//! re-evaluate on every keystroke), of loading a profile file, and how both grow with the size
//! of the profile (seasons) and of the PEC registry. The ratios are measured interleaved
//! (subject and reference batches alternated, the fastest batch of each kept), printed before
//! the criterion runs.

use std::hint::black_box;
use std::time::Instant;

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
            "holder_email_home_visits_season",
            holder,
            Profile::preset(Preset::HomeVisitsAppointmentSeason)
                .unwrap_or_else(|_| Profile::national()),
        ),
        (
            "holder_pec_residents",
            pec,
            Profile::preset(Preset::ResidentsWithDelegation)
                .unwrap_or_else(|_| Profile::national()),
        ),
        (
            "delegate_contacts_pec_inad",
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

/// A profile file with `n` seasons (one per year from 2030 on), each with two windows.
fn profile_with_seasons(n: u16) -> String {
    let mut t = String::from(Preset::National.text());
    t.push_str("\n[opening]\nadmission = \"walk-in\"\nhours = [{ days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"], from = \"09:00\", to = \"13:00\" }]\n");
    for i in 0..n {
        let y = 2030 + i;
        t.push_str(&format!(
            "[[opening.seasons]]\nfirst = {y}-06-01\nlast = {y}-09-30\nadmission = \"appointment-only\"\nhours = [{{ days = [\"mon\"], from = \"11:00\", to = \"13:00\" }}, {{ days = [\"tue\", \"thu\"], from = \"15:30\", to = \"17:30\", except = [{{ first = {y}-08-01, last = {y}-08-31 }}] }}]\n"
        ));
    }
    t
}

fn registry(n: usize) -> InMemoryPecRegistry {
    let mut r = InMemoryPecRegistry::new();
    for i in 0..n {
        r.add_pec(
            &format!("utente{i}@domicilio-{}.it", i % 97),
            RegistrySource::Inad,
        );
        r.add_pec_domain(&format!("ordine{i}.it"), RegistrySource::IniPec);
    }
    r
}

/// The fastest of `rounds` interleaved batches of `batch` calls of each closure, in ns/call.
fn interleaved(
    label: &str,
    rounds: usize,
    batch: usize,
    mut subject: impl FnMut(),
    mut reference: impl FnMut(),
) {
    let (mut s_best, mut r_best) = (f64::MAX, f64::MAX);
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..batch {
            subject();
        }
        s_best = s_best.min(t.elapsed().as_nanos() as f64 / batch as f64);
        let t = Instant::now();
        for _ in 0..batch {
            reference();
        }
        r_best = r_best.min(t.elapsed().as_nanos() as f64 / batch as f64);
    }
    println!(
        "policy/{label}: {s_best:.0} ns vs {r_best:.0} ns, ratio {:.2} (fastest of {rounds} interleaved batches of {batch})",
        s_best / r_best
    );
}

fn ratios() {
    let scenarios = scenarios();
    let Some((_, holder, season)) = scenarios.first() else {
        return;
    };
    let national = Profile::national();
    interleaved(
        "evaluate holder: home-visits-appointment-season vs national",
        200,
        256,
        || {
            black_box(evaluate(black_box(holder), black_box(season)));
        },
        || {
            black_box(evaluate(black_box(holder), black_box(&national)));
        },
    );
    // Monday 2 March 2026 at 10:00: inside the regular hours, after every season is looked at.
    let mut walk_in = holder.clone();
    if let Ok(date) = CivilDate::new(2026, 3, 2) {
        walk_in.at = VisitTime {
            date,
            time: TimeOfDay::saturating(10, 0),
        };
    }
    let holder = &walk_in;
    for n in [1u16, 10, 100] {
        let Ok(p) = Profile::from_toml(&profile_with_seasons(n)) else {
            return;
        };
        interleaved(
            &format!("evaluate with {n} seasons vs national"),
            100,
            256,
            || {
                black_box(evaluate(black_box(holder), black_box(&p)));
            },
            || {
                black_box(evaluate(black_box(holder), black_box(&national)));
            },
        );
    }
    let mut unknown = holder.clone();
    if let Ok(a) = EmailAddress::parse("mario@studio-rossi.it") {
        unknown.second_half_to = SecondHalfTo::Email(a.clone());
        unknown.confirmed_ordinary = vec![a];
    }
    for n in [100usize, 10_000] {
        let reg = registry(n);
        interleaved(
            &format!(
                "evaluate with a registry of {} entries vs built-in lists",
                2 * n
            ),
            100,
            256,
            || {
                black_box(evaluate_with(
                    black_box(&unknown),
                    black_box(&national),
                    &reg,
                ));
            },
            || {
                black_box(evaluate_with(
                    black_box(&unknown),
                    black_box(&national),
                    &BuiltinPecList,
                ));
            },
        );
    }
    for n in [1u16, 10, 100] {
        let text = profile_with_seasons(n);
        let small = Preset::National.text();
        interleaved(
            &format!(
                "load a profile with {n} seasons ({} bytes) vs national.toml ({} bytes)",
                text.len(),
                small.len()
            ),
            30,
            16,
            || {
                black_box(Profile::from_toml(black_box(&text)).is_ok());
            },
            || {
                black_box(Profile::from_toml(black_box(small)).is_ok());
            },
        );
    }
}

fn bench(c: &mut Criterion) {
    ratios();
    let mut g = c.benchmark_group("policy_evaluate");
    for (name, request, profile) in scenarios() {
        g.bench_function(name, |b| {
            b.iter(|| evaluate(black_box(&request), black_box(&profile)))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("policy_profile_load");
    for p in Preset::ALL {
        g.bench_function(p.name(), |b| {
            b.iter(|| Profile::from_toml(black_box(p.text())).is_ok())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
