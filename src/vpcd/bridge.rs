//! The TCP side of the vpcd bridge: connect to vpcd, answer until told to stop.

use super::VirtualCard;
use super::frame::{Control, FrameDecoder, MAX_PAYLOAD, Request, encode_frame};
use crate::transport::TransportError;
use alloc::vec;
use alloc::vec::Vec;
use core::time::Duration;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use zeroize::Zeroizing;

/// Size of the card's response buffer: the longest extended-length response (65 536 data
/// bytes) plus SW1 SW2. vpcd itself carries at most 65 535 bytes; a longer answer is
/// replaced by `6F00`.
const RESPONSE_BUF: usize = 65_538;

/// Answer sent in place of a response the bridge cannot deliver (the card failed, or its
/// answer is empty or longer than vpcd can carry): ISO 7816-4 "no precise diagnosis".
const SW_NO_PRECISE_DIAGNOSIS: [u8; 2] = [0x6F, 0x00];

/// How much is read from the socket at a time.
const READ_CHUNK: usize = 4096;

/// A shared flag that asks a running bridge to close its connection and return.
///
/// Closing the connection is, for pcscd, the card leaving the reader.
#[derive(Debug, Clone, Default)]
pub struct StopFlag(Arc<AtomicBool>);

impl StopFlag {
    /// Asks the bridge to stop. It notices within its poll interval.
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`stop`](Self::stop) was called.
    #[must_use]
    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Why [`VpcdBridge::serve`] returned without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServeEnd {
    /// vpcd closed the connection (pcscd stopped, or the reader was removed).
    PeerClosed,
    /// The [`StopFlag`] was set; the bridge closed the connection (the card was "removed").
    Stopped,
    /// The card reported [`TransportError::CardRemoved`]; the bridge closed the connection.
    CardRemoved,
}

/// What can stop the bridge with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VpcdError {
    /// vpcd could not be reached after every attempt.
    #[error("cannot connect to vpcd at {addr} after {attempts} attempts")]
    Connect {
        /// The address tried.
        addr: SocketAddr,
        /// How many attempts were made.
        attempts: u32,
        /// The error of the last attempt.
        #[source]
        source: io::Error,
    },
    /// The connection failed while serving.
    #[error("vpcd connection failed")]
    Io(#[from] io::Error),
    /// The bridge thread panicked (a bug in the card implementation).
    #[error("the bridge thread panicked")]
    ThreadPanicked,
}

/// A client of pcscd's vpcd driver that serves one [`VirtualCard`].
///
/// ```
/// use cie_pinpuk::vpcd::VpcdBridge;
/// use core::time::Duration;
/// let bridge = VpcdBridge::new(([127, 0, 0, 1], 35963).into())
///     .connect_attempts(50, Duration::from_millis(100));
/// assert_eq!(bridge.addr().port(), 35963);
/// assert!(!bridge.stop_flag().is_stopped());
/// ```
#[derive(Debug, Clone)]
pub struct VpcdBridge {
    addr: SocketAddr,
    attempts: u32,
    retry_delay: Duration,
    poll: Duration,
    stop: StopFlag,
}

