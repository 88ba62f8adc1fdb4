"""Stress scenarios and the first-liquidation search.

A scenario moves the shocked coins by the given fractions and, with `beta`, every other coin by its
conditional expectation (its beta for a single shocked coin), estimated from the ReturnModel.
Isolated positions that reach their liqPrice are liquidated and lose their margin (plus any uPnL
they had); their loss never exceeds that. UTA cross/portfolio-margin accounts are liquidated when
the MM rate reaches 1 (MM scales with position value). Accounts without account rates (classic)
are liquidated when any position reaches its liqPrice, with uncapped (cross) losses.

The first-liquidation search solves every liquidation condition in closed form: under the model
each condition is linear in the shock r of one coin (c0 + c1·r >= 0), so one (events x coins) array
operation gives the exact threshold of every position and account for every coin — finer than any
grid and a fraction of a millisecond for 20 accounts x 100 positions.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from desktop_app.risk.book import MODE_ISOLATED, MODE_POSITION, MODE_RATE, Book
from desktop_app.risk.repricing import coin_index, shocked
from desktop_app.risk.results import AccountStress, FirstLiquidation, LiquidatedPosition, StressResult
from desktop_app.risk.returns import EMPTY_MODEL, ReturnModel

MAX_DOWN = 0.99  # search a coin down to -99 %
MAX_UP = 5.0  # and up to +500 %


def _crossed(book: Book, mark: np.ndarray) -> np.ndarray:
    at_liq = np.where(book.p_dir > 0, mark <= book.p_liq, mark >= book.p_liq)
    return book.position_liquidates() & at_liq


def stress(
    book: Book, shocks: Mapping[str, float], *, model: ReturnModel = EMPTY_MODEL, beta: bool = True
) -> StressResult:
    """Apply `shocks` (coin or symbol -> fraction, e.g. {"BTC": -0.15}). May raise: ValueError (<= -100 %)."""
    if any(float(s) <= -1.0 for s in shocks.values()):
        raise ValueError("a price cannot fall by 100 % or more")
    named = {}
    for name, s in shocks.items():
        try:
            named[book.coins[coin_index(book, name)]] = float(s)
        except KeyError:
            named[name] = float(s)  # not held, but may still move held coins through beta
    moves = model.moves(book.coins, named, beta=beta)
    after = shocked(book, moves)
    d_upnl = after.p_upnl - book.p_upnl
    crossed = _crossed(book, after.p_mark)
    isolated = book.a_mode[book.p_acc] == MODE_ISOLATED if book.n_positions else np.zeros(0, dtype=bool)
    # A liquidated isolated position is closed at its bankruptcy price: its margin and its uPnL are gone.
    floor = -(book.p_im + np.nan_to_num(book.p_upnl))
    capped = np.where(np.isfinite(floor), np.where(crossed, floor, np.maximum(d_upnl, floor)), d_upnl)
    pnl_p = np.where(isolated, capped, d_upnl)
    pnl_a = np.bincount(book.p_acc, weights=pnl_p, minlength=book.n_accounts)
    pnl_a += book.collateral_coef() @ moves  # coin collateral moves with its coin
    denom = book.a_denom + pnl_a
    mm_rate = np.full(book.n_accounts, np.inf)
    np.divide(after.a_mm, denom, out=mm_rate, where=denom > 0)
    rate_liq = (book.a_mode == MODE_RATE) & np.isfinite(book.a_denom) & ((denom <= 0) | (mm_rate >= 1.0))
    pos_liq = np.bincount(book.p_acc, weights=crossed.astype(np.float64), minlength=book.n_accounts) > 0

    accounts = []
    for a in range(book.n_accounts):
        has = bool(book.a_has_data[a])
        eq = float(book.a_equity[a]) if has and np.isfinite(book.a_equity[a]) else None
        rate = (
            float(mm_rate[a])
            if has
            and book.a_mode[a] != MODE_POSITION
            and np.isfinite(book.a_denom[a])
            and not np.isnan(after.a_mm[a])
            else None
        )
        hit = np.flatnonzero(crossed & (book.p_acc == a))
        accounts.append(
            AccountStress(
                name=book.names[a],
                account_id=book.account_ids[a],
                equity_before_usd=eq,
                equity_after_usd=None if eq is None else eq + float(pnl_a[a]),
                pnl_usd=float(pnl_a[a]) if has else None,
                mm_rate_after=rate,
                liquidated=bool(rate_liq[a] or pos_liq[a]),
                liquidated_positions=tuple(
                    LiquidatedPosition(
                        book.names[a],
                        book.symbols[j],
                        "long" if book.p_dir[j] > 0 else "short",
                        book.position_idx[j],
                    )
                    for j in hit
                ),
            )
        )
    first = None
    if named:
        lead = max(named, key=lambda c: abs(named[c]))
        if lead in book.coins:
            first = first_liquidation(
                book, model=model, beta=beta, coins=(lead,), direction=1 if named[lead] > 0 else -1
            )
    return StressResult(
        shocks=tuple((c, float(s)) for c, s in shocks.items()),
        moves=tuple(zip(book.coins, moves.tolist(), strict=True)),
        beta=beta,
        accounts=tuple(accounts),
        total_pnl_usd=float(pnl_a[book.a_has_data].sum()),
        liquidated_accounts=tuple(a.name for a in accounts if a.liquidated),
        first_liquidation=first,
    )


def _by_account_and_coin(book: Book, weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """(len(rows), n_coins) sums of per-position `weights` by (account, coin), for the accounts `rows`."""
    n_c = len(book.coins)
    flat = np.bincount(book.p_acc * n_c + book.p_coin, weights=weights, minlength=book.n_accounts * n_c)
    return flat.reshape(book.n_accounts, n_c)[rows]


def _events(book: Book, betas: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Liquidation conditions c0 + c1·r >= 0 for a shock r of each coin: (c0, c1, account, position or -1)."""
    # Positions on their own liqPrice: long when mark·(1 + β r) <= liq, short when >= liq.
    pm = np.flatnonzero(book.position_liquidates())
    dirm = book.p_dir[pm] * book.p_mark[pm]
    c0_pos = -(dirm - book.p_dir[pm] * book.p_liq[pm])
    c1_pos = (-dirm)[:, None] * betas[book.p_coin[pm]]  # negate the vector, not the (events x coins) matrix
    # Accounts on the MM rate: MM(r) - D(r) >= 0, or D(r) <= 0, both linear in r. Summing each account's
    # weights per coin first turns an (accounts x positions) product into a (accounts x coins) one:
    # the same sums, without a matrix product big enough for BLAS to spread over (busy) threads.
    ra = np.flatnonzero((book.a_mode == MODE_RATE) & np.isfinite(book.a_denom) & np.isfinite(book.a_mm))
    d_mm = _by_account_and_coin(book, book.p_mm_eff * book.mm_growth(), ra) @ betas
    d_pnl = (_by_account_and_coin(book, book.pnl_coef(), ra) + book.collateral_coef()[ra]) @ betas
    c0 = np.concatenate([c0_pos, book.a_mm[ra] - book.a_denom[ra], -book.a_denom[ra]])
    c1 = np.concatenate([c1_pos, d_mm - d_pnl, -d_pnl])
    acc = np.concatenate([book.p_acc[pm], ra, ra])
    pos = np.concatenate([pm, np.full(2 * len(ra), -1)])
    return c0, c1, acc, pos


