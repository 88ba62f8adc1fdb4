"""Typed field readers for Bybit V5 JSON objects.

Bybit sends most numbers as JSON strings and a few as JSON ints or bools (REFERENCE.md §3), and
the docs and the wire disagree in places (§9). These readers accept every form Bybit is known to
send for a field and turn everything else into a `BybitParseError` that names the field, so no
parser above them can leak a KeyError, TypeError or decimal.InvalidOperation.
"""

from __future__ import annotations

import math
import re
import reprlib
from decimal import Decimal, InvalidOperation

from desktop_app.bybit.errors import BybitParseError

# Plain ASCII decimal notation only: Decimal() alone would also take "NaN", "Infinity", " 1 ",
# "1_000" and non-ASCII digits, none of which Bybit sends.
_DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")
_INT_RE = re.compile(r"[+-]?[0-9]{1,19}")
# No exchange quantity comes near 1e30; anything larger is junk that would overflow float64
# maths downstream (1e999999 is a "finite" Decimal but not a usable number).
_MAX_ADJUSTED_EXPONENT = 30
_MIN_ADJUSTED_EXPONENT = -40
_MAX_DECIMAL_CHARS = 64
_INT64_LIMIT = 2**63

_short = reprlib.Repr()
_short.maxstring = 40
_short.maxother = 40
_short.maxlevel = 2
_short.maxlist = _short.maxdict = _short.maxtuple = 4


def short_repr(value: object) -> str:
    """A bounded repr for error messages: long strings are cut, deep structures are not walked."""
    return _short.repr(value)


def type_name(value: object) -> str:
    if value is None:
        return "null"
    return {bool: "bool", int: "int", float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), type(value).__name__
    )


def to_decimal(value: object, where: str, field: str) -> Decimal:
    """A finite Decimal from a JSON string or number. May raise: BybitParseError."""
    if isinstance(value, str):
        if len(value) > _MAX_DECIMAL_CHARS or not _DECIMAL_RE.fullmatch(value):
            raise BybitParseError(f"{where}: field {field!r} is not a number: {short_repr(value)}")
        try:
            number = Decimal(value)
        except (InvalidOperation, ValueError):
            raise BybitParseError(f"{where}: field {field!r} is not a number: {short_repr(value)}") from None
    elif isinstance(value, bool):
        raise BybitParseError(f"{where}: field {field!r} is not a number: {short_repr(value)}")
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise BybitParseError(f"{where}: field {field!r} is not a finite number: {short_repr(value)}")
        # repr() is the shortest string that round-trips, so 0.005 stays 0.005 rather than its binary value.
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):  # parse_envelope decodes JSON floats as Decimal
        number = value
    else:
        raise BybitParseError(f"{where}: field {field!r} is not a number: {short_repr(value)}")
    if not number.is_finite():
        raise BybitParseError(f"{where}: field {field!r} is not a finite number: {short_repr(value)}")
    if number and not _MIN_ADJUSTED_EXPONENT <= number.adjusted() <= _MAX_ADJUSTED_EXPONENT:
        raise BybitParseError(f"{where}: field {field!r} is out of range: {short_repr(value)}")
    if not number and number.is_signed():
        return number.copy_negate()  # "-0" is zero: its sign would print as "−0.00" and flip comparisons
    return number


def to_int(value: object, where: str, field: str) -> int:
    """An int64 from a JSON int or a string of digits. May raise: BybitParseError."""
    if isinstance(value, bool):
        raise BybitParseError(f"{where}: field {field!r} is not an integer: {short_repr(value)}")
    if isinstance(value, int):
        number = value
    elif (isinstance(value, str) and _INT_RE.fullmatch(value)) or (
        isinstance(value, float | Decimal) and _is_integral(value)
    ):
        number = int(value)
    else:
        raise BybitParseError(f"{where}: field {field!r} is not an integer: {short_repr(value)}")
    if not -_INT64_LIMIT <= number < _INT64_LIMIT:
        raise BybitParseError(f"{where}: field {field!r} is out of range: {short_repr(value)}")
    return number


