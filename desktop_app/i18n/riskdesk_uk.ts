<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="uk_UA">
<context>
    <name></name>
    <message>
        <source>This key can WITHDRAW funds. Create a read-only key for RiskDesk.</source>
        <translation>Цей ключ може ВИВОДИТИ кошти. Створіть для RiskDesk ключ лише для читання.</translation>
    </message>
    <message>
        <source>This key can TRANSFER funds between accounts. Create a read-only key.</source>
        <translation>Цей ключ може ПЕРЕКАЗУВАТИ кошти між акаунтами. Створіть ключ лише для читання.</translation>
    </message>
    <message>
        <source>This key can TRADE. RiskDesk never trades; a read-only key is safer.</source>
        <translation>Цей ключ може ТОРГУВАТИ. RiskDesk ніколи не торгує; ключ лише для читання безпечніший.</translation>
    </message>
    <message>
        <source>This key is not bound to an IP address: anyone who obtains it can use it from anywhere. Bind it to your IP address in Bybit&apos;s API settings.</source>
        <translation>Цей ключ не прив’язаний до IP-адреси: будь-хто, хто його отримає, зможе ним користуватися звідусіль. Прив’яжіть його до своєї IP-адреси в налаштуваннях API Bybit.</translation>
    </message>
    <message>
        <source>This key expires in {days} day(s).</source>
        <translation>Термін дії цього ключа спливає через {days} дн.</translation>
    </message>
    <message>
        <source>read-only</source>
        <translation>лише читання</translation>
    </message>
    <message>
        <source>none</source>
        <translation>немає</translation>
    </message>
    <message>
        <source>never</source>
        <translation>ніколи</translation>
    </message>
    <message>
        <source>in {days} day(s)</source>
        <translation>через {days} дн.</translation>
    </message>
    <message>
        <source>not bound</source>
        <translation>не прив’язано</translation>
    </message>
    <message>
        <source>Connection OK</source>
        <translation>З’єднання працює</translation>
    </message>
    <message>
        <source>Reachable</source>
        <translation>Доступний</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>так</translation>
    </message>
    <message>
        <source>Margin mode</source>
        <translation>Режим маржі</translation>
    </message>
    <message>
        <source>Clock offset</source>
        <translation>Розбіжність годинника</translation>
    </message>
    <message>
        <source>Permissions</source>
        <translation>Дозволи</translation>
    </message>
    <message>
        <source>IP addresses</source>
        <translation>IP-адреси</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>Діє до</translation>
    </message>
    <message>
        <source>Connection failed</source>
        <translation>Не вдалося з’єднатися</translation>
    </message>
    <message>
        <source>The private key file is too large to be a PEM key.</source>
        <translation>Файл приватного ключа завеликий для ключа PEM.</translation>
    </message>
    <message>
        <source>Cannot read the private key file: {reason}.</source>
        <translation>Не вдалося прочитати файл приватного ключа: {reason}.</translation>
    </message>
    <message>
        <source>The private key is protected by a password. Export it without a password.</source>
        <translation>Приватний ключ захищено паролем. Експортуйте його без пароля.</translation>
    </message>
    <message>
        <source>The file is not a PEM private key (it should begin with &quot;-----BEGIN PRIVATE KEY-----&quot;).</source>
        <translation>Файл не є приватним ключем PEM (він має починатися з &quot;-----BEGIN PRIVATE KEY-----&quot;).</translation>
    </message>
    <message>
        <source>The private key is not an RSA key. Bybit&apos;s self-generated keys are RSA.</source>
        <translation>Приватний ключ не є ключем RSA. Самостійно згенеровані ключі Bybit — це RSA.</translation>
    </message>
    <message>
        <source>Enter a name for the account.</source>
        <translation>Введіть назву акаунта.</translation>
    </message>
    <message>
        <source>An account named &quot;{name}&quot; already exists.</source>
        <translation>Акаунт з назвою &quot;{name}&quot; уже існує.</translation>
    </message>
    <message>
        <source>Enter an http:// or https:// base URL, for example https://api.bybit.com.</source>
        <translation>Введіть базову URL-адресу http:// або https://, наприклад https://api.bybit.com.</translation>
    </message>
    <message>
        <source>Enter the API key.</source>
        <translation>Введіть API-ключ.</translation>
    </message>
    <message>
        <source>The API key must not contain spaces.</source>
        <translation>API-ключ не може містити пробілів.</translation>
    </message>
    <message>
        <source>Choose the RSA private key file of this API key.</source>
        <translation>Виберіть файл приватного ключа RSA для цього API-ключа.</translation>
    </message>
    <message>
        <source>Enter the API secret.</source>
        <translation>Введіть API secret.</translation>
    </message>
    <message>
        <source>All accounts</source>
        <translation>Усі акаунти</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Час</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>Важливість</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Подія</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Об’єкт</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>Сповіщення</translation>
    </message>
    <message>
        <source>Filter alerts…</source>
        <translation>Фільтр сповіщень…</translation>
    </message>
    <message>
        <source>Account MM rate</source>
        <translation>Коефіцієнт MM акаунта</translation>
    </message>
    <message>
        <source>Position distance to liquidation</source>
        <translation>Відстань позиції до ліквідації</translation>
    </message>
    <message>
        <source>First-liquidation move</source>
        <translation>Рух до першої ліквідації</translation>
    </message>
    <message>
        <source>Drawdown from session peak</source>
        <translation>Просідання від піку сесії</translation>
    </message>
    <message>
        <source>Share of one coin in gross exposure</source>
        <translation>Частка однієї монети у валовій експозиції</translation>
    </message>
    <message>
        <source>Cross-account hedge</source>
        <translation>Хедж між акаунтами</translation>
    </message>
    <message>
        <source>Stale account data</source>
        <translation>Застарілі дані акаунта</translation>
    </message>
    <message>
        <source>API key expiry</source>
        <translation>Завершення дії API-ключа</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>Увімкнено</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Попередження</translation>
    </message>
    <message>
        <source>Critical</source>
        <translation>Критичний</translation>
    </message>
    <message>
        <source>Clear margin</source>
        <translation>Запас скасування</translation>
    </message>
    <message>
        <source>%</source>
        <translation>%</translation>
    </message>
    <message>
        <source>refresh intervals</source>
        <translation>інтервалів оновлення</translation>
    </message>
    <message>
        <source>days</source>
        <translation>днів</translation>
    </message>
    <message>
        <source>(while present)</source>
        <translation>(поки триває)</translation>
    </message>
    <message>
        <source>Cool-down after an alert clears</source>
        <translation>Пауза після зняття сповіщення</translation>
    </message>
    <message>
        <source>{rule} — {level}</source>
        <translation>{rule} — {level}</translation>
    </message>
    <message>
        <source>Alerts when the value rises to a level</source>
        <translation>Сповіщає, коли значення зростає до порогу</translation>
    </message>
    <message>
        <source>Alerts when the value falls to a level</source>
        <translation>Сповіщає, коли значення падає до порогу</translation>
    </message>
    <message>
        <source>Reported (as information) while the condition exists</source>
        <translation>Повідомляється (для інформації), поки умова діє</translation>
    </message>
    <message>
        <source>off</source>
        <translation>вимк.</translation>
    </message>
    <message>
        <source>{field}: not a number</source>
        <translation>{field}: не число</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>Правило</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>Одиниця</translation>
    </message>
    <message>
        <source>After an alert clears, the same alert stays quiet this long unless it comes back critical.</source>
        <translation>Після зняття сповіщення те саме сповіщення мовчить стільки часу, якщо тільки воно не повернеться критичним.</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>хвилин</translation>
    </message>
    <message>
        <source>Percent thresholds are percent of the figure (a margin rate of 100 % liquidates the account). An empty level is off. An alert clears once the value is back past its level by the clear margin.</source>
        <translation>Відсоткові пороги — це відсотки самого показника (коефіцієнт MM 100 % означає ліквідацію акаунта). Порожній поріг вимкнено. Сповіщення знімається, коли значення повертається за свій поріг на запас скасування.</translation>
    </message>
    <message>
        <source>must be above the warning level ({level})</source>
        <translation>має бути вищим за поріг попередження ({level})</translation>
    </message>
    <message>
        <source>must be below the warning level ({level})</source>
        <translation>має бути нижчим за поріг попередження ({level})</translation>
    </message>
    <message>
        <source>must be a number, 0 or more</source>
        <translation>має бути числом, 0 або більше</translation>
    </message>
    <message>
        <source>{field}: {problem}</source>
        <translation>{field}: {problem}</translation>
    </message>
    <message>
        <source>Average entry (USDT)</source>
        <translation>Середня ціна входу (USDT)</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Ордер</translation>
    </message>
    <message>
        <source>Master</source>
        <translation>Майстер-трейдер</translation>
    </message>
    <message>
        <source>Follower</source>
        <translation>Підписник</translation>
    </message>
    <message>
        <source>Not copied</source>
        <translation>Не скопійовано</translation>
    </message>
    <message>
        <source>open</source>
        <translation>відкриття</translation>
    </message>
    <message>
        <source>close</source>
        <translation>закриття</translation>
    </message>
    <message>
        <source>400 entry orders held</source>
        <translation>Утримується 400 ордерів входу</translation>
    </message>
    <message>
        <source>Slippage</source>
        <translation>Прослизання</translation>
    </message>
    <message>
        <source>Copyguard</source>
        <translation>Copyguard</translation>
    </message>
    <message>
        <source>Max position margin</source>
        <translation>Макс. маржа позиції</translation>
    </message>
    <message>
        <source>Insufficient balance</source>
        <translation>Недостатній баланс</translation>
    </message>
    <message>
        <source>Cost exceeds balance</source>
        <translation>Вартість перевищує баланс</translation>
    </message>
    <message>
        <source>No position to close</source>
        <translation>Немає позиції для закриття</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Дія</translation>
    </message>
    <message>
        <source>Master qty</source>
        <translation>К-сть майстра</translation>
    </message>
    <message>
        <source>Master price</source>
        <translation>Ціна майстра</translation>
    </message>
    <message>
        <source>Follower price</source>
        <translation>Ціна підписника</translation>
    </message>
    <message>
        <source>same</source>
        <translation>та сама</translation>
    </message>
    <message>
        <source>{value} is not a number</source>
        <translation>{value} не є числом</translation>
    </message>
    <message>
        <source>must be positive, not {value}</source>
        <translation>має бути додатним, а не {value}</translation>
    </message>
    <message>
        <source>{column} in row {row}: {problem}; the previous value is kept.</source>
        <translation>{column} у рядку {row}: {problem}; попереднє значення збережено.</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>пропущено</translation>
    </message>
    <message>
        <source>copied (minimum size)</source>
        <translation>скопійовано (мінімальний розмір)</translation>
    </message>
    <message>
        <source>copied</source>
        <translation>скопійовано</translation>
    </message>
    <message>
        <source>LIQUIDATED</source>
        <translation>ЛІКВІДОВАНО</translation>
    </message>
    <message>
        <source>{n} position(s) liquidated</source>
        <translation>Ліквідовано позицій: {n}</translation>
    </message>
    <message>
        <source>survives</source>
        <translation>витримує</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>Синхронізовано</translation>
    </message>
    <message>
        <source>Cached, as of {time}</source>
        <translation>Збережене, станом на {time}</translation>
    </message>
    <message>
        <source>Not synced yet</source>
        <translation>Ще не синхронізовано</translation>
    </message>
    <message>
        <source>The last sync failed: {error}</source>
        <translation>Остання синхронізація не вдалася: {error}</translation>
    </message>
    <message>
        <source>{count} cached</source>
        <translation>збережених: {count}</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Акаунт</translation>
    </message>
    <message>
        <source>Trades</source>
        <translation>Угоди</translation>
    </message>
    <message>
        <source>Wins</source>
        <translation>Прибуткові</translation>
    </message>
    <message>
        <source>Losses</source>
        <translation>Збиткові</translation>
    </message>
    <message>
        <source>Win rate</source>
        <translation>Частка прибуткових</translation>
    </message>
    <message>
        <source>Profit factor</source>
        <translation>Профіт-фактор</translation>
    </message>
    <message>
        <source>Realised PnL</source>
        <translation>Реалізований PnL</translation>
    </message>
    <message>
        <source>Funding</source>
        <translation>Фандинг</translation>
    </message>
    <message>
        <source>Net PnL</source>
        <translation>Чистий PnL</translation>
    </message>
    <message>
        <source>Max drawdown</source>
        <translation>Макс. просідання</translation>
    </message>
    <message>
        <source>Funding next 24 h</source>
        <translation>Фандинг за наступні 24 год</translation>
    </message>
    <message>
        <source>{outcome} (stale data)</source>
        <translation>{outcome} (застарілі дані)</translation>
    </message>
    <message>
        <source>From this account&apos;s last good data: its last refresh failed, so the outcome may be out of date.</source>
        <translation>Пораховано за останніми справними даними акаунта: його останнє оновлення не вдалося, тож результат може бути неактуальним.</translation>
    </message>
    <message>
        <source>Equity after</source>
        <translation>Капітал після</translation>
    </message>
    <message>
        <source>PnL</source>
        <translation>PnL</translation>
    </message>
    <message>
        <source>MM rate after</source>
        <translation>Коеф. MM після</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Результат</translation>
    </message>
    <message>
        <source>OK · {age}</source>
        <translation>OK · {age}</translation>
    </message>
    <message>
        <source>Waiting · {age}</source>
        <translation>Очікування · {age}</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Очікування</translation>
    </message>
    <message>
        <source>Stale · {age}</source>
        <translation>Застаріло · {age}</translation>
    </message>
    <message>
        <source>{status}: {reason}</source>
        <translation>{status}: {reason}</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Помилка</translation>
    </message>
    <message>
        <source>Failed: {reason}</source>
        <translation>Помилка: {reason}</translation>
    </message>
    <message>
        <source>No move of one coin from −99% to +500% liquidates this account.</source>
        <translation>Жоден рух однієї монети від −99% до +500% не ліквідує цей акаунт.</translation>
    </message>
    <message>
        <source>If {coin} moves {move} (the other coins following by beta), this account or one of its positions is liquidated. The smallest such move of any coin.</source>
        <translation>Якщо {coin} зміниться на {move} (інші монети рухаються за своєю бетою), цей акаунт або одна з його позицій буде ліквідована. Це найменший такий рух серед усіх монет.</translation>
    </message>
    <message>
        <source>The exchange has not answered yet: {error}</source>
        <translation>Біржа ще не відповіла: {error}</translation>
    </message>
    <message>
        <source>Last refresh failed: {error}</source>
        <translation>Останнє оновлення не вдалося: {error}</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Стан</translation>
    </message>
    <message>
        <source>Equity</source>
        <translation>Капітал</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>Доступно</translation>
    </message>
    <message>
        <source>IM rate</source>
        <translation>Коеф. IM</translation>
    </message>
    <message>
        <source>MM rate</source>
        <translation>Коеф. MM</translation>
    </message>
    <message>
        <source>uPnL</source>
        <translation>uPnL</translation>
    </message>
    <message>
        <source>Liq. move</source>
        <translation>Рух до ліквід.</translation>
    </message>
    <message>
        <source>Hedged {amount} between {accounts} (long ↔ short). Long in one account and short in another: the legs offset each other&apos;s price risk, but each account can still be liquidated on its own.</source>
        <translation>Захеджовано {amount} між {accounts} (лонг ↔ шорт). Лонг в одному акаунті й шорт в іншому: ноги компенсують ціновий ризик одна одної, але кожен акаунт усе одно може бути ліквідований окремо.</translation>
    </message>
    <message>
        <source>{coin} held in account wallets (for example the margin of inverse contracts). It is not a position, so it is not in Long, Short or Net, but its value moves with {coin}: the stress test and VaR include it.</source>
        <translation>{coin} на гаманцях акаунтів (наприклад, маржа інверсних контрактів). Це не позиція, тож її немає в лонгах, шортах чи чистій експозиції, але її вартість рухається разом з {coin}: стрес-тест і VaR її враховують.</translation>
    </message>
    <message>
        <source>Coin</source>
        <translation>Монета</translation>
    </message>
    <message>
        <source>Long</source>
        <translation>Лонг</translation>
    </message>
    <message>
        <source>Short</source>
        <translation>Шорт</translation>
    </message>
    <message>
        <source>Net</source>
        <translation>Чиста</translation>
    </message>
    <message>
        <source>Gross</source>
        <translation>Валова</translation>
    </message>
    <message>
        <source>Collateral</source>
        <translation>Застава</translation>
    </message>
    <message>
        <source>Hedged</source>
        <translation>Захеджовано</translation>
    </message>
    <message>
        <source>Long ↔ short accounts</source>
        <translation>Акаунти лонг ↔ шорт</translation>
    </message>
    <message>
        <source>Linear contract (settled in USDT or USDC)</source>
        <translation>Лінійний контракт (розрахунки в USDT або USDC)</translation>
    </message>
    <message>
        <source>Inverse contract (settled in the coin)</source>
        <translation>Інверсний контракт (розрахунки в монеті)</translation>
    </message>
    <message>
        <source>Option</source>
        <translation>Опціон</translation>
    </message>
    <message>
        <source>Spot</source>
        <translation>Спот</translation>
    </message>
    <message>
        <source>Inverse contracts: the size is in USD (one contract is worth 1 USD).</source>
        <translation>Інверсні контракти: розмір у USD (один контракт вартує 1 USD).</translation>
    </message>
    <message>
        <source>The size in {coin}.</source>
        <translation>Розмір у {coin}.</translation>
    </message>
    <message>
        <source>Bybit gives no liquidation price for this position (portfolio margin or far away).</source>
        <translation>Bybit не дає ціни ліквідації для цієї позиції (портфельна маржа або вона дуже далеко).</translation>
    </message>
    <message>
        <source>Symbol</source>
        <translation>Символ</translation>
    </message>
    <message>
        <source>Side</source>
        <translation>Сторона</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Розмір</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Вартість</translation>
    </message>
    <message>
        <source>Entry</source>
        <translation>Вхід</translation>
    </message>
    <message>
        <source>Mark</source>
        <translation>Марк. ціна</translation>
    </message>
    <message>
        <source>Liq. price</source>
        <translation>Ціна ліквід.</translation>
    </message>
    <message>
        <source>To liq.</source>
        <translation>До ліквід.</translation>
    </message>
    <message>
        <source>Leverage</source>
        <translation>Плече</translation>
    </message>
    <message>
        <source>Margin</source>
        <translation>Маржа</translation>
    </message>
    <message>
        <source>{mode} (classic)</source>
        <translation>{mode} (класичний акаунт)</translation>
    </message>
    <message>
        <source>Copy-trading calculator</source>
        <translation>Калькулятор копітрейдингу</translation>
    </message>
    <message>
        <source>The copy-trading calculator is not available in this build.</source>
        <translation>Калькулятор копітрейдингу недоступний у цій збірці.</translation>
    </message>
    <message>
        <source>{n} s</source>
        <translation>{n} с</translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation>{n} хв</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} год {m} хв</translation>
    </message>
    <message>
        <source>{amount}B</source>
        <translation>{amount} млрд</translation>
    </message>
    <message>
        <source>{amount}M</source>
        <translation>{amount} млн</translation>
    </message>
    <message>
        <source>{amount}k</source>
        <translation>{amount} тис.</translation>
    </message>
    <message>
        <source>+{n} more</source>
        <translation>+ще {n}</translation>
    </message>
    <message>
        <source>RiskDesk: {severity} alert</source>
        <translation>RiskDesk: {severity}</translation>
    </message>
    <message>
        <source>{n} alerts: {list}</source>
        <translation>Сповіщення ({n}): {list}</translation>
    </message>
    <message>
        <source>, and {n} more</source>
        <translation> і ще {n}</translation>
    </message>
    <message>
        <source>RiskDesk: {n} alerts</source>
        <translation>RiskDesk: сповіщень — {n}</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Разом</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Файли CSV (*.csv)</translation>
    </message>
    <message>
        <source>Could not write {path}: {reason}</source>
        <translation>Не вдалося записати {path}: {reason}</translation>
    </message>
    <message>
        <source>Unknown: no account has answered</source>
        <translation>Невідомо: жоден акаунт ще не відповів</translation>
    </message>
    <message>
        <source>No liquidation from −99% to +500% (stale data)</source>
        <translation>Жодної ліквідації від −99% до +500% (застарілі дані)</translation>
    </message>
    <message>
        <source>No liquidation from −99% to +500%</source>
        <translation>Жодної ліквідації від −99% до +500%</translation>
    </message>
