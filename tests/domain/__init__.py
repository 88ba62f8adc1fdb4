"""Tests of exchange-neutral domain values."""
