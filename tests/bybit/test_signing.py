"""Signing: the 12 vectors of SIGNING_VECTORS.md §7, RSA, and the query string rules."""

from __future__ import annotations

import base64

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.bybit.errors import BybitError
from desktop_app.bybit.messages import BAD_CREDENTIALS
from desktop_app.bybit.signing import (
    Signer,
    build_query,
    hmac_sha256_hex,
    string_to_sign,
    ws_auth_payload,
)
from desktop_app.domain.credentials import Credentials, KeyType, Secret

KEY = "CFEJUGQEQPPHGOHGHM"
SECRET = "VDFZSSPUTKRJMXAVMJXBHEXIPZNZJIZUBVRQ"
TS = 1700000000000
RW = 5000

# (vector number, params given to build_query or None, payload, expected X-BAPI-SIGN)
GET_AND_POST_VECTORS = [
    (1, {"category": "linear", "settleCoin": "USDT"}, "category=linear&settleCoin=USDT",
     "e164f83036eb98b2c16b42aa7d2c65c2190ed9e6d2e47d723f1cb68eef98108a"),
    (2, None, "settleCoin=USDT&category=linear",
     "e72947a18feb965966c60ce7e396f7999ff55b9289602b4c33beb708ba464fc7"),
    (3, {"settleCoin": "USDT", "limit": "200", "cursor": "LTCUSDT%2C1699948800031%2C0", "category": "linear"},
     "category=linear&cursor=LTCUSDT%2C1699948800031%2C0&limit=200&settleCoin=USDT",
     "fea175b09ed211a6d0a31f44f6f44ce0909defddd605246295635ff9a8131ec8"),
    (4, {"accountType": "UNIFIED"}, "accountType=UNIFIED",
     "82fad47f05aa4168e83d4906664e6189d4efea369c00583461fedeb622e66b69"),
    (5, {"coin": "USDT,USDC", "accountType": "UNIFIED"}, "accountType=UNIFIED&coin=USDT,USDC",
     "c60a5bc0396bbfc8cca577a122408ae328f2921abb56655b05b47072352f4418"),
    (6, None, "accountType=UNIFIED&coin=USDT%2CUSDC",
     "c41a5d26d5fe14baa195684c3ec04fbac9d865d803621ce926a9acac44421171"),
    (7, {}, "", "1ed9166dd216360f56561bf0f575a53db3f04477332c907b2f9b8a91bd193e1c"),
    (8, {"symbol": "BTCUSDT", "start": "1700000000000", "interval": "60", "category": "linear", "end": None},
     "category=linear&interval=60&start=1700000000000&symbol=BTCUSDT",
     "e2b46e1e2a1221ab8b09f9bad096e93f5a3b26052c20bcda73f79120d6d5d7bb"),
    (9, None, '{"category": "option"}', "c9b2ee99d4e84a93d19190acf02fb3df6d94576e03e2421856e1d98dc80c2b3f"),
    (10, None, '{"category":"option"}', "dd29a3cf8f45042d1bdc210458a842410959717ac9b3afcc37bb604fc2bed6c0"),
]


def hmac_credentials() -> Credentials:
    return Credentials(KEY, Secret(SECRET), KeyType.HMAC)


@pytest.mark.parametrize(("number", "params", "payload", "expected"), GET_AND_POST_VECTORS)
def test_vectors_1_to_10(
    number: int, params: dict[str, str | None] | None, payload: str, expected: str
) -> None:
    if params is not None:
        assert build_query(params) == payload, f"vector {number}: query string"
    origin = string_to_sign(TS, KEY, RW, payload)
    assert origin == f"1700000000000CFEJUGQEQPPHGOHGHM5000{payload}"
    assert hmac_sha256_hex(SECRET, origin) == expected
    headers = Signer(hmac_credentials()).headers(TS, RW, payload)
    assert headers == {
        "X-BAPI-API-KEY": KEY,
        "X-BAPI-TIMESTAMP": "1700000000000",
        "X-BAPI-SIGN": expected,
        "X-BAPI-RECV-WINDOW": "5000",
        "X-BAPI-SIGN-TYPE": "2",
    }


