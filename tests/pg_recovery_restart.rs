//! The PostgreSQL server restarted under two recovery instances (feature `postgres`). A test
//! binary of its own: the restart cuts every connection of the server, so no other test may
//! run beside it. Needs `CIE_PG_URL` from `scripts/pg-stack run` and, to restart the server,
//! root (the server runs as the `postgres` user) and `pg_ctl`; otherwise it says SKIPPED and
//! passes. The new postmaster's pid is written where `scripts/pg-stack` stops the server.
#![cfg(all(feature = "postgres", feature = "emulator", feature = "mock"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod pg_support;
mod recovery_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use cie_pinpuk::codes::CodeKind;
use cie_pinpuk::journal::{ManualClock, Timestamp};
use cie_pinpuk::notify::RecordingNotifier;
use cie_pinpuk::recovery::{
    CompletionOutcome, EventKind, MemoryRegistry, PgRecoveryStore, PukRecovery, RecoveryConfig,
    RecoveryError, RecoveryRequest, RecoveryStore, RecoveryStoreError, RequestOutcome,
    verify_journal,
};
use pg_support::*;
use recovery_support::*;

type Instance<'a> =
    PukRecovery<PgRecoveryStore, &'a MemoryRegistry, RecordingNotifier, ManualClock>;

fn instance<'a>(url: &str, reg: &'a MemoryRegistry) -> Instance<'a> {
    PukRecovery::open(
        PgRecoveryStore::connect(url).unwrap(),
        reg,
        RecordingNotifier::new(),
        ManualClock::new(Timestamp(T0)),
        secret(),
        RecoveryConfig::default(),
    )
    .unwrap()
}

fn pg_ctl() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|d| d.ok().map(|d| d.path().join("bin/pg_ctl")))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// Restarts the server of `data` and records the new postmaster's pid for `scripts/pg-stack`.
fn restart(pg_ctl: &Path, data: &Path) {
    let st = Command::new("runuser")
        .args(["-u", "postgres", "--"])
        .arg(pg_ctl)
        .args(["restart", "-m", "fast", "-w", "-t", "60", "-l"])
        .arg(data.parent().unwrap().join("restart-recovery.log"))
        .arg("-D")
        .arg(data)
        .status()
        .unwrap();
    assert!(st.success(), "pg_ctl restart failed");
    let pid_file = std::fs::read_to_string(data.join("postmaster.pid")).unwrap();
    let pid = pid_file.lines().next().unwrap().trim().to_string();
    let stack_pid = data.parent().unwrap().join("pid");
    if stack_pid.exists() {
        std::fs::write(stack_pid, format!("{pid}\n")).unwrap();
    }
}

/// Retries `op` after at most two `NotCommitted` (the connection lost to the restart).
fn retried<T>(mut op: impl FnMut() -> Result<T, RecoveryError>) -> T {
    let mut lost = 0;
    loop {
        match op() {
            Ok(t) => return t,
            Err(RecoveryError::Store(RecoveryStoreError::NotCommitted { .. })) if lost < 2 => {
                lost += 1;
            }
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn pg_rec_server_restarted_instances_reconnect_release_once() {
    let name = "pg_rec_server_restarted_instances_reconnect_release_once";
    let Some(url) = fresh_schema(name, "t_rec_restart") else {
        return;
    };
    let (Some(pg_ctl), true) = (pg_ctl(), is_root()) else {
        eprintln!("SKIPPED {name}: restarting the server needs root and pg_ctl");
        return;
    };
    let data: String = client(&url)
        .query_one("SHOW data_directory", &[])
        .unwrap()
        .get(0);
    let reg = registry();
    let mut a = instance(&url, &reg);
    let mut b = instance(&url, &reg);
    let mut r = rng(1);
    let ch = a.challenge(SERIAL, &mut r).unwrap();
    let (typed, key) = (contacts(Some(EMAIL), Some(MOBILE)), device_key());
    let RequestOutcome::Accepted { procedure: id, .. } = a
        .request(
            &RecoveryRequest {
                code: CodeKind::Puk,
                serial: SERIAL,
                nis: NIS,
                contacts: &typed,
                proof: &sign(&ch),
                device_key: &key,
            },
            &mut r,
        )
        .unwrap()
    else {
        panic!("refused")
    };
    a.store().shift_test_clock(H48 as i64 + 1).unwrap();
    restart(&pg_ctl, Path::new(&data));
    std::thread::sleep(Duration::from_millis(200));
    // Each instance: at most two NotCommitted (nothing written), then it connects again.
    let sent =
        retried(|| b.tick(&mut rng(2))).codes_sent + retried(|| a.tick(&mut rng(3))).codes_sent;
    assert_eq!(sent, 1);
    let code = last_code(if b.notifier().sent.is_empty() {
        a.notifier()
    } else {
        b.notifier()
    });
    let mut seed = 10;
    let out = retried(|| {
        seed += 1;
        let mut r = rng(seed);
        let ch = a.challenge(SERIAL, &mut r)?;
        a.complete(&id, &code, &sign(&ch), &mut r)
    });
    assert!(matches!(out, CompletionOutcome::Released(_)));
    let journal = PgRecoveryStore::connect(&url).unwrap().journal().unwrap();
    verify_journal(&journal).unwrap();
    assert_eq!(
        journal
            .iter()
            .filter(|e| e.kind == EventKind::Released)
            .count(),
        1
    );
    assert_eq!(
        journal
            .iter()
            .filter(|e| e.kind == EventKind::CodeSent)
            .count(),
        1
    );
}
