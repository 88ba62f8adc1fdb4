"""The Journal tab: realised PnL, win rate, drawdown and funding per account, synced off the GUI thread."""