def test_vector_11_ws_auth() -> None:
    payload = ws_auth_payload(1700000001000)
    assert payload == "GET/realtime1700000001000"
    expected = "10bee9c42699fc2d08c920ffdbc03a3d65814027215cd1b8747607406cabbc1f"
    assert hmac_sha256_hex(SECRET, payload) == expected


def test_vector_12_pybit_sample() -> None:
    assert string_to_sign(12345, "mykey", 6789, "payload") == "12345mykey6789payload"
    assert hmac_sha256_hex(SECRET, "12345mykey6789payload") == (
        "41a5ab59eff2a5fc34ac3fcb66df173928373d268d9f188127fc31cdc3dcb842"
    )


def test_uppercase_sorts_before_lowercase() -> None:
    # Code-point order: "I" (0x49) < "L" (0x4C), so orderId comes before orderLinkId.
    assert build_query({"orderLinkId": "b", "orderId": "a"}) == "orderId=a&orderLinkId=b"


@pytest.mark.parametrize("bad", [1700000000000.0, 200, True, ["a"]])
def test_non_string_values_are_refused(bad: object) -> None:
    with pytest.raises(TypeError):
        build_query({"x": bad})  # type: ignore[dict-item]


_printable = st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="&=")
_values = st.text(alphabet=_printable, min_size=1)


@given(st.dictionaries(st.from_regex(r"[A-Za-z]{1,12}", fullmatch=True), _values, max_size=8))
def test_build_query_round_trips_and_is_sorted(params: dict[str, str]) -> None:
    query = build_query(params)
    pairs = [part.split("=", 1) for part in query.split("&")] if query else []
    assert [k for k, _ in pairs] == sorted(params)
    assert {k: v for k, v in pairs} == params  # values verbatim: nothing encoded


def _rsa_pem() -> tuple[str, rsa.RSAPublicKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return pem, key.public_key()


def test_rsa_sign_verify_round_trip() -> None:
    pem, public_key = _rsa_pem()
    signer = Signer(Credentials("RSAKEY123456", Secret(pem), KeyType.RSA))
    payload = "category=linear&settleCoin=USDT"
    headers = signer.headers(TS, RW, payload)
    signature = base64.b64decode(headers["X-BAPI-SIGN"], validate=True)
    origin = f"1700000000000RSAKEY1234565000{payload}".encode()
    public_key.verify(signature, origin, padding.PKCS1v15(), hashes.SHA256())  # raises if wrong
    with pytest.raises(InvalidSignature):
        public_key.verify(signature, origin + b"x", padding.PKCS1v15(), hashes.SHA256())
    # PKCS#1 v1.5 is deterministic: the same string signs to the same bytes.
    assert signer.headers(TS, RW, payload)["X-BAPI-SIGN"] == headers["X-BAPI-SIGN"]


def test_bad_rsa_key_is_a_bybit_error_without_the_secret() -> None:
    secret = "-----BEGIN PRIVATE KEY-----\nNOTAKEYATALLsecretmaterial\n-----END PRIVATE KEY-----\n"
    with pytest.raises(BybitError) as info:
        Signer(Credentials("RSAKEY123456", Secret(secret), KeyType.RSA))
    assert info.value.ret_code == BAD_CREDENTIALS
    assert info.value.__cause__ is None and info.value.__suppress_context__
    for text in (str(info.value), repr(info.value)):
        assert "secretmaterial" not in text


def test_empty_secret_is_refused() -> None:
    with pytest.raises(BybitError):
        Signer(Credentials(KEY, Secret("  "), KeyType.HMAC))


def test_signer_repr_hides_secret_and_key() -> None:
    signer = Signer(hmac_credentials())
    assert SECRET not in repr(signer) and KEY not in repr(signer) and SECRET not in str(signer)


def test_an_rsa_key_is_parsed_once_per_process_and_a_bad_one_every_time() -> None:
    from desktop_app.bybit.signing import load_rsa_private_key

    pem, _ = _rsa_pem()
    # The REST client, the private stream and the journal's sync each build a Signer for the account.
    assert load_rsa_private_key(pem) is load_rsa_private_key(pem)
    bad = "-----BEGIN PRIVATE KEY-----\nNOTAKEY\n-----END PRIVATE KEY-----\n"
    for _ in range(2):  # a failure is not remembered as a key
        with pytest.raises(BybitError):
            load_rsa_private_key(bad)
