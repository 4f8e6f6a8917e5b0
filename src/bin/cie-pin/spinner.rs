//! A progress line on standard error while the card works (a real card takes a second or
//! more for a secure session), drawn only when standard error is a terminal.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

const FRAMES: [char; 4] = ['|', '/', '-', '\\'];

/// A running progress line; [`Spinner::stop`] clears it.
pub(crate) struct Spinner {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Spinner {
    /// Starts drawing `label` if `enabled` (standard error is a terminal).
    pub(crate) fn start(label: &str, enabled: bool) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = enabled.then(|| {
            let stop = Arc::clone(&stop);
            let label = label.to_string();
            std::thread::spawn(move || {
                // Nothing is drawn for a card that answers at once.
                std::thread::sleep(Duration::from_millis(150));
                let mut frame = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    let c = FRAMES.get(frame % FRAMES.len()).copied().unwrap_or('|');
                    let mut err = std::io::stderr().lock();
                    let _ = write!(err, "\r{c} {label}");
                    let _ = err.flush();
                    drop(err);
                    frame = frame.wrapping_add(1);
                    std::thread::sleep(Duration::from_millis(100));
                }
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K");
                let _ = err.flush();
            })
        });
        Spinner { stop, thread }
    }

    /// Stops and clears the line.
    pub(crate) fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
