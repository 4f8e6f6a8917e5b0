//! Lo sportello: the reprint desk as an officer sees it. Each situation is evaluated under a
//! Comune's profile file and the decision explained in Italian (or, with `--lang en|de`, in
//! English or German: the crate's bundled Fluent texts), every line with its rule id; then the request runs through the desk (in-memory issuance system,
//! recording notifier) and the journal is verified at the end.
//!
//! ```text
//! cargo run --example sportello                               # each situation under its Comune's profile
//! cargo run --example sportello -- --profile pec-inad-requests  # every situation under one shipped profile
//! cargo run --example sportello -- --profile ./comune.toml    # ... or under a profile file
//! cargo run --example sportello -- --lang de                 # the decisions in German
//! cargo run --example sportello -- --help
//! ```
//!
//! The cards and codes are fixtures; the digits of the codes are never printed.

use cie_pinpuk::codes::{CodeKind, Half};
use cie_pinpuk::desk::ReprintDesk;
use cie_pinpuk::i18n::{Localizer, Texts};
use cie_pinpuk::issuance::{CardNumber, InMemoryIssuance, SignedScan};
use cie_pinpuk::journal::{self, ManualClock, OrderSigner, SoftwareSigner, Timestamp};
use cie_pinpuk::notify::{Recipient, RecordingNotifier};
use cie_pinpuk::policy::*;

type Desk = ReprintDesk<InMemoryIssuance, RecordingNotifier>;
type Failure = Box<dyn std::error::Error>;

const HELP: &str = "\
sportello - la ristampa di PIN e PUK della CIE allo sportello, spiegata regola per regola

Uso:
  sportello [--profile PROFILO] [--lang it|en|de]
  sportello --help

Opzioni:
  --profile PROFILO  Il profilo del Comune che decide: il percorso di un file TOML
                     (formato descritto in docs/profiles.md) oppure il nome di un
                     profilo fornito con la libreria:
                       national                        quadro nazionale
                       residents-with-delegation       residenti, delega per chi non può venire
                       pec-inad-requests               richieste via PEC firmata o da INAD
                       home-visits-appointment-season  visite a domicilio, stagione su appuntamento
                     Senza --profile ogni situazione è decisa con il profilo del Comune
                     da cui proviene.
  --lang LINGUA      La lingua degli esiti: it (predefinita), en o de.
  -h, --help         Mostra questo aiuto.

Ogni decisione riporta il profilo che l'ha presa (nome, versione, impronta SHA-256);
ogni consegna, richiesta e rifiuto riporta la regola applicata (e, in italiano, il suo testo).
";

/// The rule's text, for the officer.
fn regola(r: RuleId) -> &'static str {
    match r {
        RuleId::R1 => "l'operatore identifica chi fa richiesta prima di ristampare",
        RuleId::R2 => "si ristampano una o entrambe le metà di PIN e PUK",
        RuleId::R3 => "la prima metà si stampa su carta allo sportello",
        RuleId::R4 => {
            "la seconda metà si invia per e-mail, all'indirizzo registrato o a un altro indicato"
        }
        RuleId::R5 => {
            "mai a un indirizzo PEC; un dominio sconosciuto va confermato come casella ordinaria"
        }
        RuleId::R6 => "seconda metà su carta solo dopo il modulo di consenso firmato e acquisito",
        RuleId::R7 => {
            "i contatti li modifica il titolare (o chi il Comune ammette), mai un delegato"
        }
        RuleId::R8 => "la ristampa allo sportello è immediata",
        RuleId::R9 => {
            "si ristampano solo i codici della CIE del titolare o della persona rappresentata"
        }
        RuleId::M1 => "delega a terzi, come la prevede il Comune",
        RuleId::M2 => "richieste a distanza (PEC firmata digitalmente, domicilio INAD)",
        RuleId::M3 => "servizio a domicilio",
        RuleId::M4 => "genitore del minore e rappresentante legale",
        RuleId::M5 => "orari di apertura e periodi su appuntamento",
        RuleId::M6 => "documenti di identificazione ammessi",
        RuleId::M7 => "a chi è rivolto il servizio (es. solo residenti)",
        RuleId::I1 => "al delegato non va mai la seconda metà",
        RuleId::I2 => "la seconda metà non va mai a una PEC",
        RuleId::I3 => "seconda metà su carta solo dopo il consenso acquisito",
        RuleId::I4 => "i contatti non li cambia un delegato né un canale non ammesso",
        RuleId::I5 => "nulla prima dell'identificazione e mai per la carta di un altro",
        RuleId::I7 => "le due metà di un codice non viaggiano insieme",
        _ => "",
    }
}

