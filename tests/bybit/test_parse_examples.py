"""Every recorded Bybit response parses, with values checked by hand against the JSON files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from desktop_app.bybit import parse
from desktop_app.domain.account import MarginMode
from desktop_app.domain.market import Category, Instrument, Side
from tests.bybit.parse_fixtures import (
    EXAMPLES_DIR,
    REST_PARSERS,
    example_bytes,
    example_json,
    example_result,
)


def test_examples_dir_holds_every_known_recording() -> None:
    names = {p.name for p in EXAMPLES_DIR.glob("*.json")}
    rest = {n for n in names if not n.startswith("ws_")}
    # A new REST recording must be given a parser here; a vanished one is a broken checkout.
    assert rest == set(REST_PARSERS)


@pytest.mark.parametrize("name", sorted(REST_PARSERS))
def test_every_rest_example_parses(name: str) -> None:
    envelope = parse.parse_envelope(example_bytes(name))
    parser = REST_PARSERS[name]
    if parser is None:
        assert envelope.ret_code != 0
        assert envelope.result == {}
    else:
        assert envelope.ret_code == 0
        assert parser(envelope.result) is not None


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES_DIR.glob("ws_*.json")))
def test_every_ws_example_loads(name: str) -> None:
    message = example_json(name)
    assert isinstance(message, dict)
    assert "op" in message or "topic" in message


def test_inverse_short_position() -> None:
    page = parse.parse_positions(example_result("position_list_inverse.json"))
    assert page.next_cursor is None  # Bybit sent ""
    (position,) = page.items
    assert position.key == (Category.INVERSE, "BTCUSD", 0)
    assert position.side is Side.SHORT  # "Sell"
    assert position.size == Decimal("300")  # USD contracts, unsigned
    assert position.liq_price is None  # "" on the wire
    assert position.entry_price == Decimal("27464.50441675")
    assert position.im == Decimal("0.00010923")
    assert position.mm == Decimal("0.0000015")
    assert position.unrealised_pnl == Decimal("-0.00029413")
    assert position.settle_coin == "BTC"  # inverse settles in the base coin
    assert position.auto_add_margin is True  # JSON int 1
    assert position.risk_id == 1
    assert position.updated_ms == 1697673600012
    assert position.delta is None


def test_linear_long_position_keeps_cursor_verbatim() -> None:
    page = parse.parse_positions(example_result("position_list_linear.json"))
    # Already percent-encoded: decoding it here would break the next request's signature.
    assert page.next_cursor == "updateAt%3D1672279322668"
    (position,) = page.items
    assert position.side is Side.LONG  # "Buy"
    assert position.size == Decimal("100")
    assert position.liq_price == Decimal("0.0001")
    assert position.settle_coin == "USDT"
    assert position.auto_add_margin is False  # the 2023 example has no autoAddMargin
    assert position.risk_id == 41


def test_settle_coin_argument_wins_over_symbol() -> None:
    page = parse.parse_positions(example_result("position_list_linear.json"), settle_coin="USDC")
    assert page.items[0].settle_coin == "USDC"


def test_ws_position_examples() -> None:
    item = example_json("ws_position.json")["data"][0]  # type: ignore[index]
    assert parse.parse_ws_position(item) is None  # side "" and size "0": an empty hedge leg
    live = {**item, "side": "Buy", "size": "0.5", "entryPrice": "28000.5"}
    position = parse.parse_ws_position(live)
    assert position is not None
    assert position.key == (Category.LINEAR, "BTCUSDT", 2)
    assert position.entry_price == Decimal("28000.5")
    assert position.liq_price == Decimal("0")  # "0" is a value, unlike ""


def test_wallets() -> None:
    (unified,) = parse.parse_wallets(example_result("wallet_balance_unified.json"))
    assert unified.account_type == "UNIFIED"
    assert unified.total_equity_usd == Decimal("3.31216591")
    assert unified.mm_rate == Decimal("0")
    assert unified.coins[0].coin == "BTC"
    (classic,) = parse.parse_wallets(example_result("wallet_balance_contract.json"))
    assert classic.account_type == "CONTRACT"
    account_level = (
        classic.total_equity_usd,
        classic.total_wallet_balance_usd,
        classic.total_margin_balance_usd,
        classic.total_available_balance_usd,
        classic.total_perp_upl_usd,
        classic.total_im_usd,
        classic.total_mm_usd,
        classic.im_rate,
        classic.mm_rate,
    )
    assert account_level == (None,) * 9  # all "" on classic wallets: unknown, not zero
    (coin,) = classic.coins
    assert (coin.coin, coin.equity) == ("USDT", Decimal("20.21"))
    assert (coin.usd_value, coin.total_position_mm) == (None, None)


def test_account_info_without_time_and_ret_ext_info() -> None:
    envelope = parse.parse_envelope(example_bytes("account_info.json"))
    assert envelope.time_ms is None
    info = parse.parse_account_info(envelope.result)
    assert info.unified_margin_status == 4
    assert info.is_classic is False
    assert info.margin_mode is MarginMode.CROSS
    assert info.is_master_trader is False
    assert info.updated_ms == 1697078946000


def test_query_api() -> None:
    envelope = parse.parse_envelope(example_bytes("query_api.json"))
    assert envelope.ret_msg == ""  # success with an empty retMsg
    info = parse.parse_api_key_info(envelope.result)
    assert info.key_id == "2208369"
    assert info.read_only is True  # JSON int 1
    assert "*" not in info.ips and info.ip_bound
    assert info.ips == ("18.181.170.164", "13.212.45.47", "13.212.45.48")
    assert info.expires_at is None  # "1970-01-01T00:00:00Z" means no expiry
    assert info.created_at == datetime(2025, 10, 13, 3, 20, 45, tzinfo=UTC)
    assert info.deadline_day == -2
    assert info.scopes("Wallet") == ("AccountTransfer", "SubMemberTransfer")
    assert info.permissions[0] == ("ContractTrade", ("Order", "Position"))  # Bybit's order kept
    assert info.can_withdraw is False
    assert info.can_trade is False  # read-only, whatever the scope lists say
    assert (info.is_unified, info.user_id, info.is_master) == (True, 1448939, True)


@pytest.mark.parametrize("name", ["kline.json", "kline_linear.json"])
def test_klines_oldest_first(name: str) -> None:
    klines = parse.parse_klines(example_result(name))
    assert klines[0].start_ms < klines[-1].start_ms
    starts = [k.start_ms for k in klines]
    assert starts == sorted(starts)
    assert all(k.volume is not None and k.turnover is not None for k in klines)


def test_kline_values_moved_with_their_row() -> None:
    klines = parse.parse_klines(example_result("kline.json"))
    # The file's LAST row is the oldest candle:
    # ["1670601600000", "17086.5", "17088", "16978", "17071.5", "6356", "0.37288112"]
    oldest = klines[0]
    assert (oldest.start_ms, oldest.open, oldest.high, oldest.low, oldest.close, oldest.volume) == (
        1670601600000,
        Decimal("17086.5"),
        Decimal("17088"),
        Decimal("16978"),
        Decimal("17071.5"),
        Decimal("6356"),
    )
    # Hourly candles: 1670608800000 - 1670601600000 = 7_200_000 ms = 2 h across three rows.
    assert klines[-1].start_ms - klines[0].start_ms == 2 * 3_600_000


def test_mark_price_kline_has_five_columns() -> None:
    (kline,) = parse.parse_klines(example_result("mark_price_kline.json"))
    assert kline.close == Decimal("17131.64")
    assert kline.volume is None and kline.turnover is None


def test_risk_tier_lowest_has_zero_deduction() -> None:
    page = parse.parse_risk_tiers(example_result("risk_limit.json"))
    (tier,) = page.items
    assert tier.mm_deduction == Decimal(0)  # "" on the wire for tier 1
    assert (tier.tier_id, tier.is_lowest_risk) == (1, True)  # "isLowestRisk": 1 (JSON int)
    assert (tier.mm_rate, tier.im_rate) == (Decimal("0.5"), Decimal("1"))
    assert tier.risk_limit_value == Decimal("150")
    assert page.next_cursor is None  # risk-limit example has no nextPageCursor at all


def test_server_time_from_nanos() -> None:
    # timeNano 1688639403423213947 ns // 1_000_000 = 1688639403423 ms, equal to the envelope time.
    assert parse.parse_server_time_ms(example_result("server_time.json")) == 1688639403423


def test_tickers() -> None:
    (option,) = parse.parse_tickers(example_result("tickers_option.json"), category=Category.OPTION)
    assert option.mark_price == Decimal("0.00000009")
    assert option.underlying_price == Decimal("16590.42")
    (spot,) = parse.parse_tickers(example_result("tickers_spot.json"), category=Category.SPOT)
    assert spot.mark_price is None
    assert spot.index_price == Decimal("20784.12009279")  # usdIndexPrice
    (inverse,) = parse.parse_tickers(example_result("tickers_inverse.json"), category=Category.INVERSE)
    assert inverse.price_24h_change_rate == Decimal("0.142425")
    assert inverse.funding_rate == Decimal("0.0001")


def _instruments(name: str, category: Category) -> tuple[Instrument, ...]:
    return parse.parse_instruments(example_result(name), category=category).items


def test_instruments() -> None:
    (linear,) = _instruments("instruments_info_linear.json", Category.LINEAR)
    assert (linear.tick_size, linear.min_price, linear.max_price) == (
        Decimal("0.10"),
        Decimal("0.10"),
        Decimal("1999999.80"),
    )
    assert (linear.qty_step, linear.min_notional_value) == (Decimal("0.001"), Decimal("5"))
    assert (linear.leverage_step, linear.copy_trading) == (Decimal("0.01"), "both")
    prelisting = parse.parse_instruments(
        example_result("instruments_info_linear_prelisting.json"), category=Category.LINEAR
    )
    assert prelisting.next_cursor == "first%3DBIOUSDT%26last%3DBIOUSDT"
    (spot,) = _instruments("instruments_info_spot.json", Category.SPOT)
    # Spot's step is basePrecision and its minimum notional minOrderAmt.
    assert (spot.qty_step, spot.min_notional_value) == (Decimal("0.000001"), Decimal("5"))
    assert spot.settle_coin is None
    (option,) = _instruments("instruments_info_option.json", Category.OPTION)
    assert (option.settle_coin, option.max_leverage) == ("USDT", None)


def test_fee_rates() -> None:
    (fee,) = parse.parse_fee_rates(example_result("fee_rate.json"))
    assert (fee.symbol, fee.taker_rate, fee.maker_rate) == ("ETHUSDT", Decimal("0.0006"), Decimal("0.0001"))


@pytest.mark.parametrize(
    ("name", "code"),
    [("error_10002.json", 10002), ("error_10004.json", 10004), ("error_10010.json", 10010)],
)
def test_error_envelopes(name: str, code: int) -> None:
    envelope = parse.parse_envelope(example_bytes(name))
    assert envelope.ret_code == code
    assert envelope.result == {}
    assert envelope.time_ms == json.loads(example_bytes(name))["time"]


def test_the_recordings_are_read_from_inside_the_repository() -> None:
    root = Path(__file__).resolve().parents[2]
    assert EXAMPLES_DIR.is_relative_to(root)
    assert (EXAMPLES_DIR / "sources.md").is_file()  # their provenance travels with them
    # No test may reach for files beside the checkout: a plain clone has nothing there.
    outside = "bybit" + "-v5"
    offenders = [p.name for p in (root / "tests").rglob("*.py") if outside in p.read_text(encoding="utf-8")]
    assert offenders == []
