//! The signed tree head, the proofs an auditor checks, the anchor that keeps the latest head
//! outside the database, and the errors of a store found tampered with.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

use p256::ecdsa::VerifyingKey;

use super::clock::Timestamp;
use super::entry::{from_letters, to_letters};
use super::merkle::{self, Hash};
use super::signer::{OrderSigner, SignerError, verify_signature};

/// The domain tag of the signed message of a tree head.
const HEAD_TAG: &[u8] = b"cie-pinpuk-log-head-v1";

/// A signed tree head: the number of entries of a log, the root of its Merkle tree
/// (RFC 9162), when, and the signature of the log's key (the officer's for the desk
/// journal, the service's for the recovery journal) over the three.
///
/// With the feature `serde`, its JSON form (`docs/json.md`) writes `root` and `signature` as
/// lower-case hex; the signature is checked by [`SignedHead::verify`], with the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SignedHead {
    /// The number of entries (leaves).
    pub size: u64,
    /// `MTH` of the entries.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_hex::array"))]
    pub root: Hash,
    /// When the head was signed (the time of the last entry).
    pub time: Timestamp,
    /// ECDSA P-256 / SHA-256 over [`SignedHead::message`], as `r || s`.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_hex::array"))]
    pub signature: [u8; 64],
}

impl SignedHead {
    /// The signed bytes: a domain tag, the size and the time (8 bytes big-endian each), the
    /// root.
    pub fn message(size: u64, time: Timestamp, root: &Hash) -> Vec<u8> {
        let mut m = Vec::with_capacity(HEAD_TAG.len().saturating_add(48));
        m.extend_from_slice(HEAD_TAG);
        m.extend_from_slice(&size.to_be_bytes());
        m.extend_from_slice(&time.0.to_be_bytes());
        m.extend_from_slice(root);
        m
    }

    /// Signs the head of a tree of `size` leaves with root `root`.
    pub fn sign(
        size: u64,
        root: Hash,
        time: Timestamp,
        signer: &dyn OrderSigner,
    ) -> Result<SignedHead, SignerError> {
        let signature = signer.sign(&SignedHead::message(size, time, &root))?;
        Ok(SignedHead {
            size,
            root,
            time,
            signature,
        })
    }

    /// Whether the signature is valid under `key`.
    pub fn verify(&self, key: &VerifyingKey) -> bool {
        verify_signature(
            key,
            &SignedHead::message(self.size, self.time, &self.root),
            &self.signature,
        )
    }

    /// One line of text: `cie-pinpuk-head-v1 size=.. time=.. root=.. signature=..`, the hashes
    /// in [`to_letters`] form.
    pub fn to_text(&self) -> String {
        let mut s = String::with_capacity(240);
        let _ = write!(
            s,
            "cie-pinpuk-head-v1 size={} time={} root={} signature={}",
            self.size,
            self.time.0,
            to_letters(&self.root),
            to_letters(&self.signature)
        );
        s
    }

    /// Parses [`SignedHead::to_text`] (surrounding white space allowed).
    pub fn parse(text: &str) -> Option<SignedHead> {
        let mut it = text.split_whitespace();
        if it.next()? != "cie-pinpuk-head-v1" {
            return None;
        }
        let size = it.next()?.strip_prefix("size=")?.parse().ok()?;
        let time = it.next()?.strip_prefix("time=")?.parse().ok()?;
        let root = from_letters::<32>(it.next()?.strip_prefix("root=")?)?;
        let signature = from_letters::<64>(it.next()?.strip_prefix("signature=")?)?;
        if it.next().is_some() {
            return None;
        }
        Some(SignedHead {
            size,
            root,
            time: Timestamp(time),
            signature,
        })
    }
}

/// That entry number `seq` (1-based) is in the log whose head has `size` entries.
///
/// With the feature `serde`, the path is a list of lower-case hex hashes; reading refuses a
/// `seq` outside `1..=size` and a path longer than 64 hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "serde_form::InclusionForm")
)]
pub struct InclusionProof {
    /// The entry's number (leaf `seq - 1`).
    pub seq: u64,
    /// The size of the tree the proof is for.
    pub size: u64,
    /// The audit path, leaf to root (RFC 9162 2.1.3.1).
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_hex::list"))]
    pub path: Vec<Hash>,
}

/// That the log of `old_size` entries is a prefix of the log of `new_size` entries.
///
/// With the feature `serde`, the path is a list of lower-case hex hashes; reading refuses an
/// `old_size` larger than `new_size` and a path longer than 128 hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "serde_form::ConsistencyForm")
)]
pub struct ConsistencyProof {
    /// The size of the older head.
    pub old_size: u64,
    /// The size of the newer head.
    pub new_size: u64,
    /// The proof (RFC 9162 2.1.4.1).
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_hex::list"))]
    pub path: Vec<Hash>,
}

