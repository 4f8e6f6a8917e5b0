//! Shared by the PostgreSQL tests: the server named by `CIE_PG_URL` (set by
//! `scripts/pg-stack run -- ...`), one fresh schema per test, child processes.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Child, Command, Stdio};

pub(crate) const URL_VAR: &str = "CIE_PG_URL";
pub(crate) const ROLE_VAR: &str = "CIE_PG_CHILD_ROLE";

/// The server's connection string, or `None` after saying clearly that the test is skipped.
pub(crate) fn base_url(test: &str) -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            eprintln!(
                "SKIPPED {test}: {URL_VAR} is not set (run under `scripts/pg-stack run -- cargo test ...`)"
            );
            None
        }
    }
}

/// A connection string to a fresh, empty schema `name` (dropped first if left by a run).
pub(crate) fn fresh_schema(test: &str, name: &str) -> Option<String> {
    let base = base_url(test)?;
    let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name};"
        ))
        .unwrap();
    Some(in_schema(&base, name))
}

/// `base` with its search path set to `name`.
pub(crate) fn in_schema(base: &str, name: &str) -> String {
    format!("{base} options='-c search_path={name}'")
}

/// A plain client on `url` (assertions, fault injection).
pub(crate) fn client(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap()
}

/// Terminates backend `pid` (what a dropped connection or a server shutdown does to it).
pub(crate) fn terminate(url: &str, pid: i32) {
    let mut c = client(url);
    let ok: bool = c
        .query_one("SELECT pg_terminate_backend($1)", &[&pid])
        .unwrap()
        .get(0);
    assert!(ok, "backend {pid} not terminated");
}

/// Re-runs this test binary as a child that runs only test `entry` with `role`.
pub(crate) fn spawn_child(entry: &str, role: &str, envs: &[(&str, String)]) -> Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", entry, "--nocapture", "--test-threads=1"])
        .env(ROLE_VAR, role)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

/// The role of this process when it was started by [`spawn_child`].
pub(crate) fn child_role() -> Option<String> {
    std::env::var(ROLE_VAR).ok()
}

/// Small deterministic generator.
pub(crate) struct Rng(pub(crate) u64);
impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}
