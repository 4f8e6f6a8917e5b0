//! F6: the PostgreSQL server restarted under two desks (feature `postgres`). A test binary of
//! its own: the restart cuts every connection of the server, so no other test may run beside
//! it. Needs `CIE_PG_URL` from `scripts/pg-stack run` and, to restart the server, root (the
//! server runs as the `postgres` user) and `pg_ctl`; otherwise it says SKIPPED and passes.
//! The new postmaster's pid is written where `scripts/pg-stack` stops the server by pid.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod pg_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use cie_pinpuk::journal::{
    self, EntryKind, Journal, JournalError, ManualClock, OrderSigner, PgStore, SoftwareSigner,
    StoreError, Timestamp,
};
use cie_pinpuk::policy::RuleId;
use pg_support::*;

fn officer() -> SoftwareSigner {
    SoftwareSigner::from_bytes(&[7; 32]).unwrap()
}

fn append(j: &mut Journal<PgStore>, detail: &str) -> Result<journal::Entry, JournalError> {
    j.append(
        &ManualClock::new(Timestamp(1_772_442_000)),
        &officer(),
        EntryKind::Decision,
        vec![RuleId::R1],
        "CA00000AA",
        detail,
        &[],
        None,
    )
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

/// Restarts the server of `data` (fast shutdown, start with the options it was started with)
/// and records the new postmaster's pid for `scripts/pg-stack`.
fn restart(pg_ctl: &Path, data: &Path) {
    let st = Command::new("runuser")
        .args(["-u", "postgres", "--"])
        .arg(pg_ctl)
        .args(["restart", "-m", "fast", "-w", "-t", "60", "-l"])
        .arg(data.parent().unwrap().join("restart.log"))
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

#[test]
fn pg_fault6_server_restarted_desks_reconnect_log_continues() {
    let name = "pg_fault6_server_restarted_desks_reconnect_log_continues";
    let Some(url) = fresh_schema(name, "t_srv_restart") else {
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
    let mut a = Journal::open(PgStore::connect(&url).unwrap(), &officer().verifying_key()).unwrap();
    let mut b = Journal::open(PgStore::connect(&url).unwrap(), &officer().verifying_key()).unwrap();
    append(&mut a, "desk=a").unwrap();
    append(&mut b, "desk=b").unwrap();
    restart(&pg_ctl, Path::new(&data));
    std::thread::sleep(Duration::from_millis(200));
    // Each desk: at most one NotCommitted (nothing written) for its lost connection, then it
    // connects again and appends.
    for (j, d) in [(&mut a, "desk=a"), (&mut b, "desk=b")] {
        let mut lost = 0;
        loop {
            match append(j, d) {
                Ok(_) => break,
                Err(JournalError::Store(StoreError::NotCommitted { .. })) if lost < 2 => lost += 1,
                Err(e) => panic!("{e}"),
            }
        }
    }
    let j = Journal::open(PgStore::connect(&url).unwrap(), &officer().verifying_key()).unwrap();
    let entries = j.entries().unwrap();
    assert_eq!(entries.len(), 4);
    journal::verify(&entries, &officer().verifying_key()).unwrap();
    assert_eq!(j.audit().unwrap().unwrap().size, 4);
}