fn tag(r: RuleId, loc: &Localizer) -> String {
    if loc.language().language.as_str() == "it" {
        format!("[{r} - {}]", regola(r))
    } else {
        format!("[{r}]")
    }
}

/// The example's own labels in the chosen language (the decision's texts come from the crate).
struct Labels {
    outcome: &'static str,
    todo: &'static str,
    refused: &'static str,
    profile: &'static str,
    version: &'static str,
}

fn labels(loc: &Localizer) -> Labels {
    match loc.language().language.as_str() {
        "en" => Labels {
            outcome: "Outcome",
            todo: "To do",
            refused: "Refused",
            profile: "Profile",
            version: "version",
        },
        "de" => Labels {
            outcome: "Ergebnis",
            todo: "Zu erledigen",
            refused: "Abgelehnt",
            profile: "Profil",
            version: "Version",
        },
        _ => Labels {
            outcome: "Esito",
            todo: "Da fare",
            refused: "Respinto",
            profile: "Profilo",
            version: "versione",
        },
    }
}

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

fn print_decision(d: &Decision, loc: &Localizer) {
    let l = labels(loc);
    println!("  {}: {}", l.outcome, loc.text(&d.outcome()).to_uppercase());
    for x in &d.deliveries {
        println!("  - {} {}", loc.text(x), tag(x.rule, loc));
    }
    for c in &d.contact_changes {
        println!("  - {}", loc.text(c));
    }
    for r in &d.requirements {
        println!(
            "  * {} {}:\n      {}",
            l.todo,
            tag(r.rule, loc),
            loc.text(r)
        );
    }
    for r in &d.refusals {
        println!(
            "  x {} ({}) {}:\n      {}",
            l.refused,
            loc.text(&r.subject),
            tag(r.rule, loc),
            loc.text(r)
        );
    }
    println!(
        "  {}: {} {} {}, SHA-256 {}",
        l.profile,
        d.profile.name,
        l.version,
        d.profile.version,
        d.profile.sha256_hex()
    );
}

fn run(desk: &mut Desk, card: &str, request: Request) -> Result<(), Failure> {
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
            "    [sistema] generato il modulo di consenso n. {}: da firmare",
            form.0
        );
    }
    Ok(())
}

/// The Comune's registry of mailboxes (R5): the fixture addresses are ordinary mailboxes.
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

/// Which profile decides: one for every situation, or each situation's own Comune.
enum Choice {
    One(Box<Profile>),
    PerSituation,
}

impl Choice {
    fn profile(&self, own: Preset) -> Result<Profile, Failure> {
        match self {
            Choice::One(p) => Ok((**p).clone()),
            Choice::PerSituation => Ok(own.load()?),
        }
    }
}

fn parse_args() -> Result<Option<(Choice, String)>, Failure> {
    let mut args = std::env::args().skip(1);
    let mut choice = Choice::PerSituation;
    let mut lang = String::from("it");
    while let Some(a) = args.next() {
        match a.as_str() {
            "-h" | "--help" => {
                print!("{HELP}");
                return Ok(None);
            }
            "--profile" => {
                let v = args
                    .next()
                    .ok_or("--profile vuole il percorso di un file o il nome di un profilo")?;
                let profile = match Preset::from_name(&v) {
                    Some(p) => p.load()?,
                    None => Profile::from_path(&v).map_err(|e| format!("profilo {v}: {e}"))?,
                };
                choice = Choice::One(Box::new(profile));
            }
            "--lang" => {
                let v = args.next().ok_or("--lang vuole it, en o de")?;
                if !["it", "en", "de"].contains(&v.as_str()) {
                    return Err(format!("lingua non disponibile: {v} (it, en o de)").into());
                }
                lang = v;
            }
            other => return Err(format!("argomento sconosciuto: {other} (vedi --help)").into()),
        }
    }
    Ok(Some((choice, lang)))
}

