"""One simulated account's trade history: round trips, their fills, funding settlements, cash rows.

Everything is a function of the seed, the account and time, so any window of history can be served
without generating the rest, and a realtime demo keeps trading as the clock moves:
- Each UTC day holds 0-3 round trips in the account's symbols, opened at a seeded time, held
  20 minutes to 20 hours, opened and closed as taker at the mark (0.055% fee each way). Closed PnL
  is Bybit's: (exit − entry) × qty × direction (inverse: qty × (1/entry − 1/exit) × direction) minus
  both fees, funding left out.
- Funding settles every 8 h on every open position: the account's standing positions (held since
  before the history starts) and round trips open across a settlement time. A long pays
  value × rate at the mark (linear value = qty × mark; inverse = qty / mark, in coin).
- USDC perpetuals also settle the session PnL every 8 h (`cashFlow` of the SETTLEMENT row, and the
  closing TRADE row carries only the PnL since the last session), as Bybit's USDC contracts do.
- A round trip appears (its fills, settlements and closed PnL) once it is closed, so no visible
  row ever belongs to a position the position list does not show. Standing positions are untouched
  by round trips (those are traded on their own).
- The transaction log's cashBalance runs so that, at the price clock's origin, each coin's balance
  is the account's wallet balance (what wallet-balance reports): the balance at the start of the
  history is the wallet less every change visible at the origin.
Amounts are rounded to 8 decimals once (ledger_records.q8), so rows that should add up do so exactly.
"""

from __future__ import annotations

import random
import threading
from decimal import ROUND_DOWN, Decimal

from desktop_app.exchange_sim.accounts import SimAccount
from desktop_app.exchange_sim.funding import FUNDING_INTERVAL_MS, funding_rate
from desktop_app.exchange_sim.instruments import CATALOGUE
from desktop_app.exchange_sim.ledger_records import CashEntry, Holding, Trip, q8, stable_id
from desktop_app.exchange_sim.prices import PriceModel
from desktop_app.exchange_sim.valuation import TAKER_FEE_RATE

DAY_MS = 86_400_000
_ZERO = Decimal(0)
_MIN_HOLD_MS = 20 * 60_000
_MAX_HOLD_MS = 20 * 3_600_000
_TRIP_COUNTS = (0, 1, 1, 2, 2, 3)
_TRIP_FRACTIONS = (Decimal("0.1"), Decimal("0.2"), Decimal("0.25"), Decimal("0.5"))


