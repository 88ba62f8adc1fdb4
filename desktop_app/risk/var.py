"""Value at risk and expected shortfall of a book's USD delta per coin (PnL per unit coin return).

Parametric (delta-normal): σ_p = sqrt(eᵀ Σ e) with Σ the EWMA covariance of daily log returns;
VaR = z_α σ_p sqrt(h), ES = σ_p φ(z_α) / (1 - α) sqrt(h) (zero mean, as RiskMetrics).
Historical simulation: PnL_t = Σ_c e_c (exp(r_t,c) - 1) over the same window, equally weighted;
VaR = -quantile(PnL, 1 - α) (numpy's linear interpolation), ES = -mean(PnL_t <= that quantile);
both scaled by sqrt(h) for an h-day horizon (square-root-of-time). A perfectly hedged book (every
coin's net exposure 0) has VaR 0; the figures are linear in the exposure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

from desktop_app.risk.results import VarResult
from desktop_app.risk.returns import ReturnModel

DEFAULT_CONFIDENCES = (0.95, 0.99)
_STD_NORMAL = NormalDist()


def parametric_var_es(sigma_usd: float, confidence: float, horizon_days: int = 1) -> tuple[float, float]:
    """(VaR, ES) of a normal PnL with standard deviation `sigma_usd` per day. May raise: ValueError."""
    if not 0.0 < confidence < 1.0 or horizon_days < 1:
        raise ValueError("confidence must be in (0, 1) and horizon_days >= 1")
    z = _STD_NORMAL.inv_cdf(confidence)
    scale = sigma_usd * math.sqrt(horizon_days)
    return z * scale, scale * _STD_NORMAL.pdf(z) / (1.0 - confidence)


def quantile_linear(values: np.ndarray, fraction: float) -> float:
    """`np.quantile(values, fraction)` (linear interpolation, the same float arithmetic) for 0 <= fraction
    <= 1 and a non-empty 1-D sample; NaN if the sample holds one. Not np.quantile itself: numpy 2
    imports numpy.ma (12-25 ms, a CLI report's start) the first time it interpolates."""
    ordered = np.sort(values)  # NaN sorts last
    last = float(ordered[-1])
    virtual = (ordered.size - 1) * fraction
    if math.isnan(last) or virtual >= ordered.size - 1:
        return last
    below = math.floor(virtual)
    low, high = float(ordered[below]), float(ordered[below + 1])
    weight, step = virtual - below, high - low
    # numpy's _lerp: from the nearer end, so that a weight of 1 gives `high` exactly
    return high - step * (1.0 - weight) if weight >= 0.5 else low + step * weight


def historical_var_es(pnl_usd: np.ndarray, confidence: float, horizon_days: int = 1) -> tuple[float, float]:
    """(VaR, ES) from a sample of daily PnL scenarios. May raise: ValueError (no sample, bad confidence)."""
    if pnl_usd.size == 0 or not 0.0 < confidence < 1.0 or horizon_days < 1:
        raise ValueError("need scenarios, confidence in (0, 1) and horizon_days >= 1")
    q = quantile_linear(pnl_usd, 1.0 - confidence)
    tail = pnl_usd[pnl_usd <= q]
    es = -float(tail.mean()) if tail.size else -q
    scale = math.sqrt(horizon_days)
    return -q * scale, es * scale


def value_at_risk(
    coins: Sequence[str],
    net_usd: np.ndarray,
    model: ReturnModel,
    *,
    confidences: Sequence[float] = DEFAULT_CONFIDENCES,
    horizon_days: int = 1,
) -> tuple[VarResult, ...]:
    """VaR/ES of the USD delta `net_usd` per coin (aligned with `coins`) for each confidence level.

    Coins with exposure but no history are listed in `coins_missing` and left out of the figures.
    With no usable history at all, the figures are None. May raise: ValueError (bad confidence/horizon).
    """
    net = np.nan_to_num(np.asarray(net_usd, dtype=np.float64))
    idx = model.index(coins)
    missing = tuple(c for c, i, e in zip(coins, idx, net, strict=True) if i < 0 and e != 0.0)
    e = np.zeros(len(model.coins))
    np.add.at(e, idx[idx >= 0], net[idx >= 0])
    if model.observations:
        sigma = math.sqrt(max(float(e @ model.cov @ e), 0.0))
        # einsum's own loop, not BLAS: a (days x coins) product is just big enough for OpenBLAS to
        # spread over threads, which stalls for milliseconds when the cores are busy.
        pnl = np.einsum("tc,c->t", model.simple_returns, e)
    out = []
    for confidence in confidences:
        if model.observations == 0:
            parametric_var_es(1.0, confidence, horizon_days)  # validates the arguments
            out.append(VarResult(confidence, horizon_days, None, None, None, None, 0, missing))
            continue
        var, es = parametric_var_es(sigma, confidence, horizon_days)
        h_var, h_es = historical_var_es(pnl, confidence, horizon_days)
        out.append(VarResult(confidence, horizon_days, var, es, h_var, h_es, model.observations, missing))
    return tuple(out)
