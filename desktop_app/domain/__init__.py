"""Exchange-neutral domain values: what an account holds and what a market quotes.

Below both the exchange client (`bybit` parses wire data into these) and the maths (`risk`,
`copytrade`, `alerts` take and return them), so the maths never knows the client. No I/O, no Qt.
"""