class Ledger:
    """The history of one account. Thread-safe; days are generated once and cached."""

    def __init__(self, account: SimAccount, model: PriceModel, seed: int, history_start_ms: int,
                 origin_ms: int) -> None:
        self.account = account
        self.seed = seed
        self.history_start_ms = history_start_ms
        self.origin_ms = origin_ms  # the price clock's origin: the cash balances are the wallet's here
        self._model = model
        self._lock = threading.RLock()
        self._marks: dict[tuple[str, int], Decimal] = {}
        self._trips: dict[int, tuple[Trip, ...]] = {}
        self._cash: dict[int, tuple[CashEntry, ...]] = {}
        self._openings: dict[int, dict[str, Decimal]] = {}  # day -> balances at its start (final ones)
        self._symbols = tuple(dict.fromkeys(p.symbol for p in account.positions))
        # Standing positions were opened long before the history starts (opened_ms 0).
        self._standing = tuple(Holding(p.symbol, p.side, p.size, 0, p.entry_price, None, f"standing-{n}")
                               for n, p in enumerate(account.positions))

    def mark(self, symbol: str, time_ms: int) -> Decimal:
        """The tick-rounded mark of `symbol` at `time_ms` (what a taker fill there executes at)."""
        key = (symbol, time_ms)
        with self._lock:
            price = self._marks.get(key)
            if price is None:
                inst = CATALOGUE[symbol]
                raw = self._model.prices_at(time_ms)[self._model.index[inst.base_coin]]
                price = self._marks[key] = inst.round_price(Decimal(repr(float(raw))))
            return price

    # -- round trips -----------------------------------------------------------------------------
    def day_trips(self, day: int) -> tuple[Trip, ...]:
        """Round trips opened on UTC day `day` (epoch day number), at or after the history start."""
        with self._lock:
            cached = self._trips.get(day)
            if cached is None:
                cached = self._trips[day] = self._make_trips(day)
            return cached

    def _make_trips(self, day: int) -> tuple[Trip, ...]:
        if not self._symbols:
            return ()
        rng = random.Random(f"riskdesk-ledger:{self.seed}:{self.account.uid}:{day}")
        trips = []
        for n in range(rng.choice(_TRIP_COUNTS)):
            symbol = rng.choice(self._symbols)
            side = rng.choice(("Buy", "Sell"))
            open_ms = day * DAY_MS + rng.randrange(DAY_MS)
            close_ms = open_ms + rng.randrange(_MIN_HOLD_MS, _MAX_HOLD_MS)
            fraction = rng.choice(_TRIP_FRACTIONS)
            if open_ms < self.history_start_ms:
                continue
            template = next(p for p in self.account.positions if p.symbol == symbol)
            inst = CATALOGUE[symbol]
            qty = max(inst.qty_step, (template.size * fraction / inst.qty_step).to_integral_value(ROUND_DOWN)
                      * inst.qty_step)
            entry, exit_ = self.mark(symbol, open_ms), self.mark(symbol, close_ms)
            sign = 1 if side == "Buy" else -1
            if inst.inverse:
                gross = qty * (1 / entry - 1 / exit_) * sign
                open_value, close_value = qty / entry, qty / exit_
            else:
                gross = (exit_ - entry) * qty * sign
                open_value, close_value = qty * entry, qty * exit_
            trips.append(Trip(
                stable_id(self.seed, self.account.uid, day, n), symbol, side, qty, template.leverage,
                open_ms, close_ms, entry, exit_, q8(open_value * TAKER_FEE_RATE),
                q8(close_value * TAKER_FEE_RATE), q8(gross)))
        return tuple(sorted(trips, key=lambda t: t.open_ms))

    def trips_between(self, first_ms: int, last_ms: int, now_ms: int, *, by: str = "close") -> list[Trip]:
        """Closed trips (close <= now) whose close (`by="close"`) or open or close (`by="any"`) falls in
        [first_ms, last_ms]."""
        trips: list[Trip] = []
        for day in range(first_ms // DAY_MS - 1, last_ms // DAY_MS + 1):
            for trip in self.day_trips(day):
                if trip.close_ms > now_ms:
                    continue
                times = (trip.close_ms,) if by == "close" else (trip.open_ms, trip.close_ms)
                if any(first_ms <= t <= last_ms for t in times):
                    trips.append(trip)
        return trips

    # -- cash rows -------------------------------------------------------------------------------
    def day_cash(self, day: int) -> tuple[CashEntry, ...]:
        """Every cash row of UTC day `day` (trade legs and settlements), visible or not yet."""
        with self._lock:
            cached = self._cash.get(day)
            if cached is None:
                cached = self._cash[day] = self._make_cash(day)
            return cached

    def _holdings_at(self, time_ms: int) -> list[Holding]:
        held = list(self._standing)
        for day in (time_ms // DAY_MS - 1, time_ms // DAY_MS):
            held += [Holding(t.symbol, t.side, t.qty, t.open_ms, t.entry, t, t.trip_id)
                     for t in self.day_trips(day) if t.open_ms < time_ms < t.close_ms]
        return held

    def _session_price(self, holding: Holding, settlement_ms: int) -> Decimal:
        """The price the previous USDC session closed at: the last settlement's mark, or the entry."""
        previous = settlement_ms - FUNDING_INTERVAL_MS
        # Opened at or after the previous settlement: that one did not include it.
        return holding.entry if holding.opened_ms >= previous else self.mark(holding.symbol, previous)

    def _settlement(self, holding: Holding, time_ms: int) -> CashEntry:
        inst = CATALOGUE[holding.symbol]
        sign = 1 if holding.side == "Buy" else -1
        mark = self.mark(holding.symbol, time_ms)
        rate = funding_rate(self.seed, holding.symbol, time_ms)
        value = holding.qty / mark if inst.inverse else holding.qty * mark
        session = _ZERO
        if inst.settle_coin == "USDC":
            session = q8((mark - self._session_price(holding, time_ms)) * holding.qty * sign)
        trade_id = stable_id("settle", self.account.uid, holding.symbol, time_ms, holding.key)
        return CashEntry(time_ms, "SETTLEMENT", holding.symbol, holding.side, holding.qty, holding.qty * sign,
                         inst.settle_coin, mark, q8(-sign * value * rate), _ZERO, session,
                         rate if sign > 0 else -rate, trade_id, "",
                         holding.trip.close_ms if holding.trip else time_ms)

    def _trade_legs(self, trip: Trip, day: int) -> list[CashEntry]:
        inst = trip.instrument
        legs = []
        if trip.open_ms // DAY_MS == day:
            legs.append(CashEntry(trip.open_ms, "TRADE", trip.symbol, trip.side, trip.qty,
                                  trip.qty * trip.sign, inst.settle_coin, trip.entry, _ZERO, trip.open_fee,
                                  _ZERO, TAKER_FEE_RATE, stable_id("fill", trip.trip_id, "open"),
                                  stable_id("order", trip.trip_id, "open"), trip.close_ms))
        if trip.close_ms // DAY_MS == day:
            cash = trip.gross
            if inst.settle_coin == "USDC":
                # Sessions settled since the open already paid out part of the PnL.
                # The last settlement strictly inside the trip (one at the open or close instant
                # does not include it).
                last = (trip.close_ms - 1) - (trip.close_ms - 1) % FUNDING_INTERVAL_MS
                start = trip.entry if last <= trip.open_ms else self.mark(trip.symbol, last)
                cash = q8((trip.exit - start) * trip.qty * trip.sign)
            legs.append(CashEntry(trip.close_ms, "TRADE", trip.symbol, "Sell" if trip.sign > 0 else "Buy",
                                  trip.qty, _ZERO, inst.settle_coin, trip.exit, _ZERO, trip.close_fee, cash,
                                  TAKER_FEE_RATE, stable_id("fill", trip.trip_id, "close"),
                                  stable_id("order", trip.trip_id, "close"), trip.close_ms))
        return legs

    def _make_cash(self, day: int) -> tuple[CashEntry, ...]:
        rows: list[CashEntry] = []
        for time_ms in range(day * DAY_MS, (day + 1) * DAY_MS, FUNDING_INTERVAL_MS):
            if time_ms >= self.history_start_ms:
                rows += [self._settlement(h, time_ms) for h in self._holdings_at(time_ms)]
        for trip_day in (day - 1, day):
            for trip in self.day_trips(trip_day):
                rows += self._trade_legs(trip, day)
        rows.sort(key=lambda r: (r.time_ms, r.kind != "SETTLEMENT", r.symbol, r.trade_id))
        return tuple(rows)

    def _add_day(self, balances: dict[str, Decimal], day: int, now_ms: int, last_ms: int,
                 out: list[tuple[CashEntry, Decimal]] | None = None, first_ms: int = 0) -> None:
        for row in self.day_cash(day):
            if row.visible_ms > now_ms or row.time_ms > last_ms:
                continue
            balance = balances.get(row.currency, _ZERO) + row.change
            balances[row.currency] = balance
            if out is not None and row.time_ms >= first_ms:
                out.append((row, balance))

    def _history_start_balances(self) -> dict[str, Decimal]:
        """Each coin's balance when the history starts: the wallet balance (which holds at the origin)
        less the change of every row the origin sees. Call with the lock held."""
        first_day = self.history_start_ms // DAY_MS
        opening = self._openings.get(first_day)
        if opening is None:
            balances = {coin: amount for coin, amount in self.account.wallet}
            for day in range(first_day, self.origin_ms // DAY_MS + 1):
                for row in self.day_cash(day):
                    if row.time_ms <= self.origin_ms and row.visible_ms <= self.origin_ms:
                        balances[row.currency] = balances.get(row.currency, _ZERO) - row.change
            opening = self._openings[first_day] = balances
        return opening

    def _opening_balances(self, day: int, now_ms: int) -> dict[str, Decimal]:
        """Balances at the start of `day`. Rows before a day start are all visible one day later (a trip
        lasts under 20 h), so once `now` is a day past, that day's opening balances are final and kept."""
        first_day = self.history_start_ms // DAY_MS
        with self._lock:
            self._history_start_balances()
            known = max((d for d in self._openings if d <= day), default=first_day)
            balances = dict(self._openings[known])
            for d in range(known, day):
                self._add_day(balances, d, now_ms, (d + 1) * DAY_MS - 1)
                if (d + 2) * DAY_MS <= now_ms:
                    self._openings[d + 1] = dict(balances)
            return balances

    def cash_rows(self, first_ms: int, last_ms: int, now_ms: int) -> list[tuple[CashEntry, Decimal]]:
        """Visible cash rows in [first_ms, last_ms], oldest first, each with the balance of its
        currency after it (at the origin, the last one's is the wallet balance)."""
        out: list[tuple[CashEntry, Decimal]] = []
        last_ms = min(last_ms, now_ms)
        first_day = max(first_ms, self.history_start_ms) // DAY_MS
        balances = self._opening_balances(first_day, now_ms)
        for day in range(first_day, last_ms // DAY_MS + 1):
            self._add_day(balances, day, now_ms, last_ms, out, first_ms)
        return out


class LedgerBook:
    """Every account's ledger, created on first use. The history starts `history_days` before the
    price clock's origin and grows with the clock."""

    def __init__(self, model: PriceModel, seed: int, start_ms: int, history_days: int) -> None:
        self.seed = seed
        self.origin_ms = start_ms
        self.history_start_ms = (start_ms // DAY_MS - history_days) * DAY_MS
        self._model = model
        self._lock = threading.Lock()
        self._ledgers: dict[SimAccount, Ledger] = {}

    def ledger(self, account: SimAccount) -> Ledger:
        with self._lock:
            ledger = self._ledgers.get(account)
            if ledger is None:
                ledger = Ledger(account, self._model, self.seed, self.history_start_ms, self.origin_ms)
                self._ledgers[account] = ledger
            return ledger
