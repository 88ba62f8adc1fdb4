"""Replay a master's orders on a follower's account, one order at a time, as Bybit copy trading does.

An entry order goes through the rules in this order, and the first that fails names the skip:
entry-order limit, slippage, Copyguard, max position margin, minimum quantity affordable, order cost
within the balance. Closing orders are not subject to them (a close only lowers risk); they close the
same fraction of the follower's position as the master closed of its own.

Smart Copy: k = master order cost / (master order margin + master available balance), where the
master's balance is the one left after the order, so margin + balance is what the master had before
it. The follower's order budget is k × its own available balance, at the master's leverage.
Advanced: the budget is the follower's fixed order margin, at the follower's leverage. Either way
the quantity is the largest step multiple whose order cost fits the budget.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from desktop_app.copytrade import explain
from desktop_app.copytrade.costs import Book, floor_to_step, order_cost, qty_for_budget
from desktop_app.copytrade.explain import fmt, fmt_pct, fmt_price, fmt_usdt
from desktop_app.copytrade.model import (
    MAX_ENTRY_ORDERS_HELD,
    Action,
    CopyMode,
    MasterOrder,
    OrderResult,
    Reason,
    Replay,
    Scenario,
    ScenarioError,
    Summary,
)
from desktop_app.copytrade.scenario import validate
from desktop_app.domain.market import Side

AVG_PRICE_QUANTUM = Decimal("1e-8")
GAP_PCT_QUANTUM = Decimal("1e-4")


def _avg(book: Book) -> Decimal | None:
    avg = book.avg_entry
    return None if avg is None else avg.quantize(AVG_PRICE_QUANTUM, rounding=ROUND_HALF_EVEN)


class _Replayer:
    def __init__(self, scenario: Scenario) -> None:
        self.s = scenario
        self.master = Book(scenario.side, scenario.master.available_balance_usdt, scenario.taker_fee)
        self.follower = Book(scenario.side, scenario.follower.available_balance_usdt, scenario.taker_fee)
        smart = scenario.mode is CopyMode.SMART
        self.follower_leverage = scenario.master.leverage if smart else scenario.follower.leverage

    def _common(self, order: MasterOrder) -> dict[str, str]:
        return {
            "coin": self.s.base_coin,
            "side": self.s.side.value,
            "m_price": fmt_price(order.price),
            "f_price": fmt_price(order.follower_price),
            "m_avg": fmt_price(_avg(self.master)),
            "f_avg": fmt_price(_avg(self.follower)),
            "balance": fmt_usdt(self.follower.balance_usdt),
        }

    def _result(self, order: MasterOrder, template: str, params: dict[str, str], **kw: object) -> OrderResult:
        return OrderResult(
            order=order,
            master_qty_held=self.master.qty,
            master_avg_entry=_avg(self.master),
            follower_qty_held=self.follower.qty,
            follower_avg_entry=_avg(self.follower),
            follower_balance_usdt=self.follower.balance_usdt,
            template=template,
            params={**self._common(order), **params},
            **kw,  # type: ignore[arg-type]
        )

    def _skip(self, order: MasterOrder, reason: Reason, params: dict[str, str]) -> OrderResult:
        return self._result(
            order, explain.SKIP_TEMPLATES[reason], params, copied=False, reason=reason,
            follower_qty=Decimal(0), follower_price=None, follower_cost_usdt=Decimal(0),
            realised_pnl_usdt=Decimal(0), min_qty_used=False,
        )

    def open(self, index: int, order: MasterOrder) -> OrderResult:
        s, f = self.s, self.s.follower
        master_before = self.master.balance_usdt
        master_cost = order_cost(s.side, order.qty, order.price, s.master.leverage, s.taker_fee)
        if master_cost > master_before:
            raise ScenarioError(
                "master.available_balance",
                f"the master's {fmt_usdt(master_before)} USDT cannot fund order {index + 1} ({order.time}),"
                f" which costs {fmt_usdt(master_cost)} USDT",
            )
        master_margin = order.qty * order.price / s.master.leverage
        # k uses the master's balance after the order: margin + that balance = the funds before it.
        k = master_cost / (master_margin + master_before - master_cost)
        self.master.open(order.qty, order.price, s.master.leverage)

        balance = self.follower.balance_usdt
        if s.mode is CopyMode.SMART:
            budget = k * balance
        else:
            assert f.fixed_margin_usdt is not None  # validate() guarantees it in advanced mode
            budget = f.fixed_margin_usdt
        lev, price = self.follower_leverage, order.follower_price
        qty = qty_for_budget(s.side, budget, price, lev, s.taker_fee, s.rules.qty_step)
        min_qty_used = qty < s.rules.min_qty
        if min_qty_used:
            qty = s.rules.min_qty
        cost = order_cost(s.side, qty, price, lev, s.taker_fee)
        slip = abs(price - order.price) / order.price
        worse = price > order.price if s.side is Side.LONG else price < order.price
        new_margin = self.follower.margin_usdt + qty * price / lev
        min_cost = order_cost(s.side, s.rules.min_qty, price, lev, s.taker_fee)

        if self.follower.entry_orders >= MAX_ENTRY_ORDERS_HELD:
            return self._skip(order, Reason.ENTRY_ORDER_LIMIT,
                              {"held": str(self.follower.entry_orders), "limit": str(MAX_ENTRY_ORDERS_HELD)})
        if slip > f.slippage_tolerance:
            return self._skip(order, Reason.SLIPPAGE,
                              {"slip_pct": fmt_pct(slip), "tol_pct": fmt_pct(f.slippage_tolerance)})
        if f.copyguard and worse:
            return self._skip(order, Reason.COPYGUARD, {})
        if new_margin > f.max_position_margin_usdt:
            return self._skip(order, Reason.MAX_POSITION_MARGIN, {
                "qty": fmt(qty), "margin": fmt_usdt(self.follower.margin_usdt),
                "new_margin": fmt_usdt(new_margin), "cap": fmt_usdt(f.max_position_margin_usdt)})
        if min_cost > balance:
            return self._skip(order, Reason.INSUFFICIENT_BALANCE,
                              {"min_qty": fmt(s.rules.min_qty), "min_cost": fmt_usdt(min_cost)})
        if cost > balance:
            return self._skip(order, Reason.COST_EXCEEDS_BALANCE, {"qty": fmt(qty), "cost": fmt_usdt(cost)})

        self.follower.open(qty, price, lev)
        if s.mode is CopyMode.SMART:
            template = explain.OPEN_MIN_SMART if min_qty_used else explain.OPEN_SMART
        else:
            template = explain.OPEN_MIN_ADVANCED if min_qty_used else explain.OPEN_ADVANCED
        params = {
            "qty": fmt(qty), "price": fmt_price(price), "cost": fmt_usdt(cost), "budget": fmt_usdt(budget),
            "leverage": fmt(lev), "k_pct": fmt_pct(k), "share_pct": fmt_pct(cost / balance),
            "min_qty": fmt(s.rules.min_qty), "balance": fmt_usdt(balance),
        }
        return self._result(
            order, template, params, copied=True, reason=None, follower_qty=qty, follower_price=price,
            follower_cost_usdt=cost, realised_pnl_usdt=Decimal(0), min_qty_used=min_qty_used,
        )

    def close(self, index: int, order: MasterOrder) -> OrderResult:
        if order.qty > self.master.qty:
            raise ScenarioError(
                f"orders[{index}].qty",
                f"the master closes {fmt(order.qty)} but holds {fmt(self.master.qty)} at {order.time}",
            )
        m_fraction = order.qty / self.master.qty
        self.master.close(order.qty, order.price)
        held = self.follower.qty
        if not held:
            return self._skip(order, Reason.NO_POSITION, {"m_qty": fmt(order.qty)})
        if m_fraction == 1:
            qty = held
        else:
            # Round down to the step, but never below the minimum order or above what is held.
            qty = min(held, max(floor_to_step(held * m_fraction, Decimal(1), self.s.rules.qty_step),
                                self.s.rules.min_qty))
        pnl = self.follower.close(qty, order.follower_price)
        params = {
            "qty": fmt(qty), "price": fmt_price(order.follower_price), "pnl": fmt_usdt(pnl),
            "m_fraction_pct": fmt_pct(m_fraction), "f_fraction_pct": fmt_pct(qty / held),
        }
        return self._result(
            order, explain.CLOSE_COPIED, params, copied=True, reason=None, follower_qty=qty,
            follower_price=order.follower_price, follower_cost_usdt=Decimal(0), realised_pnl_usdt=pnl,
            min_qty_used=False,
        )


def replay(scenario: Scenario) -> Replay:
    """Replay every master order on the follower. May raise: ScenarioError (names the field at fault)."""
    validate(scenario)
    replayer = _Replayer(scenario)
    results = tuple(
        replayer.open(i, order) if order.action is Action.OPEN else replayer.close(i, order)
        for i, order in enumerate(scenario.orders)
    )
    m_avg, f_avg = _avg(replayer.master), _avg(replayer.follower)
    gap = None
    if m_avg is not None and f_avg is not None:
        gap = ((f_avg - m_avg) / m_avg * 100).quantize(GAP_PCT_QUANTUM, rounding=ROUND_HALF_EVEN)
    summary = Summary(
        master_qty=replayer.master.qty,
        follower_qty=replayer.follower.qty,
        master_avg_entry=m_avg,
        follower_avg_entry=f_avg,
        entry_gap_pct=gap,
        causes=explain.rank_causes(scenario, results),
    )
    return Replay(scenario=scenario, results=results, summary=summary)
