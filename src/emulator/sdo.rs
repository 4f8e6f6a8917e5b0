//! GET DATA `00 CB 3F FF` of the security data objects (docs/protocol.md §1.5, 5.5 and 8.3): the
//! DH group (per parameter, or all at once as the first Gemalto family is asked), the CA
//! public key of SDO 84, the card's DH value after MSE SET KAT, and the DOCP of the PIN and
//! PUK objects (tags 9A maximum, 9B left; under an authenticated SM session only).
//!
//! The answers have exactly the nesting the official middleware reads by position:
//! `70 { BF A1 01 { A3 { 97|98|99 } } }`, `70 { BF A0 04 { 7F49 { 81, 82, 5F20, 5F4C } } }`,
//! `A6 { 91 }`, `70 { BF 81 0x { A0 { 9A, 9B } } }`.

use alloc::vec::Vec;

use super::VirtualCie;
use super::builder::Docp;
use super::codes::{SW_INCORRECT_P1P2, SW_OK, SW_REF_NOT_FOUND, SW_SECURITY_NOT_SATISFIED};
use super::der::{cons, tlv};
use super::dispatch::Cmd;
use crate::card::templates;

impl VirtualCie {
    pub(crate) fn get_data(
        &mut self,
        cmd: &Cmd<'_>,
        authenticated: bool,
        out: &mut Vec<u8>,
    ) -> u16 {
        if (cmd.p1, cmd.p2) != (0x3F, 0xFF) {
            return SW_INCORRECT_P1P2;
        }
        let dh = &self.perso.dh;
        let ca = &self.perso.ca;
        let sdo_dh = |leaves: &[&[u8]]| {
            cons(
                &[0x70],
                &[&cons(&[0xBF, 0xA1, 0x01], &[&cons(&[0xA3], leaves)])],
            )
        };
        let answer = match cmd.data {
            d if d == templates::DH_G => sdo_dh(&[&tlv(&[0x97], &dh.g)]),
            d if d == templates::DH_P => sdo_dh(&[&tlv(&[0x98], &dh.p)]),
            d if d == templates::DH_Q => sdo_dh(&[&tlv(&[0x99], &dh.q)]),
            d if d == templates::DH_ALL => sdo_dh(&[
                &tlv(&[0x97], &dh.g),
                &tlv(&[0x98], &dh.p),
                &tlv(&[0x99], &dh.q),
            ]),
            d if d == templates::CA_KEY => cons(
                &[0x70],
                &[&cons(
                    &[0xBF, 0xA0, 0x04],
                    &[&cons(
                        &[0x7F, 0x49],
                        &[
                            &tlv(&[0x81], ca.key.modulus()),
                            &tlv(&[0x82], ca.key.public_exponent()),
                            &tlv(&[0x5F, 0x20], &ca.chr),
                            &tlv(&[0x5F, 0x4C], &ca.cha),
                        ],
                    )],
                )],
            ),
            d if d == templates::ICC_DH => match self.volatile.security.card_public_value() {
                Some(y) => cons(&[0xA6], &[&tlv(&[0x91], y)]),
                None => return SW_REF_NOT_FOUND,
            },
            d if d == templates::DOCP_PIN || d == templates::DOCP_PUK => {
                if !authenticated {
                    return SW_SECURITY_NOT_SATISFIED;
                }
                if self.perso.switches.docp == Docp::Absent {
                    return SW_REF_NOT_FOUND;
                }
                let (tag, counter) = if d == templates::DOCP_PIN {
                    (0x01, &self.codes.pin)
                } else {
                    (0x02, &self.codes.puk)
                };
                cons(
                    &[0x70],
                    &[&cons(
                        &[0xBF, 0x81, tag],
                        &[&cons(
                            &[0xA0],
                            &[
                                &tlv(&[0x9A], &[counter.max]),
                                &tlv(&[0x9B], &[counter.left]),
                            ],
                        )],
                    )],
                )
            }
            _ => return SW_REF_NOT_FOUND,
        };
        out.extend_from_slice(&answer);
        SW_OK
    }
}
