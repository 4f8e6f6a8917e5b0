//! Crash test of the durable desk (feature `sqlite`): the test re-executes its own binary as
//! a child (env var `CIE_DESK_CRASH_DIR`) that runs desk requests against one SQLite file and
//! dies at random points, by `std::process::abort()` at injected points (after the backend
//! reprinted, before and after the notifier delivered) or by the parent's SIGKILL after a
//! random delay. The parent then reopens the store and checks that the journal verifies, that
//! no half was released (mailed or printed) without its journal entry, and that after
//! recovery the outbox delivered exactly what was decided, each message once. The desk keeps
//! its signed head in an anchor file too, and every reopen checks the store against it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use cie_pinpuk::codes::{CodeKind, Half};
use cie_pinpuk::desk::ReprintDesk;
use cie_pinpuk::issuance::*;
use cie_pinpuk::journal::{
    self, EntryKind, JournalStore, OrderSigner, SoftwareSigner, SqliteStore,
};
use cie_pinpuk::notify::{IdempotencyKey, Message, Notifier, NotifyError, OutboxState, Recipient};
use cie_pinpuk::policy::*;

const DIR_VAR: &str = "CIE_DESK_CRASH_DIR";
const SEED_VAR: &str = "CIE_DESK_CRASH_SEED";
const ROUNDS: u64 = 40;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn chance(&mut self, one_in: u64) -> bool {
        self.next().is_multiple_of(one_in)
    }
}

fn officer() -> SoftwareSigner {
    SoftwareSigner::from_bytes(&[0x5a; 32]).unwrap()
}

/// A durable, idempotent "mail gateway": one line per delivered key, appended with one write
/// and synced; a key already in the file is not delivered again.
struct FileGateway {
    path: PathBuf,
    rng: Option<Rng>,
}

impl Notifier for FileGateway {
    fn send(&mut self, m: &Message) -> Result<(), NotifyError> {
        m.check_not_pec(&BuiltinPecList)?;
        if let Some(r) = self.rng.as_mut()
            && r.chance(9)
        {
            std::process::abort(); // before delivery
        }
        let existing = fs::read_to_string(&self.path).unwrap_or_default();
        if !existing
            .lines()
            .any(|l| l.split(' ').next() == Some(m.key.as_str()))
        {
            let Recipient::Email(to) = &m.to else {
                return Err(NotifyError::Gateway);
            };
            let line = format!("{} {}\n", m.key.as_str(), to.as_str());
            let mut f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .unwrap();
            f.write_all(line.as_bytes()).unwrap();
            f.sync_all().unwrap();
        }
        if let Some(r) = self.rng.as_mut()
            && r.chance(5)
        {
            std::process::abort(); // delivered, not yet marked
        }
        Ok(())
    }
}

/// The backend, aborting at random right after a reprint (nothing journaled yet).
struct CrashyBackend {
    inner: InMemoryIssuance,
    rng: Rng,
}

impl IssuanceBackend for CrashyBackend {
    fn lookup(&self, card: &CardNumber) -> Result<CardRecord, IssuanceError> {
        self.inner.lookup(card)
    }
    fn reprint(&mut self, order: &SignedOrder) -> Result<Vec<ReprintedHalf>, IssuanceError> {
        let r = self.inner.reprint(order);
        if self.rng.chance(8) {
            std::process::abort();
        }
        r
    }
    fn generate_consent_form(&mut self, card: &CardNumber) -> Result<ConsentFormId, IssuanceError> {
        self.inner.generate_consent_form(card)
    }
    fn acquire_signed_consent(
        &mut self,
        card: &CardNumber,
        scan: &SignedScan,
    ) -> Result<(), IssuanceError> {
        self.inner.acquire_signed_consent(card, scan)
    }
    fn update_contacts(
        &mut self,
        card: &CardNumber,
        update: &Contacts,
    ) -> Result<(), IssuanceError> {
        self.inner.update_contacts(card, update)
    }
}

