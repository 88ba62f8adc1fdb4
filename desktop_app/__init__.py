"""RiskDesk: a read-only, real-time risk monitor for several Bybit accounts."""

__version__ = "0.1.0"