def _is_integral(value: float | Decimal) -> bool:
    if isinstance(value, float):
        return math.isfinite(value) and value.is_integer()
    # Check the magnitude first: int() of Decimal("1E+999999") would build a million-digit int.
    return value.is_finite() and value.adjusted() < 19 and value == value.to_integral_value()


def to_bool(value: object, where: str, field: str) -> bool:
    """A bool from JSON true/false, 0/1 or "0"/"1" (Bybit uses all three). May raise: BybitParseError."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return value == 1
    if isinstance(value, str) and value in ("0", "1", "true", "false"):
        return value in ("1", "true")
    raise BybitParseError(f"{where}: field {field!r} is not a boolean: {short_repr(value)}")


def require_dict(value: object, where: str, what: str = "result") -> dict[str, object]:
    """`value` itself, checked to be a JSON object. May raise: BybitParseError."""
    if not isinstance(value, dict):
        raise BybitParseError(f"{where}: {what} is not an object but {type_name(value)}")
    return value


class Fields:
    """Reads typed fields out of one JSON object; every error names `where` and the field."""

    __slots__ = ("_obj", "_prefix", "where")

    def __init__(self, obj: object, where: str, *, what: str = "result", prefix: str = "") -> None:
        self._obj = require_dict(obj, where, what)
        self.where = where
        self._prefix = prefix

    def _name(self, key: str) -> str:
        return f"{self._prefix}{key}"

    def has(self, key: str) -> bool:
        return key in self._obj

    def names(self) -> tuple[str, ...]:
        return tuple(self._obj)

    def raw(self, key: str) -> object:
        """The value under `key`. May raise: BybitParseError when the key is missing."""
        if key not in self._obj:
            raise BybitParseError(f"{self.where}: field {self._name(key)!r} is missing")
        return self._obj[key]

    def text(self, key: str, default: str | None = None) -> str:
        """A string field; `default` (when given) stands in for a missing key or null."""
        value = self._obj.get(key)
        if value is None and default is not None:
            return default
        value = self.raw(key)
        if not isinstance(value, str):
            raise BybitParseError(
                f"{self.where}: field {self._name(key)!r} is not a string: {short_repr(value)}"
            )
        return value

    def opt_text(self, key: str) -> str | None:
        """A string field; missing, null and "" are None."""
        value = self._obj.get(key)
        if value is None or value == "":
            return None
        return self.text(key)

    def dec(self, key: str) -> Decimal:
        return to_decimal(self.raw(key), self.where, self._name(key))

    def opt_dec(self, key: str, *fallbacks: str) -> Decimal | None:
        """A number field where missing, null and "" mean "not available"; tries `fallbacks` in turn."""
        for name in (key, *fallbacks):
            value = self._obj.get(name)
            if value is not None and value != "":
                return to_decimal(value, self.where, self._name(name))
        return None

    def integer(self, key: str) -> int:
        return to_int(self.raw(key), self.where, self._name(key))

    def opt_integer(self, key: str) -> int | None:
        value = self._obj.get(key)
        if value is None or value == "":
            return None
        return to_int(value, self.where, self._name(key))

    def flag(self, key: str, default: bool | None = None) -> bool:
        value = self._obj.get(key)
        if value is None and default is not None:
            return default
        return to_bool(self.raw(key), self.where, self._name(key))

    def array(self, key: str, *, optional: bool = False) -> list[object]:
        value = self._obj.get(key)
        if value is None and optional:
            return []
        value = self.raw(key)
        if not isinstance(value, list):
            raise BybitParseError(
                f"{self.where}: field {self._name(key)!r} is not an array: {short_repr(value)}"
            )
        return value

    def sub(self, key: str) -> Fields | None:
        """A nested object (instrument filters); missing or null is None."""
        value = self._obj.get(key)
        if value is None:
            return None
        return Fields(value, self.where, what=f"field {self._name(key)!r}", prefix=f"{self._name(key)}.")

    def cursor(self, key: str = "nextPageCursor") -> str | None:
        """The page cursor, verbatim (it arrives percent-encoded); "" or missing means the last page."""
        return self.opt_text(key)
