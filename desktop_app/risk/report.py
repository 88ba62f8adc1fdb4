"""The full risk report of a Book: accounts, positions, exposure, hedges, totals, VaR, first liquidation.

Typical use:
    book = book_from_snapshot(snapshot)                 # once per REST poll
    report = build_report(book, model=model)            # model = ReturnModel.from_closes(...), once a day
    live = build_report(reprice(book, marks), model=model)   # on every streamed mark update
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from desktop_app.risk.book import MODE_POSITION, MODE_RATE, Book
from desktop_app.risk.exposure import coin_exposure, hedges, net_by_coin
from desktop_app.risk.results import AccountRisk, RiskReport, Totals
from desktop_app.risk.returns import EMPTY_MODEL, ReturnModel
from desktop_app.risk.scenarios import liquidations
from desktop_app.risk.table import PositionTable
from desktop_app.risk.var import DEFAULT_CONFIDENCES, value_at_risk


def _opt(values: np.ndarray) -> list[float | None]:
    """Array -> list with NaN as None (unknown, never zero)."""
    return [None if v != v else v for v in values.tolist()]


def liq_distance(book: Book) -> np.ndarray:
    """abs(liq - mark) / mark per position, 0 once the mark is at or past liq, NaN without liqPrice."""
    with np.errstate(divide="ignore", invalid="ignore"):
        dist = np.abs(book.p_liq - book.p_mark) / book.p_mark
    past = np.where(book.p_dir > 0, book.p_mark <= book.p_liq, book.p_mark >= book.p_liq)
    return np.where(past, 0.0, dist)


def _positions(book: Book, dist: np.ndarray, expo: np.ndarray) -> PositionTable:
    # Columns only: the rows are built when something reads them (see table.py).
    return PositionTable(
        account_names=book.names,
        account_ids=book.account_ids,
        coins=book.coins,
        categories=book.categories,
        symbols=book.symbols,
        position_idx=book.position_idx,
        account_index=book.p_acc,
        coin_index=book.p_coin,
        direction=book.p_dir,
        size=book.p_size,
        entry_price=book.p_entry,
        mark_price=book.p_mark,
        value_usd=book.p_value,
        leverage=book.p_lev,
        liq_price=book.p_liq,
        liq_distance=dist,
        unrealised_pnl_usd=book.p_upnl,
        im_usd=book.p_im,
        mm_usd=book.p_mm,
        exposure_usd=expo,
        stale=(~book.a_ok)[book.p_acc],
    )


def _accounts(book: Book, dist: np.ndarray) -> tuple[AccountRisk, ...]:
    n = book.n_accounts
    upnl = np.bincount(book.p_acc, weights=np.nan_to_num(book.p_upnl), minlength=n)
    nearest = np.full(n, np.inf)
    finite = np.isfinite(dist)
    np.minimum.at(nearest, book.p_acc[finite], dist[finite])
    with np.errstate(divide="ignore", invalid="ignore"):
        # Accounts without account rates (classic) have no MM rate to show: Bybit defines none for them.
        has_rate = (book.a_denom > 0) & (book.a_mode != MODE_POSITION)
        mm_rate = np.where(has_rate, book.a_mm / book.a_denom, np.nan)
        im_rate = np.where(has_rate, book.a_im / book.a_denom, np.nan)
    score = np.where(book.a_mode == MODE_RATE, mm_rate, np.where(np.isfinite(nearest), 1.0 - nearest, np.nan))
    figures = [
        _opt(np.where(book.a_has_data, a, np.nan))
        for a in (
            book.a_equity,
            book.a_available,
            book.a_im,
            book.a_mm,
            im_rate,
            mm_rate,
            upnl,
            np.where(np.isfinite(nearest), nearest, np.nan),
            score,
        )
    ]
    return tuple(
        AccountRisk(
            account_id=book.account_ids[a],
            name=book.names[a],
            ok=bool(book.a_ok[a]),
            stale=not bool(book.a_ok[a]),
            error=book.errors[a],
            age_s=None if book.fetched_at[a] is None else max(0.0, book.taken_at - book.fetched_at[a]),
            margin_mode=book.margin_modes[a],
            classic=book.classic[a],
            equity_usd=figures[0][a],
            available_usd=figures[1][a],
            im_usd=figures[2][a],
            mm_usd=figures[3][a],
            im_rate=figures[4][a],
            mm_rate=figures[5][a],
            unrealised_pnl_usd=figures[6][a],
            nearest_liq_distance=figures[7][a],
            risk_score=figures[8][a],
        )
        for a in range(n)
    )


def _totals(book: Book, accounts: tuple[AccountRisk, ...], gross: float, net: float) -> Totals:
    with_data = [a for a, has in zip(accounts, book.a_has_data.tolist(), strict=True) if has]
    equities = [a.equity_usd for a in with_data if a.equity_usd is not None]
    return Totals(
        equity_usd=sum(equities) if equities else None,
        unrealised_pnl_usd=sum(a.unrealised_pnl_usd or 0.0 for a in with_data) if with_data else None,
        gross_exposure_usd=gross,
        net_exposure_usd=net,
        accounts_ok=sum(a.ok for a in accounts),
        accounts_stale=sum(not a.ok for a in with_data),
        accounts_missing=len(accounts) - len(with_data),
    )


def build_report(
    book: Book,
    *,
    model: ReturnModel = EMPTY_MODEL,
    confidences: Sequence[float] = DEFAULT_CONFIDENCES,
    horizon_days: int = 1,
    beta: bool = True,
) -> RiskReport:
    """Every figure of the book. May raise: ValueError (confidence outside (0, 1), horizon < 1)."""
    dist = liq_distance(book)
    first, per_account = liquidations(book, model=model, beta=beta)
    accounts = tuple(
        a if own is None else replace(a, liquidation_coin=own.coin, liquidation_move=own.shock)
        for a, own in zip(_accounts(book, dist), per_account, strict=True))
    expo = book.exposure()  # once: exposure, net and the position rows all read it
    collateral_usd = book.collateral_coef().sum(axis=0)  # once: the exposure table and VaR read it
    exposure = coin_exposure(book, expo, collateral_usd)
    net = net_by_coin(book, expo)
    # VaR is on the USD PnL per unit coin return, the same first-order PnL that stress applies: an
    # inverse contract's is size x mark/entry (not its USD size), and coin collateral (BTC held as
    # margin) moves with its coin, so a coin-margined short hedged by its own collateral is flat.
    delta_usd = (np.bincount(book.p_coin, weights=book.pnl_coef(), minlength=len(book.coins))
                 + collateral_usd)
    scores = [(a.risk_score, a.name) for a in accounts if a.risk_score is not None]
    return RiskReport(
        taken_at=book.taken_at,
        source=book.source,
        repriced=book.repriced,
        accounts=accounts,
        positions=_positions(book, dist, expo),
        exposure=exposure,
        hedges=hedges(exposure),
        totals=_totals(book, accounts, float(sum(e.gross_usd for e in exposure)), float(net.sum())),
        var=value_at_risk(book.coins, delta_usd, model, confidences=confidences, horizon_days=horizon_days),
        first_liquidation=first,
        worst_account=max(scores)[1] if scores else None,
    )