</context>
<context>
    <name>AccountDialog</name>
    <message>
        <source>Edit account</source>
        <translation>Редагувати акаунт</translation>
    </message>
    <message>
        <source>Add account</source>
        <translation>Додати акаунт</translation>
    </message>
    <message>
        <source>Custom URL</source>
        <translation>Власна URL-адреса</translation>
    </message>
    <message>
        <source>HMAC (system-generated)</source>
        <translation>HMAC (згенерований системою)</translation>
    </message>
    <message>
        <source>RSA (self-generated)</source>
        <translation>RSA (згенерований самостійно)</translation>
    </message>
    <message>
        <source>Private key file (PEM)</source>
        <translation>Файл приватного ключа (PEM)</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Огляд…</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Назва</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>Середовище</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>Базова URL-адреса</translation>
    </message>
    <message>
        <source>Key type</source>
        <translation>Тип ключа</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API-ключ</translation>
    </message>
    <message>
        <source>API secret</source>
        <translation>API secret</translation>
    </message>
    <message>
        <source>Private key</source>
        <translation>Приватний ключ</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Перевірити з’єднання</translation>
    </message>
    <message>
        <source>Test the connection to check the key&apos;s permissions. Use a read-only key bound to your IP address.</source>
        <translation>Перевірте з’єднання, щоб побачити дозволи ключа. Використовуйте ключ лише для читання, прив’язаний до вашої IP-адреси.</translation>
    </message>
    <message>
        <source>Leave empty to keep the stored secret</source>
        <translation>Залиште порожнім, щоб зберегти збережений secret</translation>
    </message>
    <message>
        <source>Leave empty to keep the stored private key</source>
        <translation>Залиште порожнім, щоб зберегти збережений приватний ключ</translation>
    </message>
    <message>
        <source>RSA private key</source>
        <translation>Приватний ключ RSA</translation>
    </message>
    <message>
        <source>PEM files (*.pem *.key);;All files (*)</source>
        <translation>Файли PEM (*.pem *.key);;Усі файли (*)</translation>
    </message>
    <message>
        <source>Enter the API secret to test the connection.</source>
        <translation>Введіть API secret, щоб перевірити з’єднання.</translation>
    </message>
    <message>
        <source>Testing the connection…</source>
        <translation>Перевіряємо з’єднання…</translation>
    </message>
    <message>
        <source>The connection test failed:
{reason}

