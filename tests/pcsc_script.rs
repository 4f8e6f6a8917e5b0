//! `scripts/pcsc-stack` itself: namespaces, exit status, and that it leaves no process behind.
//!
//! These start their own (nested) stacks, so they run only where the stack can run: under
//! `scripts/pcsc-stack run -- cargo test --features pcsc,emulator --test pcsc_script`.
#![cfg(all(feature = "pcsc", feature = "emulator"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pcsc-stack")
}

fn enabled(test: &str) -> bool {
    let on = std::env::var("CIE_PCSC_STACK").as_deref() == Ok("1");
    if !on {
        eprintln!(
            "{test}: skipped: PC/SC stack not running (use scripts/pcsc-stack run -- \
             cargo test --features pcsc,emulator --test pcsc_script)"
        );
    }
    on
}

fn stack(args: &[&str], state: Option<&Path>) -> Output {
    let mut c = Command::new(script());
    c.args(args).env("CIE_PCSC_NO_INSTALL", "1");
    if let Some(dir) = state {
        c.env("CIE_PCSC_STACK_DIR", dir);
    }
    c.output().unwrap()
}

/// The pids the script reports as started ("<name> pid N").
fn started_pids(stderr: &str) -> Vec<u32> {
    stderr
        .lines()
        .filter_map(|l| {
            let rest = l.split(" pid ").nth(1)?;
            rest.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        })
        .collect()
}

/// Whether `pid` is still a process with that command name.
fn alive_as(pid: u32, comm: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == comm)
}

#[test]
fn pcsc_script_run_isolates_propagates_status_and_leaves_nothing_behind() {
    if !enabled("pcsc_script_run") {
        return;
    }
    let out = stack(
        &[
            "run",
            "--",
            "sh",
            "-c",
            "ip -o link | wc -l; echo stack=$CIE_PCSC_STACK; \
             opensc-tool --list-readers | grep -c 'Virtual PCD'; exit 7",
        ],
        None,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(7), "{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().map(str::trim).collect();
    assert_eq!(
        lines,
        ["1", "stack=1", "2"],
        "only loopback; both vpcd readers\n{stderr}"
    );
    let pids = started_pids(&stderr);
    assert_eq!(pids.len(), 1, "one pcscd started: {stderr}");
    assert!(
        stderr.contains(&format!("stopped pcscd (pid {})", pids[0])),
        "{stderr}"
    );
    assert!(
        !alive_as(pids[0], "pcscd"),
        "pcscd {} left running",
        pids[0]
    );
    // Its state directory is gone too.
    let sock = stderr
        .split("socket ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    let dir = Path::new(sock.trim_end_matches(')'))
        .parent()
        .unwrap()
        .parent()
        .unwrap();
    assert!(!dir.exists(), "{} left behind", dir.display());
}

const PY_CARD: &str = r#"
import socket, struct
s = socket.create_connection(("127.0.0.1", 35963))
atr = bytes.fromhex("3B8F8001803180 65B085040011120FFF829000 8A".replace(" ", ""))
def rx(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise SystemExit(0)
        b += c
    return b
while True:
    (n,) = struct.unpack(">H", rx(2))
    m = rx(n)
    if len(m) == 1:
        if m[0] == 4:
            s.sendall(struct.pack(">H", len(atr)) + atr)
    else:
        s.sendall(b"\x00\x02\x90\x00")
"#;

#[test]
fn pcsc_script_up_with_a_card_exec_status_down() {
    if !enabled("pcsc_script_up") {
        return;
    }
    if Command::new("python3")
        .arg("-c")
        .arg("pass")
        .status()
        .is_err()
    {
        eprintln!("pcsc_script_up: skipped: python3 (the stand-in card) is not installed");
        return;
    }
    let base = std::env::temp_dir().join(format!("cie-pcsc-script-test-{}", std::process::id()));
    std::fs::create_dir_all(&base).unwrap();
    let card = base.join("card.py");
    std::fs::write(&card, PY_CARD).unwrap();
    let state = base.join("state");
    let card_cmd = format!("python3 {}", card.display());

    let up = stack(&["up", "--card", &card_cmd], Some(&state));
    let up_err = String::from_utf8_lossy(&up.stderr).into_owned();
    let pids = started_pids(&up_err);
    let result = std::panic::catch_unwind(|| {
        assert!(up.status.success(), "{up_err}");
        let exports = String::from_utf8_lossy(&up.stdout);
        let sock = state.join("run/pcscd.comm");
        assert!(exports.contains(&format!("export PCSCLITE_CSOCK_NAME={}", sock.display())));
        assert_eq!(pids.len(), 2, "pcscd and the card: {up_err}");

        let status = stack(&["status"], Some(&state));
        let status = String::from_utf8_lossy(&status.stdout);
        assert!(status.contains("pcscd: pid"), "{status}");
        assert!(status.contains("card: pid"), "{status}");
        assert!(status.contains("Yes"), "card present: {status}");

        // A host client reaches the private pcscd through its socket.
        let atr = Command::new("opensc-tool")
            .arg("--atr")
            .env("PCSCLITE_CSOCK_NAME", &sock)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&atr.stdout).trim(),
            "3b:8f:80:01:80:31:80:65:b0:85:04:00:11:12:0f:ff:82:90:00:8a"
        );
        // `exec` runs inside the namespace.
        let ex = stack(
            &["exec", "--", "sh", "-c", "ip -o link | wc -l"],
            Some(&state),
        );
        assert_eq!(String::from_utf8_lossy(&ex.stdout).trim(), "1");
    });
    let down = stack(&["down"], Some(&state));
    assert!(down.status.success());
    for pid in &pids {
        assert!(
            !alive_as(*pid, "pcscd") && !alive_as(*pid, "python3"),
            "pid {pid} left running"
        );
    }
    assert!(!state.exists(), "state dir left behind");
    std::fs::remove_dir_all(&base).unwrap();
    if let Err(p) = result {
        std::panic::resume_unwind(p);
    }
}
