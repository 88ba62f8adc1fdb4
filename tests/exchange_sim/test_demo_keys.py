"""The simulator's demo keys: the primality test behind the deterministic RSA demo key, and the key."""

from __future__ import annotations

import random

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.exchange_sim.accounts import _is_probable_prime, rsa_key_pair


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


def test_demo_rsa_key_is_deterministic_2048_bit_and_signs() -> None:
    private_pem, public_pem = rsa_key_pair(7)
    # Generated again past the cache: the same seed gives the same key (what `simulate` prints).
    assert rsa_key_pair.__wrapped__(7) == (private_pem, public_pem)
    assert rsa_key_pair.__wrapped__(8)[1] != public_pem
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    public = serialization.load_pem_public_key(public_pem.encode())
    assert isinstance(public, rsa.RSAPublicKey)
    signature = key.sign(b"1700000000000key5000", padding.PKCS1v15(), hashes.SHA256())
    public.verify(signature, b"1700000000000key5000", padding.PKCS1v15(), hashes.SHA256())  # raises if bad