Save this account anyway?</source>
        <translation>Перевірка з’єднання не вдалася:
{reason}

Усе одно зберегти цей акаунт?</translation>
    </message>
    <message>
        <source>This key can move funds (withdraw, transfer or trade). RiskDesk only reads; a read-only key is safer.

Save this key anyway?</source>
        <translation>Цей ключ може рухати кошти (виводити, переказувати чи торгувати). RiskDesk лише читає; ключ лише для читання безпечніший.

Усе одно зберегти цей ключ?</translation>
    </message>
</context>
<context>
    <name>AccountsDialog</name>
    <message>
        <source>Accounts</source>
        <translation>Акаунти</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>Додати…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Редагувати…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Видалити</translation>
    </message>
    <message>
        <source>Tick an account to include it in the refresh.</source>
        <translation>Позначте акаунт, щоб він оновлювався.</translation>
    </message>
    <message>
        <source>{name} — {env} — key {key}</source>
        <translation>{name} — {env} — ключ {key}</translation>
    </message>
    <message>
        <source>Remove account</source>
        <translation>Видалити акаунт</translation>
    </message>
    <message>
        <source>Remove &quot;{name}&quot;? Its API secret is deleted from the system keyring.</source>
        <translation>Видалити &quot;{name}&quot;? Його API secret буде видалено зі сховища ключів системи.</translation>
    </message>
</context>
<context>
    <name>AccountsModel</name>
    <message>
        <source>Cross</source>
        <translation>Крос-маржа</translation>
    </message>
    <message>
        <source>Isolated</source>
        <translation>Ізольована маржа</translation>
    </message>
    <message>
        <source>Portfolio</source>
        <translation>Портфельна маржа</translation>
    </message>
</context>
<context>
    <name>AlertBanner</name>
    <message>
        <source>Dismiss until a new alert</source>
        <translation>Приховати до нового сповіщення</translation>
    </message>
    <message>
        <source>(+{count} more in the alert log)</source>
        <translation>(ще {count} у журналі сповіщень)</translation>
    </message>