impl VpcdBridge {
    /// A bridge to vpcd at `addr` (normally `127.0.0.1:35963`), trying to connect 20 times,
    /// 100 ms apart, and checking its stop flag every 50 ms.
    #[must_use]
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            attempts: 20,
            retry_delay: Duration::from_millis(100),
            poll: Duration::from_millis(50),
            stop: StopFlag::default(),
        }
    }

    /// How many times to try to connect (at least once), and how long to wait in between.
    #[must_use]
    pub fn connect_attempts(mut self, attempts: u32, delay: Duration) -> Self {
        self.attempts = attempts.max(1);
        self.retry_delay = delay;
        self
    }

    /// How often the serving loop checks its stop flag (at least 1 ms).
    #[must_use]
    pub fn poll_interval(mut self, poll: Duration) -> Self {
        self.poll = poll.max(Duration::from_millis(1));
        self
    }

    /// The address this bridge connects to.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle to the flag that stops this bridge (shared with its clones).
    #[must_use]
    pub fn stop_flag(&self) -> StopFlag {
        self.stop.clone()
    }

    /// Connects to vpcd and serves `card` until vpcd closes the connection, the stop flag is
    /// set, or the card reports [`TransportError::CardRemoved`].
    ///
    /// # Errors
    /// [`VpcdError::Connect`] if vpcd cannot be reached, [`VpcdError::Io`] if the
    /// connection fails while serving.
    pub fn serve<C: VirtualCard + ?Sized>(&self, card: &mut C) -> Result<ServeEnd, VpcdError> {
        let Some(mut stream) = self.connect()? else {
            return Ok(ServeEnd::Stopped);
        };
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(self.poll))?;
        stream.set_write_timeout(Some(Duration::from_secs(10)))?;
        log::debug!("vpcd: connected to {}", self.addr);
        let end = self.serve_stream(&mut stream, card);
        // The card leaves the reader whatever the outcome; a failed shutdown of a broken
        // socket changes nothing.
        let _ignored = stream.shutdown(Shutdown::Both);
        log::debug!("vpcd: connection to {} closed: {end:?}", self.addr);
        end
    }

    /// Runs [`serve`](Self::serve) on a new thread that owns `card`.
    #[must_use]
    pub fn spawn<C: VirtualCard + Send + 'static>(self, mut card: C) -> BridgeThread<C> {
        let stop = self.stop_flag();
        let handle = thread::spawn(move || {
            let end = self.serve(&mut card);
            (card, end)
        });
        BridgeThread { stop, handle }
    }

    fn connect(&self) -> Result<Option<TcpStream>, VpcdError> {
        let mut tried = 0u32;
        loop {
            if self.stop.is_stopped() {
                return Ok(None);
            }
            tried = tried.saturating_add(1);
            match TcpStream::connect_timeout(&self.addr, Duration::from_secs(2)) {
                Ok(s) => return Ok(Some(s)),
                Err(source) if tried >= self.attempts => {
                    return Err(VpcdError::Connect {
                        addr: self.addr,
                        attempts: tried,
                        source,
                    });
                }
                Err(e) => {
                    log::debug!("vpcd: connect attempt {tried} to {} failed: {e}", self.addr);
                    thread::sleep(self.retry_delay);
                }
            }
        }
    }

    fn serve_stream<C: VirtualCard + ?Sized>(
        &self,
        stream: &mut TcpStream,
        card: &mut C,
    ) -> Result<ServeEnd, VpcdError> {
        let mut decoder = FrameDecoder::default();
        let mut chunk = Zeroizing::new(vec![0u8; READ_CHUNK]);
        let mut response = Zeroizing::new(vec![0u8; RESPONSE_BUF]);
        let mut out = Zeroizing::new(Vec::with_capacity(RESPONSE_BUF));
        loop {
            if self.stop.is_stopped() {
                return Ok(ServeEnd::Stopped);
            }
            let n = match stream.read(chunk.as_mut_slice()) {
                Ok(0) => return Ok(ServeEnd::PeerClosed),
                Ok(n) => n,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) =>
                {
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            ack_at_once(stream);
            decoder.push(chunk.get(..n).unwrap_or_default());
            while let Some(payload) = decoder.next_frame() {
                out.clear();
                match answer(card, &payload, response.as_mut_slice(), &mut out) {
                    Step::Continue => {}
                    Step::CardRemoved => return Ok(ServeEnd::CardRemoved),
                }
                if !out.is_empty() {
                    stream.write_all(&out)?;
                }
            }
        }
    }
}

