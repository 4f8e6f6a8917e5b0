//! The JSON forms of the policy types that are not plain derives (feature `serde`): a date as
//! `"YYYY-MM-DD"`, a time as `"HH:MM"`, a set of weekdays, documents or halves as a list of
//! names, an address as its text, a hash as lower-case hex. See `docs/json.md`.

/// `[u8; 32]` as 64 lower-case hex digits.
pub(crate) mod hex32 {
    use alloc::string::String;
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub(crate) fn serialize<S: Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        let mut out = String::with_capacity(64);
        for b in v {
            let _ = core::fmt::Write::write_fmt(&mut out, format_args!("{b:02x}"));
        }
        s.serialize_str(&out)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(d)?;
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return Err(D::Error::custom("expected 64 hex digits"));
        }
        let mut out = [0u8; 32];
        for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            let digit = |c: u8| match c {
                b'0'..=b'9' => Ok(c.wrapping_sub(b'0')),
                b'a'..=b'f' => Ok(c.wrapping_sub(b'a').wrapping_add(10)),
                _ => Err(D::Error::custom("expected lower-case hex digits")),
            };
            let (Some(h), Some(l)) = (pair.first(), pair.get(1)) else {
                return Err(D::Error::custom("expected 64 hex digits"));
            };
            *o = (digit(*h)? << 4) | digit(*l)?;
        }
        Ok(out)
    }
}
