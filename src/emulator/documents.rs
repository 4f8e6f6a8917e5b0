//! The contents of the virtual card's files, built from its personalisation.
//!
//! What is faithful and what is made up:
//! * EF 1001 (NIS, 12 ASCII digits), 1002 (serial, 9 ASCII characters), 1004 (DER
//!   `RSAPublicKey` of the chip DAPP key, zero-padded), 1005 (DER `RSAPublicKey` of the servizi
//!   key, 270 bytes), D003 (PAN with the NIS in BCD at bytes 5..11) and D004 (DER DH domain
//!   parameters, zero-padded) follow docs/protocol.md §1.3 and 8.2.
//! * EF 1003 is a self-made X.509 v3 certificate (givenName, surname, the servizi public key),
//!   signed by the emulator's own document-signer key. A real card holds a certificate issued by
//!   the Ministry's CA for the card's authentication key.
//! * EF 1006 has the layout the official middleware accepts (docs/protocol.md §8.5) with correct
//!   SHA-256 hashes, signed with the emulator's document-signer key (`data/emulator/ds-key.txt`,
//!   2048 bits). A real SOD is signed by a document signer chaining to the Italian CSCA.
//! * The first five bytes of the PAN (D003) are made up (`00 00 03 80 00`, 380 being Italy's
//!   numeric country code); only bytes 5..11 are known to matter.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use rsa::PrivateKey;
use rsa::pkcs1v15::Pkcs1v15Sign;
use sha2::{Digest, Sha256};

use super::der::{
    alg_null, bits, cons, der_len, octets, oid, printable, seq, set, tlv, uint, utf8,
};

/// OID content bytes used below.
const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
const OID_SHA256_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B];
const OID_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
const OID_SIGNED_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];
const OID_LDS_SECURITY_OBJECT: &[u8] = &[0x67, 0x81, 0x08, 0x01, 0x01, 0x01];
const OID_CONTENT_TYPE: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x03];
const OID_MESSAGE_DIGEST: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x04];
const OID_COUNTRY: &[u8] = &[0x55, 0x04, 0x06];
const OID_ORGANIZATION: &[u8] = &[0x55, 0x04, 0x0A];
const OID_COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
const OID_SURNAME: &[u8] = &[0x55, 0x04, 0x04];
const OID_GIVEN_NAME: &[u8] = &[0x55, 0x04, 0x2A];
const OID_SERIAL_NUMBER: &[u8] = &[0x55, 0x04, 0x05];
const OID_KEY_USAGE: &[u8] = &[0x55, 0x1D, 0x0F];

/// Why a file could not be built (a key that cannot sign).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SigningFailed;

/// Signs `message` with RSA PKCS#1 v1.5 / SHA-256 (deterministic, emulator-owned key).
pub(crate) fn sign_sha256(key: &PrivateKey, message: &[u8]) -> Result<Vec<u8>, SigningFailed> {
    let digest = Sha256::digest(message);
    key.sign(Pkcs1v15Sign::new::<Sha256>(), &digest)
        .map_err(|_| SigningFailed)
}

/// EF D003 "PAN": made-up prefix, the NIS in BCD at bytes 5..11, `FF` padding to 16 bytes.
pub(crate) fn pan(nis: &[u8; 12]) -> Vec<u8> {
    let mut out = vec![0x00, 0x00, 0x03, 0x80, 0x00];
    for pair in nis.chunks_exact(2) {
        let hi = pair.first().map_or(0, |d| d.wrapping_sub(b'0') & 0x0F);
        let lo = pair.get(1).map_or(0, |d| d.wrapping_sub(b'0') & 0x0F);
        out.push(hi << 4 | lo);
    }
    out.resize(16, 0xFF);
    out
}

/// DER `RSAPublicKey { n, e }`, zero-padded to `padded_len` when that is longer.
pub(crate) fn rsa_public_key_file(n: &[u8], e: &[u8], padded_len: usize) -> Vec<u8> {
    let mut out = seq(&[&uint(n), &uint(e)]);
    if out.len() < padded_len {
        out.resize(padded_len, 0);
    }
    out
}

