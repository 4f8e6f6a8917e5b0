//! The reprint policy across the boundary: a Comune profile (a shipped file or the TOML text
//! of one) and the decision on a request given as the JSON of the crate's docs/json.md.

use std::sync::Arc;

use cie_pinpuk::policy::{self, Outcome, Preset, Profile, ProfileError};

use crate::error::CieError;
use crate::text::{CardMedium, LocalisedText, fixed, localise};

/// A Comune's profile: its practice within the national rules.
#[derive(Debug, uniffi::Object)]
pub struct ComuneProfile {
    profile: Profile,
}

fn profile_error(e: &ProfileError) -> CieError {
    let line = u32::try_from(e.line).unwrap_or(u32::MAX);
    let rule = e.rule.map(|r| r.to_string());
    let (it, en, de) = match &rule {
        Some(r) => (
            format!(
                "Il profilo del Comune contraddice la regola nazionale {r} (riga {line}, campo {}).",
                e.field
            ),
            format!(
                "The Comune's profile contradicts the national rule {r} (line {line}, field {}).",
                e.field
            ),
            format!(
                "Das Profil der Gemeinde widerspricht der nationalen Regel {r} (Zeile {line}, Feld {}).",
                e.field
            ),
        ),
        None => (
            format!(
                "Il profilo del Comune non è valido (riga {line}, campo {}).",
                e.field
            ),
            format!(
                "The Comune's profile is not valid (line {line}, field {}).",
                e.field
            ),
            format!(
                "Das Profil der Gemeinde ist ungültig (Zeile {line}, Feld {}).",
                e.field
            ),
        ),
    };
    CieError::Profile {
        line,
        field: e.field.clone(),
        rule,
        text: fixed(&it, &en, &de),
        detail: e.to_string(),
    }
}

#[uniffi::export]
impl ComuneProfile {
    /// A profile shipped with the crate, by file name: `national`,
    /// `residents-with-delegation`, `pec-inad-requests`, `home-visits-appointment-season`.
    #[uniffi::constructor]
    pub fn shipped(name: String) -> Result<Arc<ComuneProfile>, CieError> {
        let Some(preset) = Preset::from_name(&name) else {
            return Err(CieError::Profile {
                line: 0,
                field: String::new(),
                rule: None,
                text: fixed(
                    "Nessun profilo con questo nome è fornito con la libreria.",
                    "No profile of this name is shipped with the library.",
                    "Kein Profil dieses Namens wird mit der Bibliothek geliefert.",
                ),
                detail: format!("no shipped profile is named {name:?}"),
            });
        };
        let profile = preset.load().map_err(|e| profile_error(&e))?;
        Ok(Arc::new(ComuneProfile { profile }))
    }

    /// A profile from the text of a profile file (docs/profiles.md). A profile that breaks
    /// a national rule is refused, naming it.
    #[uniffi::constructor]
    pub fn from_toml(text: String) -> Result<Arc<ComuneProfile>, CieError> {
        let profile = Profile::from_toml(&text).map_err(|e| profile_error(&e))?;
        Ok(Arc::new(ComuneProfile { profile }))
    }

    /// The profile's name.
    pub fn name(&self) -> String {
        self.profile.id.name.clone()
    }

    /// The profile's version.
    pub fn version(&self) -> String {
        self.profile.id.version.clone()
    }

    /// The SHA-256 of the profile's file, 64 lower-case hex digits.
    pub fn sha256(&self) -> String {
        self.profile.id.sha256_hex()
    }
}

/// The names of the shipped profiles.
#[uniffi::export]
pub fn shipped_profile_names() -> Vec<String> {
    Preset::ALL.iter().map(|p| p.name().to_owned()).collect()
}

/// The overall outcome of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum DecisionOutcome {
    /// Everything asked can be done now.
    Allowed,
    /// Some of it now, the rest refused.
    Partial,
    /// Something is still missing (see the requirements).
    Deferred,
    /// Nothing can be done.
    Refused,
}

impl From<Outcome> for DecisionOutcome {
    fn from(o: Outcome) -> DecisionOutcome {
        match o {
            Outcome::Allowed => DecisionOutcome::Allowed,
            Outcome::Partial => DecisionOutcome::Partial,
            Outcome::Deferred => DecisionOutcome::Deferred,
            Outcome::Refused => DecisionOutcome::Refused,
        }
    }
}

/// One part of a decision (a delivery, a requirement, a refusal, a contact change): the
/// rule that decides it and its text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct DecisionItem {
    /// The rule id (`"R3"`, `"M1"`); empty for a contact change.
    pub rule: String,
    /// What it means for the person.
    pub text: LocalisedText,
}

/// The policy engine's decision on one request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct PolicyDecision {
    /// The overall outcome.
    pub outcome: DecisionOutcome,
    /// Its text.
    pub outcome_text: LocalisedText,
    /// The halves to release now.
    pub deliveries: Vec<DecisionItem>,
    /// The contact changes to record now.
    pub contact_changes: Vec<DecisionItem>,
    /// What is still missing.
    pub requirements: Vec<DecisionItem>,
    /// What is refused.
    pub refusals: Vec<DecisionItem>,
    /// Every rule id the decision applies, sorted.
    pub rules: Vec<String>,
    /// The profile that decided: name, version, SHA-256 of its file.
    pub profile_name: String,
    /// Its version.
    pub profile_version: String,
    /// Its file's SHA-256.
    pub profile_sha256: String,
    /// The whole decision as the JSON of docs/json.md (to store or send on).
    pub json: String,
}

fn request_error(detail: String) -> CieError {
    CieError::Request {
        text: fixed(
            "La richiesta non è nel formato previsto: nessuna decisione è stata presa.",
            "The request is not in the expected form: no decision was taken.",
            "Der Antrag hat nicht die erwartete Form: es wurde nichts entschieden.",
        ),
        detail,
    }
}

/// Decides a request (the JSON of docs/json.md, "Request") under `profile`. A request that
/// is not valid JSON of that form, or holds a date, time or address that does not exist, is
/// an error, never a default.
#[uniffi::export]
pub fn decide(
    profile: &Arc<ComuneProfile>,
    request_json: String,
) -> Result<PolicyDecision, CieError> {
    let request: policy::Request =
        serde_json::from_str(&request_json).map_err(|e| request_error(e.to_string()))?;
    let decision = policy::evaluate(&request, &profile.profile);
    let json = serde_json::to_string(&decision).map_err(|e| request_error(e.to_string()))?;
    let m = CardMedium::Contact;
    let outcome = decision.outcome();
    Ok(PolicyDecision {
        outcome: outcome.into(),
        outcome_text: localise(&outcome, m),
        deliveries: decision
            .deliveries
            .iter()
            .map(|d| DecisionItem {
                rule: d.rule.to_string(),
                text: localise(d, m),
            })
            .collect(),
        contact_changes: decision
            .contact_changes
            .iter()
            .map(|c| DecisionItem {
                rule: String::new(),
                text: localise(c, m),
            })
            .collect(),
        requirements: decision
            .requirements
            .iter()
            .map(|r| DecisionItem {
                rule: r.rule.to_string(),
                text: localise(r, m),
            })
            .collect(),
        refusals: decision
            .refusals
            .iter()
            .map(|r| DecisionItem {
                rule: r.rule.to_string(),
                text: localise(r, m),
            })
            .collect(),
        rules: decision.rules().iter().map(ToString::to_string).collect(),
        profile_name: decision.profile.name.clone(),
        profile_version: decision.profile.version.clone(),
        profile_sha256: decision.profile.sha256_hex(),
        json,
    })
}