</context>
<context>
    <name>CopyTradeDialog</name>
    <message>
        <source>Article: Advanced mode, 100 USDT per order</source>
        <translation>Стаття: розширений режим, 100 USDT на ордер</translation>
    </message>
    <message>
        <source>Article: missed copy trades (Smart Copy)</source>
        <translation>Стаття: пропущені угоди копітрейдингу (Smart Copy)</translation>
    </message>
    <message>
        <source>Copy-trading calculator</source>
        <translation>Калькулятор копітрейдингу</translation>
    </message>
    <message>
        <source>Load a preset…</source>
        <translation>Завантажити приклад…</translation>
    </message>
    <message>
        <source>Add order</source>
        <translation>Додати ордер</translation>
    </message>
    <message>
        <source>Remove order</source>
        <translation>Видалити ордер</translation>
    </message>
    <message>
        <source>Master&apos;s orders (in time order; double-click to edit)</source>
        <translation>Ордери майстра (за часом; двічі клацніть, щоб змінити)</translation>
    </message>
    <message>
        <source>What the follower gets</source>
        <translation>Що отримує підписник</translation>
    </message>
    <message>
        <source>Invalid input: {field}: {message}</source>
        <translation>Неправильні дані: {field}: {message}</translation>
    </message>
    <message>
        <source>Symbol</source>
        <translation>Символ</translation>
    </message>
    <message>
        <source>Taker fee</source>
        <translation>Комісія тейкера</translation>
    </message>
    <message>
        <source>Quantity step</source>
        <translation>Крок кількості</translation>
    </message>
    <message>
        <source>Minimum quantity</source>
        <translation>Мінімальна кількість</translation>
    </message>
    <message>
        <source>Master&apos;s balance</source>
        <translation>Баланс майстра</translation>
    </message>
    <message>
        <source>Follower&apos;s balance</source>
        <translation>Баланс підписника</translation>
    </message>
    <message>
        <source>Master&apos;s leverage</source>
        <translation>Плече майстра</translation>
    </message>
    <message>
        <source>Follower&apos;s leverage</source>
        <translation>Плече підписника</translation>
    </message>
    <message>
        <source>Fixed order margin</source>
        <translation>Фіксована маржа ордера</translation>
    </message>
    <message>
        <source>Slippage tolerance</source>
        <translation>Допустиме прослизання</translation>
    </message>
    <message>
        <source>Max position margin</source>
        <translation>Макс. маржа позиції</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Ордер</translation>
    </message>
    <message>
        <source>Order {label}: {column}</source>
        <translation>Ордер {label}: {column}</translation>
    </message>
    <message>
        <source>Master: {m_qty} {coin} at {m_avg}. Follower: {f_qty} {coin} at {f_avg}. Entry gap: {gap}.</source>
        <translation>Майстер: {m_qty} {coin} за {m_avg}. Підписник: {f_qty} {coin} за {f_avg}. Різниця цін входу: {gap}.</translation>
    </message>
    <message>
        <source>Why the positions differ:</source>
        <translation>Чому позиції відрізняються:</translation>
    </message>
    <message>
        <source>Order by order:</source>
        <translation>Ордер за ордером:</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Дія</translation>
    </message>
    <message>
        <source>Master qty</source>
        <translation>К-сть майстра</translation>
    </message>
    <message>
        <source>Master price</source>
        <translation>Ціна майстра</translation>
    </message>
    <message>
        <source>long</source>
        <translation>лонг</translation>
    </message>
    <message>
        <source>short</source>
        <translation>шорт</translation>
    </message>
    <message>
        <source>Master avg entry</source>
        <translation>Сер. вхід майстра</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Стан</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Причина</translation>
    </message>
    <message>
        <source>Follower qty</source>
        <translation>К-сть підписника</translation>
    </message>
    <message>
        <source>Follower price</source>
        <translation>Ціна підписника</translation>
    </message>
    <message>
        <source>Follower avg entry</source>
        <translation>Сер. вхід підписника</translation>
    </message>
</context>
<context>
    <name>FreshnessStatusBar</name>
    <message>
        <source>Live prices — awaiting REST confirmation (last {time})</source>
        <translation>Живі ціни — очікують підтвердження REST (останнє {time})</translation>
    </message>
    <message>
        <source>Refresh failed: {error}</source>
        <translation>Оновлення не вдалося: {error}</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Призупинено</translation>
    </message>
    <message>
        <source>Refreshing…</source>
        <translation>Оновлення…</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>Наживо</translation>
    </message>
    <message>
        <source>● {count} accounts OK, oldest data {age}</source>
        <translation>● Акаунтів у нормі: {count}, найстаріші дані — {age}</translation>
    </message>
    <message>
        <source>{account}: {error}</source>
        <translation>{account}: {error}</translation>
    </message>
    <message>
        <source>{account}: last refresh failed: {error}</source>
        <translation>{account}: останнє оновлення не вдалося: {error}</translation>
    </message>
    <message>
        <source>● {name} {age}</source>
        <translation>● {name} {age}</translation>
    </message>
    <message>
        <source>● {name} waiting {age}</source>
        <translation>● {name} очікування {age}</translation>
    </message>
    <message>
        <source>● {name} waiting</source>
        <translation>● {name} очікування</translation>
    </message>
    <message>
        <source>● {name} stale {age}</source>
        <translation>● {name} застаріло {age}</translation>
    </message>
    <message>
        <source>● {name} failed</source>
        <translation>● {name} помилка</translation>
    </message>
</context>
<context>
    <name>HeaderBar</name>
    <message>
        <source>Total equity</source>
        <translation>Загальний капітал</translation>
    </message>
    <message>
        <source>Unrealised PnL</source>
        <translation>Нереалізований PnL</translation>
    </message>
    <message>
        <source>Net exposure</source>
        <translation>Чиста експозиція</translation>
    </message>
    <message>
        <source>Gross exposure</source>
        <translation>Валова експозиція</translation>
    </message>
    <message>
        <source>Worst MM rate</source>
        <translation>Найгірший коефіцієнт MM</translation>
    </message>
    <message>
        <source>1-day VaR 95%</source>
        <translation>VaR за 1 день 95%</translation>
    </message>
    <message>
        <source>First liquidation</source>
        <translation>Перша ліквідація</translation>
    </message>
    <message>
        <source>No account yet. Add a Bybit account with a read-only API key to see its risk here.</source>
        <translation>Акаунтів ще немає. Додайте акаунт Bybit з API-ключем лише для читання, щоб бачити тут його ризик.</translation>
    </message>
    <message>
        <source>Add an account…</source>
        <translation>Додати акаунт…</translation>
    </message>
    <message>
        <source>Includes the last good data of {n} stale account(s).</source>
        <translation>Містить останні справні дані застарілих акаунтів: {n}.</translation>
    </message>
    <message>
        <source>Account maintenance-margin rate; the account is liquidated at 100%.</source>
        <translation>Коефіцієнт підтримувальної маржі (MM) акаунта; акаунт ліквідується при 100%.</translation>
    </message>
    <message>
        <source>{days}-day VaR {level}</source>
        <translation>VaR за {days} дн. {level}</translation>
    </message>
    <message>
        <source>The smallest move of one coin (others following by beta) that liquidates an account.</source>
        <translation>Найменший рух однієї монети (інші рухаються за своєю бетою), що ліквідує акаунт.</translation>
    </message>
    <message>
        <source>● streamed prices</source>
        <translation>● потокові ціни</translation>
    </message>
    <message>
        <source>Live prices — awaiting REST confirmation. These figures were recomputed from streamed mark prices; balances and positions are those of the last REST refresh at {time}.</source>
        <translation>Живі ціни — очікують підтвердження REST. Ці показники перераховано за потоковими цінами маркування; баланси й позиції — з останнього оновлення REST о {time}.</translation>
    </message>
</context>
<context>
    <name>HistoryChartsWidget</name>
    <message>
        <source>Range:</source>
        <translation>Період:</translation>
    </message>
    <message>
        <source>1 h</source>
        <translation>1 год</translation>
    </message>
    <message>
        <source>24 h</source>
        <translation>24 год</translation>
    </message>
    <message>
        <source>7 d</source>
        <translation>7 дн.</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Усе</translation>
    </message>
    <message>
        <source>Legends</source>
        <translation>Легенди</translation>
    </message>
    <message>
        <source>Show which colour is which account or coin, above each chart</source>
        <translation>Показувати над кожним графіком, який колір — який акаунт чи монета</translation>
    </message>
    <message>
        <source>Total equity</source>
        <translation>Загальний капітал</translation>
    </message>
    <message>
        <source>Equity per account</source>
        <translation>Капітал за акаунтами</translation>
    </message>
    <message>
        <source>MM rate</source>
        <translation>Коеф. MM</translation>
    </message>
    <message>
        <source>liquidation at 100%</source>
        <translation>ліквідація при 100%</translation>
    </message>
    <message>
        <source>Net exposure per coin</source>
        <translation>Чиста експозиція за монетами</translation>
    </message>
    <message>
        <source>Loading history…</source>
        <translation>Завантаження історії…</translation>
    </message>
    <message>
        <source>History unavailable: {error}</source>
        <translation>Історія недоступна: {error}</translation>
    </message>