def _distances(book: Book, model: ReturnModel, beta: bool, max_down: float, max_up: float,
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """(events x coins) sizes of the down and up moves that meet each liquidation condition (inf: none
    within the range), with each event's account and position (-1 for the account itself)."""
    betas = model.beta_matrix(book.coins) if beta else np.eye(len(book.coins))
    c0, c1, acc, pos = _events(book, betas)
    if c0.size == 0:
        return None
    # The root of c0 + c1·r = 0 is r = -c0/c1; `ratio` is c0/c1 = -r (exact: IEEE negation), which spares
    # the (events x coins) matrix a few full passes.
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = c0[:, None] / c1
    down = np.where((c1 < 0) & (ratio <= max_down), ratio, np.inf)
    up = np.where((c1 > 0) & (ratio >= -max_up), -ratio, np.inf)
    already = c0 >= 0  # met without any move
    down[already] = 0.0
    up[already] = 0.0
    return down, up, acc, pos


_Distances = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _liquidation(book: Book, k: int, sign: int, d: float, a: int, j: int) -> FirstLiquidation:
    return FirstLiquidation(
        coin=book.coins[k],
        shock=sign * d if d > 0 else 0.0,
        account=book.names[a],
        account_id=book.account_ids[a],
        symbol=book.symbols[j] if j >= 0 else None,
        side=None if j < 0 else ("long" if book.p_dir[j] > 0 else "short"),
    )


def _per_account(book: Book, found: _Distances) -> tuple[FirstLiquidation | None, ...]:
    out: list[FirstLiquidation | None] = [None] * book.n_accounts
    down, up, acc, pos = found
    if not book.coins:
        return tuple(out)  # no coin to move
    nearest = np.minimum(down, up)  # per event and coin; ties go to the fall (checked first below)
    coin = np.argmin(nearest, axis=1)  # the first coin at the minimum, as the headline search picks
    size = nearest[np.arange(len(acc)), coin]
    # Per account, its event with the smallest move: sorted by account then size (stable), the first
    # event of each account.
    order = np.lexsort((size, acc))
    firsts = order[np.r_[True, acc[order][1:] != acc[order][:-1]]]
    for e in firsts.tolist():
        if np.isfinite(size[e]):
            k = int(coin[e])
            sign = -1 if down[e, k] <= up[e, k] else 1
            out[int(acc[e])] = _liquidation(book, k, sign, float(size[e]), int(acc[e]), int(pos[e]))
    return tuple(out)


def _thresholds(book: Book, found: _Distances, coins: tuple[str, ...] | None,
                direction: int) -> tuple[FirstLiquidation, ...]:
    down, up, acc, pos = found
    wanted = range(len(book.coins)) if coins is None else [coin_index(book, c) for c in coins]
    # The nearest event per coin and direction, for all coins at once (argmin takes the first minimum).
    nearest = {sign: (np.argmin(dist, axis=0), dist) for sign, dist in ((-1, down), (1, up))}
    out = []
    for k in wanted:
        for sign in (-1, 1):
            if direction not in (0, sign):
                continue
            events, dist = nearest[sign]
            e = int(events[k])
            d = float(dist[e, k])
            if np.isfinite(d):
                out.append(_liquidation(book, k, sign, d, int(acc[e]), int(pos[e])))
    return tuple(out)


def account_liquidations(
    book: Book,
    *,
    model: ReturnModel = EMPTY_MODEL,
    beta: bool = True,
) -> tuple[FirstLiquidation | None, ...]:
    """For each account (in book order), the smallest single-coin move, down or up, that liquidates
    it or one of its positions; None when no move within -99 %…+500 % does. Ranks the accounts by
    how far the market must move before each loses something to liquidation."""
    return liquidations(book, model=model, beta=beta)[1]


def liquidations(
    book: Book,
    *,
    model: ReturnModel = EMPTY_MODEL,
    beta: bool = True,
) -> tuple[FirstLiquidation | None, tuple[FirstLiquidation | None, ...]]:
    """`first_liquidation` and `account_liquidations` from one solve of the conditions (the report
    needs both on every repricing)."""
    found = _distances(book, model, beta, MAX_DOWN, MAX_UP)
    if found is None:
        return None, (None,) * book.n_accounts
    thresholds = _thresholds(book, found, None, 0)
    first = min(thresholds, key=lambda f: abs(f.shock)) if thresholds else None
    return first, _per_account(book, found)


def liquidation_thresholds(
    book: Book,
    *,
    model: ReturnModel = EMPTY_MODEL,
    beta: bool = True,
    coins: tuple[str, ...] | None = None,
    direction: int = 0,
    max_down: float = MAX_DOWN,
    max_up: float = MAX_UP,
) -> tuple[FirstLiquidation, ...]:
    """For each coin and direction (-1 down, +1 up, 0 both), the smallest move that liquidates something."""
    found = _distances(book, model, beta, max_down, max_up)
    return () if found is None else _thresholds(book, found, coins, direction)


def first_liquidation(
    book: Book,
    *,
    model: ReturnModel = EMPTY_MODEL,
    beta: bool = True,
    coins: tuple[str, ...] | None = None,
    direction: int = 0,
) -> FirstLiquidation | None:
    """The smallest single-coin shock (down to -99 %, up to +500 %) that liquidates any position or
    account, e.g. 'BTC −8.4% → Hedge liquidated'; None when nothing liquidates in that range."""
    found = liquidation_thresholds(book, model=model, beta=beta, coins=coins, direction=direction)
    return min(found, key=lambda f: abs(f.shock)) if found else None
