//! PUK self-recovery (RULES.md P1-P4, I6) and credential activation eligibility (A1, A2).

pub mod activation;