/// Why an auditor's check failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// A head's signature is not valid under the log's key.
    #[error("the tree head of size {size} is not signed by the log's key")]
    HeadSignature {
        /// The head's size.
        size: u64,
    },
    /// The proof was made for another head.
    #[error("the proof is for a tree of {proof} entries, the head has {head}")]
    WrongHead {
        /// The size in the proof.
        proof: u64,
        /// The size of the head.
        head: u64,
    },
    /// The entry is not in the log at that place (altered, or another entry).
    #[error("entry {seq} is not included in the log")]
    NotIncluded {
        /// The entry.
        seq: u64,
    },
    /// The newer head does not extend the older one: the log was rewritten.
    #[error("the log of {new_size} entries does not extend the log of {old_size} entries")]
    NotConsistent {
        /// The older size.
        old_size: u64,
        /// The newer size.
        new_size: u64,
    },
}

/// Checks that the record whose hash is `record_hash` (an entry's `hash`, or a recovery
/// record's `hash`) is entry `proof.seq` of the log with the signed head `head`: the head's
/// signature under `key`, then the audit path. `O(log n)`, without the log.
pub fn verify_inclusion(
    key: &VerifyingKey,
    head: &SignedHead,
    record_hash: &Hash,
    proof: &InclusionProof,
) -> Result<(), ProofError> {
    if !head.verify(key) {
        return Err(ProofError::HeadSignature { size: head.size });
    }
    if proof.size != head.size {
        return Err(ProofError::WrongHead {
            proof: proof.size,
            head: head.size,
        });
    }
    let leaf = merkle::leaf_hash(record_hash);
    let ok = proof.seq >= 1
        && merkle::verify_inclusion(
            proof.seq.saturating_sub(1),
            head.size,
            &leaf,
            &proof.path,
            &head.root,
        );
    if ok {
        Ok(())
    } else {
        Err(ProofError::NotIncluded { seq: proof.seq })
    }
}

/// Checks that the log only grew between two signed heads: both signatures under `key`, then
/// the consistency proof. `O(log n)`, without the log.
pub fn verify_consistency(
    key: &VerifyingKey,
    old: &SignedHead,
    new: &SignedHead,
    proof: &ConsistencyProof,
) -> Result<(), ProofError> {
    for h in [old, new] {
        if !h.verify(key) {
            return Err(ProofError::HeadSignature { size: h.size });
        }
    }
    if proof.old_size != old.size || proof.new_size != new.size {
        return Err(ProofError::WrongHead {
            proof: proof.new_size,
            head: new.size,
        });
    }
    if merkle::verify_consistency(old.size, new.size, &old.root, &new.root, &proof.path) {
        Ok(())
    } else {
        Err(ProofError::NotConsistent {
            old_size: old.size,
            new_size: new.size,
        })
    }
}

