#!/usr/bin/env python3
"""Small, deliberately WEAK key material for the card-layer tests that must open many
sessions in debug builds (the fault-schedule proptest, the fuzz harnesses).

NOT for anything but tests: a 512-bit DH group with a 64-bit order and 512-bit RSA chip,
CA and terminal keys (all with e = 65537) make an open session several times cheaper than the reference 2048-bit material, while
the protocol (every APDU, every check) stays the same.

Run once: `python3 tests/data/card/gen_small_keys.py > tests/data/card/small-keys.txt`.
Fresh randomness (secrets.SystemRandom); primality by sympy.isprime. Generated here, not
copied from anywhere.
"""
import math
import secrets

from sympy import isprime

RNG = secrets.SystemRandom()


def rand_prime(bits):
    while True:
        c = RNG.getrandbits(bits) | 1 | (3 << (bits - 2))
        if isprime(c):
            return c


def hexs(v, length):
    return v.to_bytes(length, "big").hex().upper()


q = rand_prime(64)
while True:
    k = RNG.getrandbits(512 - 64) | (1 << (512 - 65))
    k -= k % 2
    p = k * q + 1
    if p.bit_length() == 512 and isprime(p):
        break
while True:
    h = RNG.randrange(2, p - 1)
    g = pow(h, (p - 1) // q, p)
    if g != 1:
        break

E = 65537


def rsa512():
    while True:
        rp, rq = rand_prime(256), rand_prime(256)
        lam = (rp - 1) * (rq - 1) // math.gcd(rp - 1, rq - 1)
        if rp != rq and math.gcd(E, lam) == 1:
            return rp * rq, pow(E, -1, lam), rp, rq


print("# Test-only weak key material, see gen_small_keys.py. One field per line: name hex.")
print("dh_generator_g", hexs(g, 64))
print("dh_prime_p", hexs(p, 64))
print("dh_order_q", hexs(q, 8))
# The chip DAPP key (EF 1004), the CA key (SDO 84, e = 65537 here instead of the
# reference's full-width e) and the terminal (IFD) key the host signs with.
for name in ("chip", "ca", "terminal"):
    n, d, rp, rq = rsa512()
    print(name + "_modulus_n", hexs(n, 64))
    print(name + "_public_exponent_e", hexs(E, 3))
    print(name + "_private_exponent_d", hexs(d, 64))
    print(name + "_prime_p", hexs(rp, 32))
    print(name + "_prime_q", hexs(rq, 32))
