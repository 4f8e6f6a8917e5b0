//! The JSON forms of the recovery service's answers that are not plain derives (feature
//! `serde`, see `docs/json.md`): a procedure id as 32 lower-case hex digits, a refusal whose
//! rule must be the one of its reason.

use alloc::string::String;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::outcome::{Refusal, RefusalReason};
use super::store::ProcedureId;
use crate::policy::RuleId;

impl Serialize for ProcedureId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::serde_hex::encode(self.as_bytes()))
    }
}

impl<'de> Deserialize<'de> for ProcedureId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        crate::serde_hex::decode::<16>(&text)
            .and_then(|_| ProcedureId::from_hex(&text))
            .ok_or_else(|| D::Error::custom("expected 32 lower-case hex digits"))
    }
}

/// The unchecked JSON form of a [`Refusal`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RefusalForm {
    rule: RuleId,
    reason: RefusalReason,
}

impl TryFrom<RefusalForm> for Refusal {
    type Error = &'static str;

    fn try_from(f: RefusalForm) -> Result<Refusal, &'static str> {
        let r = Refusal::of(f.reason);
        if r.rule == f.rule {
            Ok(r)
        } else {
            Err("the refusal's rule is not the rule of its reason")
        }
    }
}
