"""Build and check a `Scenario` from already-decoded JSON (no I/O here); every error names its field.

Numbers may be JSON numbers (decode with `parse_float=Decimal` to keep them exact) or strings.
Rates are fractions: `"slippage_tolerance": 0.001` is 0.1%.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from desktop_app.copytrade.model import (
    DEFAULT_MAX_POSITION_MARGIN_USDT,
    DEFAULT_TAKER_FEE,
    MAX_SLIPPAGE_TOLERANCE,
    MIN_SLIPPAGE_TOLERANCE,
    Action,
    CopyMode,
    FollowerSettings,
    MasterOrder,
    MasterSettings,
    QtyRules,
    Scenario,
    ScenarioError,
)
from desktop_app.domain.market import Side
from desktop_app.i18n import QT_TRANSLATE_NOOP

_SIDES = {"long": Side.LONG, "buy": Side.LONG, "short": Side.SHORT, "sell": Side.SHORT}
# Bounds on every number (check_bounds): far past any balance, price or quantity of a copy trade, and
# well inside the 28 digits Decimal computes with, so the replay is exact and fast.
MAX_MAGNITUDE = Decimal(10) ** 12
MAX_DECIMAL_PLACES = 12
MAX_ORDERS = 10_000


def _dec(data: Mapping[str, Any], key: str, name: str, default: Decimal | None = None) -> Decimal:
    value = data.get(key)
    if value is None:
        if default is None:
            raise ScenarioError(name, "is required")
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ScenarioError(name, f"must be a number, not {type(value).__name__}")
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ScenarioError(name, f"must be a number, not {value!r}") from None
    if not number.is_finite():
        raise ScenarioError(name, "must be a finite number")
    return number


def _obj(data: Mapping[str, Any], key: str, name: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise ScenarioError(name, "must be an object")
    return value


def _choice(data: Mapping[str, Any], key: str, options: Mapping[str, Any], default: str | None = None) -> Any:
    value = data.get(key, default)
    if not isinstance(value, str) or value.strip().lower() not in options:
        raise ScenarioError(key, f"must be one of {', '.join(sorted(options))}, not {value!r}")
    return options[value.strip().lower()]


def _order(raw: object, index: int) -> MasterOrder:
    name = f"orders[{index}]"
    if not isinstance(raw, Mapping):
        raise ScenarioError(name, "must be an object")
    time = raw.get("time", str(index + 1))
    if isinstance(time, bool) or not isinstance(time, str | int):
        raise ScenarioError(f"{name}.time", "must be a string or an integer")
    action = raw.get("action", "open")
    if action not in ("open", "close"):
        raise ScenarioError(f"{name}.action", f'must be "open" or "close", not {action!r}')
    price = _dec(raw, "price", f"{name}.price")
    return MasterOrder(
        time=time,
        action=Action(action),
        qty=_dec(raw, "qty", f"{name}.qty"),
        price=price,
        follower_price=_dec(raw, "follower_price", f"{name}.follower_price", default=price),
    )


def scenario_from_dict(data: object) -> Scenario:
    """Build a scenario from decoded JSON and validate it. May raise: ScenarioError."""
    if not isinstance(data, Mapping):
        raise ScenarioError("scenario", "must be a JSON object")
    symbol = data.get("symbol")
    if not isinstance(symbol, str):
        raise ScenarioError("symbol", "is required (a USDT perpetual such as BTCUSDT)")
    master = _obj(data, "master", "master")
    follower = _obj(data, "follower", "follower")
    orders = data.get("orders")
    if not isinstance(orders, list):
        raise ScenarioError("orders", "must be a list")
    copyguard = follower.get("copyguard", False)
    if not isinstance(copyguard, bool):
        raise ScenarioError("follower.copyguard", "must be true or false")
    mode = _choice(data, "mode", {m.value: m for m in CopyMode})
    fixed_margin = follower.get("fixed_margin")
    # Smart Copy follows the master's leverage, so the follower's own is optional there.
    default_leverage = _dec(master, "leverage", "master.leverage") if mode is CopyMode.SMART else None
    scenario = Scenario(
        symbol=symbol.strip().upper(),
        side=_choice(data, "side", _SIDES),
        mode=mode,
        rules=QtyRules(qty_step=_dec(data, "qty_step", "qty_step"), min_qty=_dec(data, "min_qty", "min_qty")),
        master=MasterSettings(
            available_balance_usdt=_dec(master, "available_balance", "master.available_balance"),
            leverage=_dec(master, "leverage", "master.leverage"),
        ),
        follower=FollowerSettings(
            available_balance_usdt=_dec(follower, "available_balance", "follower.available_balance"),
            leverage=_dec(follower, "leverage", "follower.leverage", default=default_leverage),
            fixed_margin_usdt=None if fixed_margin is None
            else _dec(follower, "fixed_margin", "follower.fixed_margin"),
            slippage_tolerance=_dec(follower, "slippage_tolerance", "follower.slippage_tolerance",
                                    default=MIN_SLIPPAGE_TOLERANCE),
            max_position_margin_usdt=_dec(follower, "max_position_margin", "follower.max_position_margin",
                                          default=DEFAULT_MAX_POSITION_MARGIN_USDT),
            copyguard=copyguard,
        ),
        orders=tuple(_order(raw, i) for i, raw in enumerate(orders)),
        taker_fee=_dec(data, "taker_fee", "taker_fee", default=DEFAULT_TAKER_FEE),
    )
    validate(scenario)
    return scenario


def _numbers(s: Scenario) -> list[tuple[str, Decimal | None]]:
    """Every number of a scenario with the name of its field."""
    f = s.follower
    named: list[tuple[str, Decimal | None]] = [
        ("taker_fee", s.taker_fee), ("qty_step", s.rules.qty_step), ("min_qty", s.rules.min_qty),
        ("master.available_balance", s.master.available_balance_usdt), ("master.leverage", s.master.leverage),
        ("follower.available_balance", f.available_balance_usdt), ("follower.leverage", f.leverage),
        ("follower.fixed_margin", f.fixed_margin_usdt), ("follower.slippage_tolerance", f.slippage_tolerance),
        ("follower.max_position_margin", f.max_position_margin_usdt),
    ]
    for i, order in enumerate(s.orders):
        named += [(f"orders[{i}].qty", order.qty), (f"orders[{i}].price", order.price),
                  (f"orders[{i}].follower_price", order.follower_price)]
    return named


def check_bounds(name: str, value: Decimal) -> None:
    """A number the replay can work with exactly: finite, at most MAX_MAGNITUDE in size and at most
    MAX_DECIMAL_PLACES after the point. Without this, `qty_step` 1e-1000000 or a quantity of
    1e999999 costs minutes of CPU or an arithmetic error deep in the replay. May raise: ScenarioError."""
    if not value.is_finite():
        raise ScenarioError(name, "must be a finite number")
    if abs(value) > MAX_MAGNITUDE:
        raise ScenarioError(name, f"is out of range (at most {MAX_MAGNITUDE:,.0f} in size)")
    _sign, digits, exponent = value.as_tuple()
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    # Trailing zeros do not count: 0.100000000000000 is 0.1.
    if isinstance(exponent, int) and value and exponent + trailing_zeros < -MAX_DECIMAL_PLACES:
        raise ScenarioError(name, f"has more than {MAX_DECIMAL_PLACES} decimal places")


def validate(s: Scenario) -> None:
    """Check bounds, ranges and consistency. May raise: ScenarioError naming the first field at fault."""
    if len(s.orders) > MAX_ORDERS:
        raise ScenarioError("orders", f"at most {MAX_ORDERS:,} orders are replayed, not {len(s.orders):,}")
    for name, value in _numbers(s):
        if value is not None:
            check_bounds(name, value)
    base = s.symbol.removesuffix("USDT")
    if not s.symbol.endswith("USDT") or not base.isalnum():
        raise ScenarioError("symbol", f"copy trading is USDT-perpetual only; {s.symbol!r} is not one")
    if not Decimal(0) <= s.taker_fee < Decimal("0.01"):
        raise ScenarioError(
            "taker_fee", QT_TRANSLATE_NOOP("copytrade", "must be from 0% to 1% (0.055% is 0.00055)"))
    if s.rules.qty_step <= 0:
        raise ScenarioError("qty_step", QT_TRANSLATE_NOOP("copytrade", "must be positive"))
    if s.rules.min_qty <= 0 or s.rules.min_qty % s.rules.qty_step:
        raise ScenarioError(
            "min_qty", QT_TRANSLATE_NOOP("copytrade", "must be a positive multiple of the quantity step"))
    for name, value in (("master.available_balance", s.master.available_balance_usdt),
                        ("follower.available_balance", s.follower.available_balance_usdt)):
        if value < 0:
            raise ScenarioError(name, QT_TRANSLATE_NOOP("copytrade", "must not be negative"))
    for name, value in (("master.leverage", s.master.leverage), ("follower.leverage", s.follower.leverage)):
        if not Decimal(1) <= value <= Decimal(200):
            raise ScenarioError(name, QT_TRANSLATE_NOOP("copytrade", "must be from 1 to 200"))
    f = s.follower
    if s.mode is CopyMode.ADVANCED and (f.fixed_margin_usdt is None or f.fixed_margin_usdt <= 0):
        raise ScenarioError(
            "follower.fixed_margin",
            QT_TRANSLATE_NOOP("copytrade", "advanced mode needs a positive fixed order margin"))
    if not MIN_SLIPPAGE_TOLERANCE <= f.slippage_tolerance <= MAX_SLIPPAGE_TOLERANCE:
        raise ScenarioError(
            "follower.slippage_tolerance",
            QT_TRANSLATE_NOOP("copytrade", "must be from 0.1% to 5%"),
        )
    if f.max_position_margin_usdt <= 0:
        raise ScenarioError(
            "follower.max_position_margin", QT_TRANSLATE_NOOP("copytrade", "must be positive"))
    last_time: int | None = None
    for i, order in enumerate(s.orders):
        prices = (("qty", order.qty), ("price", order.price), ("follower_price", order.follower_price))
        for name, value in prices:
            if value <= 0:
                raise ScenarioError(f"orders[{i}].{name}", QT_TRANSLATE_NOOP("copytrade", "must be positive"))
        if isinstance(order.time, int):
            if last_time is not None and order.time < last_time:
                raise ScenarioError(
                    f"orders[{i}].time", QT_TRANSLATE_NOOP("copytrade", "orders must be in time order"))
            last_time = order.time


def scenario_to_dict(s: Scenario) -> dict[str, Any]:
    """The JSON shape `scenario_from_dict` reads (numbers as Decimal), e.g. to save a preset."""
    f = s.follower
    follower: dict[str, Any] = {
        "available_balance": f.available_balance_usdt,
        "leverage": f.leverage,
        "slippage_tolerance": f.slippage_tolerance,
        "max_position_margin": f.max_position_margin_usdt,
        "copyguard": f.copyguard,
    }
    if f.fixed_margin_usdt is not None:
        follower["fixed_margin"] = f.fixed_margin_usdt
    return {
        "symbol": s.symbol,
        "side": s.side.value,
        "mode": s.mode.value,
        "taker_fee": s.taker_fee,
        "qty_step": s.rules.qty_step,
        "min_qty": s.rules.min_qty,
        "master": {"available_balance": s.master.available_balance_usdt, "leverage": s.master.leverage},
        "follower": follower,
        "orders": [
            {"time": o.time, "action": o.action.value, "qty": o.qty, "price": o.price,
             "follower_price": o.follower_price}
            for o in s.orders
        ],
    }