fn request(kind: u64) -> (CardNumber, Request) {
    let at = VisitTime {
        date: CivilDate::new(2026, 3, 2).unwrap(),
        time: TimeOfDay::saturating(10, 0),
    };
    let mut r = Request::new(Requester::Holder, Channel::Counter, at);
    r.identification = Identification::Cie;
    r.wanted = HalfSet::ALL;
    let card = match kind % 4 {
        0 => "CA00000AA",
        1 => {
            r.requester = Requester::Delegate;
            r.identification = Identification::IdentityDocument;
            r.documents = DocumentSet::of(&[Document::SignedDelegation]);
            "CA00000AA"
        }
        2 => {
            r.second_half_to =
                SecondHalfTo::Email(EmailAddress::parse("giulia.b@example.com").unwrap());
            "CA11111BB"
        }
        _ => {
            r.wanted = HalfSet::of(&[(CodeKind::Puk, Half::Second)]);
            "CA22222CC"
        }
    };
    (CardNumber::parse(card).unwrap(), r)
}

fn open_desk<B: IssuanceBackend, N: Notifier>(
    dir: &Path,
    backend: B,
    notifier: N,
) -> ReprintDesk<B, N> {
    let store = SqliteStore::open(dir.join("desk.sqlite")).unwrap();
    ReprintDesk::new(
        backend,
        notifier,
        Profile::preset(Preset::Seed000),
        Box::new(officer()),
    )
    .unwrap()
    .with_store(Box::new(store))
    .unwrap()
    // The latest signed head also in a file of its own: checked at every open (a crash
    // between the commit and the anchor write leaves the store one head ahead, which passes
    // because it extends the anchored head).
    .with_anchor(Box::new(journal::FileAnchor::new(dir.join("head.anchor"))))
    .unwrap()
}

/// The child role: recover, then run a few requests; may die anywhere.
#[test]
fn desk_crash_child_role() {
    let Ok(dir) = std::env::var(DIR_VAR) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let seed: u64 = std::env::var(SEED_VAR).unwrap().parse().unwrap();
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let backend = CrashyBackend {
        inner: InMemoryIssuance::with_fixtures(officer().verifying_key()),
        rng: Rng(rng.next() | 1),
    };
    let gateway = FileGateway {
        path: dir.join("mail.log"),
        rng: Some(Rng(rng.next() | 1)),
    };
    let mut desk = open_desk(&dir, backend, gateway);
    desk.dispatch_pending().unwrap();
    for _ in 0..3 {
        let (card, r) = request(rng.next());
        let report = desk.run(&card, r).unwrap();
        if let Some(job) = report.print_job {
            let mut f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join("printer.log"))
                .unwrap();
            for item in &job.items {
                writeln!(
                    f,
                    "{} {:?}-{:?}",
                    job.order_entry,
                    item.half.code(),
                    item.half.half()
                )
                .unwrap();
            }
            f.sync_all().unwrap();
        }
    }
}