</context>
<context>
    <name>JournalTab</name>
    <message>
        <source>Last {days} days</source>
        <translation>Останні {days} днів</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Синхронізувати</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>Експорт у CSV…</translation>
    </message>
    <message>
        <source>%v of %m</source>
        <translation>%v з %m</translation>
    </message>
    <message>
        <source>Period:</source>
        <translation>Період:</translation>
    </message>
    <message>
        <source>Filter symbols</source>
        <translation>Фільтр символів</translation>
    </message>
    <message>
        <source>Realised PnL per day (UTC)</source>
        <translation>Реалізований PnL за день (UTC)</translation>
    </message>
    <message>
        <source>Realised PnL by symbol, all accounts</source>
        <translation>Реалізований PnL за символами, усі акаунти</translation>
    </message>
    <message>
        <source>Cumulative realised PnL (USD)</source>
        <translation>Накопичений реалізований PnL (USD)</translation>
    </message>
    <message>
        <source>Synced {synced} of {count} accounts; failed: {names}.</source>
        <translation>Синхронізовано {synced} з {count} акаунтів; не вдалося: {names}.</translation>
    </message>
    <message>
        <source>Synced with Bybit at {time}.</source>
        <translation>Синхронізовано з Bybit о {time}.</translation>
    </message>
    <message>
        <source>Showing the saved journal; syncing with Bybit…</source>
        <translation>Показано збережений журнал; триває синхронізація з Bybit…</translation>
    </message>
    <message>
        <source>Syncing {account}…</source>
        <translation>Синхронізація: {account}…</translation>
    </message>
    <message>
        <source>The journal could not be read: {reason}</source>
        <translation>Не вдалося прочитати журнал: {reason}</translation>
    </message>
    <message>
        <source>Export journal</source>
        <translation>Експорт журналу</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>Збережено {path}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>RiskDesk — demo</source>
        <translation>RiskDesk — демо</translation>
    </message>
    <message>
        <source>RiskDesk</source>
        <translation>RiskDesk</translation>
    </message>
    <message>
        <source>Demo mode: the accounts and prices come from the built-in simulator on this computer. Nothing is real and nothing is saved.</source>
        <translation>Демо-режим: акаунти й ціни надходять із вбудованого симулятора на цьому комп’ютері. Тут усе несправжнє й нічого не зберігається.</translation>
    </message>
    <message>
        <source>Portfolio</source>
        <translation>Портфель</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Сповіщення</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Історія</translation>
    </message>
    <message>
        <source>Journal</source>
        <translation>Журнал</translation>
    </message>
    <message>
        <source>Exposure by coin</source>
        <translation>Експозиція за монетами</translation>
    </message>
    <message>
        <source>Stress test</source>
        <translation>Стрес-тест</translation>
    </message>
    <message>
        <source>Key figures</source>
        <translation>Ключові показники</translation>
    </message>
</context>
<context>
    <name>MessageBar</name>
    <message>
        <source>Watched: a RiskDesk watcher records the history and sends the Telegram alerts; this window only shows them.</source>
        <translation>Працює спостерігач RiskDesk: він записує історію й надсилає сповіщення в Telegram, це вікно лише показує їх.</translation>
    </message>
    <message>
        <source>A RiskDesk watcher records this configuration&apos;s history and sends its Telegram alerts. This window shows what it records and alerts on this computer; it records and sends nothing itself until the watcher stops.</source>
        <translation>Спостерігач RiskDesk записує історію цієї конфігурації та надсилає її сповіщення в Telegram. Це вікно показує те, що він записує, і сповіщає на цьому комп’ютері; саме воно нічого не записує й не надсилає, доки спостерігач не зупиниться.</translation>
    </message>
    <message>
        <source>A RiskDesk watcher (process {pid}, running since {since}) records this configuration&apos;s history and sends its Telegram alerts. This window shows what it records and alerts on this computer; it records and sends nothing itself until the watcher stops.</source>
        <translation>Спостерігач RiskDesk (процес {pid}, працює з {since}) записує історію цієї конфігурації та надсилає її сповіщення в Telegram. Це вікно показує те, що він записує, і сповіщає на цьому комп’ютері; саме воно нічого не записує й не надсилає, доки спостерігач не зупиниться.</translation>
    </message>
    <message>
        <source>The RiskDesk watcher has stopped: this window records the history and sends the Telegram alerts from now on.</source>
        <translation>Спостерігач RiskDesk зупинився: відтепер це вікно записує історію та надсилає сповіщення в Telegram.</translation>
    </message>
</context>
<context>
    <name>PnlCalendar</name>
    <message>
        <source>no trades</source>
        <translation>немає угод</translation>
    </message>
    <message>
        <source>{day} (UTC): {amount}</source>
        <translation>{day} (UTC): {amount}</translation>
    </message>
</context>
<context>
    <name>PortfolioTables</name>
    <message>
        <source>Filter accounts…</source>
        <translation>Фільтр акаунтів…</translation>
    </message>
    <message>
        <source>Filter positions (account, symbol, side)…</source>
        <translation>Фільтр позицій (акаунт, символ, сторона)…</translation>
    </message>
    <message>
        <source>Filter coins…</source>
        <translation>Фільтр монет…</translation>
    </message>
</context>
<context>
    <name>QPlatformTheme</name>
    <message>
        <source>OK</source>
        <translation>Гаразд</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Скасувати</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Зберегти</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Закрити</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Застосувати</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Відкинути</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Відкрити</translation>
    </message>
    <message>
        <source>&amp;Yes</source>
        <translation>&amp;Так</translation>
    </message>
    <message>
        <source>&amp;No</source>
        <translation>&amp;Ні</translation>
    </message>
    <message>
        <source>Help</source>
        <translation>Довідка</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Налаштування</translation>
    </message>
    <message>
        <source> s</source>
        <translation> с</translation>
    </message>
    <message>
        <source>As the system</source>
        <translation>Як у системі</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Мова:</translation>
    </message>
    <message>
        <source>A new language applies when RiskDesk starts again. `riskdesk --lang` overrides it for one start.</source>
        <translation>Нова мова застосовується після перезапуску RiskDesk. `riskdesk --lang` змінює її для одного запуску.</translation>
    </message>
    <message>
        <source>Refresh every:</source>
        <translation>Оновлювати кожні:</translation>
    </message>
    <message>
        <source>Give up on an answer after:</source>
        <translation>Припиняти очікування відповіді через:</translation>
    </message>
    <message>
        <source>Every account is read over REST this often. Between refreshes, figures are recomputed from streamed prices where available. An account whose server has not answered completely within the time limit is shown as failed.</source>
        <translation>Кожен акаунт зчитується через REST із цією частотою. Між оновленнями показники перераховуються за потоковими цінами, якщо вони є. Акаунт, сервер якого не відповів повністю в межах ліміту часу, показується як невдалий.</translation>
    </message>
    <message>
        <source>This build cannot send Telegram messages.</source>
        <translation>Ця збірка не може надсилати повідомлення в Telegram.</translation>
    </message>
    <message>
        <source>General</source>
        <translation>Загальні</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Сповіщення</translation>
    </message>
    <message>
        <source>Telegram</source>
        <translation>Telegram</translation>
    </message>
    <message>
        <source>Demo mode: changes apply to this session only and are not saved.</source>
        <translation>Демо-режим: зміни діють лише в цьому сеансі й не зберігаються.</translation>
    </message>
    <message>
        <source>Refresh interval</source>
        <translation>Інтервал оновлення</translation>
    </message>
    <message>
        <source>Time limit of an answer</source>
        <translation>Ліміт часу відповіді</translation>
    </message>
    <message>
        <source>Telegram chat id</source>
        <translation>Chat id у Telegram</translation>
    </message>
    <message>
        <source>{field}: {problem}</source>
        <translation>{field}: {problem}</translation>
    </message>
    <message>
        <source>Enter the chat id first.</source>
        <translation>Спершу введіть chat id.</translation>
    </message>
    <message>
        <source>Enter the bot token first.</source>
        <translation>Спершу введіть токен бота.</translation>
    </message>
</context>
<context>
    <name>SettingsPanel</name>
    <message>
        <source>Long</source>
        <translation>Лонг</translation>
    </message>
    <message>
        <source>Short</source>
        <translation>Шорт</translation>
    </message>
    <message>
        <source>Smart Copy (proportional)</source>
        <translation>Smart Copy (пропорційно)</translation>
    </message>
    <message>
        <source>Advanced (fixed margin)</source>
        <translation>Розширений (фіксована маржа)</translation>
    </message>
    <message>
        <source>Copyguard (skip orders at a worse price)</source>
        <translation>Copyguard (пропускати ордери за гіршою ціною)</translation>
    </message>
    <message>
        <source>Instrument</source>
        <translation>Інструмент</translation>
    </message>
    <message>
        <source>Symbol</source>
        <translation>Символ</translation>
    </message>
    <message>
        <source>Side</source>
        <translation>Сторона</translation>
    </message>
    <message>
        <source>Copy mode</source>
        <translation>Режим копіювання</translation>
    </message>
    <message>
        <source>Taker fee</source>
        <translation>Комісія тейкера</translation>
    </message>
    <message>
        <source>Quantity step</source>
        <translation>Крок кількості</translation>
    </message>
    <message>
        <source>Minimum quantity</source>
        <translation>Мінімальна кількість</translation>
    </message>
    <message>
        <source>Master</source>
        <translation>Майстер-трейдер</translation>
    </message>
    <message>
        <source>Available balance</source>
        <translation>Доступний баланс</translation>
    </message>
    <message>
        <source>Leverage</source>
        <translation>Плече</translation>
    </message>
    <message>
        <source>Follower</source>
        <translation>Підписник</translation>
    </message>
    <message>
        <source>Fixed order margin</source>
        <translation>Фіксована маржа ордера</translation>
    </message>
    <message>
        <source>Slippage tolerance</source>
        <translation>Допустиме прослизання</translation>
    </message>
    <message>
        <source>Max position margin</source>
        <translation>Макс. маржа позиції</translation>
    </message>
