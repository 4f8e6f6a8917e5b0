//! The CIE applets as operations: the chip registry, and (to come) `Cie` and its `Session`.

pub mod chip;