#[test]
fn desk_crash_random_kills_keep_journal_and_outbox_exact() {
    if std::env::var(DIR_VAR).is_ok() {
        return;
    }
    let started = Instant::now();
    let dir = std::env::temp_dir().join(format!("cie-desk-crash-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let (mut aborted, mut killed, mut finished) = (0, 0, 0);
    for round in 0..ROUNDS {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "desk_crash_child_role",
                "--test-threads=1",
                "--quiet",
            ])
            .env(DIR_VAR, &dir)
            .env(SEED_VAR, (round + 1).to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let kill_after = Duration::from_millis(5 + rng.next() % 120);
        let deadline = Instant::now() + kill_after;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                if status.success() {
                    finished += 1;
                } else {
                    aborted += 1;
                }
                break;
            }
            if Instant::now() >= deadline && round % 3 == 0 {
                child.kill().unwrap();
                child.wait().unwrap();
                killed += 1;
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    assert!(
        aborted > 0 && finished + killed > 0,
        "aborted {aborted} killed {killed} finished {finished}"
    );

    // Reopen. Before recovery: everything mailed has its journal entry and outbox record.
    let store = SqliteStore::open(dir.join("desk.sqlite")).unwrap();
    let entries = store.entries().unwrap();
    journal::verify(&entries, &officer().verifying_key()).unwrap();
    // The store passes its own checks, extends the anchored head (never behind it), and its
    // tree matches its signed head.
    {
        use journal::HeadAnchor;
        let anchor = journal::FileAnchor::new(dir.join("head.anchor"));
        let anchored = anchor.latest().unwrap();
        assert!(anchored.is_some());
        let j = journal::Journal::open(
            SqliteStore::open(dir.join("desk.sqlite")).unwrap(),
            &officer().verifying_key(),
        )
        .unwrap();
        j.check_anchor(anchored.as_ref()).unwrap();
        assert!(j.signed_head().unwrap().size >= anchored.unwrap().size);
        j.audit().unwrap();
    }
    let mail_keys = |dir: &Path| -> Vec<String> {
        fs::read_to_string(dir.join("mail.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| l.split(' ').next().unwrap().to_string())
            .collect()
    };
    let outbox_keys: BTreeSet<String> = store
        .outbox()
        .unwrap()
        .iter()
        .map(|r| r.key.as_str().to_string())
        .collect();
    for k in mail_keys(&dir) {
        assert!(
            outbox_keys.contains(&k),
            "mailed without outbox record / journal entry: {k}"
        );
    }

    // What was decided: the e-mail deliveries of every reprint-ordered entry.
    let mut decided: BTreeSet<String> = BTreeSet::new();
    let mut orders: BTreeMap<u64, ()> = BTreeMap::new();
    for e in entries
        .iter()
        .filter(|e| e.kind == EntryKind::ReprintOrdered)
    {
        orders.insert(e.seq, ());
        let deliveries = e
            .detail
            .split(' ')
            .find_map(|p| p.strip_prefix("deliveries="))
            .unwrap();
        for d in deliveries.split(',') {
            let parts: Vec<&str> = d.split(':').collect();
            if parts[1] != "email" {
                continue;
            }
            let (code, half) = match parts[0] {
                "PIN-second" => (CodeKind::Pin, Half::Second),
                "PUK-second" => (CodeKind::Puk, Half::Second),
                other => panic!("unexpected {other}"),
            };
            let to = EmailAddress::parse(parts[2]).unwrap();
            decided.insert(
                IdempotencyKey::derive(&e.card, e.seq, code, half, &to)
                    .as_str()
                    .to_string(),
            );
        }
    }
    assert_eq!(
        decided, outbox_keys,
        "outbox differs from the decided e-mail deliveries"
    );

    // Printed halves: each has its order and its printed-on-paper entry.
    let printed_orders: BTreeSet<u64> = entries
        .iter()
        .filter(|e| e.kind == EntryKind::PrintedOnPaper)
        .map(|e| {
            e.detail
                .split(' ')
                .find_map(|p| p.strip_prefix("order="))
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    for line in fs::read_to_string(dir.join("printer.log"))
        .unwrap_or_default()
        .lines()
    {
        let seq: u64 = line.split(' ').next().unwrap().parse().unwrap();
        assert!(
            orders.contains_key(&seq) && printed_orders.contains(&seq),
            "printed without journal: {line}"
        );
    }
    drop(store);

    // Recovery in the parent, without crashes: exactly the decided messages, each once.
    let gateway = FileGateway {
        path: dir.join("mail.log"),
        rng: None,
    };
    let mut desk = open_desk(
        &dir,
        InMemoryIssuance::with_fixtures(officer().verifying_key()),
        gateway,
    );
    desk.dispatch_pending().unwrap();
    let mailed = mail_keys(&dir);
    let unique: BTreeSet<String> = mailed.iter().cloned().collect();
    assert_eq!(unique.len(), mailed.len(), "a message was delivered twice");
    assert_eq!(
        unique, decided,
        "the outbox did not deliver exactly what was decided"
    );
    assert!(
        desk.outbox()
            .unwrap()
            .iter()
            .all(|r| r.state == OutboxState::Sent)
    );
    let entries = desk.journal_entries().unwrap();
    journal::verify(&entries, &desk.verifying_key()).unwrap();
    // P-POL2: no entry holds a digit of any code of the run.
    for e in &entries {
        let text = e.content();
        for f in FIXTURE_CARDS {
            for code in [f.pin, f.puk] {
                for part in [code, &code[..4], &code[4..]] {
                    assert!(!text.contains(part), "entry {} holds {part}", e.seq);
                }
            }
        }
    }
    let sent_entries = entries
        .iter()
        .filter(|e| e.kind == EntryKind::NotificationSent)
        .count();
    assert_eq!(
        sent_entries,
        decided.len(),
        "one notification-sent entry per message"
    );
    eprintln!(
        "crash test: {ROUNDS} rounds, {aborted} aborted, {killed} killed, {finished} finished, {} entries, {} messages, {:?}",
        entries.len(),
        decided.len(),
        started.elapsed()
    );
    let _ = fs::remove_dir_all(&dir);
}
