"""Reading a JSON file that may have been built to crash a parser, within a fraction of a second.

Python's json module reads what it is given: 200,000 nested brackets end in a RecursionError, a
5,000-digit integer in a ValueError from int(), bytes that are not UTF-8 in a UnicodeDecodeError,
and a number such as 1e999999 becomes a Decimal that later arithmetic chokes on. Here the file is
bounded before parsing (size, then nesting depth) and every number while parsing (its length, its
magnitude), so each of these ends in one `JsonInputError` line that names the problem.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from itertools import accumulate
from pathlib import Path

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_NUMBER_CHARS = 40  # "-123456789012.123456789012e-5" is 29; nothing real is longer
MAX_ADJUSTED_EXPONENT = 100  # 1e100 and 1e-100 are far past any figure; beyond them is junk

# A string, or an unterminated one up to the end: the possessive loop always ends in a match, so
# every quote starts at most one scan and the whole pass stays linear (a plain `"(...)*"` goes
# quadratic on a quote followed by escaped quotes, `"\\"\\"\\"...`, with no closing quote).
_STRING = re.compile(r'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class JsonInputError(ValueError):
    """The file cannot be read as bounded JSON; the message is one line naming the problem."""


def load_json_file(path: Path, *, max_bytes: int = MAX_FILE_BYTES, max_depth: int = MAX_DEPTH) -> object:
    """The decoded document; JSON floats become exact Decimals, integers ints.

    May raise: JsonInputError (naming the file), OSError (the file cannot be read).
    """
    with path.open("rb") as handle:
        raw = handle.read(max_bytes + 1)
    return loads_bounded_bytes(raw, where=str(path), max_bytes=max_bytes, max_depth=max_depth)


def loads_bounded_bytes(raw: bytes, *, where: str, max_bytes: int = MAX_FILE_BYTES,
                        max_depth: int = MAX_DEPTH, exact: bool = True) -> object:
    """The document in `raw` (UTF-8 JSON), bounded as `loads_bounded`. May raise: JsonInputError."""
    if len(raw) > max_bytes:
        raise JsonInputError(f"{where} is larger than {max_bytes // 1024} KB; this is not a file to read")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonInputError(f"{where} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
                             f"{exc.start})") from None
    return loads_bounded(text, where=where, max_depth=max_depth, exact=exact)


def loads_bounded(text: str, *, where: str, max_depth: int = MAX_DEPTH, exact: bool = True) -> object:
    """`json.loads` with nesting and numbers bounded; JSON floats become Decimals (`exact`, for
    figures) or floats (settings). May raise: JsonInputError."""
    depth = nesting_depth(text)
    if depth > max_depth:
        raise JsonInputError(f"{where} nests arrays or objects {depth} deep; at most {max_depth} are read")
    try:
        return json.loads(text, parse_float=_decimal if exact else _float, parse_int=_integer,
                          parse_constant=_constant)
    except _NumberError as exc:
        raise JsonInputError(f"{where}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise JsonInputError(f"{where} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:  # unreachable after the depth check; kept so no input can crash the reader
        raise JsonInputError(f"{where} nests too deep to read") from None


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets outside strings (a close estimate for broken JSON, which the
    parser then refuses anyway)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(1 if c in "[{" else -1 for c in brackets), default=0)


class _NumberError(ValueError):
    pass


def _shown(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:20]}… ({len(text)} characters)"


def _decimal(text: str) -> Decimal:
    if len(text) > MAX_NUMBER_CHARS:
        raise _NumberError(f"the number {_shown(text)} is longer than {MAX_NUMBER_CHARS} characters")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _NumberError(f"{_shown(text)} is not a number") from None
    if number and not -MAX_ADJUSTED_EXPONENT <= number.adjusted() <= MAX_ADJUSTED_EXPONENT:
        raise _NumberError(f"the number {_shown(text)} is out of range")
    return number


def _float(text: str) -> float:
    return float(_decimal(text))


def _integer(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _NumberError(f"the number {_shown(text)} is longer than {MAX_NUMBER_CHARS} characters")
    return int(text)


def _constant(text: str) -> object:
    raise _NumberError(f"{text} is not a number JSON allows")