/// What was found in a store that does not match its signed head or its anchor. The store
/// is refused: never opened as empty, never appended to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IntegrityError {
    /// The database file was 0 bytes long, while the anchor holds a head of `anchored`
    /// entries.
    #[error("the store file is 0 bytes long, but its anchored head has {anchored} entries")]
    ZeroByteFile {
        /// The size of the anchored head.
        anchored: u64,
    },
    /// The store holds no entry and no head, while the anchor holds a head.
    #[error("the store is empty, but its anchored head has {anchored} entries")]
    Emptied {
        /// The size of the anchored head.
        anchored: u64,
    },
    /// The store's entries end before its own signed head: the last rows were deleted.
    #[error("the store's signed head has {head} entries but its last entry is {last}")]
    TailTruncated {
        /// The size of the stored head.
        head: u64,
        /// The number of the last entry found (0: none).
        last: u64,
    },
    /// The store holds entries after its signed head (written without the key).
    #[error("the store's signed head has {head} entries but entry {last} is stored")]
    UnsignedEntries {
        /// The size of the stored head.
        head: u64,
        /// The last entry found.
        last: u64,
    },
    /// The store holds entries but no signed head.
    #[error("the store holds {entries} entries and no signed head")]
    HeadMissing {
        /// The last entry found.
        entries: u64,
    },
    /// The stored head is not signed by the log's key (another log, or forged).
    #[error("the stored head of {size} entries is not signed by the log's key")]
    HeadSignature {
        /// Its size.
        size: u64,
    },
    /// An entry's content, hash or signature does not match the signed tree.
    #[error("entry {seq} was altered")]
    AlteredEntry {
        /// The entry.
        seq: u64,
    },
    /// A stored block of the Merkle tree is not the hash of the entries it covers (found by
    /// the audit, which recomputes every block).
    #[error("tree block {index} at level {level} does not match the entries it covers")]
    AlteredBlock {
        /// The block's level (0: a leaf).
        level: u32,
        /// Its index at that level.
        index: u64,
    },
    /// The store is internally consistent but older than the anchored head: an older copy
    /// of the file was put back.
    #[error("the store has {found} entries, its anchored head {anchored}: it was rolled back")]
    RolledBack {
        /// The size of the stored head.
        found: u64,
        /// The size of the anchored head.
        anchored: u64,
    },
    /// The store is not an extension of the anchored head: another log was put in its place.
    #[error("the store ({found} entries) does not extend its anchored head ({anchored} entries)")]
    Replaced {
        /// The size of the stored head.
        found: u64,
        /// The size of the anchored head.
        anchored: u64,
    },
    /// An append-only trigger of the table is missing (dropped to edit rows).
    #[error("the append-only trigger {0} is missing")]
    TriggerMissing(&'static str),
    /// A stored record of open work does not match the signed journal (recovery).
    #[error("procedure record does not match its journal entry {seq}")]
    RecordMismatch {
        /// The journal entry the record names.
        seq: u64,
    },
    /// A stored procedure is a genuine but older state: the signed journal wrote it again
    /// later (a row put back from an older backup, recovery).
    #[error("procedure record names journal entry {seq}, but entry {latest} wrote it later")]
    SupersededRecord {
        /// The journal entry the stored record names.
        seq: u64,
        /// The latest journal entry that wrote the procedure.
        latest: u64,
    },
    /// The stored clock mark is not the time of the signed head (recovery).
    #[error("the stored clock mark {found} is not the signed head's time {signed}")]
    ClockMark {
        /// The mark found.
        found: u64,
        /// The time in the signed head.
        signed: u64,
    },
}

/// Compares a store's verified head with the anchored one. `root_at(m)` gives the store's
/// root at size `m` (for a store that grew past its anchor, as after a crash between the
/// commit and the anchor write). `zero_bytes`: the store's file was 0 bytes when opened.
pub fn check_anchor<E>(
    stored: Option<&SignedHead>,
    anchored: Option<&SignedHead>,
    zero_bytes: bool,
    root_at: impl FnOnce(u64) -> Result<Hash, E>,
) -> Result<Result<(), IntegrityError>, E> {
    let Some(a) = anchored.filter(|a| a.size > 0) else {
        return Ok(Ok(()));
    };
    let Some(s) = stored.filter(|s| s.size > 0) else {
        return Ok(Err(if zero_bytes {
            IntegrityError::ZeroByteFile { anchored: a.size }
        } else {
            IntegrityError::Emptied { anchored: a.size }
        }));
    };
    if s.size < a.size {
        return Ok(Err(IntegrityError::RolledBack {
            found: s.size,
            anchored: a.size,
        }));
    }
    let root = if s.size == a.size {
        s.root
    } else {
        root_at(a.size)?
    };
    if merkle_eq(&root, &a.root) {
        Ok(Ok(()))
    } else {
        Ok(Err(IntegrityError::Replaced {
            found: s.size,
            anchored: a.size,
        }))
    }
}

fn merkle_eq(a: &Hash, b: &Hash) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(a.ct_eq(b))
}

/// Why an anchor could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnchorError {
    /// The file could not be read or written.
    #[error("the anchor file: {0}")]
    Io(#[from] std::io::Error),
    /// The anchored text is not a signed head.
    #[error("the anchor does not hold a signed head")]
    Corrupt,
    /// The issuance system refused or failed to keep the head.
    #[error("the issuance system did not keep the head")]
    Backend,
}

/// Somewhere outside the store that keeps the latest signed head: written after every
/// commit, read when the store is opened.
pub trait HeadAnchor {
    /// Keeps `head` as the latest one (durably, before returning).
    fn publish(&mut self, head: &SignedHead) -> Result<(), AnchorError>;
    /// The latest head kept, if any.
    fn latest(&self) -> Result<Option<SignedHead>, AnchorError>;
}

impl<T: HeadAnchor + ?Sized> HeadAnchor for alloc::boxed::Box<T> {
    fn publish(&mut self, head: &SignedHead) -> Result<(), AnchorError> {
        (**self).publish(head)
    }
    fn latest(&self) -> Result<Option<SignedHead>, AnchorError> {
        (**self).latest()
    }
}

