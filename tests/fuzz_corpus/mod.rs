//! Replays a fuzz target's committed seed corpus (`fuzz/corpus/<target>/`, README files
//! skipped) through its harness, so that `cargo test` runs every corpus on stable Rust.

/// Runs `run` on every seed of `target` and checks there are at least `min` of them.
pub(crate) fn replay(target: &str, min: usize, run: fn(&[u8])) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        run(&std::fs::read(&path).unwrap());
        count += 1;
    }
    assert!(
        count >= min,
        "expected at least {min} seed files in {}, found {count}",
        dir.display()
    );
}
