//! Lo sportello: a walkthrough of the seed situations. Each request is evaluated under its
//! Comune's profile and the decision printed in Italian, as the officer would read it; the
//! allowed ones then run through the desk with the in-memory issuance system and the
//! recording notifier, and the journal is verified at the end.
//!
//! Run with `cargo run --example sportello`. The cards and codes are fixtures; the digits of
//! the codes are not printed.

use cie_pinpuk::codes::{CodeKind, Half};
use cie_pinpuk::desk::ReprintDesk;
use cie_pinpuk::issuance::{CardNumber, InMemoryIssuance, SignedScan};
use cie_pinpuk::journal::{self, ManualClock, OrderSigner, SoftwareSigner, Timestamp};
use cie_pinpuk::notify::{Recipient, RecordingNotifier};
use cie_pinpuk::policy::*;

type Desk = ReprintDesk<InMemoryIssuance, RecordingNotifier>;

fn chi(r: Requester) -> &'static str {
    match r {
        Requester::Holder => "al titolare",
        Requester::ParentOfMinor => "al genitore",
        Requester::LegalRepresentative => "al rappresentante legale",
        Requester::Delegate => "al delegato",
    }
}

fn meta(code: CodeKind, half: Half) -> String {
    let h = match half {
        Half::First => "prima",
        Half::Second => "seconda",
    };
    format!("{h} metà del {code}")
}

fn esito(o: Outcome) -> &'static str {
    match o {
        Outcome::Allowed => "CONSENTITA",
        Outcome::Partial => "CONSENTITA IN PARTE",
        Outcome::Deferred => "IN ATTESA",
        Outcome::Refused => "RESPINTA",
    }
}

fn print_decision(d: &Decision) {
    println!("  Esito: {}", esito(d.outcome()));
    for x in &d.deliveries {
        match &x.destination {
            Destination::InPerson(r) => {
                println!(
                    "  - {}: stampa su carta, consegna {} [{}]",
                    meta(x.code, x.half),
                    chi(*r),
                    x.rule
                )
            }
            Destination::Email(a) => {
                println!(
                    "  - {}: invio per e-mail a {} [{}]",
                    meta(x.code, x.half),
                    a,
                    x.rule
                )
            }
        }
    }
    for c in &d.contact_changes {
        match c {
            ContactChange::Email(a) => println!("  - nuovo indirizzo e-mail registrato: {a}"),
            ContactChange::Mobile(m) => println!("  - nuovo numero di cellulare registrato: {m}"),
        }
    }
    for r in &d.requirements {
        println!("  * Da fare [{}]: {}", r.rule, r.it());
    }
    for r in &d.refusals {
        let cosa = match r.subject {
            Subject::Request => "richiesta".to_string(),
            Subject::Half(c, h) => meta(c, h),
            Subject::ContactEmail => "modifica dell'e-mail".to_string(),
            Subject::ContactMobile => "modifica del cellulare".to_string(),
        };
        println!("  x Respinta ({cosa}) [{}]: {}", r.rule, r.it());
    }
}

fn run(desk: &mut Desk, card: &str, request: Request) -> Result<(), Box<dyn std::error::Error>> {
    let card = CardNumber::parse(card)?;
    let report = desk.run(&card, request)?;
    if let Some(job) = &report.print_job {
        for item in &job.items {
            println!(
                "    [stampante] {} consegnata {} (4 cifre, non mostrate)",
                meta(item.half.code(), item.half.half()),
                chi(item.recipient)
            );
        }
    }
    let sent = &desk.notifier().sent;
    for s in sent.iter().rev().take(report.sent.len()).rev() {
        if let Recipient::Email(a) = &s.to {
            println!("    [posta] \"{}\" inviata a {a}", s.subject);
        }
    }
    if let Some(form) = report.consent_form {
        println!(
            "    [sistema] generato il modulo di delega n. {}: da firmare",
            form.0
        );
    }
    Ok(())
}

