//! The `cie-pin` tool (feature `cli`) driven as a citizen would, on the built-in virtual card
//! (`--virtual FILE`): help and errors in the user's language, exit codes, codes only from
//! standard input, input refused before the card is touched, and no file written then.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const PIN: &str = "12345678";
const PUK: &str = "87654321";

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cie-pin-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs the tool with `args` (OS strings allowed), `stdin` piped, no locale but `lang_env`.
fn run_with(args: &[&std::ffi::OsStr], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cie-pin"));
    cmd.args(args)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("CIE_PIN_TEXTS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    // The tool may exit before reading everything (refused input): ignore a broken pipe.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    out
}

fn run(args: &[&str], stdin: &str) -> Output {
    let os: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    run_with(&os, stdin, &[])
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn state(path: &Path) -> Option<Vec<u8>> {
    std::fs::read(path).ok()
}

/// The counters kept in a state file (`pin_tries`, `puk_tries`). Opening a session moves
/// the virtual card's random-number counter, so a file is compared by its counters once the
/// card was used.
fn tries(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|l| l.starts_with("pin_tries") || l.starts_with("puk_tries"))
        .map(str::to_string)
        .collect()
}

fn card(d: &Path) -> String {
    d.join("card.state").to_str().unwrap().to_string()
}

#[test]
fn cli1_help_is_in_the_users_language_and_lists_the_exit_codes() {
    for (args, env, expect) in [
        (vec!["--help"], vec![], "Codici di uscita"),
        (vec!["--lang", "en", "--help"], vec![], "Exit codes"),
        (vec!["--lang=de", "-h"], vec![], "Exit-Codes"),
        (vec!["--help"], vec![("LANG", "de_IT.UTF-8")], "Exit-Codes"),
        (
            vec!["--help"],
            vec![("LANG", "de_IT.UTF-8"), ("LC_ALL", "en_GB.UTF-8")],
            "Exit codes",
        ),
        (
            vec!["status", "--help"],
            vec![("LC_MESSAGES", "en_US")],
            "Exit codes",
        ),
    ] {
        let os: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
        let o = run_with(&os, "", &env);
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        assert!(
            stdout(&o).contains(expect),
            "{args:?} {env:?}: {}",
            stdout(&o)
        );
        assert!(stderr(&o).is_empty());
        for n in 0..=6 {
            assert!(
                stdout(&o).contains(&format!("\n  {n}  ")),
                "exit code {n} not documented"
            );
        }
    }
}

#[test]
fn cli2_usage_errors_exit_2_in_the_users_language() {
    let o = run(&["--lang", "it", "statu"], "");
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("argomento sconosciuto «statu»"),
        "{}",
        stderr(&o)
    );
    let o = run(&["--lang", "de"], "");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("der Befehl fehlt"), "{}", stderr(&o));
    let o = run(
        &["--lang", "en", "--virtual", "x", "--reader", "y", "status"],
        "",
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("cannot be used together"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());
}

#[test]
fn cli3_no_panic_on_any_argument_even_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let d = dir("utf8");
    let bad = std::ffi::OsStr::from_bytes(b"\xff\xfe");
    let vpath = d.join(std::ffi::OsStr::from_bytes(b"\xffcard.state"));
    let cases: Vec<Vec<&std::ffi::OsStr>> = vec![
        vec![bad],
        vec![
            std::ffi::OsStr::new("--lang"),
            bad,
            std::ffi::OsStr::new("--help"),
        ],
        vec![
            std::ffi::OsStr::new("--reader"),
            bad,
            std::ffi::OsStr::new("status"),
        ],
        vec![std::ffi::OsStr::new("status"), bad],
        vec![std::ffi::OsStr::new("--lang")],
        vec![std::ffi::OsStr::new("--virtual")],
        vec![std::ffi::OsStr::new("")],
    ];
    for args in cases {
        let o = run_with(&args, "", &[]);
        assert!(matches!(code(&o), 0 | 2), "{args:?}: {}", stderr(&o));
    }
    // A non-UTF-8 state file name works.
    let o = run_with(
        &[
            std::ffi::OsStr::new("--virtual"),
            vpath.as_os_str(),
            std::ffi::OsStr::new("status"),
        ],
        "",
        &[],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(vpath.exists());
}

