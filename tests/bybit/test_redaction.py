"""A server that echoes the request's origin string and signature in its error: the message the user
sees quotes it with the signature, the key and the secret blanked, for HMAC and RSA keys alike."""

from __future__ import annotations

import asyncio
import re

import pytest

from desktop_app.bybit.client import BybitClient
from desktop_app.bybit.environments import custom
from desktop_app.bybit.errors import BybitError
from desktop_app.bybit.http import HttpPool, RetryPolicy
from desktop_app.bybit.messages import redact_signatures
from desktop_app.bybit.ratelimit import SlidingWindowLimiter
from desktop_app.domain.credentials import Credentials, KeyType, Secret
from desktop_app.exchange_sim.accounts import rsa_key_pair
from tests.misbehaving_server import MisbehavingServer

HMAC_SECRET = "VDFZSSPUTKRJMXAVMJXBHEXIPZNZJIZUBVRQ"


def _credentials(key_type: KeyType) -> Credentials:
    if key_type is KeyType.HMAC:
        return Credentials("CFEJUGQEQPPHGOHGHM", Secret(HMAC_SECRET))
    private_pem, _public = rsa_key_pair(7)
    return Credentials("RSAKEYRSAKEY0001", Secret(private_pem), KeyType.RSA)


@pytest.mark.parametrize("key_type", [KeyType.HMAC, KeyType.RSA])
def test_an_echoed_signature_never_reaches_the_message(key_type: KeyType) -> None:
    credentials = _credentials(key_type)
    with MisbehavingServer("echo_sign") as server:
        async def go() -> BybitError:
            pool = HttpPool(deadline_s=5.0, ip_limiter=SlidingWindowLimiter(600, 5.0),
                            retry=RetryPolicy(base_delay_s=0.01, max_delay_s=0.02))
            try:
                with pytest.raises(BybitError) as info:
                    await BybitClient(custom(server.base_url), credentials, pool).account_info()
                return info.value
            finally:
                await pool.aclose()

        error = asyncio.run(go())
        head = server.last_head.decode("latin-1")
    sent = re.search(r"(?i)x-bapi-sign: (\S+)", head)
    assert sent is not None
    text = str(error)
    assert text.startswith("[10029] /v5/account/info: Bybit answered retCode 10029: error sign! "
                           "origin_string[")
    assert sent.group(1) not in text and "[signature]" in text
    assert credentials.api_key not in text and credentials.secret.reveal() not in text


def test_signature_shapes_are_blanked_and_ordinary_text_is_kept() -> None:
    hex_sig = "a" * 64
    b64_sig = "Qm" * 100 + "=="
    text = f"origin_string[1700000000000KEY5000category=linear{hex_sig}] sign {b64_sig} ts 1700000000000"
    assert redact_signatures(text) == ("origin_string[1700000000000KEY5000category=linear[signature]] "
                                       "sign [signature] ts 1700000000000")
    assert redact_signatures("accountType only support UNIFIED.") == "accountType only support UNIFIED."
