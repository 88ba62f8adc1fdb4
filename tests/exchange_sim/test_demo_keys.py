"""The simulator's demo keys: the primality test behind the deterministic RSA demo key, and the key."""

from __future__ import annotations

import random

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.exchange_sim.accounts import (
    SHIPPED_KEY_BITS,
    SHIPPED_KEY_SEED,
    _is_probable_prime,
    generate_rsa_key_pair,
    rsa_key_pair,
    shipped_rsa_key_pair,
)


def _is_prime_by_trial_division(n: int) -> bool:
    if n < 2:
        return False
    divisor = 2
    while divisor * divisor <= n:
        if n % divisor == 0:
            return False
        divisor += 1
    return True


@given(st.integers(min_value=0, max_value=3_000_000))
def test_agrees_with_trial_division(n: int) -> None:
    assert _is_probable_prime(n, random.Random(n)) == _is_prime_by_trial_division(n)


def test_known_primes_and_composites_beyond_the_small_prime_sieve() -> None:
    rng = random.Random(1)
    mersenne = (2**61 - 1, 2**89 - 1, 2**127 - 1)  # primes
    # Carmichael numbers fool a Fermat test for every coprime base; 2^67 - 1 = 193,707,721 x
    # 761,838,257,287 (Cole, 1903); a product of two large primes has no small factor at all.
    composites = (561, 41_041, 825_265, 2**67 - 1, (2**61 - 1) * (2**89 - 1))
    assert all(_is_probable_prime(p, rng) for p in mersenne)
    assert not any(_is_probable_prime(c, rng) for c in composites)


def test_shipped_demo_key_is_what_its_seed_generates() -> None:
    # The demo loads the default seed's key from package data instead of spending ~0.5 s making it;
    # the file must stay exactly what the generator makes (what `simulate` printed before it existed).
    assert (SHIPPED_KEY_SEED, SHIPPED_KEY_BITS) == (7, 2048)
    assert shipped_rsa_key_pair() == generate_rsa_key_pair(SHIPPED_KEY_SEED, SHIPPED_KEY_BITS)
    assert rsa_key_pair(7) == shipped_rsa_key_pair()


def test_demo_rsa_key_is_deterministic_2048_bit_and_signs() -> None:
    private_pem, public_pem = rsa_key_pair(7)
    assert private_pem.startswith("-----BEGIN PRIVATE KEY-----\n")
    assert private_pem.endswith("-----END PRIVATE KEY-----\n")
    assert public_pem.startswith("-----BEGIN PUBLIC KEY-----\n")
    assert public_pem.endswith("-----END PUBLIC KEY-----\n")
    # Another seed is generated, not shipped, and gives another key, the same one every time.
    other = rsa_key_pair.__wrapped__(8)
    assert other[1] != public_pem and generate_rsa_key_pair(8) == other
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    public = serialization.load_pem_public_key(public_pem.encode())
    assert isinstance(public, rsa.RSAPublicKey)
    signature = key.sign(b"1700000000000key5000", padding.PKCS1v15(), hashes.SHA256())
    public.verify(signature, b"1700000000000key5000", padding.PKCS1v15(), hashes.SHA256())  # raises if bad
