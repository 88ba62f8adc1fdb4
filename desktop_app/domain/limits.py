"""Bounds of a plausible figure: what no exchange account or market comes near.

A number can be well-formed and still be no figure any exchange would send (an equity of 1e30 USD,
a position of 1e30 BTC). The client refuses such data at its boundary (`bybit/plausible.py`), the
live repricing ignores such marks, and every output shows "unknown" rather than a figure past
`MAX_SHOWN`: a wrong figure shown as valid is worse than none.

The bounds are generous on purpose: they exist to catch junk, never to second-guess a real account.
"""

from __future__ import annotations

MAX_USD = 1e12  # any USD amount of one account: balances, equity, margins, position values, PnL
MAX_COIN_UNITS = 1e15  # any amount of one coin held (1e15 of a coin worth 1e-9 USD is 1e6 USD)
MAX_PRICE = 1e9  # any price or mark in USD or a quote coin (BTC is about 1e5)
MAX_SIZE = 1e12  # any position size: base coin, USD contracts or option contracts
MAX_LEVERAGE = 1000.0  # Bybit's highest is 200x
MAX_RATE = 1e6  # an account IM/MM rate (a fraction; 1 is liquidation, and it can run far past it)
# How far positionValue (at entry) and size x mark may disagree: the mark moving 1000-fold since entry.
MAX_MARK_TO_ENTRY_RATIO = 1000.0
MAX_SHOWN = 1e15  # no output shows a figure (USD, quantity, price) larger than this in size
