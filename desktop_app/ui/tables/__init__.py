"""The Portfolio tables (Accounts, Positions, Exposure): immutable rows, table models, filterable views."""