/// The Comune's registry of mailboxes (R5): the demo addresses are ordinary mailboxes.
fn mailboxes() -> InMemoryPecRegistry {
    let mut r = InMemoryPecRegistry::new();
    for a in [
        "mario.rossi@example.it",
        "famiglia.verdi@example.com",
        "nuovo.indirizzo@example.it",
    ] {
        r.add_ordinary(a, RegistrySource::Local);
    }
    r
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let officer = SoftwareSigner::from_bytes(&[0x2a; 32]).ok_or("key")?;
    let key = officer.verifying_key();
    let new_desk = |preset: Preset| -> Result<Desk, Box<dyn std::error::Error>> {
        let officer = SoftwareSigner::from_bytes(&[0x2a; 32]).ok_or("key")?;
        Ok(ReprintDesk::new(
            InMemoryIssuance::with_fixtures(officer.verifying_key()),
            RecordingNotifier::new(),
            Profile::preset(preset)?,
            Box::new(officer),
        )?
        .with_pec_directory(Box::new(mailboxes()))
        .with_clock(Box::new(ManualClock::new(Timestamp(1_772_445_600)))))
    };
    drop(officer);
    let monday = VisitTime {
        date: CivilDate::new(2026, 3, 2)?,
        time: TimeOfDay::saturating(10, 0),
    };
    let mail = |s: &str| EmailAddress::parse(s);

    let mut holder = Request::new(Requester::Holder, Channel::Counter, monday);
    holder.identification = Identification::Cie;
    holder.card = CardCheck::HoldersCard;
    holder.residence = Residence::Resident;
    holder.wanted = HalfSet::ALL;

    let mut desks = Vec::new();

    println!("1. Il titolare allo sportello, con e-mail registrata (Comune 000)");
    let mut d = new_desk(Preset::ResidentsWithDelegation)?;
    print_decision(&d.preview(&CardNumber::parse("CA00000AA")?, holder.clone())?);
    run(&mut d, "CA00000AA", holder.clone())?;
    desks.push(d);

    println!("\n2. Il titolare senza e-mail chiede la seconda metà su carta (quadro nazionale)");
    let mut d = new_desk(Preset::National)?;
    let mut paper = holder.clone();
    paper.second_half_to = SecondHalfTo::Paper;
    let giulia = CardNumber::parse("CA11111BB")?;
    print_decision(&d.preview(&giulia, paper.clone())?);
    let report = d.run(&giulia, paper.clone())?;
    if let Some(form) = report.consent_form {
        println!(
            "    [sistema] generato il modulo di delega n. {}; firmato e acquisito",
            form.0
        );
        d.acquire_consent(
            &giulia,
            &SignedScan {
                form,
                document: b"%PDF modulo firmato".to_vec(),
            },
        )?;
    }
    print_decision(&d.preview(&giulia, paper.clone())?);
    run(&mut d, "CA11111BB", paper)?;
    desks.push(d);

    println!("\n3. Un delegato con la delega firmata, nei tre Comuni");
    let mut delegate = holder.clone();
    delegate.requester = Requester::Delegate;
    delegate.identification = Identification::IdentityDocument;
    delegate.documents =
        DocumentSet::of(&[Document::SignedDelegation, Document::HolderUnableStatement]);
    for (name, preset) in [
        ("000", Preset::ResidentsWithDelegation),
        ("001", Preset::PecInadRequests),
        ("002", Preset::HomeVisitsAppointmentSeason),
    ] {
        println!(" Comune {name}:");
        let mut d = new_desk(preset)?;
        print_decision(&d.preview(&CardNumber::parse("CA00000AA")?, delegate.clone())?);
        // Refused requests go through the desk too: every decision is journaled (P-POL2).
        run(&mut d, "CA00000AA", delegate.clone())?;
        desks.push(d);
    }

    println!("\n4. Un indirizzo PEC indicato per la seconda metà (Comune 001)");
    let mut d = new_desk(Preset::PecInadRequests)?;
    let mut pec = holder.clone();
    pec.second_half_to = SecondHalfTo::Email(mail("mario.rossi@pec.it")?);
    print_decision(&d.preview(&CardNumber::parse("CA00000AA")?, pec.clone())?);
    run(&mut d, "CA00000AA", pec)?;
    desks.push(d);

    println!("\n5. Un delegato chiede di cambiare l'e-mail (Comune 000)");
    let mut d = new_desk(Preset::ResidentsWithDelegation)?;
    let mut change = delegate.clone();
    change.wanted = HalfSet::EMPTY;
    change.contact_update.email = Some(mail("nuovo.indirizzo@example.it")?);
    print_decision(&d.preview(&CardNumber::parse("CA00000AA")?, change.clone())?);
    run(&mut d, "CA00000AA", change)?;
    desks.push(d);

    println!("\n6. Servizio a domicilio (Comune 002)");
    let mut d = new_desk(Preset::HomeVisitsAppointmentSeason)?;
    let mut home = holder.clone();
    home.channel = Channel::HomeVisit;
    home.identification = Identification::NotYet;
    home.documents = DocumentSet::of(&[
        Document::MedicalCertificate,
        Document::IdentityDocumentCopy,
        Document::PhoneNumber,
    ]);
    println!(" La domanda, inviata per e-mail con il certificato medico:");
    print_decision(&d.preview(&CardNumber::parse("CA00000AA")?, home.clone())?);
    run(&mut d, "CA00000AA", home.clone())?;
    home.appointment = Appointment::Booked;
    home.identification = Identification::Cie;
    home.contact_update.mobile = Some(MobileNumber::parse("+39 347 000 1122")?);
    println!(" La visita, nel giorno fissato:");
    print_decision(&d.preview(&CardNumber::parse("CA00000AA")?, home.clone())?);
    run(&mut d, "CA00000AA", home)?;
    desks.push(d);

    println!();
    for (i, d) in desks.iter().enumerate() {
        let entries = d.journal_entries()?;
        let head = journal::verify(&entries, &key)?;
        let voci = if head.seq == 1 { "voce" } else { "voci" };
        let n = i.saturating_add(1);
        println!(
            "Registro {n}: {} {voci}, catena e firme verificate",
            head.seq
        );
    }
    Ok(())
}