fn new_desk(profile: Profile) -> Result<Desk, Failure> {
    let officer = SoftwareSigner::from_bytes(&[0x2a; 32]).ok_or("chiave dell'operatore")?;
    let comune = if profile.comune.name.is_empty() {
        String::from("(nome non indicato nel profilo)")
    } else {
        format!("{} - {}", profile.comune.name, profile.comune.office)
    };
    println!("  Comune: {comune}");
    Ok(ReprintDesk::new(
        InMemoryIssuance::with_fixtures(officer.verifying_key()),
        RecordingNotifier::new(),
        profile,
        Box::new(officer),
    )?
    .with_pec_directory(Box::new(mailboxes()))
    .with_clock(Box::new(ManualClock::new(Timestamp(1_772_445_600)))))
}

fn main() {
    if let Err(e) = try_main() {
        eprintln!("sportello: {e}");
        std::process::exit(2);
    }
}

fn try_main() -> Result<(), Failure> {
    let Some((choice, lang)) = parse_args()? else {
        return Ok(());
    };
    let loc = Texts::bundled().localizer_for(&lang);
    let key = SoftwareSigner::from_bytes(&[0x2a; 32])
        .ok_or("chiave dell'operatore")?
        .verifying_key();
    let monday = VisitTime {
        date: CivilDate::new(2026, 3, 2)?,
        time: TimeOfDay::saturating(10, 0),
    };
    let mail = |s: &str| EmailAddress::parse(s);
    let mario = CardNumber::parse("CA00000AA")?;

    // The holder at the counter, identified with their CIE; the card checked as theirs (R9);
    // resident (M7).
    let mut holder = Request::new(Requester::Holder, Channel::Counter, monday);
    holder.identification = Identification::Cie;
    holder.card = CardCheck::HoldersCard;
    holder.residence = Residence::Resident;
    holder.wanted = HalfSet::ALL;

    let mut delegate = holder.clone();
    delegate.requester = Requester::Delegate;
    delegate.identification = Identification::IdentityDocument;
    delegate.documents =
        DocumentSet::of(&[Document::SignedDelegation, Document::HolderUnableStatement]);

    let mut desks = Vec::new();

    println!("1. Il titolare allo sportello con la propria CIE, e-mail registrata");
    let mut d = new_desk(choice.profile(Preset::ResidentsWithDelegation)?)?;
    print_decision(&d.preview(&mario, holder.clone())?, &loc);
    run(&mut d, "CA00000AA", holder.clone())?;
    desks.push(d);

    println!("\n2. La titolare senza e-mail chiede la seconda metà su carta");
    let mut d = new_desk(choice.profile(Preset::National)?)?;
    let mut paper = holder.clone();
    paper.second_half_to = SecondHalfTo::Paper;
    let giulia = CardNumber::parse("CA11111BB")?;
    print_decision(&d.preview(&giulia, paper.clone())?, &loc);
    let report = d.run(&giulia, paper.clone())?;
    if let Some(form) = report.consent_form {
        println!(
            "    [sistema] generato il modulo di consenso n. {}; firmato e acquisito",
            form.0
        );
        d.acquire_consent(
            &giulia,
            &SignedScan {
                form,
                document: b"%PDF modulo firmato".to_vec(),
            },
        )?;
        print_decision(&d.preview(&giulia, paper.clone())?, &loc);
        run(&mut d, "CA11111BB", paper)?;
    }
    desks.push(d);

    println!("\n3. Un delegato con la delega firmata, per un titolare che non può venire");
    match &choice {
        Choice::One(p) => {
            let mut d = new_desk((**p).clone())?;
            print_decision(&d.preview(&mario, delegate.clone())?, &loc);
            run(&mut d, "CA00000AA", delegate.clone())?;
            desks.push(d);
        }
        Choice::PerSituation => {
            for preset in [
                Preset::ResidentsWithDelegation,
                Preset::PecInadRequests,
                Preset::HomeVisitsAppointmentSeason,
            ] {
                let mut d = new_desk(preset.load()?)?;
                print_decision(&d.preview(&mario, delegate.clone())?, &loc);
                // Refused requests go through the desk too: every decision is journaled.
                run(&mut d, "CA00000AA", delegate.clone())?;
                desks.push(d);
            }
        }
    }

    println!("\n4. Il titolare indica un indirizzo PEC per la seconda metà");
    let mut d = new_desk(choice.profile(Preset::PecInadRequests)?)?;
    let mut pec = holder.clone();
    pec.second_half_to = SecondHalfTo::Email(mail("mario.rossi@pec.it")?);
    print_decision(&d.preview(&mario, pec.clone())?, &loc);
    run(&mut d, "CA00000AA", pec)?;
    desks.push(d);

    println!("\n5. Il titolare indica un indirizzo su un dominio che nessun elenco conosce");
    let mut d = new_desk(choice.profile(Preset::National)?)?;
    let mut unknown = holder.clone();
    unknown.second_half_to = SecondHalfTo::Email(mail("mario@studio-rossi.it")?);
    print_decision(&d.preview(&mario, unknown.clone())?, &loc);
    println!("  L'operatore conferma con il titolare che è una casella ordinaria:");
    unknown.confirmed_ordinary = vec![mail("mario@studio-rossi.it")?];
    print_decision(&d.preview(&mario, unknown.clone())?, &loc);
    run(&mut d, "CA00000AA", unknown)?;
    desks.push(d);

    println!("\n6. Un delegato chiede di cambiare l'e-mail");
    let mut d = new_desk(choice.profile(Preset::ResidentsWithDelegation)?)?;
    let mut change = delegate.clone();
    change.wanted = HalfSet::EMPTY;
    change.contact_update.email = Some(mail("nuovo.indirizzo@example.it")?);
    print_decision(&d.preview(&mario, change.clone())?, &loc);
    run(&mut d, "CA00000AA", change)?;
    desks.push(d);

    println!(
        "\n7. Il titolare scrive via PEC con il modulo firmato digitalmente e un nuovo cellulare"
    );
    let mut d = new_desk(choice.profile(Preset::PecInadRequests)?)?;
    let mut remote = holder.clone();
    remote.channel = Channel::PecSignedForm;
    remote.identification = Identification::DigitalSignature;
    remote.wanted = HalfSet::of(&[(CodeKind::Puk, Half::Second)]);
    remote.contact_update.mobile = Some(MobileNumber::parse("+39 347 000 1122")?);
    print_decision(&d.preview(&mario, remote.clone())?, &loc);
    run(&mut d, "CA00000AA", remote)?;
    desks.push(d);

    println!("\n8. Il genitore di un minore, con la propria CIE");
    let mut d = new_desk(choice.profile(Preset::HomeVisitsAppointmentSeason)?)?;
    let mut parent = holder.clone();
    parent.requester = Requester::ParentOfMinor;
    print_decision(
        &d.preview(&CardNumber::parse("CA22222CC")?, parent.clone())?,
        &loc,
    );
    run(&mut d, "CA22222CC", parent)?;
    desks.push(d);

    println!("\n9. Servizio a domicilio");
    let mut d = new_desk(choice.profile(Preset::HomeVisitsAppointmentSeason)?)?;
    let mut home = holder.clone();
    home.channel = Channel::HomeVisit;
    home.identification = Identification::NotYet;
    home.documents = DocumentSet::of(&[
        Document::MedicalCertificate,
        Document::IdentityDocumentCopy,
        Document::PhoneNumber,
    ]);
    println!(" La domanda, inviata per e-mail con il certificato medico:");
    print_decision(&d.preview(&mario, home.clone())?, &loc);
    run(&mut d, "CA00000AA", home.clone())?;
    home.appointment = Appointment::Booked;
    home.identification = Identification::Cie;
    home.contact_update.mobile = Some(MobileNumber::parse("+39 347 000 1122")?);
    println!(" La visita, nel giorno fissato:");
    print_decision(&d.preview(&mario, home.clone())?, &loc);
    run(&mut d, "CA00000AA", home)?;
    desks.push(d);

    println!("\n10. Un cittadino chiede i codici di una carta che non è la sua");
    let mut d = new_desk(choice.profile(Preset::National)?)?;
    let mut other = holder.clone();
    other.card = CardCheck::NotHoldersCard;
    print_decision(&d.preview(&mario, other.clone())?, &loc);
    run(&mut d, "CA00000AA", other)?;
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