</context>
<context>
    <name>ShockRow</name>
    <message>
        <source>The coin to shock</source>
        <translation>Монета для шоку</translation>
    </message>
    <message>
        <source>Stop shocking this coin</source>
        <translation>Прибрати шок цієї монети</translation>
    </message>
</context>
<context>
    <name>StressChart</name>
    <message>
        <source>equity now</source>
        <translation>капітал зараз</translation>
    </message>
    <message>
        <source>after the shock</source>
        <translation>після шоку</translation>
    </message>
    <message>
        <source>after the shock: liquidated</source>
        <translation>після шоку: ліквідовано</translation>
    </message>
</context>
<context>
    <name>StressPanel</name>
    <message>
        <source>+ Add a coin</source>
        <translation>+ Додати монету</translation>
    </message>
    <message>
        <source>Shock several coins at once, each by its own move</source>
        <translation>Шок кількох монет одночасно, кожної на свій рух</translation>
    </message>
    <message>
        <source>Other coins follow by beta</source>
        <translation>Інші монети рухаються за бетою</translation>
    </message>
    <message>
        <source>Coins you did not shock move with their beta to the shocked ones (from price history).</source>
        <translation>Монети, яких ви не шокували, рухаються за своєю бетою до шокованих (з історії цін).</translation>
    </message>
    <message>
        <source>Waiting for data…</source>
        <translation>Очікування даних…</translation>
    </message>
    <message>
        <source>Filter accounts…</source>
        <translation>Фільтр акаунтів…</translation>
    </message>
    <message>
        <source>{moves}: total PnL {pnl}.</source>
        <translation>{moves}: загальний PnL {pnl}.</translation>
    </message>
    <message>
        <source>No positions to stress.</source>
        <translation>Немає позицій для стрес-тесту.</translation>
    </message>
    <message>
        <source>Liquidated: {names}.</source>
        <translation>Ліквідовано: {names}.</translation>
    </message>
    <message>
        <source>No account is liquidated.</source>
        <translation>Жоден акаунт не ліквідовано.</translation>
    </message>
</context>
<context>
    <name>TelegramSettingsPanel</name>
    <message>
        <source>-1001234567890 or @channelname</source>
        <translation>-1001234567890 або @channelname</translation>
    </message>
    <message>
        <source>Remove stored token</source>
        <translation>Видалити збережений токен</translation>
    </message>
    <message>
        <source>Send test message</source>
        <translation>Надіслати тестове повідомлення</translation>
    </message>
    <message>
        <source>Chat id:</source>
        <translation>Chat id:</translation>
    </message>
    <message>
        <source>Bot token:</source>
        <translation>Токен бота:</translation>
    </message>
    <message>
        <source>Create a bot with @BotFather, add it to your chat, and paste the bot&apos;s token here. The token is kept only in the system keyring, never in a settings file. Alerts that notify on the desktop (raised and escalated) are also sent to this chat.</source>
        <translation>Створіть бота через @BotFather, додайте його до свого чату й вставте сюди токен бота. Токен зберігається лише в системному сховищі ключів, ніколи у файлі налаштувань. Сповіщення, що з’являються на робочому столі (нові й посилені), надсилаються й у цей чат.</translation>
    </message>
    <message>
        <source>No keyring: the bot token cannot be saved. {reason}</source>
        <translation>Немає сховища ключів: токен бота не можна зберегти. {reason}</translation>
    </message>
    <message>
        <source>Demo mode: a token entered here is used for this session only and not saved.</source>
        <translation>Демо-режим: введений тут токен діє лише в цьому сеансі й не зберігається.</translation>
    </message>
    <message>
        <source>A bot token is stored in the keyring. Type a new one to replace it.</source>
        <translation>Токен бота збережено у сховищі ключів. Введіть новий, щоб замінити його.</translation>
    </message>
    <message>
        <source>No bot token is stored.</source>
        <translation>Токен бота не збережено.</translation>
    </message>
    <message>
        <source>(stored — leave empty to keep)</source>
        <translation>(збережено — залиште порожнім, щоб залишити)</translation>
    </message>
    <message>
        <source>paste the token from @BotFather</source>
        <translation>вставте токен від @BotFather</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Надсилання…</translation>
    </message>
    <message>
        <source>Test message sent.</source>
        <translation>Тестове повідомлення надіслано.</translation>
    </message>
    <message>
        <source>Sending failed: {message}</source>
        <translation>Не вдалося надіслати: {message}</translation>
    </message>
    <message>
        <source>No answer yet; the message may still arrive.</source>
        <translation>Відповіді ще немає; повідомлення ще може надійти.</translation>
    </message>
</context>
<context>
    <name>TrayController</name>
    <message>
        <source>Show window</source>
        <translation>Показати вікно</translation>
    </message>
    <message>
        <source>Refresh now</source>
        <translation>Оновити зараз</translation>
    </message>
    <message>
        <source>Pause alerts for 1 hour</source>
        <translation>Призупинити сповіщення на 1 годину</translation>
    </message>
    <message>
        <source>Quit RiskDesk</source>
        <translation>Вийти з RiskDesk</translation>
    </message>
    <message>
        <source>RiskDesk — no active alerts</source>
        <translation>RiskDesk — активних сповіщень немає</translation>
    </message>
    <message>
        <source>RiskDesk — data is stale</source>
        <translation>RiskDesk — дані застаріли</translation>
    </message>
    <message>
        <source>RiskDesk — {count} active alert(s), worst: {state}</source>
        <translation>RiskDesk — активних сповіщень: {count}, найгірше: {state}</translation>
    </message>
    <message>
        <source>Hide window</source>
        <translation>Сховати вікно</translation>
    </message>
    <message>
        <source>RiskDesk keeps monitoring in the tray.</source>
        <translation>RiskDesk продовжує стежити з системного лотка.</translation>
    </message>
</context>
<context>
    <name>WindowActions</name>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Вийти</translation>
    </message>
    <message>
        <source>Export &amp;positions as CSV…</source>
        <translation>Експортувати &amp;позиції в CSV…</translation>
    </message>
    <message>
        <source>Export risk &amp;report as CSV…</source>
        <translation>Експортувати &amp;звіт про ризик у CSV…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Налаштування…</translation>
    </message>
    <message>
        <source>&amp;Manage accounts…</source>
        <translation>&amp;Керувати акаунтами…</translation>
    </message>
    <message>
        <source>Demo mode uses the simulator&apos;s accounts; nothing can be saved.</source>
        <translation>Демо-режим використовує акаунти симулятора; зберегти нічого не можна.</translation>
    </message>
    <message>
        <source>&amp;Refresh now</source>
        <translation>&amp;Оновити зараз</translation>
    </message>
    <message>
        <source>&amp;Pause refreshing</source>
        <translation>&amp;Призупинити оновлення</translation>
    </message>
    <message>
        <source>&amp;Copy-trading calculator…</source>
        <translation>&amp;Калькулятор копітрейдингу…</translation>
    </message>
    <message>
        <source>&amp;About RiskDesk</source>
        <translation>&amp;Про RiskDesk</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Файл</translation>
    </message>
    <message>
        <source>&amp;Accounts</source>
        <translation>&amp;Акаунти</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Вигляд</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Інструменти</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Довідка</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>Головна панель</translation>
    </message>
    <message>
        <source>Export positions</source>
        <translation>Експорт позицій</translation>
    </message>
    <message>
        <source>Export risk report</source>
        <translation>Експорт звіту про ризик</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>Збережено {path}</translation>
    </message>
    <message>
        <source>About RiskDesk</source>
        <translation>Про RiskDesk</translation>
    </message>
    <message>
        <source>RiskDesk {version}

A read-only risk monitor for several Bybit accounts. It never places, amends or cancels an order; use read-only API keys.</source>
        <translation>RiskDesk {version}

Монітор ризику лише для читання для кількох акаунтів Bybit. Він ніколи не розміщує, не змінює й не скасовує ордери; використовуйте API-ключі лише для читання.</translation>
    </message>