impl<T: HeadAnchor + ?Sized> HeadAnchor for &mut T {
    fn publish(&mut self, head: &SignedHead) -> Result<(), AnchorError> {
        (**self).publish(head)
    }
    fn latest(&self) -> Result<Option<SignedHead>, AnchorError> {
        (**self).latest()
    }
}

/// A list of anchors (shown by `Debug` as their number).
#[cfg(feature = "recovery")]
#[derive(Default)]
pub(crate) struct Anchors(pub(crate) Vec<alloc::boxed::Box<dyn HeadAnchor>>);

#[cfg(feature = "recovery")]
impl core::fmt::Debug for Anchors {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Anchors({})", self.0.len())
    }
}

/// The latest head in memory (tests, or a caller that forwards it elsewhere).
#[derive(Debug, Default, Clone)]
pub struct MemoryAnchor {
    /// The head kept.
    pub head: Option<SignedHead>,
}

impl HeadAnchor for MemoryAnchor {
    fn publish(&mut self, head: &SignedHead) -> Result<(), AnchorError> {
        self.head = Some(*head);
        Ok(())
    }
    fn latest(&self) -> Result<Option<SignedHead>, AnchorError> {
        Ok(self.head)
    }
}

/// The latest head in a file of its own (on another disk or host than the database, ideally),
/// replaced atomically: written to a temporary file beside it, synced, renamed over it, and
/// the directory synced.
#[derive(Debug, Clone)]
pub struct FileAnchor {
    path: std::path::PathBuf,
}

impl FileAnchor {
    /// The anchor kept at `path` (the file need not exist yet).
    pub fn new(path: impl Into<std::path::PathBuf>) -> FileAnchor {
        FileAnchor { path: path.into() }
    }

    /// The file's path.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

impl HeadAnchor for FileAnchor {
    fn publish(&mut self, head: &SignedHead) -> Result<(), AnchorError> {
        use std::io::Write as _;
        let mut tmp = self.path.clone().into_os_string();
        tmp.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp);
        {
            let mut f = std::fs::File::create(&tmp)?;
            let mut line = head.to_text();
            line.push('\n');
            f.write_all(line.as_bytes())?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)?;
        if let Some(dir) = self.path.parent() {
            let dir = if dir.as_os_str().is_empty() {
                std::path::Path::new(".")
            } else {
                dir
            };
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    }

    fn latest(&self) -> Result<Option<SignedHead>, AnchorError> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => SignedHead::parse(&text)
                .map(Some)
                .ok_or(AnchorError::Corrupt),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// The unchecked JSON forms of the proofs, checked by `TryFrom` (feature `serde`).
#[cfg(feature = "serde")]
mod serde_form {
    use alloc::vec::Vec;

    use super::{ConsistencyProof, Hash, InclusionProof};

    /// A path of a tree of at most 2^64 leaves has at most 64 hashes (inclusion) or 128
    /// (consistency, a generous bound).
    const MAX_INCLUSION: usize = 64;
    const MAX_CONSISTENCY: usize = 128;

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct InclusionForm {
        seq: u64,
        size: u64,
        #[serde(with = "crate::serde_hex::list")]
        path: Vec<Hash>,
    }

    impl TryFrom<InclusionForm> for InclusionProof {
        type Error = &'static str;

        fn try_from(f: InclusionForm) -> Result<InclusionProof, &'static str> {
            if f.seq == 0 || f.seq > f.size {
                return Err("an inclusion proof's seq is between 1 and its size");
            }
            if f.path.len() > MAX_INCLUSION {
                return Err("an inclusion proof has at most 64 hashes");
            }
            Ok(InclusionProof {
                seq: f.seq,
                size: f.size,
                path: f.path,
            })
        }
    }

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct ConsistencyForm {
        old_size: u64,
        new_size: u64,
        #[serde(with = "crate::serde_hex::list")]
        path: Vec<Hash>,
    }

    impl TryFrom<ConsistencyForm> for ConsistencyProof {
        type Error = &'static str;

        fn try_from(f: ConsistencyForm) -> Result<ConsistencyProof, &'static str> {
            if f.old_size > f.new_size {
                return Err("a consistency proof's old_size is at most its new_size");
            }
            if f.path.len() > MAX_CONSISTENCY {
                return Err("a consistency proof has at most 128 hashes");
            }
            Ok(ConsistencyProof {
                old_size: f.old_size,
                new_size: f.new_size,
                path: f.path,
            })
        }
    }
}
