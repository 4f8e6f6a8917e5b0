//! A test-only global allocator for cie-pinpuk's zeroize-on-drop test (docs/testing.md N12).
//!
//! [`ProbeAlloc`] forwards every call to [`System`]. When a block whose address was armed
//! with [`watch`] is freed, it first copies up to [`MAX_BYTES`] of its bytes into a static
//! buffer, which [`take_freed`] returns. The copy is made before the block goes back to the
//! system allocator, so it shows exactly what the dropped value left in memory.
//!
//! This crate exists because cie-pinpuk sets `unsafe_code = "forbid"` for all its targets,
//! integration tests included, and a `GlobalAlloc` implementation needs `unsafe`. It keeps
//! that `unsafe` out of the library and out of its tests, behind a safe API. It never
//! allocates inside the allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};

/// The most bytes recorded from one freed block.
pub const MAX_BYTES: usize = 64;

/// No block is watched.
const NONE: usize = 0;

static WATCHED: AtomicUsize = AtomicUsize::new(NONE);
static FREED_LEN: AtomicUsize = AtomicUsize::new(0);
static FREED_DONE: AtomicBool = AtomicBool::new(false);
static FREED: [AtomicU8; MAX_BYTES] = [const { AtomicU8::new(0) }; MAX_BYTES];

/// A global allocator that wraps [`System`] and records the watched block on free.
#[derive(Debug, Default, Clone, Copy)]
pub struct ProbeAlloc;

/// Arms the probe for the block at `addr` (the address of a boxed value). Only one block is
/// watched at a time; arming forgets any earlier record.
pub fn watch(addr: usize) {
    FREED_DONE.store(false, Ordering::SeqCst);
    FREED_LEN.store(0, Ordering::SeqCst);
    WATCHED.store(addr, Ordering::SeqCst);
}

/// The bytes the watched block held when it was freed (at most [`MAX_BYTES`]), or `None` if
/// it has not been freed since [`watch`]. Disarms the probe.
pub fn take_freed() -> Option<Vec<u8>> {
    WATCHED.store(NONE, Ordering::SeqCst);
    if !FREED_DONE.swap(false, Ordering::SeqCst) {
        return None;
    }
    let len = FREED_LEN.load(Ordering::SeqCst).min(MAX_BYTES);
    Some(
        FREED
            .iter()
            .take(len)
            .map(|b| b.load(Ordering::SeqCst))
            .collect(),
    )
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees carry over. `dealloc` additionally reads the block before freeing it.
unsafe impl GlobalAlloc for ProbeAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which `System` shares.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` and `layout` come from this allocator, that is from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let addr = ptr as usize;
        if addr != NONE
            && WATCHED
                .compare_exchange(addr, NONE, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            let len = layout.size().min(MAX_BYTES);
            // SAFETY: `ptr` points to a live block of `layout.size()` bytes (the caller's
            // contract for `dealloc`), and `len <= layout.size()`. The watched values of the
            // tests (byte arrays and an enum tag next to bytes) have no padding, so every
            // byte is initialised. Volatile reads keep the compiler from skipping them.
            for (i, slot) in FREED.iter().enumerate().take(len) {
                let byte = unsafe { ptr.add(i).read_volatile() };
                slot.store(byte, Ordering::SeqCst);
            }
            FREED_LEN.store(len, Ordering::SeqCst);
            FREED_DONE.store(true, Ordering::SeqCst);
        }
        // SAFETY: `ptr` and `layout` come from this allocator, that is from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }
}