#[test]
fn cli4_status_on_the_virtual_card() {
    let d = dir("status");
    let c = card(&d);
    let o = run(&["--lang", "it", "--virtual", &c, "status"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "Numero di serie: CA00000AA\nPIN: Restano 3 tentativi.\nPUK: Restano 10 tentativi.\n"
    );
    // Not a terminal: no progress line on stderr.
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    // A status spends no try.
    let before = tries(Path::new(&c));
    assert_eq!(before, ["pin_tries = 3", "puk_tries = 10"]);
    let o = run(&["--lang", "de", "--virtual", &c, "status"], "");
    assert!(
        stdout(&o).contains("PIN: Es bleiben 3 Versuche."),
        "{}",
        stdout(&o)
    );
    assert_eq!(tries(Path::new(&c)), before);
}

#[test]
fn cli5_verify_right_and_wrong_pin_with_exit_codes() {
    let d = dir("verify");
    let c = card(&d);
    let o = run(
        &["--lang", "it", "--virtual", &c, "verify"],
        &format!("{PIN}\n"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "PIN corretto.\n");
    let o = run(&["--lang", "it", "--virtual", &c, "verify"], "00000000\n");
    assert_eq!(code(&o), 1);
    assert_eq!(stderr(&o), "cie-pin: PIN errato: restano 2 tentativi.\n");
    let o = run(&["--lang", "en", "--virtual", &c, "verify"], "00000000\n");
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("1 try left. One more mistake blocks the PIN"),
        "{}",
        stderr(&o)
    );
    // The last try is refused without --confirm-last-try: exit 4, nothing spent.
    let before = tries(Path::new(&c));
    assert_eq!(before, ["pin_tries = 1", "puk_tries = 10"]);
    let o = run(&["--lang", "it", "--virtual", &c, "verify"], "00000000\n");
    assert_eq!(code(&o), 4);
    assert!(
        stderr(&o).contains("Resta un solo tentativo"),
        "{}",
        stderr(&o)
    );
    assert_eq!(tries(Path::new(&c)), before);
    // Confirmed, the right PIN restores the tries.
    let o = run(
        &["--virtual", &c, "--confirm-last-try", "verify"],
        &format!("{PIN}\n"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(&["--lang", "en", "--virtual", &c, "status"], "");
    assert!(stdout(&o).contains("PIN: 3 tries left."), "{}", stdout(&o));
}

/// Every case refused before the card: exit 3, and the state file neither created nor
/// rewritten.
#[test]
fn cli6_refused_input_touches_no_card_and_writes_nothing() {
    let d = dir("refused");
    let c = card(&d);
    let cases: [(&[&str], String, &str); 8] = [
        (&["verify"], "1234\n".into(), "deve essere di 8 cifre"),
        (&["verify"], "1234abcd\n".into(), "non è una cifra"),
        (&["verify"], "".into(), "Manca un codice"),
        (
            &["change"],
            format!("{PIN}\n11111111\n11111111\n"),
            "tutte le cifre uguali",
        ),
        (
            &["change"],
            format!("{PIN}\n12345678\n12345678\n"),
            "sequenza crescente",
        ),
        (
            &["change"],
            format!("{PIN}\n{PIN}\n{PIN}\n"),
            "non è accettabile",
        ),
        (
            &["change"],
            format!("{PIN}\n40271953\n40271954\n"),
            "non coincidono",
        ),
        (
            &["unblock"],
            format!("{PUK}\n87654321\n87654321\n"),
            "sequenza decrescente",
        ),
    ];
    // No file yet: none is created.
    for (args, input, expect) in &cases {
        let mut all = vec!["--lang", "it", "--virtual", &c];
        all.extend_from_slice(args);
        let o = run(&all, input);
        assert_eq!(code(&o), 3, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{args:?}: {}", stderr(&o));
        assert!(!Path::new(&c).exists(), "{args:?} created the state file");
    }
    // An existing file is left byte for byte (and not rewritten: same modification time).
    let o = run(&["--virtual", &c, "status"], "");
    assert_eq!(code(&o), 0);
    let before = state(Path::new(&c)).unwrap();
    let mtime = std::fs::metadata(&c).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    for (args, input, _) in &cases {
        let mut all = vec!["--lang", "it", "--virtual", &c];
        all.extend_from_slice(args);
        assert_eq!(code(&run(&all, input)), 3);
        assert!(
            state(Path::new(&c)).unwrap() == before,
            "{args:?} rewrote the file"
        );
        assert_eq!(std::fs::metadata(&c).unwrap().modified().unwrap(), mtime);
    }
}

#[test]
fn cli7_codes_never_come_from_the_command_line() {
    let d = dir("argv");
    let c = card(&d);
    let o = run(&["--lang", "en", "--virtual", &c, "verify", PIN], "");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("unknown argument"), "{}", stderr(&o));
    assert!(!Path::new(&c).exists());
}

#[test]
fn cli8_change_then_unblock_the_whole_story() {
    let d = dir("story");
    let c = card(&d);
    let new = "40271953";
    let o = run(
        &["--lang", "it", "--virtual", &c, "change"],
        &format!("{PIN}\n{new}\n{new}\n"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "PIN cambiato.\n");
    assert_eq!(
        code(&run(&["--virtual", &c, "verify"], &format!("{new}\n"))),
        0
    );
    // Block it: two wrong, then the confirmed last one.
    run(&["--virtual", &c, "verify"], "00000000\n");
    run(&["--virtual", &c, "verify"], "00000000\n");
    let o = run(
        &[
            "--lang",
            "it",
            "--virtual",
            &c,
            "--confirm-last-try",
            "verify",
        ],
        "00000000\n",
    );
    assert_eq!(code(&o), 4);
    assert!(stderr(&o).contains("Il PIN è bloccato"), "{}", stderr(&o));
    let o = run(
        &["--lang", "de", "--virtual", &c, "verify"],
        &format!("{new}\n"),
    );
    assert_eq!(code(&o), 4);
    assert!(
        stderr(&o).contains("Die PIN ist gesperrt"),
        "{}",
        stderr(&o)
    );
    // A wrong PUK: exit 1.
    let o = run(
        &["--lang", "en", "--virtual", &c, "unblock"],
        "11112222\n31415926\n31415926\n",
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("Wrong PUK: 9 tries left."),
        "{}",
        stderr(&o)
    );
    let o = run(
        &["--lang", "en", "--virtual", &c, "unblock"],
        &format!("{PUK}\n31415926\n31415926\n"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "PIN unblocked and replaced with the new one.\n");
    assert_eq!(code(&run(&["--virtual", &c, "verify"], "31415926\n")), 0);
}

#[test]
fn cli9_an_integrators_language_from_cie_pin_texts() {
    let d = dir("texts");
    std::fs::write(
        d.join("fr.ftl"),
        "cli-verified = PIN correct.\npin-wrong = { $code } erroné : { $remaining } essais restants.\n",
    )
    .unwrap();
    let c = card(&d);
    let texts = d.to_str().unwrap();
    let o = run_with(
        &["--lang", "fr", "--virtual", &c, "verify"].map(std::ffi::OsStr::new),
        &format!("{PIN}\n"),
        &[("CIE_PIN_TEXTS", texts)],
    );
    assert_eq!(stdout(&o), "PIN correct.\n", "{}", stderr(&o));
    let o = run_with(
        &["--lang", "fr", "--virtual", &c, "verify"].map(std::ffi::OsStr::new),
        "00000000\n",
        &[("CIE_PIN_TEXTS", texts)],
    );
    assert_eq!(stderr(&o), "cie-pin: PIN erroné : 2 essais restants.\n");
    // What fr lacks is in Italian (the fallback).
    let o = run_with(
        &["--lang", "fr", "--virtual", &c, "verify"].map(std::ffi::OsStr::new),
        "123\n",
        &[("CIE_PIN_TEXTS", texts)],
    );
    assert!(stderr(&o).contains("8 cifre"), "{}", stderr(&o));
}

#[test]
fn cli10_readers_without_pcsc_or_without_a_reader_is_exit_5() {
    let o = run(&["--lang", "en", "readers"], "");
    // Built without pcsc: says so; with pcsc but no pcscd: the service is not running; with
    // pcscd: the list (exit 0).
    assert!(matches!(code(&o), 0 | 5), "{}", stderr(&o));
    if code(&o) == 5 {
        let e = stderr(&o);
        assert!(
            e.contains("without PC/SC") || e.contains("smart card service"),
            "{e}"
        );
    }
}

/// The progress line is drawn (and cleared) on a terminal only: through `script`, standard
/// error is a pseudo-terminal and the line-clearing sequence appears; with a pipe (every
/// other test here) standard error stays empty.
#[test]
fn cli11_progress_line_only_on_a_terminal() {
    let Ok(script) = which_script() else {
        eprintln!("cli11: skipped: util-linux `script` not found");
        return;
    };
    let d = dir("spinner");
    let c = card(&d);
    let command = format!(
        "{} --lang it --virtual {} status",
        env!("CARGO_BIN_EXE_cie-pin"),
        c
    );
    let o = Command::new(script)
        .args(["-qec", &command, "/dev/null"])
        .env_remove("LANG")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let tty = stdout(&o);
    assert!(tty.contains("\r\x1b[2K"), "{tty:?}");
    assert!(tty.contains("Numero di serie: CA00000AA"), "{tty:?}");
    let o = run(&["--virtual", &c, "status"], "");
    assert!(stderr(&o).is_empty());
}

fn which_script() -> Result<PathBuf, ()> {
    ["/usr/bin/script", "/bin/script"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .ok_or(())
}
