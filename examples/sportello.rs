//! Lo sportello: the reprint desk as an officer sees it. Each situation is evaluated under a
//! Comune's profile file and the decision explained in Italian (or, with `--lang en|de`, in
//! English or German: the crate's bundled Fluent texts), every line with its rule id and the
//! rule in a few words; then the request runs through the desk (in-memory issuance system,
//! recording notifier), the second halves go out as the Comune's message in the same
//! language, a notifier that is down leaves them pending with the reason shown, and the
//! journal is verified at the end.
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
use cie_pinpuk::i18n::{Localizer, Message, Texts};
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
ogni consegna, richiesta e rifiuto riporta la regola applicata, con il suo testo in breve;
gli invii non riusciti restano in sospeso con il motivo, l'ora e il numero di tentativi.
";

/// The rule's id and, beside it, the rule in a few words (the crate's Fluent texts).
fn tag(r: RuleId, loc: &Localizer) -> String {
    format!("[{r} - {}]", loc.text(&r))
}

/// The example's own labels in the chosen language (the decisions, the rules, the halves and
/// the deliveries come from the crate's texts).
struct Labels {
    outcome: &'static str,
    todo: &'static str,
    refused: &'static str,
    profile: &'static str,
    version: &'static str,
    printer: &'static str,
    handed_to: [&'static str; 4],
    not_shown: &'static str,
    mail: &'static str,
    sent_to: &'static str,
    system: &'static str,
    consent_generated: &'static str,
    consent_acquired: &'static str,
    comune: &'static str,
    unnamed: &'static str,
    outbox: &'static str,
    failed_at: &'static str,
    detail: &'static str,
    retry: &'static str,
    journal: &'static str,
    entries: [&'static str; 2],
    verified: &'static str,
    situations: [&'static str; 11],
    confirms: &'static str,
    application: &'static str,
    visit: &'static str,
}

const IT: Labels = Labels {
    outcome: "Esito",
    todo: "Da fare",
    refused: "Respinto",
    profile: "Profilo",
    version: "versione",
    printer: "stampante",
    handed_to: [
        "al titolare",
        "al genitore",
        "al rappresentante legale",
        "al delegato",
    ],
    not_shown: "4 cifre, non mostrate",
    mail: "posta",
    sent_to: "inviata a",
    system: "sistema",
    consent_generated: "generato il modulo di consenso n. {}: da firmare",
    consent_acquired: "generato il modulo di consenso n. {}; firmato e acquisito",
    comune: "Comune",
    unnamed: "(nome non indicato nel profilo)",
    outbox: "in sospeso",
    failed_at: "Ultimo tentativo",
    detail: "dettaglio tecnico",
    retry: "Il servizio di posta torna disponibile: nuovo invio dei messaggi in sospeso",
    journal: "Registro",
    entries: ["voce", "voci"],
    verified: "catena e firme verificate",
    situations: [
        "Il titolare allo sportello con la propria CIE, e-mail registrata",
        "La titolare senza e-mail chiede la seconda metà su carta",
        "Un delegato con la delega firmata, per un titolare che non può venire",
        "Il titolare indica un indirizzo PEC per la seconda metà",
        "Il titolare indica un indirizzo su un dominio che nessun elenco conosce",
        "Un delegato chiede di cambiare l'e-mail",
        "Il titolare scrive via PEC con il modulo firmato digitalmente e un nuovo cellulare",
        "Il genitore di un minore, con la propria CIE",
        "Servizio a domicilio",
        "Un cittadino chiede i codici di una carta che non è la sua",
        "Il servizio di posta non risponde: la seconda metà resta in sospeso, con il motivo",
    ],
    confirms: "L'operatore conferma con il titolare che è una casella ordinaria:",
    application: "La domanda, inviata per e-mail con il certificato medico:",
    visit: "La visita, nel giorno fissato:",
};

const EN: Labels = Labels {
    outcome: "Outcome",
    todo: "To do",
    refused: "Refused",
    profile: "Profile",
    version: "version",
    printer: "printer",
    handed_to: [
        "to the holder",
        "to the parent",
        "to the legal representative",
        "to the delegate",
    ],
    not_shown: "4 digits, not shown",
    mail: "mail",
    sent_to: "sent to",
    system: "system",
    consent_generated: "consent form no. {} generated: to be signed",
    consent_acquired: "consent form no. {} generated; signed and acquired",
    comune: "Comune",
    unnamed: "(no name in the profile)",
    outbox: "pending",
    failed_at: "Last attempt",
    detail: "technical detail",
    retry: "The mail service is back: the pending messages are sent again",
    journal: "Journal",
    entries: ["entry", "entries"],
    verified: "chain and signatures verified",
    situations: [
        "The holder at the counter with their own CIE, e-mail registered",
        "The holder without e-mail asks for the second half on paper",
        "A delegate with the signed delegation, for a holder who cannot come",
        "The holder gives a PEC address for the second half",
        "The holder gives an address on a domain that no list knows",
        "A delegate asks to change the e-mail",
        "The holder writes by PEC with the digitally signed form and a new mobile",
        "The parent of a minor, with their own CIE",
        "Home visit",
        "A citizen asks for the codes of a card that is not theirs",
        "The mail service does not answer: the second half stays pending, with the reason",
    ],
    confirms: "The officer confirms with the holder that it is an ordinary mailbox:",
    application: "The application, sent by e-mail with the medical certificate:",
    visit: "The visit, on the day fixed:",
};

const DE: Labels = Labels {
    outcome: "Ergebnis",
    todo: "Zu erledigen",
    refused: "Abgelehnt",
    profile: "Profil",
    version: "Version",
    printer: "Drucker",
    handed_to: [
        "an die Karteninhaberin oder den Karteninhaber",
        "an den Elternteil",
        "an die gesetzliche Vertretung",
        "an die bevollmächtigte Person",
    ],
    not_shown: "4 Ziffern, nicht angezeigt",
    mail: "Post",
    sent_to: "gesendet an",
    system: "System",
    consent_generated: "Einverständniserklärung Nr. {} erstellt: zu unterschreiben",
    consent_acquired: "Einverständniserklärung Nr. {} erstellt; unterschrieben und erfasst",
    comune: "Gemeinde",
    unnamed: "(kein Name im Profil)",
    outbox: "ausstehend",
    failed_at: "Letzter Versuch",
    detail: "technisches Detail",
    retry: "Der Postdienst ist wieder erreichbar: Die ausstehenden Nachrichten werden erneut gesendet",
    journal: "Register",
    entries: ["Eintrag", "Einträge"],
    verified: "Kette und Signaturen geprüft",
    situations: [
        "Der Karteninhaber am Schalter mit der eigenen CIE, E-Mail hinterlegt",
        "Die Karteninhaberin ohne E-Mail beantragt die zweite Hälfte auf Papier",
        "Eine bevollmächtigte Person mit unterschriebener Vollmacht, für einen Karteninhaber, der nicht kommen kann",
        "Der Karteninhaber gibt für die zweite Hälfte eine PEC-Adresse an",
        "Der Karteninhaber gibt eine Adresse auf einer Domain an, die keine Liste kennt",
        "Eine bevollmächtigte Person beantragt die Änderung der E-Mail",
        "Der Karteninhaber schreibt per PEC mit digital signiertem Formular und neuer Mobilnummer",
        "Ein Elternteil einer minderjährigen Person, mit der eigenen CIE",
        "Hausbesuch",
        "Jemand beantragt die Codes einer Karte, die nicht die eigene ist",
        "Der Postdienst antwortet nicht: Die zweite Hälfte bleibt mit dem Grund ausstehend",
    ],
    confirms: "Die oder der Bedienstete bestätigt mit dem Karteninhaber, dass es ein gewöhnliches Postfach ist:",
    application: "Der Antrag, per E-Mail mit dem ärztlichen Attest gesendet:",
    visit: "Der Besuch, am vereinbarten Tag:",
};

fn labels(loc: &Localizer) -> &'static Labels {
    match loc.language().language.as_str() {
        "en" => &EN,
        "de" => &DE,
        _ => &IT,
    }
}

fn handed_to(l: &Labels, r: Requester) -> &'static str {
    match r {
        Requester::Holder => l.handed_to[0],
        Requester::ParentOfMinor => l.handed_to[1],
        Requester::LegalRepresentative => l.handed_to[2],
        Requester::Delegate => l.handed_to[3],
    }
}

/// "seconda metà del PIN" and the like, from the crate's texts.
fn half_of(loc: &Localizer, half: Half, code: CodeKind) -> String {
    let h = match half {
        Half::First => "first",
        Half::Second => "second",
    };
    let c = match code {
        CodeKind::Pin => "PIN",
        CodeKind::Puk => "PUK",
    };
    loc.render(&Message::new("half-of").with("half", h).with("code", c))
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

fn run(desk: &mut Desk, card: &str, request: Request, loc: &Localizer) -> Result<(), Failure> {
    let l = labels(loc);
    let card = CardNumber::parse(card)?;
    let report = desk.run(&card, request)?;
    if let Some(job) = &report.print_job {
        for item in &job.items {
            println!(
                "    [{}] {} {} ({})",
                l.printer,
                half_of(loc, item.half.half(), item.half.code()),
                handed_to(l, item.recipient),
                l.not_shown
            );
        }
    }
    let sent = &desk.notifier().sent;
    for s in sent.iter().rev().take(report.sent.len()).rev() {
        if let Recipient::Email(a) = &s.to {
            println!("    [{}] \"{}\" {} {a}", l.mail, s.subject, l.sent_to);
        }
    }
    if let Some(form) = report.consent_form {
        println!(
            "    [{}] {}",
            l.system,
            l.consent_generated.replace("{}", &form.0.to_string())
        );
    }
    print_pending(desk, loc)?;
    Ok(())
}

/// The second halves still to send, each with why its last attempt failed (for the officer).
fn print_pending(desk: &Desk, loc: &Localizer) -> Result<(), Failure> {
    let l = labels(loc);
    for record in desk.pending()? {
        println!("    [{}] {}", l.outbox, loc.text(&record));
        if let Some(f) = &record.failure {
            println!("      {}", loc.text(f));
            print!("      {}: {}", l.failed_at, utc(f.at));
            if f.detail.is_empty() {
                println!();
            } else {
                println!("; {}: {}", l.detail, f.detail);
            }
        }
    }
    Ok(())
}

/// A time as `2026-03-02 10:00 UTC`.
fn utc(t: Timestamp) -> String {
    let days = t.0 / 86_400;
    let secs = t.0 % 86_400;
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60
    )
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

fn new_desk_for(choice: &Choice, loc: &Localizer, own: Preset) -> Result<Desk, Failure> {
    new_desk(choice.profile(own)?, loc)
}

fn new_desk(profile: Profile, loc: &Localizer) -> Result<Desk, Failure> {
    let officer = SoftwareSigner::from_bytes(&[0x2a; 32]).ok_or("chiave dell'operatore")?;
    let comune = if profile.comune.name.is_empty() {
        String::from(labels(loc).unnamed)
    } else {
        format!("{} - {}", profile.comune.name, profile.comune.office)
    };
    println!("  {}: {comune}", labels(loc).comune);
    Ok(ReprintDesk::new(
        InMemoryIssuance::with_fixtures(officer.verifying_key()),
        RecordingNotifier::new(),
        profile,
        Box::new(officer),
    )?
    .with_pec_directory(Box::new(mailboxes()))
    .with_clock(Box::new(ManualClock::new(Timestamp(1_772_445_600))))
    // The holders of these situations are written to in the language of the demo.
    .with_language(&loc.language().to_string()))
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
    let l = labels(&loc);
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

    println!("1. {}", l.situations[0]);
    let mut d = new_desk_for(&choice, &loc, Preset::ResidentsWithDelegation)?;
    print_decision(&d.preview(&mario, holder.clone())?, &loc);
    run(&mut d, "CA00000AA", holder.clone(), &loc)?;
    desks.push(d);

    println!("\n2. {}", l.situations[1]);
    let mut d = new_desk_for(&choice, &loc, Preset::National)?;
    let mut paper = holder.clone();
    paper.second_half_to = SecondHalfTo::Paper;
    let giulia = CardNumber::parse("CA11111BB")?;
    print_decision(&d.preview(&giulia, paper.clone())?, &loc);
    let report = d.run(&giulia, paper.clone())?;
    if let Some(form) = report.consent_form {
        println!(
            "    [{}] {}",
            l.system,
            l.consent_acquired.replace("{}", &form.0.to_string())
        );
        d.acquire_consent(
            &giulia,
            &SignedScan {
                form,
                document: b"%PDF modulo firmato".to_vec(),
            },
        )?;
        print_decision(&d.preview(&giulia, paper.clone())?, &loc);
        run(&mut d, "CA11111BB", paper, &loc)?;
    }
    desks.push(d);

    println!("\n3. {}", l.situations[2]);
    match &choice {
        Choice::One(p) => {
            let mut d = new_desk((**p).clone(), &loc)?;
            print_decision(&d.preview(&mario, delegate.clone())?, &loc);
            run(&mut d, "CA00000AA", delegate.clone(), &loc)?;
            desks.push(d);
        }
        Choice::PerSituation => {
            for preset in [
                Preset::ResidentsWithDelegation,
                Preset::PecInadRequests,
                Preset::HomeVisitsAppointmentSeason,
            ] {
                let mut d = new_desk(preset.load()?, &loc)?;
                print_decision(&d.preview(&mario, delegate.clone())?, &loc);
                // Refused requests go through the desk too: every decision is journaled.
                run(&mut d, "CA00000AA", delegate.clone(), &loc)?;
                desks.push(d);
            }
        }
    }

    println!("\n4. {}", l.situations[3]);
    let mut d = new_desk_for(&choice, &loc, Preset::PecInadRequests)?;
    let mut pec = holder.clone();
    pec.second_half_to = SecondHalfTo::Email(mail("mario.rossi@pec.it")?);
    print_decision(&d.preview(&mario, pec.clone())?, &loc);
    run(&mut d, "CA00000AA", pec, &loc)?;
    desks.push(d);

    println!("\n5. {}", l.situations[4]);
    let mut d = new_desk_for(&choice, &loc, Preset::National)?;
    let mut unknown = holder.clone();
    unknown.second_half_to = SecondHalfTo::Email(mail("mario@studio-rossi.it")?);
    print_decision(&d.preview(&mario, unknown.clone())?, &loc);
    println!("  {}", l.confirms);
    unknown.confirmed_ordinary = vec![mail("mario@studio-rossi.it")?];
    print_decision(&d.preview(&mario, unknown.clone())?, &loc);
    run(&mut d, "CA00000AA", unknown, &loc)?;
    desks.push(d);

    println!("\n6. {}", l.situations[5]);
    let mut d = new_desk_for(&choice, &loc, Preset::ResidentsWithDelegation)?;
    let mut change = delegate.clone();
    change.wanted = HalfSet::EMPTY;
    change.contact_update.email = Some(mail("nuovo.indirizzo@example.it")?);
    print_decision(&d.preview(&mario, change.clone())?, &loc);
    run(&mut d, "CA00000AA", change, &loc)?;
    desks.push(d);

    println!("\n7. {}", l.situations[6]);
    let mut d = new_desk_for(&choice, &loc, Preset::PecInadRequests)?;
    let mut remote = holder.clone();
    remote.channel = Channel::PecSignedForm;
    remote.identification = Identification::DigitalSignature;
    remote.wanted = HalfSet::of(&[(CodeKind::Puk, Half::Second)]);
    remote.contact_update.mobile = Some(MobileNumber::parse("+39 347 000 1122")?);
    print_decision(&d.preview(&mario, remote.clone())?, &loc);
    run(&mut d, "CA00000AA", remote, &loc)?;
    desks.push(d);

    println!("\n8. {}", l.situations[7]);
    let mut d = new_desk_for(&choice, &loc, Preset::HomeVisitsAppointmentSeason)?;
    let mut parent = holder.clone();
    parent.requester = Requester::ParentOfMinor;
    print_decision(
        &d.preview(&CardNumber::parse("CA22222CC")?, parent.clone())?,
        &loc,
    );
    run(&mut d, "CA22222CC", parent, &loc)?;
    desks.push(d);

    println!("\n9. {}", l.situations[8]);
    let mut d = new_desk_for(&choice, &loc, Preset::HomeVisitsAppointmentSeason)?;
    let mut home = holder.clone();
    home.channel = Channel::HomeVisit;
    home.identification = Identification::NotYet;
    home.documents = DocumentSet::of(&[
        Document::MedicalCertificate,
        Document::IdentityDocumentCopy,
        Document::PhoneNumber,
    ]);
    println!(" {}", l.application);
    print_decision(&d.preview(&mario, home.clone())?, &loc);
    run(&mut d, "CA00000AA", home.clone(), &loc)?;
    home.appointment = Appointment::Booked;
    home.identification = Identification::Cie;
    home.contact_update.mobile = Some(MobileNumber::parse("+39 347 000 1122")?);
    println!(" {}", l.visit);
    print_decision(&d.preview(&mario, home.clone())?, &loc);
    run(&mut d, "CA00000AA", home, &loc)?;
    desks.push(d);

    println!("\n10. {}", l.situations[9]);
    let mut d = new_desk_for(&choice, &loc, Preset::National)?;
    let mut other = holder.clone();
    other.card = CardCheck::NotHoldersCard;
    print_decision(&d.preview(&mario, other.clone())?, &loc);
    run(&mut d, "CA00000AA", other, &loc)?;
    desks.push(d);

    println!("\n11. {}", l.situations[10]);
    let mut d = new_desk_for(&choice, &loc, Preset::ResidentsWithDelegation)?;
    d.notifier_mut().fail_next = 2;
    run(&mut d, "CA00000AA", holder.clone(), &loc)?;
    println!("  {}", l.retry);
    let sent = d.dispatch_pending()?;
    for s in d.notifier().sent.iter().rev().take(sent.len()).rev() {
        if let Recipient::Email(a) = &s.to {
            println!("    [{}] \"{}\" {} {a}", l.mail, s.subject, l.sent_to);
        }
    }
    print_pending(&d, &loc)?;
    desks.push(d);

    println!();
    for (i, d) in desks.iter().enumerate() {
        let entries = d.journal_entries()?;
        let head = journal::verify(&entries, &key)?;
        let voci = if head.seq == 1 {
            l.entries[0]
        } else {
            l.entries[1]
        };
        let n = i.saturating_add(1);
        println!("{} {n}: {} {voci}, {}", l.journal, head.seq, l.verified);
    }
    Ok(())
}