/// Asks the kernel to acknowledge what arrives at once (Linux `TCP_QUICKACK`; re-armed after
/// every read because the kernel leaves quick-ACK mode by itself). vpcd writes a frame's
/// length and its payload with two `send`s on a socket without `TCP_NODELAY`: Nagle holds the
/// payload until the length is acknowledged, and a delayed ACK would cost every APDU ~40 ms
/// (measured: 51 APDUs through pcscd took 2.5 s without this, 16 ms with it). A failure
/// only costs that latency, so it is ignored. Elsewhere this does nothing.
fn ack_at_once(stream: &TcpStream) {
    #[cfg(target_os = "linux")]
    {
        let _ignored = rustix::net::sockopt::set_tcp_quickack(stream, true);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = stream;
}

/// Connects to `addr` (with the default retries) and serves `card` until vpcd closes the
/// connection or the card reports itself removed. See [`VpcdBridge`] for more control.
///
/// # Errors
/// As [`VpcdBridge::serve`].
pub fn serve<C: VirtualCard + ?Sized>(
    addr: SocketAddr,
    card: &mut C,
) -> Result<ServeEnd, VpcdError> {
    VpcdBridge::new(addr).serve(card)
}

enum Step {
    Continue,
    CardRemoved,
}

/// Handles one message from vpcd; appends the framed answer (if any) to `out`.
fn answer<C: VirtualCard + ?Sized>(
    card: &mut C,
    payload: &[u8],
    response: &mut [u8],
    out: &mut Vec<u8>,
) -> Step {
    match Request::parse(payload) {
        Request::Control(Control::GetAtr) => {
            if encode_frame(card.atr(), out).is_err() {
                // An ATR is at most 33 bytes; a card that claims more is absent to vpcd.
                log::warn!("vpcd: card ATR longer than a frame; reporting no card");
                out.clear();
                out.extend_from_slice(&[0, 0]);
            }
        }
        Request::Control(Control::PowerOn) => card.power_on(),
        Request::Control(Control::PowerOff) => card.power_off(),
        Request::Control(Control::Reset) => card.reset(),
        Request::UnknownControl(code) => log::warn!("vpcd: ignored control message {code:02X}"),
        Request::Empty => log::warn!("vpcd: ignored empty message"),
        Request::Apdu(apdu) => {
            let header = apdu.get(..4).unwrap_or(apdu);
            let answered = match card.transmit(apdu, response) {
                Ok(n) if (2..=MAX_PAYLOAD).contains(&n) => response.get(..n),
                Ok(n) => {
                    log::warn!("vpcd: card answered {n} bytes to {header:02X?}; sending 6F00");
                    None
                }
                Err(TransportError::CardRemoved) => return Step::CardRemoved,
                Err(e) => {
                    log::warn!("vpcd: card failed on {header:02X?}: {e}; sending 6F00");
                    None
                }
            };
            let body = answered.unwrap_or(&SW_NO_PRECISE_DIAGNOSIS);
            if let [.., sw1, sw2] = body {
                log::debug!("vpcd: {header:02X?} -> {sw1:02X}{sw2:02X}");
            }
            // The length is checked above, so framing cannot fail; stay total anyway.
            if encode_frame(body, out).is_err() {
                out.clear();
                out.extend_from_slice(&[0x00, 0x02, 0x6F, 0x00]);
            }
        }
    }
    Step::Continue
}

/// A bridge serving on its own thread (from [`VpcdBridge::spawn`]).
#[derive(Debug)]
pub struct BridgeThread<C> {
    stop: StopFlag,
    handle: JoinHandle<(C, Result<ServeEnd, VpcdError>)>,
}

impl<C> BridgeThread<C> {
    /// The flag that stops this bridge.
    #[must_use]
    pub fn stop_flag(&self) -> StopFlag {
        self.stop.clone()
    }

    /// Whether the bridge has already returned (the connection ended).
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }

    /// Stops the bridge (the card leaves the reader), waits for its thread, and gives the
    /// card back with the bridge's outcome. `None` for the card if the thread panicked.
    pub fn stop(self) -> (Option<C>, Result<ServeEnd, VpcdError>) {
        self.stop.stop();
        self.join()
    }

    /// Waits for the bridge to end on its own (vpcd closed, or the card was removed).
    pub fn join(self) -> (Option<C>, Result<ServeEnd, VpcdError>) {
        match self.handle.join() {
            Ok((card, end)) => (Some(card), end),
            Err(_) => (None, Err(VpcdError::ThreadPanicked)),
        }
    }
}