</context>
<context>
    <name>WindowAlerts</name>
    <message>
        <source>Alerts ({count})</source>
        <translation>Сповіщення ({count})</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Сповіщення</translation>
    </message>
    <message>
        <source>Telegram: {message}</source>
        <translation>Telegram: {message}</translation>
    </message>
    <message>
        <source>History is not recorded in this session.</source>
        <translation>У цьому сеансі історія не записується.</translation>
    </message>
</context>
<context>
    <name>WindowCloser</name>
    <message>
        <source>RiskDesk keeps monitoring in the tray.</source>
        <translation>RiskDesk продовжує стежити з системного лотка.</translation>
    </message>
</context>
<context>
    <name>_Message</name>
    <message>
        <source>Dismiss</source>
        <translation>Приховати</translation>
    </message>
</context>
<context>
    <name>alerts</name>
    <message>
        <source>Back to normal: {text}</source>
        <translation>Повернулося до норми: {text}</translation>
    </message>
    <message>
        <source>No longer applies: {text}</source>
        <translation>Більше не актуально: {text}</translation>
    </message>
    <message>
        <source>{account}: MM rate unknown</source>
        <translation>{account}: коефіцієнт MM невідомий</translation>
    </message>
    <message>
        <source>{account}: MM rate {rate} — liquidation at 100% (last known figures)</source>
        <translation>{account}: коефіцієнт MM {rate} — ліквідація при 100% (останні відомі дані)</translation>
    </message>
    <message>
        <source>{account}: MM rate {rate} — liquidation at 100%</source>
        <translation>{account}: коефіцієнт MM {rate} — ліквідація при 100%</translation>
    </message>
    <message>
        <source>{position}: no liquidation price</source>
        <translation>{position}: немає ціни ліквідації</translation>
    </message>
    <message>
        <source>{position}: {distance} from liquidation (mark {mark}, liquidation {liq})</source>
        <translation>{position}: {distance} до ліквідації (ціна маркування {mark}, ліквідація {liq})</translation>
    </message>
    <message>
        <source>First liquidation unknown</source>
        <translation>Перша ліквідація невідома</translation>
    </message>
    <message>
        <source>First liquidation at a {move} move: {headline}</source>
        <translation>Перша ліквідація при русі на {move}: {headline}</translation>
    </message>
    <message>
        <source>{coin} {move} → {account} liquidated</source>
        <translation>{coin} {move} → {account} ліквідовано</translation>
    </message>
    <message>
        <source>long</source>
        <translation>лонг</translation>
    </message>
    <message>
        <source>short</source>
        <translation>шорт</translation>
    </message>
    <message>
        <source>Total equity unknown</source>
        <translation>Загальний капітал невідомий</translation>
    </message>
    <message>
        <source>Total equity down {move} from its session peak ({peak} → {now})</source>
        <translation>Загальний капітал упав на {move} від піку сесії ({peak} → {now})</translation>
    </message>
    <message>
        <source>{coin} is {share} of gross exposure ({gross} of {total})</source>
        <translation>{coin} становить {share} валової експозиції ({gross} з {total})</translation>
    </message>
    <message>
        <source>Cross-account hedge on {coin}: long in {longs}, short in {shorts} ({amount} offset)</source>
        <translation>Хедж між акаунтами по {coin}: лонг у {longs}, шорт у {shorts} (компенсовано {amount})</translation>
    </message>
    <message>
        <source>{account}: no data yet after {age}</source>
        <translation>{account}: даних досі немає після {age}</translation>
    </message>
    <message>
        <source>{account}: data {age} old ({n} refresh intervals)</source>
        <translation>{account}: даним {age} (інтервалів оновлення: {n})</translation>
    </message>
    <message>
        <source> — last error: {error}</source>
        <translation> — остання помилка: {error}</translation>
    </message>
    <message>
        <source>{account}: API key {expiry} — create a new read-only key in Bybit&apos;s API management</source>
        <translation>{account}: API-ключ {expiry} — створіть новий ключ лише для читання в керуванні API Bybit</translation>
    </message>
    <message>
        <source>RiskDesk test message: alerts will arrive in this chat.</source>
        <translation>Тестове повідомлення RiskDesk: сповіщення надходитимуть у цей чат.</translation>
    </message>
    <message>
        <source>{n} s</source>
        <translation>{n} с</translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation>{n} хв</translation>
    </message>
    <message>
        <source>{n} h</source>
        <translation>{n} год</translation>
    </message>
    <message>
        <source>{n} days</source>
        <translation>{n} дн.</translation>
    </message>
    <message>
        <source>has expired</source>
        <translation>більше не дійсний</translation>
    </message>
    <message>
        <source>expires in {n} hours</source>
        <translation>спливає через {n} год</translation>
    </message>
    <message>
        <source>expires in {n} days</source>
        <translation>спливає через {n} дн.</translation>
    </message>
    <message>
        <source>info</source>
        <translation>інформація</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>попередження</translation>
    </message>
    <message>
        <source>critical</source>
        <translation>тривога</translation>
    </message>
    <message>
        <source>raised</source>
        <translation>виникло</translation>
    </message>
    <message>
        <source>escalated</source>
        <translation>посилилося</translation>
    </message>
    <message>
        <source>eased</source>
        <translation>послабилося</translation>
    </message>
    <message>
        <source>cleared</source>
        <translation>знято</translation>
    </message>
    <message>
        <source>… and {n} more alerts (see RiskDesk).</source>
        <translation>… і ще {n} сповіщень (див. RiskDesk).</translation>
    </message>