/// EF.DH: X9.42 `DomainParameters { p, g, q }` in DER, zero-padded to a multiple of 64 bytes.
pub(crate) fn dh_params_file(p: &[u8], g: &[u8], q: &[u8]) -> Vec<u8> {
    let mut out = seq(&[&uint(p), &uint(g), &uint(q)]);
    let padded = out.len().div_ceil(64).saturating_mul(64);
    out.resize(padded, 0);
    out
}

/// The part of a zero-padded DER file that the SOD hashes.
pub(crate) fn der_trimmed(file: &[u8]) -> &[u8] {
    der_len(file).and_then(|l| file.get(..l)).unwrap_or(file)
}

fn rdn(oid_content: &[u8], value: Vec<u8>) -> Vec<u8> {
    set(&[&seq(&[&oid(oid_content), &value])])
}

/// The emulator's document-signer name: C=IT, O=cie-pinpuk virtual card, CN=Virtual CIE DS.
fn ds_name() -> Vec<u8> {
    seq(&[
        &rdn(OID_COUNTRY, printable("IT")),
        &rdn(OID_ORGANIZATION, utf8("cie-pinpuk virtual card")),
        &rdn(OID_COMMON_NAME, utf8("Virtual CIE DS")),
    ])
}

/// The holder as it appears in the certificate subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Holder {
    pub(crate) given_name: String,
    pub(crate) surname: String,
}

/// An X.509 v3 certificate signed by `signer` (SHA-256 with RSA).
fn certificate(
    signer: &PrivateKey,
    serial: &[u8],
    issuer: &[u8],
    subject: &[u8],
    subject_n: &[u8],
    subject_e: &[u8],
    key_usage: u8,
) -> Result<Vec<u8>, SigningFailed> {
    let spki = seq(&[
        &alg_null(OID_RSA),
        &bits(&seq(&[&uint(subject_n), &uint(subject_e)])),
    ]);
    let validity = seq(&[
        &tlv(&[0x17], b"250101000000Z"),
        &tlv(&[0x17], b"351231235959Z"),
    ]);
    // keyUsage, critical, one named bit (the low bits unused).
    let usage = seq(&[
        &oid(OID_KEY_USAGE),
        &[0x01, 0x01, 0xFF],
        &octets(&[0x03, 0x02, 0x00, key_usage]),
    ]);
    let extensions = cons(&[0xA3], &[&seq(&[&usage])]);
    let tbs = seq(&[
        &cons(&[0xA0], &[&uint(&[2])]),
        &uint(serial),
        &alg_null(OID_SHA256_RSA),
        issuer,
        &validity,
        subject,
        &spki,
        &extensions,
    ]);
    let signature = sign_sha256(signer, &tbs)?;
    Ok(seq(&[&tbs, &alg_null(OID_SHA256_RSA), &bits(&signature)]))
}

/// The document-signer certificate (self-signed), serial 1.
pub(crate) fn ds_certificate(
    ds: &PrivateKey,
    n: &[u8],
    e: &[u8],
) -> Result<Vec<u8>, SigningFailed> {
    let name = ds_name();
    // keyCertSign | digitalSignature
    certificate(ds, &[0x01], &name, &name, n, e, 0x84)
}

/// EF.Cert_CIE (1003): the holder's certificate over the servizi key, signed by the DS key,
/// zero-padded to a multiple of 256 bytes (at least one padding byte).
pub(crate) fn holder_certificate(
    ds: &PrivateKey,
    holder: &Holder,
    serial: &[u8; 9],
    subject_n: &[u8],
    subject_e: &[u8],
) -> Result<Vec<u8>, SigningFailed> {
    let mut cn = String::with_capacity(
        holder
            .surname
            .len()
            .saturating_add(holder.given_name.len())
            .saturating_add(1),
    );
    cn.push_str(&holder.surname);
    cn.push(' ');
    cn.push_str(&holder.given_name);
    let subject = seq(&[
        &rdn(OID_COUNTRY, printable("IT")),
        &rdn(OID_GIVEN_NAME, utf8(&holder.given_name)),
        &rdn(OID_SURNAME, utf8(&holder.surname)),
        &rdn(
            OID_SERIAL_NUMBER,
            printable(core::str::from_utf8(serial).unwrap_or("?")),
        ),
        &rdn(OID_COMMON_NAME, utf8(&cn)),
    ]);
    // digitalSignature
    let mut out = certificate(ds, serial, &ds_name(), &subject, subject_n, subject_e, 0x80)?;
    let padded = out
        .len()
        .saturating_add(1)
        .div_ceil(256)
        .saturating_mul(256);
    out.resize(padded, 0);
    Ok(out)
}

