//! Byte arrays (hashes, signatures, identifiers) as lower-case hex strings in the JSON form
//! (feature `serde`), for `#[serde(with = "...")]`. Reading accepts exactly the length of the
//! array and lower-case hex digits only, so a value has one JSON text. See `docs/json.md`.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Deserializer, Serializer};

/// `bytes` as lower-case hex.
pub(crate) fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        for n in [b >> 4, b & 0x0f] {
            if let Some(d) = DIGITS.get(usize::from(n)) {
                out.push(char::from(*d));
            }
        }
    }
    out
}

/// Exactly `2 * N` lower-case hex digits into `N` bytes.
pub(crate) fn decode<const N: usize>(text: &str) -> Option<[u8; N]> {
    let b = text.as_bytes();
    if b.len() != N.checked_mul(2)? {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c.wrapping_sub(b'0')),
        b'a'..=b'f' => Some(c.wrapping_sub(b'a').wrapping_add(10)),
        _ => None,
    };
    let mut out = [0u8; N];
    for (o, pair) in out.iter_mut().zip(b.chunks_exact(2)) {
        *o = (digit(*pair.first()?)? << 4) | digit(*pair.get(1)?)?;
    }
    Some(out)
}

fn expected<E: serde::de::Error>(n: usize) -> E {
    E::custom(alloc::format!(
        "expected {} lower-case hex digits",
        n.saturating_mul(2)
    ))
}

/// `[u8; N]` as `2 * N` lower-case hex digits.
pub(crate) mod array {
    use super::*;

    pub(crate) fn serialize<S: Serializer, const N: usize>(
        v: &[u8; N],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode(v))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<[u8; N], D::Error> {
        let text = String::deserialize(d)?;
        decode(&text).ok_or_else(|| expected(N))
    }
}

/// `Vec<[u8; N]>` as a list of hex strings (an audit path).
pub(crate) mod list {
    use super::*;
    use serde::ser::SerializeSeq as _;

    pub(crate) fn serialize<S: Serializer, const N: usize>(
        v: &[[u8; N]],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for h in v {
            seq.serialize_element(&encode(h))?;
        }
        seq.end()
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<Vec<[u8; N]>, D::Error> {
        let texts = Vec::<String>::deserialize(d)?;
        texts
            .iter()
            .map(|t| decode(t).ok_or_else(|| expected(N)))
            .collect()
    }
}