</context>
<context>
    <name>copytrade</name>
    <message>
        <source>Copied: your fixed order margin of {budget} USDT at {leverage}x opens {qty} {coin} {side} at {price} (cost {cost} USDT). Your average entry is {f_avg}; the master&apos;s is {m_avg}.</source>
        <translation>Скопійовано: ваша фіксована маржа ордера {budget} USDT з плечем {leverage}x відкриває {side} {qty} {coin} за {price} (вартість {cost} USDT). Ваша середня ціна входу {f_avg}; у майстра — {m_avg}.</translation>
    </message>
    <message>
        <source>Copied: the master put {k_pct}% of its funds into this order, so {budget} USDT of your {balance} USDT opens {qty} {coin} {side} at {price} at the master&apos;s {leverage}x (cost {cost} USDT). Your average entry is {f_avg}; the master&apos;s is {m_avg}.</source>
        <translation>Скопійовано: майстер вклав у цей ордер {k_pct}% своїх коштів, тож {budget} USDT із ваших {balance} USDT відкривають {side} {qty} {coin} за {price} з плечем майстра {leverage}x (вартість {cost} USDT). Ваша середня ціна входу {f_avg}; у майстра — {m_avg}.</translation>
    </message>
    <message>
        <source>Copied at the minimum size: {k_pct}% of your balance ({budget} USDT) buys less than the minimum {min_qty} {coin}, so Bybit placed {min_qty} {coin} {side} at {price} instead (cost {cost} USDT). That uses {share_pct}% of your balance while the master used {k_pct}% of its funds, so from now on your position is larger for your funds than the master&apos;s. Your average entry is {f_avg}; the master&apos;s is {m_avg}.</source>
        <translation>Скопійовано з мінімальним розміром: {k_pct}% вашого балансу ({budget} USDT) купує менше за мінімальні {min_qty} {coin}, тож Bybit натомість розмістив {side} {min_qty} {coin} за {price} (вартість {cost} USDT). Це {share_pct}% вашого балансу, тоді як майстер використав {k_pct}% своїх коштів, тож відтепер ваша позиція більша відносно ваших коштів, ніж у майстра. Ваша середня ціна входу {f_avg}; у майстра — {m_avg}.</translation>
    </message>
    <message>
        <source>Copied at the minimum size: your fixed order margin of {budget} USDT buys less than the minimum {min_qty} {coin}, so Bybit placed {min_qty} {coin} {side} at {price} instead (cost {cost} USDT), more than your fixed margin. Your average entry is {f_avg}; the master&apos;s is {m_avg}.</source>
        <translation>Скопійовано з мінімальним розміром: ваша фіксована маржа ордера {budget} USDT купує менше за мінімальні {min_qty} {coin}, тож Bybit натомість розмістив {side} {min_qty} {coin} за {price} (вартість {cost} USDT), більше за вашу фіксовану маржу. Ваша середня ціна входу {f_avg}; у майстра — {m_avg}.</translation>
    </message>
    <message>
        <source>Copied: the master closed {m_fraction_pct}% of its position, so you closed {qty} {coin} ({f_fraction_pct}% of yours) at {price}; realised PnL {pnl} USDT after fees. Your average entry is {f_avg}; the master&apos;s is {m_avg}.</source>
        <translation>Скопійовано: майстер закрив {m_fraction_pct}% своєї позиції, тож ви закрили {qty} {coin} ({f_fraction_pct}% вашої) за {price}; реалізований PnL {pnl} USDT після комісій. Ваша середня ціна входу {f_avg}; у майстра — {m_avg}.</translation>
    </message>
    <message>
        <source>Not copied: you already hold {held} entry orders from this master, and beyond {limit} Bybit pauses copying the master&apos;s entry orders. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation>Не скопійовано: у вас уже {held} ордерів входу від цього майстра, а понад {limit} Bybit призупиняє копіювання його ордерів входу. Ваша середня ціна входу лишається {f_avg}; у майстра тепер {m_avg}.</translation>
    </message>
    <message>
        <source>Not copied: your price {f_price} is {slip_pct}% away from the master&apos;s fill at {m_price}, more than your slippage tolerance of {tol_pct}%. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation>Не скопійовано: ваша ціна {f_price} відхиляється на {slip_pct}% від виконання майстра за {m_price}, більше за ваше допустиме прослизання {tol_pct}%. Ваша середня ціна входу лишається {f_avg}; у майстра тепер {m_avg}.</translation>
    </message>
    <message>
        <source>Not copied: Copyguard is on and your price {f_price} is worse than the master&apos;s {m_price} for a {side} entry. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation>Не скопійовано: Copyguard увімкнено, а ваша ціна {f_price} гірша за ціну майстра {m_price} для входу в {side}. Ваша середня ціна входу лишається {f_avg}; у майстра тепер {m_avg}.</translation>
    </message>
    <message>
        <source>Not copied: {qty} {coin} would raise your position margin from {margin} to {new_margin} USDT, above your max position margin of {cap} USDT. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation>Не скопійовано: {qty} {coin} підняли б маржу вашої позиції з {margin} до {new_margin} USDT, понад вашу макс. маржу позиції {cap} USDT. Ваша середня ціна входу лишається {f_avg}; у майстра тепер {m_avg}.</translation>
    </message>
    <message>
        <source>Not copied: even the minimum order of {min_qty} {coin} costs {min_cost} USDT, more than your available balance of {balance} USDT. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation>Не скопійовано: навіть мінімальний ордер {min_qty} {coin} коштує {min_cost} USDT, більше за ваш доступний баланс {balance} USDT. Ваша середня ціна входу лишається {f_avg}; у майстра тепер {m_avg}.</translation>
    </message>
    <message>
        <source>Not copied: {qty} {coin} would cost {cost} USDT (margin plus fees to open and close), more than your available balance of {balance} USDT. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation>Не скопійовано: {qty} {coin} коштували б {cost} USDT (маржа плюс комісії за відкриття й закриття), більше за ваш доступний баланс {balance} USDT. Ваша середня ціна входу лишається {f_avg}; у майстра тепер {m_avg}.</translation>
    </message>
    <message>
        <source>Not copied: the master closed {m_qty} {coin}, but you hold no position to close because the entry orders were not copied. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation>Не скопійовано: майстер закрив {m_qty} {coin}, але у вас немає позиції для закриття, бо ордери входу не було скопійовано. Ваша середня ціна входу лишається {f_avg}; у майстра тепер {m_avg}.</translation>
    </message>
    <message>
        <source>Entry-order limit: {orders} order(s) missed (master&apos;s notional {notional} USDT) while you held {limit}.</source>
        <translation>Ліміт ордерів входу: пропущено ордерів — {orders} (номінал майстра {notional} USDT), поки ви утримували {limit}.</translation>
    </message>
    <message>
        <source>Slippage: {orders} order(s) missed (master&apos;s notional {notional} USDT), your price outside {tol_pct}%.</source>
        <translation>Прослизання: пропущено ордерів — {orders} (номінал майстра {notional} USDT), ваша ціна поза {tol_pct}%.</translation>
    </message>
    <message>
        <source>Copyguard: {orders} order(s) missed (master&apos;s notional {notional} USDT), your price worse than the master&apos;s.</source>
        <translation>Copyguard: пропущено ордерів — {orders} (номінал майстра {notional} USDT), ваша ціна гірша за ціну майстра.</translation>
    </message>
    <message>
        <source>Max position margin: {orders} order(s) missed (master&apos;s notional {notional} USDT) at the {cap} USDT cap.</source>
        <translation>Макс. маржа позиції: пропущено ордерів — {orders} (номінал майстра {notional} USDT) на межі {cap} USDT.</translation>
    </message>
    <message>
        <source>Insufficient balance: {orders} order(s) missed (master&apos;s notional {notional} USDT), the minimum size costs too much.</source>
        <translation>Недостатній баланс: пропущено ордерів — {orders} (номінал майстра {notional} USDT), мінімальний розмір коштує забагато.</translation>
    </message>
    <message>
        <source>Order cost over balance: {orders} order(s) missed (master&apos;s notional {notional} USDT).</source>
        <translation>Вартість ордера перевищує баланс: пропущено ордерів — {orders} (номінал майстра {notional} USDT).</translation>
    </message>
    <message>
        <source>Nothing to close: {orders} closing order(s) (master&apos;s notional {notional} USDT) had no position behind them.</source>
        <translation>Нічого закривати: ордерів закриття — {orders} (номінал майстра {notional} USDT) без позиції за ними.</translation>
    </message>
    <message>
        <source>Minimum order size: {orders} order(s) (master&apos;s notional {notional} USDT) placed at {min_qty} {coin}, a larger share than the master&apos;s.</source>
        <translation>Мінімальний розмір ордера: ордерів — {orders} (номінал майстра {notional} USDT) розміщено по {min_qty} {coin}, більша частка, ніж у майстра.</translation>
    </message>
    <message>
        <source>Fixed order margin: {orders} order(s) (master&apos;s notional {notional} USDT) used {budget} USDT whatever the master&apos;s quantity.</source>
        <translation>Фіксована маржа ордера: ордерів — {orders} (номінал майстра {notional} USDT) використали {budget} USDT незалежно від кількості майстра.</translation>
    </message>
    <message>
        <source>Different fill prices: {orders} copied order(s) (master&apos;s notional {notional} USDT) filled off the master&apos;s prices.</source>
        <translation>Різні ціни виконання: скопійованих ордерів — {orders} (номінал майстра {notional} USDT) виконано не за цінами майстра.</translation>
    </message>
    <message>
        <source>must be from 0% to 1% (0.055% is 0.00055)</source>
        <translation>має бути від 0% до 1% (0,055% — це 0,00055)</translation>
    </message>
    <message>
        <source>must be positive</source>
        <translation>має бути додатним</translation>
    </message>
    <message>
        <source>must be a positive multiple of the quantity step</source>
        <translation>має бути додатним кратним кроку кількості</translation>
    </message>
    <message>
        <source>must not be negative</source>
        <translation>не може бути від’ємним</translation>
    </message>
    <message>
        <source>must be from 1 to 200</source>
        <translation>має бути від 1 до 200</translation>
    </message>
    <message>
        <source>advanced mode needs a positive fixed order margin</source>
        <translation>розширений режим потребує додатної фіксованої маржі ордера</translation>
    </message>
    <message>
        <source>must be from 0.1% to 5%</source>
        <translation>має бути від 0,1% до 5%</translation>
    </message>
    <message>
        <source>orders must be in time order</source>
        <translation>ордери мають іти за часом</translation>
    </message>
    <message>
        <source>is not a number</source>
        <translation>не є числом</translation>
    </message>
</context>
<context>
    <name>environments</name>
    <message>
        <source>Mainnet</source>
        <translation>Основна мережа (Mainnet)</translation>
    </message>
    <message>
        <source>Testnet</source>
        <translation>Тестова мережа (Testnet)</translation>
    </message>
    <message>
        <source>Demo trading</source>
        <translation>Демо-торгівля</translation>
    </message>
    <message>
        <source>Netherlands (bybit.nl)</source>
        <translation>Нідерланди (bybit.nl)</translation>
    </message>
    <message>
        <source>Turkey (bybit.tr)</source>
        <translation>Туреччина (bybit.tr)</translation>
    </message>
    <message>
        <source>Kazakhstan (bybit.kz)</source>
        <translation>Казахстан (bybit.kz)</translation>
    </message>
    <message>
        <source>Georgia (bybitgeorgia.ge)</source>
        <translation>Грузія (bybitgeorgia.ge)</translation>
    </message>
    <message>
        <source>UAE (bybit.ae)</source>
        <translation>ОАЕ (bybit.ae)</translation>
    </message>
    <message>
        <source>EEA (bybit.eu)</source>
        <translation>ЄЕЗ (bybit.eu)</translation>
    </message>
    <message>
        <source>Indonesia (bybit.id)</source>
        <translation>Індонезія (bybit.id)</translation>
    </message>
    <message>
        <source>Japan (manepa.jp)</source>
        <translation>Японія (manepa.jp)</translation>
    </message>
</context>
</TS>
