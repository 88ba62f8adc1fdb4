<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="uk_UA">
<context>
    <name></name>
    <message>
        <source>This key can WITHDRAW funds. Create a read-only key for RiskDesk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This key can TRANSFER funds between accounts. Create a read-only key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This key can TRADE. RiskDesk never trades; a read-only key is safer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This key is not bound to an IP address: anyone who obtains it can use it from anywhere. Bind it to your IP address in Bybit&apos;s API settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This key expires in {days} day(s).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>read-only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>in {days} day(s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not bound</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reachable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Margin mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clock offset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Permissions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>IP addresses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expires</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The private key file is too large to be a PEM key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the private key file: {reason}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The private key is protected by a password. Export it without a password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file is not a PEM private key (it should begin with &quot;-----BEGIN PRIVATE KEY-----&quot;).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The private key is not an RSA key. Bybit&apos;s self-generated keys are RSA.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter a name for the account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An account named &quot;{name}&quot; already exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter an http:// or https:// base URL, for example https://api.bybit.com.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the API key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The API key must not contain spaces.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the RSA private key file of this API key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the API secret.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Severity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alert</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter alerts…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account margin rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Position distance to liquidation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First-liquidation move</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drawdown from session peak</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share of one coin in gross exposure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cross-account hedge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stale account data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API key expiry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Critical</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear margin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>refresh intervals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(while present)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cool-down after an alert clears</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{rule} — {level}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alerts when the value rises to a level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alerts when the value falls to a level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reported (as information) while the condition exists</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{field}: not a number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After an alert clears, the same alert stays quiet this long unless it comes back critical.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Percent thresholds are percent of the figure (a margin rate of 100 % liquidates the account). An empty level is off. An alert clears once the value is back past its level by the clear margin.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be above the warning level ({level})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be below the warning level ({level})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be a number, 0 or more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{field}: {problem}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Average entry (USDT)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Master</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follower</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not copied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>400 entry orders held</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Slippage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copyguard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Max position margin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Insufficient balance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cost exceeds balance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No position to close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Master qty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Master price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follower price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>same</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>skipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>copied (minimum size)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>copied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LIQUIDATED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} position(s) liquidated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>survives</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Equity after</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PnL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MM rate after</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OK · {age}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stale · {age}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{status}: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No move of one coin from −99% to +500% liquidates this account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>If {coin} moves {move} (the other coins following by beta), this account or one of its positions is liquidated. The smallest such move of any coin.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last refresh failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Equity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Available</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>IM rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MM rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>uPnL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Liq. move</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hedged {amount} between {accounts} (long ↔ short). Long in one account and short in another: the legs offset each other&apos;s price risk, but each account can still be liquidated on its own.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{coin} held in account wallets (for example the margin of inverse contracts). It is not a position, so it is not in Long, Short or Net, but its value moves with {coin}: the stress test and VaR include it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Coin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Long</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Short</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Net</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gross</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Collateral</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hedged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Long ↔ short accounts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inverse contracts: the size is in USD (one contract is worth 1 USD).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The size in {coin}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bybit gives no liquidation price for this position (portfolio margin or far away).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Symbol</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Side</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Liq. price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To liq.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leverage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Margin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{mode} (classic)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy-trading calculator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The copy-trading calculator is not available in this build.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No liquidation within ±50%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AccountDialog</name>
    <message>
        <source>Edit account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HMAC (system-generated)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RSA (self-generated)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Private key file (PEM)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API secret</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Private key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test the connection to check the key&apos;s permissions. Use a read-only key bound to your IP address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leave empty to keep the stored secret</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leave empty to keep the stored private key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RSA private key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PEM files (*.pem *.key);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the API secret to test the connection.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection test failed:
{reason}

Save this account anyway?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This key can move funds (withdraw, transfer or trade). RiskDesk only reads; a read-only key is safer.

Save this key anyway?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AccountsDialog</name>
    <message>
        <source>Accounts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tick an account to include it in the refresh.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} — {env} — key {key}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove &quot;{name}&quot;? Its API secret is deleted from the system keyring.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AccountsModel</name>
    <message>
        <source>Cross</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Isolated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Portfolio</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AlertBanner</name>
    <message>
        <source>Dismiss until a new alert</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(+{count} more in the alert log)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CopyTradeDialog</name>
    <message>
        <source>Article: Advanced mode, 100 USDT per order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Article: missed copy trades (Smart Copy)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy-trading calculator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load a preset…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Master&apos;s orders (in time order; double-click to edit)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the follower gets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Invalid input: {field}: {message}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Symbol</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Taker fee</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quantity step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Minimum quantity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Master&apos;s balance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follower&apos;s balance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Master&apos;s leverage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follower&apos;s leverage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fixed order margin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Slippage tolerance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Max position margin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order {label}: {column}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Master: {m_qty} {coin} at {m_avg}. Follower: {f_qty} {coin} at {f_avg}. Entry gap: {gap}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why the positions differ:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order by order:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Master qty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Master price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Master avg entry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follower qty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follower price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follower avg entry</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FreshnessStatusBar</name>
    <message>
        <source>Live prices — awaiting REST confirmation (last {time})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refreshing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name}: last refresh failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>● {name} {age}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>● {name} stale {age}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>● {name} failed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HeaderBar</name>
    <message>
        <source>Total equity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unrealised PnL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Net exposure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gross exposure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Worst MM rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1-day VaR 95%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First liquidation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No account yet. Add a Bybit account with a read-only API key to see its risk here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add an account…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Includes the last good data of {n} stale account(s).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account maintenance-margin rate; the account is liquidated at 100%.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{days}-day VaR {level}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The smallest move of one coin (others following by beta) that liquidates an account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>● streamed prices</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live prices — awaiting REST confirmation. These figures were recomputed from streamed mark prices; balances and positions are those of the last REST refresh at {time}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HistoryChartsWidget</name>
    <message>
        <source>Range:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>24 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>7 d</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Legends</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show which colour is which account or coin, beside each chart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total equity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Equity per account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MM rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>liquidation at 100%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Net exposure per coin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading history…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History unavailable: {error}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>RiskDesk — demo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RiskDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demo mode: the accounts and prices come from the built-in simulator on this computer. Nothing is real and nothing is saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Portfolio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exposure by coin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stress test</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key figures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RiskDesk keeps monitoring in the tray.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PortfolioTables</name>
    <message>
        <source>Filter accounts…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter positions (account, symbol, side)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter coins…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh every:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every account is read over REST this often. Between refreshes, figures are recomputed from streamed prices where available.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This build cannot send Telegram messages.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>General</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Telegram</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demo mode: changes apply to this session only and are not saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh interval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Telegram chat id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{field}: {problem}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the chat id first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the bot token first.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsPanel</name>
    <message>
        <source>Long</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Short</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Smart Copy (proportional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Advanced (fixed margin)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copyguard (skip orders at a worse price)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Instrument</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Symbol</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Side</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Taker fee</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quantity step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Minimum quantity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Master</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Available balance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leverage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follower</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fixed order margin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Slippage tolerance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Max position margin</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ShockRow</name>
    <message>
        <source>The coin to shock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop shocking this coin</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StressChart</name>
    <message>
        <source>equity now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>after the shock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>after the shock: liquidated</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StressPanel</name>
    <message>
        <source>+ Add a coin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shock several coins at once, each by its own move</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other coins follow by beta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Coins you did not shock move with their beta to the shocked ones (from price history).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for data…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter accounts…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{moves}: total PnL {pnl}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No positions to stress.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Liquidated: {names}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No account is liquidated.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TelegramSettingsPanel</name>
    <message>
        <source>-1001234567890 or @channelname</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove stored token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send test message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat id:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bot token:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create a bot with @BotFather, add it to your chat, and paste the bot&apos;s token here. The token is kept only in the system keyring, never in a settings file. Alerts that notify on the desktop (raised and escalated) are also sent to this chat.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No keyring: the bot token cannot be saved. {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demo mode: a token entered here is used for this session only and not saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A bot token is stored in the keyring. Type a new one to replace it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No bot token is stored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(stored — leave empty to keep)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>paste the token from @BotFather</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test message sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending failed: {message}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No answer yet; the message may still arrive.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TrayController</name>
    <message>
        <source>Show window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause alerts for 1 hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit RiskDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RiskDesk — no active alerts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RiskDesk — data is stale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RiskDesk — {count} active alert(s), worst: {state}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hide window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RiskDesk keeps monitoring in the tray.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WindowActions</name>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export &amp;positions as CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export risk &amp;report as CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Manage accounts…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demo mode uses the simulator&apos;s accounts; nothing can be saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Refresh now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Pause refreshing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy-trading calculator…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About RiskDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Accounts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export positions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export risk report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write {path}: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About RiskDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RiskDesk {version}

A read-only risk monitor for several Bybit accounts. It never places, amends or cancels an order; use read-only API keys.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WindowAlerts</name>
    <message>
        <source>Alerts ({count})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Telegram: {message}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History is not recorded in this session.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>_Message</name>
    <message>
        <source>Dismiss</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>alerts</name>
    <message>
        <source>Back to normal: {text}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No longer applies: {text}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{account}: MM rate unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{account}: MM rate {rate} — liquidation at 100% (last known figures)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{account}: MM rate {rate} — liquidation at 100%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{position}: no liquidation price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{position}: {distance} from liquidation (mark {mark}, liquidation {liq})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First liquidation unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First liquidation at a {move} move: {headline}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{coin} {move} → {account} liquidated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>long</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>short</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total equity unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total equity down {move} from its session peak ({peak} → {now})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{coin} is {share} of gross exposure ({gross} of {total})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cross-account hedge on {coin}: long in {longs}, short in {shorts} ({amount} offset)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{account}: no data yet after {age}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{account}: data {age} old ({n} refresh intervals)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> — last error: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{account}: API key {expiry} — create a new read-only key in Bybit&apos;s API management</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RiskDesk test message: alerts will arrive in this chat.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>has expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expires in {n} hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expires in {n} days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>critical</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>raised</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>escalated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>eased</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cleared</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>… and {n} more alerts (see RiskDesk).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>copytrade</name>
    <message>
        <source>Copied: your fixed order margin of {budget} USDT at {leverage}x opens {qty} {coin} {side} at {price} (cost {cost} USDT). Your average entry is {f_avg}; the master&apos;s is {m_avg}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copied: the master put {k_pct}% of its funds into this order, so {budget} USDT of your {balance} USDT opens {qty} {coin} {side} at {price} at the master&apos;s {leverage}x (cost {cost} USDT). Your average entry is {f_avg}; the master&apos;s is {m_avg}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copied at the minimum size: {k_pct}% of your balance ({budget} USDT) buys less than the minimum {min_qty} {coin}, so Bybit placed {min_qty} {coin} {side} at {price} instead (cost {cost} USDT). That uses {share_pct}% of your balance while the master used {k_pct}% of its funds, so from now on your position is larger for your funds than the master&apos;s. Your average entry is {f_avg}; the master&apos;s is {m_avg}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copied at the minimum size: your fixed order margin of {budget} USDT buys less than the minimum {min_qty} {coin}, so Bybit placed {min_qty} {coin} {side} at {price} instead (cost {cost} USDT), more than your fixed margin. Your average entry is {f_avg}; the master&apos;s is {m_avg}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copied: the master closed {m_fraction_pct}% of its position, so you closed {qty} {coin} ({f_fraction_pct}% of yours) at {price}; realised PnL {pnl} USDT after fees. Your average entry is {f_avg}; the master&apos;s is {m_avg}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not copied: you already hold {held} entry orders from this master, and beyond {limit} Bybit pauses copying the master&apos;s entry orders. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not copied: your price {f_price} is {slip_pct}% away from the master&apos;s fill at {m_price}, more than your slippage tolerance of {tol_pct}%. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not copied: Copyguard is on and your price {f_price} is worse than the master&apos;s {m_price} for a {side} entry. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not copied: {qty} {coin} would raise your position margin from {margin} to {new_margin} USDT, above your max position margin of {cap} USDT. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not copied: even the minimum order of {min_qty} {coin} costs {min_cost} USDT, more than your available balance of {balance} USDT. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not copied: {qty} {coin} would cost {cost} USDT (margin plus fees to open and close), more than your available balance of {balance} USDT. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not copied: the master closed {m_qty} {coin}, but you hold no position to close because the entry orders were not copied. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entry-order limit: {orders} order(s) ({notional} USDT) missed while you held {limit}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Slippage: {orders} order(s) ({notional} USDT) missed, your price outside {tol_pct}%.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copyguard: {orders} order(s) ({notional} USDT) missed, your price worse than the master&apos;s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Max position margin: {orders} order(s) ({notional} USDT) missed at the {cap} USDT cap.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Insufficient balance: {orders} order(s) ({notional} USDT) missed, minimum size too dear.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order cost over balance: {orders} order(s) ({notional} USDT) missed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to close: {orders} closing order(s) ({notional} USDT) had no position behind them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Minimum order size: {orders} order(s) ({notional} USDT) placed at {min_qty} {coin}, a larger share than the master&apos;s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fixed order margin: {orders} order(s) ({notional} USDT) used {budget} USDT whatever the master&apos;s quantity.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Different fill prices: {orders} copied order(s) ({notional} USDT) filled off the master&apos;s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be from 0% to 1% (0.055% is 0.00055)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be positive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be a positive multiple of the quantity step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must not be negative</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be from 1 to 200</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>advanced mode needs a positive fixed order margin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be from 0.1% to 5%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>orders must be in time order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>is not a number</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
