"""Simulated accounts: positions, wallets and API keys, all derived deterministically from the seed.

The demo set (names used by the demo UI):
- Main: UTA cross, USDT perps + a USDC perp, hedge-mode long and short legs on BTCUSDT.
- Isolated: UTA isolated margin, positions with real liquidation prices.
- Portfolio: portfolio margin (liqPrice/leverage/positionIM/MM are ""), signs with an RSA key.
- Classic: classic account, CONTRACT wallet, an inverse BTCUSD position.
- Hedge: UTA cross, leveraged to be the first liquidated when BTC falls roughly 8–12 %;
  its key can trade and withdraw so the app's key warnings can be exercised.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

D = Decimal
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class SimPosition:
    symbol: str
    side: str                          # "Buy" | "Sell"
    size: Decimal                      # base coin (linear) or USD contracts (inverse)
    entry_price: Decimal
    leverage: Decimal
    position_idx: int = 0              # 0 one-way, 1 hedge buy, 2 hedge sell
    extra_margin: Decimal = _ZERO      # isolated only; settle coin
    cum_realised_pnl: Decimal = _ZERO

    @property
    def side_sign(self) -> int:
        return 1 if self.side == "Buy" else -1


@dataclass(frozen=True, slots=True)
class SimAccount:
    name: str
    uid: int
    api_key: str
    api_secret: str = field(repr=False)   # HMAC secret, or the PEM private key for "rsa" keys
    key_type: str = "hmac"                # "hmac" | "rsa"
    margin_mode: str = "REGULAR_MARGIN"   # REGULAR_MARGIN | ISOLATED_MARGIN | PORTFOLIO_MARGIN
    classic: bool = False
    # UTA 1.0 (unifiedMarginStatus 3): unified, but its inverse contracts keep a wallet of their own,
    # logged in the contract transaction log instead of the unified one. No demo account is one.
    uta1: bool = False
    ip_whitelist: tuple[str, ...] = ("*",)
    read_only: bool = True
    can_withdraw: bool = False
    wallet: tuple[tuple[str, Decimal], ...] = ()   # (coin, wallet balance)
    positions: tuple[SimPosition, ...] = ()
    rsa_public_key: str = field(default="", repr=False)

    def balance(self, coin: str) -> Decimal:
        return sum((amount for c, amount in self.wallet if c == coin), D(0))


_P = SimPosition
_TEMPLATES: dict[str, dict[str, object]] = {
    "Main": {
        "margin_mode": "REGULAR_MARGIN",
        "wallet": (("USDT", D("250000")), ("USDC", D("40000"))),
        "positions": (
            _P("BTCUSDT", "Buy", D("1.5"), D("61200.0"), D("10"), 1, cum_realised_pnl=D("-52.4")),
            _P("BTCUSDT", "Sell", D("0.5"), D("66800.0"), D("10"), 2, cum_realised_pnl=D("-18.37")),
            _P("ETHUSDT", "Buy", D("20"), D("3150.00"), D("10"), cum_realised_pnl=D("412.5")),
            _P("SOLUSDT", "Sell", D("300"), D("158.200"), D("5")),
            _P("XRPUSDT", "Buy", D("20000"), D("0.5820"), D("10")),
            _P("DOGEUSDT", "Buy", D("100000"), D("0.14230"), D("10")),
            _P("LINKUSDT", "Sell", D("1000"), D("15.800"), D("10")),
            _P("BTCPERP", "Buy", D("0.8"), D("63900.0"), D("10")),
        ),
    },
    "Isolated": {
        "margin_mode": "ISOLATED_MARGIN",
        "wallet": (("USDT", D("60000")),),
        "positions": (
            _P("BTCUSDT", "Buy", D("0.5"), D("64000.0"), D("5")),
            _P("ETHUSDT", "Sell", D("10"), D("3300.00"), D("10")),
            _P("SOLUSDT", "Buy", D("200"), D("146.000"), D("4"), extra_margin=D("500")),
            _P("AVAXUSDT", "Buy", D("500"), D("31.000"), D("3")),
        ),
    },
    "Portfolio": {
        "margin_mode": "PORTFOLIO_MARGIN",
        "key_type": "rsa",
        "wallet": (("USDT", D("500000")), ("USDC", D("100000"))),
        "positions": (
            _P("BTCUSDT", "Buy", D("3"), D("64500.0"), D("10")),
            _P("ETHUSDT", "Sell", D("40"), D("3420.00"), D("10")),
            _P("SOLUSDT", "Buy", D("1000"), D("151.000"), D("10")),
            _P("BTCPERP", "Sell", D("2"), D("65300.0"), D("10")),
        ),
    },
    "Classic": {
        "margin_mode": "REGULAR_MARGIN",
        "classic": True,
        "wallet": (("BTC", D("0.8")), ("USDT", D("12000"))),
        "positions": (
            _P("BTCUSD", "Buy", D("30000"), D("62500.00"), D("3")),
            _P("ETHUSDT", "Sell", D("5"), D("3500.00"), D("10")),
        ),
    },
    "Hedge": {
        "margin_mode": "REGULAR_MARGIN",
        "read_only": False,
        "can_withdraw": True,
        "wallet": (("USDT", D("22000")),),
        "positions": (
            _P("BTCUSDT", "Buy", D("2.5"), D("64800.0"), D("25")),
            _P("ETHUSDT", "Buy", D("15"), D("3380.00"), D("25")),
        ),
    },
}
DEMO_NAMES: tuple[str, ...] = tuple(_TEMPLATES)
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _derive(seed: int, uid: int, purpose: str, length: int) -> str:
    digest = hashlib.sha256(f"riskdesk-sim:{seed}:{uid}:{purpose}".encode()).digest()
    rng = random.Random(digest)
    return "".join(rng.choice(_ALNUM if purpose == "key" else _ALNUM + "abcdefghijklmnopqrstuvwxyz")
                   for _ in range(length))


def make_demo_accounts(n: int = len(DEMO_NAMES), seed: int = 7) -> tuple[SimAccount, ...]:
    """n accounts cycling through the demo templates ("Main", ..., "Main 2", ...). Only the first
    Portfolio account signs with RSA (key generation is the slow part).

    May raise: ValueError when n < 1.
    """
    if n < 1:
        raise ValueError("need at least one account")
    out = []
    for i in range(n):
        template_name = DEMO_NAMES[i % len(DEMO_NAMES)]
        lap = i // len(DEMO_NAMES)
        name = template_name if lap == 0 else f"{template_name} {lap + 1}"
        uid = 100_000_001 + i
        spec = dict(_TEMPLATES[template_name])
        if spec.get("key_type") == "rsa" and lap > 0:
            spec["key_type"] = "hmac"
        account = SimAccount(name=name, uid=uid, api_key=_derive(seed, uid, "key", 18),
                             api_secret=_derive(seed, uid, "secret", 36), **spec)  # type: ignore[arg-type]
        if account.key_type == "rsa":
            private_pem, public_pem = rsa_key_pair(seed)
            account = replace(account, api_secret=private_pem, rsa_public_key=public_pem)
        out.append(account)
    return tuple(out)


def _odd_primes_below(limit: int) -> tuple[int, ...]:
    sieve = bytearray([1]) * limit
    sieve[:2] = b"\x00\x00"
    for i in range(2, int(limit**0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytearray(len(range(i * i, limit, i)))
    return tuple(i for i in range(3, limit) if sieve[i])


# Every odd prime below 4096, multiplied: one gcd with it rejects ~87% of odd candidates, so only ~1 in
# 8 pays for a Miller-Rabin round (a 1024-bit modular exponentiation, ~1.5 ms in Python).
_SMALL_PRIMES = _odd_primes_below(4096)
_SMALL_PRIMES_PRODUCT = math.prod(_SMALL_PRIMES)
# Miller-Rabin rounds for a random 1024-bit candidate: FIPS 186-5 (table B.1) asks 5 for a 2048-bit
# RSA key at 2^-100 error; 8 leaves a margin. (Error bounds for random candidates, not adversarial ones.)
_MR_ROUNDS = 8


def _is_probable_prime(n: int, rng: random.Random) -> bool:
    if n < 2:
        return False
    if n <= _SMALL_PRIMES[-1]:
        return n == 2 or n in _SMALL_PRIMES
    if n % 2 == 0 or math.gcd(n, _SMALL_PRIMES_PRODUCT) != 1:
        return False
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(_MR_ROUNDS):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(rng: random.Random, bits: int, e: int) -> int:
    while True:
        candidate = rng.getrandbits(bits) | (1 << (bits - 1)) | (1 << (bits - 2)) | 1
        if candidate % e != 1 and _is_probable_prime(candidate, rng):
            return candidate


# The demo key of the default seed ships as package data: generating it costs ~0.5 s, which every
# demo start and self-test would pay. tests/exchange_sim/test_demo_keys.py checks that the file holds
# exactly what `generate_rsa_key_pair(SHIPPED_KEY_SEED)` makes.
SHIPPED_KEY_SEED = 7
SHIPPED_KEY_BITS = 2048
SHIPPED_KEY_FILE = "demo_rsa_seed7.pem"


@lru_cache(maxsize=8)
def rsa_key_pair(seed: int, bits: int = 2048) -> tuple[str, str]:
    """A deterministic RSA key pair (PKCS#8 private PEM, SubjectPublicKeyInfo PEM) for the demo RSA key,
    so `riskdesk-cli simulate` prints the same key on every run with the same seed. Demo use only.

    May raise: FileNotFoundError when the shipped key of the default seed is missing (a broken install).
    """
    if (seed, bits) == (SHIPPED_KEY_SEED, SHIPPED_KEY_BITS):
        return shipped_rsa_key_pair()
    return generate_rsa_key_pair(seed, bits)


def shipped_rsa_key_pair() -> tuple[str, str]:
    """The key pair of SHIPPED_KEY_SEED as stored in the package (private PEM, public PEM).

    May raise: FileNotFoundError, ValueError (the file does not hold both PEM blocks).
    """
    text = resources.files(__package__).joinpath(SHIPPED_KEY_FILE).read_text(encoding="ascii")
    return _pem_block(text, "PRIVATE KEY"), _pem_block(text, "PUBLIC KEY")


def _pem_block(text: str, label: str) -> str:
    begin, end = f"-----BEGIN {label}-----", f"-----END {label}-----\n"
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        raise ValueError(f"{SHIPPED_KEY_FILE} holds no {label} block")
    return text[start:stop + len(end)]


def generate_rsa_key_pair(seed: int, bits: int = 2048) -> tuple[str, str]:
    """Make the deterministic demo key pair of `seed` (what `rsa_key_pair` returns), in ~0.5 s."""
    rng = random.Random(f"riskdesk-sim-rsa:{seed}")
    e = 65537
    p = _prime(rng, bits // 2, e)
    q = _prime(rng, bits // 2, e)
    while q == p:
        q = _prime(rng, bits // 2, e)
    d = pow(e, -1, (p - 1) * (q - 1))
    numbers = rsa.RSAPrivateNumbers(
        p=p, q=q, d=d, dmp1=rsa.rsa_crt_dmp1(d, p), dmq1=rsa.rsa_crt_dmq1(d, q),
        iqmp=rsa.rsa_crt_iqmp(p, q), public_numbers=rsa.RSAPublicNumbers(e, p * q),
    )
    key = numbers.private_key()
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private_pem, public_pem
