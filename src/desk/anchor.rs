//! The issuance system as an anchor of the desk journal's signed head.

use crate::issuance::IssuanceBackend;
use crate::journal::{AnchorError, HeadAnchor, SignedHead};

/// An [`IssuanceBackend`] seen as a [`HeadAnchor`]: the head is handed to
/// [`IssuanceBackend::anchor_head`] and read back with [`IssuanceBackend::anchored_head`].
/// The desk does this itself with [`ReprintDesk::with_backend_anchor`]; the adapter serves
/// another log (the recovery service's) or a tool that checks a desk database offline.
///
/// [`ReprintDesk::with_backend_anchor`]: super::ReprintDesk::with_backend_anchor
#[derive(Debug)]
pub struct BackendAnchor<'a, B: ?Sized>(pub &'a mut B);

impl<B: IssuanceBackend + ?Sized> HeadAnchor for BackendAnchor<'_, B> {
    fn publish(&mut self, head: &SignedHead) -> Result<(), AnchorError> {
        self.0.anchor_head(head).map_err(|_| AnchorError::Backend)
    }

    fn latest(&self) -> Result<Option<SignedHead>, AnchorError> {
        self.0.anchored_head().map_err(|_| AnchorError::Backend)
    }
}