/// The files the SOD hashes, as the card holds them (padding included; trimmed here).
#[derive(Debug)]
pub(crate) struct SodInputs<'a> {
    pub(crate) nis: &'a [u8],
    pub(crate) serial: &'a [u8],
    pub(crate) certificate: &'a [u8],
    pub(crate) chip_key: &'a [u8],
    pub(crate) servizi_key: &'a [u8],
    pub(crate) dh_params: &'a [u8],
}

/// The LDS security object: version 0, SHA-256, one hash per data group, each data-group
/// number written as `02 01 xx` (docs/protocol.md §8.5: the middleware reads the first content byte).
pub(crate) fn lds_security_object(inputs: &SodInputs<'_>) -> Vec<u8> {
    let groups: [(u8, &[u8]); 6] = [
        (0xA1, inputs.nis.get(..12).unwrap_or(inputs.nis)),
        (0xA2, inputs.serial.get(..9).unwrap_or(inputs.serial)),
        (0xA3, der_trimmed(inputs.certificate)),
        (0xA4, der_trimmed(inputs.chip_key)),
        (0xA5, der_trimmed(inputs.servizi_key)),
        (0x1B, der_trimmed(inputs.dh_params)),
    ];
    let hashes: Vec<Vec<u8>> = groups
        .iter()
        .map(|(dg, content)| seq(&[&[0x02, 0x01, *dg], &octets(&Sha256::digest(content))]))
        .collect();
    let refs: Vec<&[u8]> = hashes.iter().map(Vec::as_slice).collect();
    seq(&[&[0x02, 0x01, 0x00], &alg_null(OID_SHA256), &seq(&refs)])
}

/// EF.SOD (1006) in the layout of docs/protocol.md §8.5, signed by the DS key.
pub(crate) fn sod(
    ds: &PrivateKey,
    ds_cert: &[u8],
    inputs: &SodInputs<'_>,
) -> Result<Vec<u8>, SigningFailed> {
    let lds = lds_security_object(inputs);
    let attrs_content = [
        seq(&[
            &oid(OID_CONTENT_TYPE),
            &set(&[&oid(OID_LDS_SECURITY_OBJECT)]),
        ]),
        seq(&[
            &oid(OID_MESSAGE_DIGEST),
            &set(&[&octets(&Sha256::digest(&lds))]),
        ]),
    ]
    .concat();
    // The signature covers the attributes re-tagged as a SET (31).
    let signature = sign_sha256(ds, &tlv(&[0x31], &attrs_content))?;
    let signer_info = seq(&[
        &[0x02, 0x01, 0x01],
        &seq(&[&ds_name(), &uint(&[0x01])]),
        &alg_null(OID_SHA256),
        &tlv(&[0xA0], &attrs_content),
        &alg_null(OID_SHA256_RSA),
        &octets(&signature),
    ]);
    let signed_data = seq(&[
        &[0x02, 0x01, 0x03],
        &set(&[&alg_null(OID_SHA256)]),
        &seq(&[
            &oid(OID_LDS_SECURITY_OBJECT),
            &cons(&[0xA0], &[&octets(&lds)]),
        ]),
        &cons(&[0xA0], &[ds_cert]),
        &set(&[&signer_info]),
    ]);
    let content_info = seq(&[&oid(OID_SIGNED_DATA), &cons(&[0xA0], &[&signed_data])]);
    Ok(tlv(&[0x77], &content_info))
}
