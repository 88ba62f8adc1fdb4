<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="th_TH">
<context>
    <name></name>
    <message>
        <source>This key can WITHDRAW funds. Create a read-only key for RiskDesk.</source>
        <translation>คีย์นี้ถอนเงินออกได้! ให้สร้างคีย์แบบอ่านอย่างเดียวสำหรับ RiskDesk</translation>
    </message>
    <message>
        <source>This key can TRANSFER funds between accounts. Create a read-only key.</source>
        <translation>คีย์นี้โอนเงินระหว่างบัญชีได้! ให้สร้างคีย์แบบอ่านอย่างเดียว</translation>
    </message>
    <message>
        <source>This key can TRADE. RiskDesk never trades; a read-only key is safer.</source>
        <translation>คีย์นี้ส่งคำสั่งเทรดได้! RiskDesk ไม่เคยเทรด คีย์แบบอ่านอย่างเดียวปลอดภัยกว่า</translation>
    </message>
    <message>
        <source>This key is not bound to an IP address: anyone who obtains it can use it from anywhere. Bind it to your IP address in Bybit&apos;s API settings.</source>
        <translation>คีย์นี้ไม่ได้ผูกกับที่อยู่ IP ใครได้คีย์ไปก็ใช้ได้จากทุกที่ ให้ผูกกับ IP ของคุณในการตั้งค่า API ของ Bybit</translation>
    </message>
    <message>
        <source>This key expires in {days} day(s).</source>
        <translation>คีย์นี้จะหมดอายุในอีก {days} วัน</translation>
    </message>
    <message>
        <source>read-only</source>
        <translation>อ่านอย่างเดียว</translation>
    </message>
    <message>
        <source>none</source>
        <translation>ไม่มี</translation>
    </message>
    <message>
        <source>never</source>
        <translation>ไม่หมดอายุ</translation>
    </message>
    <message>
        <source>in {days} day(s)</source>
        <translation>ในอีก {days} วัน</translation>
    </message>
    <message>
        <source>not bound</source>
        <translation>ไม่ได้ผูก</translation>
    </message>
    <message>
        <source>Connection OK</source>
        <translation>เชื่อมต่อสำเร็จ</translation>
    </message>
    <message>
        <source>Reachable</source>
        <translation>เชื่อมต่อได้</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ใช่</translation>
    </message>
    <message>
        <source>Margin mode</source>
        <translation>โหมดมาร์จิ้น</translation>
    </message>
    <message>
        <source>Clock offset</source>
        <translation>เวลาคลาดเคลื่อน</translation>
    </message>
    <message>
        <source>Permissions</source>
        <translation>สิทธิ์</translation>
    </message>
    <message>
        <source>IP addresses</source>
        <translation>ที่อยู่ IP</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>หมดอายุ</translation>
    </message>
    <message>
        <source>Connection failed</source>
        <translation>เชื่อมต่อไม่สำเร็จ</translation>
    </message>
    <message>
        <source>The private key file is too large to be a PEM key.</source>
        <translation>ไฟล์คีย์ส่วนตัวใหญ่เกินกว่าจะเป็นคีย์ PEM</translation>
    </message>
    <message>
        <source>Cannot read the private key file: {reason}.</source>
        <translation>อ่านไฟล์คีย์ส่วนตัวไม่ได้: {reason}</translation>
    </message>
    <message>
        <source>The private key is protected by a password. Export it without a password.</source>
        <translation>คีย์ส่วนตัวมีรหัสผ่านป้องกันอยู่ ให้ส่งออกคีย์แบบไม่มีรหัสผ่าน</translation>
    </message>
    <message>
        <source>The file is not a PEM private key (it should begin with &quot;-----BEGIN PRIVATE KEY-----&quot;).</source>
        <translation>ไฟล์นี้ไม่ใช่คีย์ส่วนตัว PEM (ควรขึ้นต้นด้วย &quot;-----BEGIN PRIVATE KEY-----&quot;)</translation>
    </message>
    <message>
        <source>The private key is not an RSA key. Bybit&apos;s self-generated keys are RSA.</source>
        <translation>คีย์ส่วนตัวนี้ไม่ใช่คีย์ RSA คีย์ที่สร้างเองของ Bybit เป็นแบบ RSA</translation>
    </message>
    <message>
        <source>Enter a name for the account.</source>
        <translation>ใส่ชื่อบัญชี</translation>
    </message>
    <message>
        <source>An account named &quot;{name}&quot; already exists.</source>
        <translation>มีบัญชีชื่อ &quot;{name}&quot; อยู่แล้ว</translation>
    </message>
    <message>
        <source>Enter an http:// or https:// base URL, for example https://api.bybit.com.</source>
        <translation>ใส่ URL หลักที่ขึ้นต้นด้วย http:// หรือ https:// เช่น https://api.bybit.com</translation>
    </message>
    <message>
        <source>Enter the API key.</source>
        <translation>ใส่ API key</translation>
    </message>
    <message>
        <source>The API key must not contain spaces.</source>
        <translation>API key ต้องไม่มีช่องว่าง</translation>
    </message>
    <message>
        <source>Choose the RSA private key file of this API key.</source>
        <translation>เลือกไฟล์คีย์ส่วนตัว RSA ของ API key นี้</translation>
    </message>
    <message>
        <source>Enter the API secret.</source>
        <translation>ใส่ API secret</translation>
    </message>
    <message>
        <source>All accounts</source>
        <translation>ทุกบัญชี</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>เวลา</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>ระดับ</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>เหตุการณ์</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>รายการ</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>การแจ้งเตือน</translation>
    </message>
    <message>
        <source>Filter alerts…</source>
        <translation>กรองการแจ้งเตือน…</translation>
    </message>
    <message>
        <source>Account MM rate</source>
        <translation>อัตรา MM ของบัญชี</translation>
    </message>
    <message>
        <source>Position distance to liquidation</source>
        <translation>ระยะของโพซิชันถึงราคาชำระบัญชี</translation>
    </message>
    <message>
        <source>First-liquidation move</source>
        <translation>การเคลื่อนไหวที่ทำให้ถูกชำระบัญชีครั้งแรก</translation>
    </message>
    <message>
        <source>Drawdown from session peak</source>
        <translation>การลดลงจากจุดสูงสุดของเซสชัน</translation>
    </message>
    <message>
        <source>Share of one coin in gross exposure</source>
        <translation>สัดส่วนของเหรียญเดียวในฐานะรวมสองฝั่ง</translation>
    </message>
    <message>
        <source>Cross-account hedge</source>
        <translation>เฮดจ์ข้ามบัญชี</translation>
    </message>
    <message>
        <source>Stale account data</source>
        <translation>ข้อมูลบัญชีเก่า</translation>
    </message>
    <message>
        <source>API key expiry</source>
        <translation>API key หมดอายุ</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>เปิดใช้</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>คำเตือน</translation>
    </message>
    <message>
        <source>Critical</source>
        <translation>วิกฤต</translation>
    </message>
    <message>
        <source>Clear margin</source>
        <translation>ระยะยกเลิก</translation>
    </message>
    <message>
        <source>%</source>
        <translation>%</translation>
    </message>
    <message>
        <source>refresh intervals</source>
        <translation>รอบการรีเฟรช</translation>
    </message>
    <message>
        <source>days</source>
        <translation>วัน</translation>
    </message>
    <message>
        <source>(while present)</source>
        <translation>(ขณะที่ยังมีอยู่)</translation>
    </message>
    <message>
        <source>Cool-down after an alert clears</source>
        <translation>ช่วงพักหลังการแจ้งเตือนหายไป</translation>
    </message>
    <message>
        <source>{rule} — {level}</source>
        <translation>{rule} — {level}</translation>
    </message>
    <message>
        <source>Alerts when the value rises to a level</source>
        <translation>แจ้งเตือนเมื่อค่าสูงขึ้นถึงระดับ</translation>
    </message>
    <message>
        <source>Alerts when the value falls to a level</source>
        <translation>แจ้งเตือนเมื่อค่าลดลงถึงระดับ</translation>
    </message>
    <message>
        <source>Reported (as information) while the condition exists</source>
        <translation>รายงาน (เพื่อทราบ) ขณะที่เงื่อนไขยังคงอยู่</translation>
    </message>
    <message>
        <source>off</source>
        <translation>ปิด</translation>
    </message>
    <message>
        <source>{field}: not a number</source>
        <translation>{field}: ไม่ใช่ตัวเลข</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>กฎ</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>หน่วย</translation>
    </message>
    <message>
        <source>After an alert clears, the same alert stays quiet this long unless it comes back critical.</source>
        <translation>หลังการแจ้งเตือนหายไป การแจ้งเตือนเดิมจะเงียบไปนานเท่านี้ เว้นแต่จะกลับมาในระดับวิกฤต</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>นาที</translation>
    </message>
    <message>
        <source>Percent thresholds are percent of the figure (a margin rate of 100 % liquidates the account). An empty level is off. An alert clears once the value is back past its level by the clear margin.</source>
        <translation>เกณฑ์แบบเปอร์เซ็นต์คือเปอร์เซ็นต์ของค่านั้น (อัตรา MM 100 % คือบัญชีถูกชำระบัญชี) ระดับที่เว้นว่างคือปิด การแจ้งเตือนจะหายไปเมื่อค่ากลับผ่านระดับนั้นไปเกินระยะยกเลิก</translation>
    </message>
    <message>
        <source>must be above the warning level ({level})</source>
        <translation>ต้องสูงกว่าระดับคำเตือน ({level})</translation>
    </message>
    <message>
        <source>must be below the warning level ({level})</source>
        <translation>ต้องต่ำกว่าระดับคำเตือน ({level})</translation>
    </message>
    <message>
        <source>must be a number, 0 or more</source>
        <translation>ต้องเป็นตัวเลข ตั้งแต่ 0 ขึ้นไป</translation>
    </message>
    <message>
        <source>{field}: {problem}</source>
        <translation>{field}: {problem}</translation>
    </message>
    <message>
        <source>Average entry (USDT)</source>
        <translation>ราคาเข้าเฉลี่ย (USDT)</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>ออร์เดอร์</translation>
    </message>
    <message>
        <source>Master</source>
        <translation>มาสเตอร์เทรดเดอร์</translation>
    </message>
    <message>
        <source>Follower</source>
        <translation>ผู้ติดตาม</translation>
    </message>
    <message>
        <source>Not copied</source>
        <translation>ไม่ได้คัดลอก</translation>
    </message>
    <message>
        <source>open</source>
        <translation>เปิด</translation>
    </message>
    <message>
        <source>close</source>
        <translation>ปิด</translation>
    </message>
    <message>
        <source>400 entry orders held</source>
        <translation>ถือออร์เดอร์เข้าครบ 400</translation>
    </message>
    <message>
        <source>Slippage</source>
        <translation>สลิปเพจ</translation>
    </message>
    <message>
        <source>Copyguard</source>
        <translation>Copyguard</translation>
    </message>
    <message>
        <source>Max position margin</source>
        <translation>มาร์จิ้นโพซิชันสูงสุด</translation>
    </message>
    <message>
        <source>Insufficient balance</source>
        <translation>ยอดคงเหลือไม่พอ</translation>
    </message>
    <message>
        <source>Cost exceeds balance</source>
        <translation>ต้นทุนเกินยอดคงเหลือ</translation>
    </message>
    <message>
        <source>No position to close</source>
        <translation>ไม่มีโพซิชันให้ปิด</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>การกระทำ</translation>
    </message>
    <message>
        <source>Master qty</source>
        <translation>จำนวนของมาสเตอร์</translation>
    </message>
    <message>
        <source>Master price</source>
        <translation>ราคาของมาสเตอร์</translation>
    </message>
    <message>
        <source>Follower price</source>
        <translation>ราคาของผู้ติดตาม</translation>
    </message>
    <message>
        <source>same</source>
        <translation>เท่ากัน</translation>
    </message>
    <message>
        <source>{value} is not a number</source>
        <translation>{value} ไม่ใช่ตัวเลข</translation>
    </message>
    <message>
        <source>must be positive, not {value}</source>
        <translation>ต้องเป็นค่าบวก ไม่ใช่ {value}</translation>
    </message>
    <message>
        <source>{column} in row {row}: {problem}; the previous value is kept.</source>
        <translation>{column} ในแถว {row}: {problem} จึงคงค่าเดิมไว้</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>ข้าม</translation>
    </message>
    <message>
        <source>copied (minimum size)</source>
        <translation>คัดลอกแล้ว (ขนาดขั้นต่ำ)</translation>
    </message>
    <message>
        <source>copied</source>
        <translation>คัดลอกแล้ว</translation>
    </message>
    <message>
        <source>LIQUIDATED</source>
        <translation>ถูกชำระบัญชี</translation>
    </message>
    <message>
        <source>{n} position(s) liquidated</source>
        <translation>โพซิชันถูกชำระบัญชี {n} รายการ</translation>
    </message>
    <message>
        <source>survives</source>
        <translation>รอด</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>ซิงค์แล้ว</translation>
    </message>
    <message>
        <source>Cached, as of {time}</source>
        <translation>ข้อมูลที่บันทึกไว้ ณ {time}</translation>
    </message>
    <message>
        <source>Not synced yet</source>
        <translation>ยังไม่ได้ซิงค์</translation>
    </message>
    <message>
        <source>The last sync failed: {error}</source>
        <translation>การซิงค์ครั้งล่าสุดล้มเหลว: {error}</translation>
    </message>
    <message>
        <source>{count} cached</source>
        <translation>ข้อมูลที่บันทึกไว้ {count} บัญชี</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>บัญชี</translation>
    </message>
    <message>
        <source>Trades</source>
        <translation>จำนวนเทรด</translation>
    </message>
    <message>
        <source>Wins</source>
        <translation>ชนะ</translation>
    </message>
    <message>
        <source>Losses</source>
        <translation>แพ้</translation>
    </message>
    <message>
        <source>Win rate</source>
        <translation>อัตราชนะ</translation>
    </message>
    <message>
        <source>Profit factor</source>
        <translation>โพรฟิตแฟกเตอร์</translation>
    </message>
    <message>
        <source>Realised PnL</source>
        <translation>PnL ที่รับรู้แล้ว</translation>
    </message>
    <message>
        <source>Funding</source>
        <translation>ค่าฟันดิง</translation>
    </message>
    <message>
        <source>Net PnL</source>
        <translation>PnL สุทธิ</translation>
    </message>
    <message>
        <source>Max drawdown</source>
        <translation>การย่อตัวสูงสุด</translation>
    </message>
    <message>
        <source>Funding next 24 h</source>
        <translation>ค่าฟันดิงใน 24 ชม. ข้างหน้า</translation>
    </message>
    <message>
        <source>{outcome} (stale data)</source>
        <translation>{outcome} (ข้อมูลเก่า)</translation>
    </message>
    <message>
        <source>From this account&apos;s last good data: its last refresh failed, so the outcome may be out of date.</source>
        <translation>คำนวณจากข้อมูลล่าสุดที่ใช้ได้ของบัญชีนี้ เพราะการรีเฟรชครั้งล่าสุดล้มเหลว ผลลัพธ์จึงอาจไม่เป็นปัจจุบัน</translation>
    </message>
    <message>
        <source>Equity after</source>
        <translation>มูลค่าสุทธิหลัง</translation>
    </message>
    <message>
        <source>PnL</source>
        <translation>PnL</translation>
    </message>
    <message>
        <source>MM rate after</source>
        <translation>อัตรา MM หลัง</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>ผลลัพธ์</translation>
    </message>
    <message>
        <source>OK · {age}</source>
        <translation>ปกติ · {age}</translation>
    </message>
    <message>
        <source>Waiting · {age}</source>
        <translation>กำลังรอ · {age}</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>กำลังรอ</translation>
    </message>
    <message>
        <source>Stale · {age}</source>
        <translation>ข้อมูลเก่า · {age}</translation>
    </message>
    <message>
        <source>{status}: {reason}</source>
        <translation>{status}: {reason}</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>ล้มเหลว</translation>
    </message>
    <message>
        <source>Failed: {reason}</source>
        <translation>ล้มเหลว: {reason}</translation>
    </message>
    <message>
        <source>No move of one coin from −99% to +500% liquidates this account.</source>
        <translation>ไม่มีการเคลื่อนไหวของเหรียญใดตั้งแต่ −99% ถึง +500% ที่ทำให้บัญชีนี้ถูกชำระบัญชี</translation>
    </message>
    <message>
        <source>If {coin} moves {move} (the other coins following by beta), this account or one of its positions is liquidated. The smallest such move of any coin.</source>
        <translation>ถ้า {coin} เคลื่อนไหว {move} (เหรียญอื่นเคลื่อนตามเบต้า) บัญชีนี้หรือโพซิชันหนึ่งของบัญชีจะถูกชำระบัญชี เป็นการเคลื่อนไหวที่น้อยที่สุดในบรรดาทุกเหรียญ</translation>
    </message>
    <message>
        <source>The exchange has not answered yet: {error}</source>
        <translation>กระดานเทรดยังไม่ตอบกลับ: {error}</translation>
    </message>
    <message>
        <source>Last refresh failed: {error}</source>
        <translation>รีเฟรชครั้งล่าสุดล้มเหลว: {error}</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>สถานะ</translation>
    </message>
    <message>
        <source>Equity</source>
        <translation>มูลค่าสุทธิ</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>ใช้ได้</translation>
    </message>
    <message>
        <source>IM rate</source>
        <translation>อัตรา IM</translation>
    </message>
    <message>
        <source>MM rate</source>
        <translation>อัตรา MM</translation>
    </message>
    <message>
        <source>uPnL</source>
        <translation>uPnL</translation>
    </message>
    <message>
        <source>Liq. move</source>
        <translation>ระยะถึงชำระบัญชี</translation>
    </message>
    <message>
        <source>Hedged {amount} between {accounts} (long ↔ short). Long in one account and short in another: the legs offset each other&apos;s price risk, but each account can still be liquidated on its own.</source>
        <translation>เฮดจ์ {amount} ระหว่าง {accounts} (ลอง ↔ ชอร์ต) ลองในบัญชีหนึ่งและชอร์ตในอีกบัญชีหนึ่ง ความเสี่ยงด้านราคาจึงหักล้างกัน แต่แต่ละบัญชียังถูกชำระบัญชีแยกกันได้</translation>
    </message>
    <message>
        <source>{coin} held in account wallets (for example the margin of inverse contracts). It is not a position, so it is not in Long, Short or Net, but its value moves with {coin}: the stress test and VaR include it.</source>
        <translation>{coin} ที่ถืออยู่ในกระเป๋าของบัญชี (เช่น มาร์จิ้นของสัญญาอินเวิร์ส) ไม่ใช่โพซิชันจึงไม่อยู่ในลอง ชอร์ต หรือสุทธิ แต่มูลค่าเปลี่ยนตาม {coin} การทดสอบภาวะวิกฤตและ VaR จึงนับรวมไว้</translation>
    </message>
    <message>
        <source>Coin</source>
        <translation>เหรียญ</translation>
    </message>
    <message>
        <source>Long</source>
        <translation>ลอง</translation>
    </message>
    <message>
        <source>Short</source>
        <translation>ชอร์ต</translation>
    </message>
    <message>
        <source>Net</source>
        <translation>สุทธิ</translation>
    </message>
    <message>
        <source>Gross</source>
        <translation>รวมสองฝั่ง</translation>
    </message>
    <message>
        <source>Collateral</source>
        <translation>หลักประกัน</translation>
    </message>
    <message>
        <source>Hedged</source>
        <translation>เฮดจ์แล้ว</translation>
    </message>
    <message>
        <source>Long ↔ short accounts</source>
        <translation>บัญชีลอง ↔ ชอร์ต</translation>
    </message>
    <message>
        <source>Linear contract (settled in USDT or USDC)</source>
        <translation>สัญญาลิเนียร์ (ชำระด้วย USDT หรือ USDC)</translation>
    </message>
    <message>
        <source>Inverse contract (settled in the coin)</source>
        <translation>สัญญาอินเวิร์ส (ชำระด้วยเหรียญ)</translation>
    </message>
    <message>
        <source>Option</source>
        <translation>ออปชัน</translation>
    </message>
    <message>
        <source>Spot</source>
        <translation>สปอต</translation>
    </message>
    <message>
        <source>Inverse contracts: the size is in USD (one contract is worth 1 USD).</source>
        <translation>สัญญาอินเวิร์ส: ขนาดเป็น USD (หนึ่งสัญญามีมูลค่า 1 USD)</translation>
    </message>
    <message>
        <source>The size in {coin}.</source>
        <translation>ขนาดเป็นหน่วย {coin}</translation>
    </message>
    <message>
        <source>Bybit gives no liquidation price for this position (portfolio margin or far away).</source>
        <translation>Bybit ไม่ได้ให้ราคาชำระบัญชีของโพซิชันนี้ (พอร์ตโฟลิโอมาร์จิ้น หรืออยู่ไกลมาก)</translation>
    </message>
    <message>
        <source>Symbol</source>
        <translation>คู่เทรด</translation>
    </message>
    <message>
        <source>Side</source>
        <translation>ฝั่ง</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>ขนาด</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>มูลค่า</translation>
    </message>
    <message>
        <source>Entry</source>
        <translation>ราคาเข้า</translation>
    </message>
    <message>
        <source>Mark</source>
        <translation>ราคามาร์ก</translation>
    </message>
    <message>
        <source>Liq. price</source>
        <translation>ราคาชำระบัญชี</translation>
    </message>
    <message>
        <source>To liq.</source>
        <translation>ถึงชำระบัญชี</translation>
    </message>
    <message>
        <source>Leverage</source>
        <translation>เลเวอเรจ</translation>
    </message>
    <message>
        <source>Margin</source>
        <translation>มาร์จิ้น</translation>
    </message>
    <message>
        <source>{mode} (classic)</source>
        <translation>{mode} (คลาสสิก)</translation>
    </message>
    <message>
        <source>Copy-trading calculator</source>
        <translation>เครื่องคำนวณการคัดลอกการเทรด</translation>
    </message>
    <message>
        <source>The copy-trading calculator is not available in this build.</source>
        <translation>เวอร์ชันนี้ไม่มีเครื่องคำนวณการคัดลอกการเทรด</translation>
    </message>
    <message>
        <source>{n} s</source>
        <translation>{n} วิ</translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation>{n} นาที</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} ชม. {m} นาที</translation>
    </message>
    <message>
        <source>{amount}B</source>
        <translation>{amount} พันล้าน</translation>
    </message>
    <message>
        <source>{amount}M</source>
        <translation>{amount} ล้าน</translation>
    </message>
    <message>
        <source>{amount}k</source>
        <translation>{amount}K</translation>
    </message>
    <message>
        <source>+{n} more</source>
        <translation>+อีก {n}</translation>
    </message>
    <message>
        <source>RiskDesk: {severity} alert</source>
        <translation>RiskDesk: การแจ้งเตือนระดับ{severity}</translation>
    </message>
    <message>
        <source>{n} alerts: {list}</source>
        <translation>การแจ้งเตือน {n} รายการ: {list}</translation>
    </message>
    <message>
        <source>, and {n} more</source>
        <translation> และอีก {n} รายการ</translation>
    </message>
    <message>
        <source>RiskDesk: {n} alerts</source>
        <translation>RiskDesk: การแจ้งเตือน {n} รายการ</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>รวมทั้งหมด</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>ไฟล์ CSV (*.csv)</translation>
    </message>
    <message>
        <source>Could not write {path}: {reason}</source>
        <translation>เขียน {path} ไม่ได้: {reason}</translation>
    </message>
    <message>
        <source>Unknown: no account has answered</source>
        <translation>ไม่ทราบ: ยังไม่มีบัญชีใดตอบกลับ</translation>
    </message>
    <message>
        <source>No liquidation from −99% to +500% (stale data)</source>
        <translation>ไม่มีการชำระบัญชีในช่วง −99% ถึง +500% (ข้อมูลเก่า)</translation>
    </message>
    <message>
        <source>No liquidation from −99% to +500%</source>
        <translation>ไม่มีการชำระบัญชีในช่วง −99% ถึง +500%</translation>
    </message>
</context>
<context>
    <name>AccountDialog</name>
    <message>
        <source>Edit account</source>
        <translation>แก้ไขบัญชี</translation>
    </message>
    <message>
        <source>Add account</source>
        <translation>เพิ่มบัญชี</translation>
    </message>
    <message>
        <source>Custom URL</source>
        <translation>URL กำหนดเอง</translation>
    </message>
    <message>
        <source>HMAC (system-generated)</source>
        <translation>HMAC (ระบบสร้างให้)</translation>
    </message>
    <message>
        <source>RSA (self-generated)</source>
        <translation>RSA (สร้างเอง)</translation>
    </message>
    <message>
        <source>Private key file (PEM)</source>
        <translation>ไฟล์คีย์ส่วนตัว (PEM)</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>เลือกไฟล์…</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>ชื่อ</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>เครือข่าย</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>URL หลัก</translation>
    </message>
    <message>
        <source>Key type</source>
        <translation>ประเภทคีย์</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API key</translation>
    </message>
    <message>
        <source>API secret</source>
        <translation>API secret</translation>
    </message>
    <message>
        <source>Private key</source>
        <translation>คีย์ส่วนตัว</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>ทดสอบการเชื่อมต่อ</translation>
    </message>
    <message>
        <source>Test the connection to check the key&apos;s permissions. Use a read-only key bound to your IP address.</source>
        <translation>ทดสอบการเชื่อมต่อเพื่อตรวจสิทธิ์ของคีย์ ใช้คีย์แบบอ่านอย่างเดียวที่ผูกกับ IP ของคุณ</translation>
    </message>
    <message>
        <source>Leave empty to keep the stored secret</source>
        <translation>เว้นว่างไว้เพื่อใช้ secret ที่บันทึกไว้</translation>
    </message>
    <message>
        <source>Leave empty to keep the stored private key</source>
        <translation>เว้นว่างไว้เพื่อใช้คีย์ส่วนตัวที่บันทึกไว้</translation>
    </message>
    <message>
        <source>RSA private key</source>
        <translation>คีย์ส่วนตัว RSA</translation>
    </message>
    <message>
        <source>PEM files (*.pem *.key);;All files (*)</source>
        <translation>ไฟล์ PEM (*.pem *.key);;ทุกไฟล์ (*)</translation>
    </message>
    <message>
        <source>Enter the API secret to test the connection.</source>
        <translation>ใส่ API secret เพื่อทดสอบการเชื่อมต่อ</translation>
    </message>
    <message>
        <source>Testing the connection…</source>
        <translation>กำลังทดสอบการเชื่อมต่อ…</translation>
    </message>
    <message>
        <source>The connection test failed:
{reason}

Save this account anyway?</source>
        <translation>การทดสอบการเชื่อมต่อล้มเหลว:
{reason}

บันทึกบัญชีนี้ต่อไปหรือไม่?</translation>
    </message>
    <message>
        <source>This key can move funds (withdraw, transfer or trade). RiskDesk only reads; a read-only key is safer.

Save this key anyway?</source>
        <translation>คีย์นี้เคลื่อนย้ายเงินได้ (ถอน โอน หรือเทรด) RiskDesk แค่อ่านข้อมูล คีย์แบบอ่านอย่างเดียวปลอดภัยกว่า

บันทึกคีย์นี้ต่อไปหรือไม่?</translation>
    </message>
</context>
<context>
    <name>AccountsDialog</name>
    <message>
        <source>Accounts</source>
        <translation>บัญชี</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>เพิ่ม…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>แก้ไข…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>ลบ</translation>
    </message>
    <message>
        <source>Tick an account to include it in the refresh.</source>
        <translation>ติ๊กบัญชีเพื่อรวมไว้ในการรีเฟรช</translation>
    </message>
    <message>
        <source>{name} — {env} — key {key}</source>
        <translation>{name} — {env} — คีย์ {key}</translation>
    </message>
    <message>
        <source>Remove account</source>
        <translation>ลบบัญชี</translation>
    </message>
    <message>
        <source>Remove &quot;{name}&quot;? Its API secret is deleted from the system keyring.</source>
        <translation>ลบ &quot;{name}&quot; หรือไม่? API secret ของบัญชีจะถูกลบออกจากคีย์ริงของระบบ</translation>
    </message>
</context>
<context>
    <name>AccountsModel</name>
    <message>
        <source>Cross</source>
        <translation>ครอส</translation>
    </message>
    <message>
        <source>Isolated</source>
        <translation>มาร์จิ้นแยก</translation>
    </message>
    <message>
        <source>Portfolio</source>
        <translation>พอร์ตโฟลิโอมาร์จิ้น</translation>
    </message>
</context>
<context>
    <name>AlertBanner</name>
    <message>
        <source>Dismiss until a new alert</source>
        <translation>ซ่อนจนกว่าจะมีการแจ้งเตือนใหม่</translation>
    </message>
    <message>
        <source>(+{count} more in the alert log)</source>
        <translation>(อีก {count} รายการในบันทึกการแจ้งเตือน)</translation>
    </message>
</context>
<context>
    <name>CopyTradeDialog</name>
    <message>
        <source>Article: Advanced mode, 100 USDT per order</source>
        <translation>บทความ: โหมดขั้นสูง 100 USDT ต่อออร์เดอร์</translation>
    </message>
    <message>
        <source>Article: missed copy trades (Smart Copy)</source>
        <translation>บทความ: เทรดที่คัดลอกไม่ได้ (Smart Copy)</translation>
    </message>
    <message>
        <source>Copy-trading calculator</source>
        <translation>เครื่องคำนวณการคัดลอกการเทรด</translation>
    </message>
    <message>
        <source>Load a preset…</source>
        <translation>โหลดตัวอย่าง…</translation>
    </message>
    <message>
        <source>Add order</source>
        <translation>เพิ่มออร์เดอร์</translation>
    </message>
    <message>
        <source>Remove order</source>
        <translation>ลบออร์เดอร์</translation>
    </message>
    <message>
        <source>Master&apos;s orders (in time order; double-click to edit)</source>
        <translation>ออร์เดอร์ของมาสเตอร์ (เรียงตามเวลา ดับเบิลคลิกเพื่อแก้ไข)</translation>
    </message>
    <message>
        <source>What the follower gets</source>
        <translation>สิ่งที่ผู้ติดตามได้</translation>
    </message>
    <message>
        <source>Invalid input: {field}: {message}</source>
        <translation>ข้อมูลไม่ถูกต้อง: {field}: {message}</translation>
    </message>
    <message>
        <source>Symbol</source>
        <translation>คู่เทรด</translation>
    </message>
    <message>
        <source>Taker fee</source>
        <translation>ค่าธรรมเนียมเทคเกอร์</translation>
    </message>
    <message>
        <source>Quantity step</source>
        <translation>ขั้นของจำนวน</translation>
    </message>
    <message>
        <source>Minimum quantity</source>
        <translation>จำนวนขั้นต่ำ</translation>
    </message>
    <message>
        <source>Master&apos;s balance</source>
        <translation>ยอดคงเหลือของมาสเตอร์</translation>
    </message>
    <message>
        <source>Follower&apos;s balance</source>
        <translation>ยอดคงเหลือของผู้ติดตาม</translation>
    </message>
    <message>
        <source>Master&apos;s leverage</source>
        <translation>เลเวอเรจของมาสเตอร์</translation>
    </message>
    <message>
        <source>Follower&apos;s leverage</source>
        <translation>เลเวอเรจของผู้ติดตาม</translation>
    </message>
    <message>
        <source>Fixed order margin</source>
        <translation>มาร์จิ้นต่อออร์เดอร์แบบคงที่</translation>
    </message>
    <message>
        <source>Slippage tolerance</source>
        <translation>ค่าสลิปเพจที่ยอมรับได้</translation>
    </message>
    <message>
        <source>Max position margin</source>
        <translation>มาร์จิ้นโพซิชันสูงสุด</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>ออร์เดอร์</translation>
    </message>
    <message>
        <source>Order {label}: {column}</source>
        <translation>ออร์เดอร์ {label}: {column}</translation>
    </message>
    <message>
        <source>Master: {m_qty} {coin} at {m_avg}. Follower: {f_qty} {coin} at {f_avg}. Entry gap: {gap}.</source>
        <translation>มาสเตอร์: {m_qty} {coin} ที่ {m_avg} ผู้ติดตาม: {f_qty} {coin} ที่ {f_avg} ส่วนต่างราคาเข้า: {gap}</translation>
    </message>
    <message>
        <source>Why the positions differ:</source>
        <translation>ทำไมโพซิชันจึงต่างกัน:</translation>
    </message>
    <message>
        <source>Order by order:</source>
        <translation>ทีละออร์เดอร์:</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>การกระทำ</translation>
    </message>
    <message>
        <source>Master qty</source>
        <translation>จำนวนของมาสเตอร์</translation>
    </message>
    <message>
        <source>Master price</source>
        <translation>ราคาของมาสเตอร์</translation>
    </message>
    <message>
        <source>long</source>
        <translation>ลอง</translation>
    </message>
    <message>
        <source>short</source>
        <translation>ชอร์ต</translation>
    </message>
    <message>
        <source>Master avg entry</source>
        <translation>ราคาเข้าเฉลี่ยของมาสเตอร์</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>สถานะ</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>เหตุผล</translation>
    </message>
    <message>
        <source>Follower qty</source>
        <translation>จำนวนของผู้ติดตาม</translation>
    </message>
    <message>
        <source>Follower price</source>
        <translation>ราคาของผู้ติดตาม</translation>
    </message>
    <message>
        <source>Follower avg entry</source>
        <translation>ราคาเข้าเฉลี่ยของผู้ติดตาม</translation>
    </message>
</context>
<context>
    <name>FreshnessStatusBar</name>
    <message>
        <source>Live prices — awaiting REST confirmation (last {time})</source>
        <translation>ราคาสด — รอการยืนยันผ่าน REST (ล่าสุด {time})</translation>
    </message>
    <message>
        <source>Refresh failed: {error}</source>
        <translation>รีเฟรชล้มเหลว: {error}</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>หยุดชั่วคราว</translation>
    </message>
    <message>
        <source>Refreshing…</source>
        <translation>กำลังรีเฟรช…</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>สด</translation>
    </message>
    <message>
        <source>● {count} accounts OK, oldest data {age}</source>
        <translation>● ปกติ {count} บัญชี ข้อมูลเก่าสุด {age}</translation>
    </message>
    <message>
        <source>{account}: {error}</source>
        <translation>{account}: {error}</translation>
    </message>
    <message>
        <source>{account}: last refresh failed: {error}</source>
        <translation>{account}: รีเฟรชครั้งล่าสุดล้มเหลว: {error}</translation>
    </message>
    <message>
        <source>● {name} {age}</source>
        <translation>● {name} {age}</translation>
    </message>
    <message>
        <source>● {name} waiting {age}</source>
        <translation>● {name} กำลังรอ {age}</translation>
    </message>
    <message>
        <source>● {name} waiting</source>
        <translation>● {name} กำลังรอ</translation>
    </message>
    <message>
        <source>● {name} stale {age}</source>
        <translation>● {name} ข้อมูลเก่า {age}</translation>
    </message>
    <message>
        <source>● {name} failed</source>
        <translation>● {name} ล้มเหลว</translation>
    </message>
</context>
<context>
    <name>HeaderBar</name>
    <message>
        <source>Total equity</source>
        <translation>มูลค่าสุทธิรวม</translation>
    </message>
    <message>
        <source>Unrealised PnL</source>
        <translation>PnL ที่ยังไม่รับรู้</translation>
    </message>
    <message>
        <source>Net exposure</source>
        <translation>ฐานะสุทธิ</translation>
    </message>
    <message>
        <source>Gross exposure</source>
        <translation>ฐานะรวมสองฝั่ง</translation>
    </message>
    <message>
        <source>Worst MM rate</source>
        <translation>อัตรา MM ที่แย่ที่สุด</translation>
    </message>
    <message>
        <source>1-day VaR 95%</source>
        <translation>VaR 1 วัน 95%</translation>
    </message>
    <message>
        <source>First liquidation</source>
        <translation>การชำระบัญชีครั้งแรก</translation>
    </message>
    <message>
        <source>No account yet. Add a Bybit account with a read-only API key to see its risk here.</source>
        <translation>ยังไม่มีบัญชี เพิ่มบัญชี Bybit ด้วย API key แบบอ่านอย่างเดียวเพื่อดูความเสี่ยงที่นี่</translation>
    </message>
    <message>
        <source>Add an account…</source>
        <translation>เพิ่มบัญชี…</translation>
    </message>
    <message>
        <source>Includes the last good data of {n} stale account(s).</source>
        <translation>รวมข้อมูลล่าสุดที่ใช้ได้ของบัญชีที่ข้อมูลเก่า {n} บัญชี</translation>
    </message>
    <message>
        <source>Account maintenance-margin rate; the account is liquidated at 100%.</source>
        <translation>อัตรามาร์จิ้นรักษาสภาพ (MM) ของบัญชี บัญชีจะถูกชำระบัญชีที่ 100%</translation>
    </message>
    <message>
        <source>{days}-day VaR {level}</source>
        <translation>VaR {days} วัน {level}</translation>
    </message>
    <message>
        <source>The smallest move of one coin (others following by beta) that liquidates an account.</source>
        <translation>การเคลื่อนไหวที่น้อยที่สุดของเหรียญเดียว (เหรียญอื่นเคลื่อนตามเบต้า) ที่ทำให้บัญชีใดบัญชีหนึ่งถูกชำระบัญชี</translation>
    </message>
    <message>
        <source>● streamed prices</source>
        <translation>● ราคาสตรีม</translation>
    </message>
    <message>
        <source>Live prices — awaiting REST confirmation. These figures were recomputed from streamed mark prices; balances and positions are those of the last REST refresh at {time}.</source>
        <translation>ราคาสด — รอการยืนยันผ่าน REST ตัวเลขเหล่านี้คำนวณใหม่จากราคามาร์กที่สตรีมมา ยอดคงเหลือและโพซิชันมาจากการรีเฟรช REST ครั้งล่าสุดเมื่อ {time}</translation>
    </message>
</context>
<context>
    <name>HistoryChartsWidget</name>
    <message>
        <source>Range:</source>
        <translation>ช่วงเวลา:</translation>
    </message>
    <message>
        <source>1 h</source>
        <translation>1 ชม.</translation>
    </message>
    <message>
        <source>24 h</source>
        <translation>24 ชม.</translation>
    </message>
    <message>
        <source>7 d</source>
        <translation>7 วัน</translation>
    </message>
    <message>
        <source>All</source>
        <translation>ทั้งหมด</translation>
    </message>
    <message>
        <source>Legends</source>
        <translation>คำอธิบายสัญลักษณ์</translation>
    </message>
    <message>
        <source>Show which colour is which account or coin, above each chart</source>
        <translation>แสดงว่าสีไหนคือบัญชีหรือเหรียญใด เหนือกราฟแต่ละอัน</translation>
    </message>
    <message>
        <source>Total equity</source>
        <translation>มูลค่าสุทธิรวม</translation>
    </message>
    <message>
        <source>Equity per account</source>
        <translation>มูลค่าสุทธิแยกตามบัญชี</translation>
    </message>
    <message>
        <source>MM rate</source>
        <translation>อัตรา MM</translation>
    </message>
    <message>
        <source>liquidation at 100%</source>
        <translation>ชำระบัญชีที่ 100%</translation>
    </message>
    <message>
        <source>Net exposure per coin</source>
        <translation>ฐานะสุทธิแยกตามเหรียญ</translation>
    </message>
    <message>
        <source>Loading history…</source>
        <translation>กำลังโหลดประวัติ…</translation>
    </message>
    <message>
        <source>History unavailable: {error}</source>
        <translation>เปิดประวัติไม่ได้: {error}</translation>
    </message>
</context>
<context>
    <name>JournalTab</name>
    <message>
        <source>Last {days} days</source>
        <translation>{days} วันล่าสุด</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>ซิงค์ตอนนี้</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>ส่งออกเป็น CSV…</translation>
    </message>
    <message>
        <source>%v of %m</source>
        <translation>%v จาก %m</translation>
    </message>
    <message>
        <source>Period:</source>
        <translation>ช่วงเวลา:</translation>
    </message>
    <message>
        <source>Filter symbols</source>
        <translation>กรองคู่เทรด</translation>
    </message>
    <message>
        <source>Realised PnL per day (UTC)</source>
        <translation>PnL ที่รับรู้แล้วรายวัน (UTC)</translation>
    </message>
    <message>
        <source>Realised PnL by symbol, all accounts</source>
        <translation>PnL ที่รับรู้แล้วตามคู่เทรด ทุกบัญชี</translation>
    </message>
    <message>
        <source>Cumulative realised PnL (USD)</source>
        <translation>PnL ที่รับรู้แล้วสะสม (USD)</translation>
    </message>
    <message>
        <source>Synced {synced} of {count} accounts; failed: {names}.</source>
        <translation>ซิงค์แล้ว {synced} จาก {count} บัญชี ล้มเหลว: {names}</translation>
    </message>
    <message>
        <source>Synced with Bybit at {time}.</source>
        <translation>ซิงค์กับ Bybit แล้วเมื่อ {time}</translation>
    </message>
    <message>
        <source>Showing the saved journal; syncing with Bybit…</source>
        <translation>แสดงบันทึกการเทรดที่บันทึกไว้ กำลังซิงค์กับ Bybit…</translation>
    </message>
    <message>
        <source>Syncing {account}…</source>
        <translation>กำลังซิงค์ {account}…</translation>
    </message>
    <message>
        <source>The journal could not be read: {reason}</source>
        <translation>อ่านบันทึกการเทรดไม่ได้: {reason}</translation>
    </message>
    <message>
        <source>Export journal</source>
        <translation>ส่งออกบันทึกการเทรด</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>บันทึก {path} แล้ว</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>RiskDesk — demo</source>
        <translation>RiskDesk — เดโม</translation>
    </message>
    <message>
        <source>RiskDesk</source>
        <translation>RiskDesk</translation>
    </message>
    <message>
        <source>Demo mode: the accounts and prices come from the built-in simulator on this computer. Nothing is real and nothing is saved.</source>
        <translation>โหมดเดโม: บัญชีและราคามาจากตัวจำลองในเครื่องนี้ ไม่มีอะไรเป็นของจริงและไม่มีอะไรถูกบันทึก</translation>
    </message>
    <message>
        <source>Portfolio</source>
        <translation>พอร์ตโฟลิโอ</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>การแจ้งเตือน</translation>
    </message>
    <message>
        <source>History</source>
        <translation>ประวัติ</translation>
    </message>
    <message>
        <source>Journal</source>
        <translation>บันทึกการเทรด</translation>
    </message>
    <message>
        <source>Exposure by coin</source>
        <translation>ฐานะตามเหรียญ</translation>
    </message>
    <message>
        <source>Stress test</source>
        <translation>ทดสอบภาวะวิกฤต</translation>
    </message>
    <message>
        <source>Key figures</source>
        <translation>ตัวเลขสำคัญ</translation>
    </message>
</context>
<context>
    <name>MessageBar</name>
    <message>
        <source>Watched: a RiskDesk watcher records the history and sends the Telegram alerts; this window only shows them.</source>
        <translation>ตัวเฝ้าระวัง RiskDesk กำลังบันทึกประวัติและส่งการแจ้งเตือนทาง Telegram หน้าต่างนี้แสดงผลอย่างเดียว</translation>
    </message>
    <message>
        <source>A RiskDesk watcher records this configuration&apos;s history and sends its Telegram alerts. This window shows what it records and alerts on this computer; it records and sends nothing itself until the watcher stops.</source>
        <translation>ตัวเฝ้าระวัง RiskDesk กำลังบันทึกประวัติของการตั้งค่านี้และส่งการแจ้งเตือนทาง Telegram หน้าต่างนี้แสดงสิ่งที่ตัวเฝ้าระวังบันทึกและแจ้งเตือนบนคอมพิวเตอร์เครื่องนี้ โดยจะไม่บันทึกหรือส่งสิ่งใดเองจนกว่าตัวเฝ้าระวังจะหยุดทำงาน</translation>
    </message>
    <message>
        <source>A RiskDesk watcher (process {pid}, running since {since}) records this configuration&apos;s history and sends its Telegram alerts. This window shows what it records and alerts on this computer; it records and sends nothing itself until the watcher stops.</source>
        <translation>ตัวเฝ้าระวัง RiskDesk (โปรเซส {pid} ทำงานตั้งแต่ {since}) กำลังบันทึกประวัติของการตั้งค่านี้และส่งการแจ้งเตือนทาง Telegram หน้าต่างนี้แสดงสิ่งที่ตัวเฝ้าระวังบันทึกและแจ้งเตือนบนคอมพิวเตอร์เครื่องนี้ โดยจะไม่บันทึกหรือส่งสิ่งใดเองจนกว่าตัวเฝ้าระวังจะหยุดทำงาน</translation>
    </message>
    <message>
        <source>The RiskDesk watcher has stopped: this window records the history and sends the Telegram alerts from now on.</source>
        <translation>ตัวเฝ้าระวัง RiskDesk หยุดทำงานแล้ว: ตั้งแต่นี้ไปหน้าต่างนี้จะบันทึกประวัติและส่งการแจ้งเตือนทาง Telegram เอง</translation>
    </message>
</context>
<context>
    <name>PnlCalendar</name>
    <message>
        <source>no trades</source>
        <translation>ไม่มีเทรด</translation>
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
        <translation>กรองบัญชี…</translation>
    </message>
    <message>
        <source>Filter positions (account, symbol, side)…</source>
        <translation>กรองโพซิชัน (บัญชี คู่เทรด ฝั่ง)…</translation>
    </message>
    <message>
        <source>Filter coins…</source>
        <translation>กรองเหรียญ…</translation>
    </message>
</context>
<context>
    <name>QPlatformTheme</name>
    <message>
        <source>OK</source>
        <translation>ตกลง</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>ยกเลิก</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>บันทึก</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>ปิด</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>ใช้</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>ทิ้ง</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>เปิด</translation>
    </message>
    <message>
        <source>&amp;Yes</source>
        <translation>&amp;ใช่</translation>
    </message>
    <message>
        <source>&amp;No</source>
        <translation>&amp;ไม่</translation>
    </message>
    <message>
        <source>Help</source>
        <translation>ช่วยเหลือ</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>การตั้งค่า</translation>
    </message>
    <message>
        <source> s</source>
        <translation> วิ</translation>
    </message>
    <message>
        <source>As the system</source>
        <translation>ตามระบบ</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>ภาษา:</translation>
    </message>
    <message>
        <source>A new language applies when RiskDesk starts again. `riskdesk --lang` overrides it for one start.</source>
        <translation>ภาษาใหม่จะมีผลเมื่อเปิด RiskDesk ครั้งถัดไป `riskdesk --lang` ใช้แทนได้สำหรับการเปิดครั้งเดียว</translation>
    </message>
    <message>
        <source>Refresh every:</source>
        <translation>รีเฟรชทุก:</translation>
    </message>
    <message>
        <source>Give up on an answer after:</source>
        <translation>เลิกรอคำตอบหลังจาก:</translation>
    </message>
    <message>
        <source>Every account is read over REST this often. Between refreshes, figures are recomputed from streamed prices where available. An account whose server has not answered completely within the time limit is shown as failed.</source>
        <translation>ทุกบัญชีจะถูกอ่านผ่าน REST ตามรอบนี้ ระหว่างรอบ ตัวเลขจะคำนวณใหม่จากราคาที่สตรีมมาเมื่อมี บัญชีที่เซิร์ฟเวอร์ตอบไม่ครบภายในเวลาที่กำหนดจะแสดงว่าล้มเหลว</translation>
    </message>
    <message>
        <source>This build cannot send Telegram messages.</source>
        <translation>เวอร์ชันนี้ส่งข้อความ Telegram ไม่ได้</translation>
    </message>
    <message>
        <source>General</source>
        <translation>ทั่วไป</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>การแจ้งเตือน</translation>
    </message>
    <message>
        <source>Telegram</source>
        <translation>Telegram</translation>
    </message>
    <message>
        <source>Demo mode: changes apply to this session only and are not saved.</source>
        <translation>โหมดเดโม: การเปลี่ยนแปลงใช้ได้เฉพาะเซสชันนี้และไม่ถูกบันทึก</translation>
    </message>
    <message>
        <source>Refresh interval</source>
        <translation>รอบการรีเฟรช</translation>
    </message>
    <message>
        <source>Time limit of an answer</source>
        <translation>เวลาสูงสุดในการรอคำตอบ</translation>
    </message>
    <message>
        <source>Telegram chat id</source>
        <translation>chat id ของ Telegram</translation>
    </message>
    <message>
        <source>{field}: {problem}</source>
        <translation>{field}: {problem}</translation>
    </message>
    <message>
        <source>Enter the chat id first.</source>
        <translation>ใส่ chat id ก่อน</translation>
    </message>
    <message>
        <source>Enter the bot token first.</source>
        <translation>ใส่ bot token ก่อน</translation>
    </message>
</context>
<context>
    <name>SettingsPanel</name>
    <message>
        <source>Long</source>
        <translation>ลอง</translation>
    </message>
    <message>
        <source>Short</source>
        <translation>ชอร์ต</translation>
    </message>
    <message>
        <source>Smart Copy (proportional)</source>
        <translation>Smart Copy (ตามสัดส่วน)</translation>
    </message>
    <message>
        <source>Advanced (fixed margin)</source>
        <translation>ขั้นสูง (มาร์จิ้นคงที่)</translation>
    </message>
    <message>
        <source>Copyguard (skip orders at a worse price)</source>
        <translation>Copyguard (ข้ามออร์เดอร์ที่ราคาแย่กว่า)</translation>
    </message>
    <message>
        <source>Instrument</source>
        <translation>ตราสาร</translation>
    </message>
    <message>
        <source>Symbol</source>
        <translation>คู่เทรด</translation>
    </message>
    <message>
        <source>Side</source>
        <translation>ฝั่ง</translation>
    </message>
    <message>
        <source>Copy mode</source>
        <translation>โหมดคัดลอก</translation>
    </message>
    <message>
        <source>Taker fee</source>
        <translation>ค่าธรรมเนียมเทคเกอร์</translation>
    </message>
    <message>
        <source>Quantity step</source>
        <translation>ขั้นของจำนวน</translation>
    </message>
    <message>
        <source>Minimum quantity</source>
        <translation>จำนวนขั้นต่ำ</translation>
    </message>
    <message>
        <source>Master</source>
        <translation>มาสเตอร์เทรดเดอร์</translation>
    </message>
    <message>
        <source>Available balance</source>
        <translation>ยอดคงเหลือที่ใช้ได้</translation>
    </message>
    <message>
        <source>Leverage</source>
        <translation>เลเวอเรจ</translation>
    </message>
    <message>
        <source>Follower</source>
        <translation>ผู้ติดตาม</translation>
    </message>
    <message>
        <source>Fixed order margin</source>
        <translation>มาร์จิ้นต่อออร์เดอร์แบบคงที่</translation>
    </message>
    <message>
        <source>Slippage tolerance</source>
        <translation>ค่าสลิปเพจที่ยอมรับได้</translation>
    </message>
    <message>
        <source>Max position margin</source>
        <translation>มาร์จิ้นโพซิชันสูงสุด</translation>
    </message>
</context>
<context>
    <name>ShockRow</name>
    <message>
        <source>The coin to shock</source>
        <translation>เหรียญที่จะจำลองราคาช็อก</translation>
    </message>
    <message>
        <source>Stop shocking this coin</source>
        <translation>เลิกจำลองราคาช็อกของเหรียญนี้</translation>
    </message>
</context>
<context>
    <name>StressChart</name>
    <message>
        <source>equity now</source>
        <translation>มูลค่าสุทธิตอนนี้</translation>
    </message>
    <message>
        <source>after the shock</source>
        <translation>หลังราคาช็อก</translation>
    </message>
    <message>
        <source>after the shock: liquidated</source>
        <translation>หลังราคาช็อก: ถูกชำระบัญชี</translation>
    </message>
</context>
<context>
    <name>StressPanel</name>
    <message>
        <source>+ Add a coin</source>
        <translation>+ เพิ่มเหรียญ</translation>
    </message>
    <message>
        <source>Shock several coins at once, each by its own move</source>
        <translation>จำลองราคาช็อกหลายเหรียญพร้อมกัน แต่ละเหรียญขยับตามที่กำหนดเอง</translation>
    </message>
    <message>
        <source>Other coins follow by beta</source>
        <translation>เหรียญอื่นเคลื่อนตามเบต้า</translation>
    </message>
    <message>
        <source>Coins you did not shock move with their beta to the shocked ones (from price history).</source>
        <translation>เหรียญที่ไม่ได้กำหนดให้ช็อกจะขยับตามเบต้าเทียบกับเหรียญที่ช็อก (จากประวัติราคา)</translation>
    </message>
    <message>
        <source>Waiting for data…</source>
        <translation>กำลังรอข้อมูล…</translation>
    </message>
    <message>
        <source>Filter accounts…</source>
        <translation>กรองบัญชี…</translation>
    </message>
    <message>
        <source>{moves}: total PnL {pnl}.</source>
        <translation>{moves}: PnL รวม {pnl}</translation>
    </message>
    <message>
        <source>No positions to stress.</source>
        <translation>ไม่มีโพซิชันให้ทดสอบ</translation>
    </message>
    <message>
        <source>Liquidated: {names}.</source>
        <translation>ถูกชำระบัญชี: {names}</translation>
    </message>
    <message>
        <source>No account is liquidated.</source>
        <translation>ไม่มีบัญชีใดถูกชำระบัญชี</translation>
    </message>
</context>
<context>
    <name>TelegramSettingsPanel</name>
    <message>
        <source>-1001234567890 or @channelname</source>
        <translation>-1001234567890 หรือ @channelname</translation>
    </message>
    <message>
        <source>Remove stored token</source>
        <translation>ลบโทเค็นที่บันทึกไว้</translation>
    </message>
    <message>
        <source>Send test message</source>
        <translation>ส่งข้อความทดสอบ</translation>
    </message>
    <message>
        <source>Chat id:</source>
        <translation>Chat id:</translation>
    </message>
    <message>
        <source>Bot token:</source>
        <translation>โทเค็นบอท:</translation>
    </message>
    <message>
        <source>Create a bot with @BotFather, add it to your chat, and paste the bot&apos;s token here. The token is kept only in the system keyring, never in a settings file. Alerts that notify on the desktop (raised and escalated) are also sent to this chat.</source>
        <translation>สร้างบอทด้วย @BotFather เพิ่มบอทเข้าแชตของคุณ แล้ววางโทเค็นของบอทที่นี่ โทเค็นจะเก็บไว้ในคีย์ริงของระบบเท่านั้น ไม่อยู่ในไฟล์การตั้งค่า การแจ้งเตือนที่แสดงบนเดสก์ท็อป (เกิดขึ้นใหม่และรุนแรงขึ้น) จะส่งมาที่แชตนี้ด้วย</translation>
    </message>
    <message>
        <source>No keyring: the bot token cannot be saved. {reason}</source>
        <translation>ไม่มีคีย์ริง: บันทึกโทเค็นบอทไม่ได้ {reason}</translation>
    </message>
    <message>
        <source>Demo mode: a token entered here is used for this session only and not saved.</source>
        <translation>โหมดเดโม: โทเค็นที่ใส่ที่นี่ใช้เฉพาะเซสชันนี้และไม่ถูกบันทึก</translation>
    </message>
    <message>
        <source>A bot token is stored in the keyring. Type a new one to replace it.</source>
        <translation>มีโทเค็นบอทบันทึกในคีย์ริงแล้ว พิมพ์โทเค็นใหม่เพื่อแทนที่</translation>
    </message>
    <message>
        <source>No bot token is stored.</source>
        <translation>ยังไม่ได้บันทึกโทเค็นบอท</translation>
    </message>
    <message>
        <source>(stored — leave empty to keep)</source>
        <translation>(บันทึกแล้ว — เว้นว่างไว้เพื่อใช้ต่อ)</translation>
    </message>
    <message>
        <source>paste the token from @BotFather</source>
        <translation>วางโทเค็นจาก @BotFather</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>กำลังส่ง…</translation>
    </message>
    <message>
        <source>Test message sent.</source>
        <translation>ส่งข้อความทดสอบแล้ว</translation>
    </message>
    <message>
        <source>Sending failed: {message}</source>
        <translation>ส่งไม่สำเร็จ: {message}</translation>
    </message>
    <message>
        <source>No answer yet; the message may still arrive.</source>
        <translation>ยังไม่มีคำตอบ ข้อความอาจยังส่งถึงได้</translation>
    </message>
</context>
<context>
    <name>TrayController</name>
    <message>
        <source>Show window</source>
        <translation>แสดงหน้าต่าง</translation>
    </message>
    <message>
        <source>Refresh now</source>
        <translation>รีเฟรชตอนนี้</translation>
    </message>
    <message>
        <source>Pause alerts for 1 hour</source>
        <translation>หยุดการแจ้งเตือน 1 ชั่วโมง</translation>
    </message>
    <message>
        <source>Quit RiskDesk</source>
        <translation>ออกจาก RiskDesk</translation>
    </message>
    <message>
        <source>RiskDesk — no active alerts</source>
        <translation>RiskDesk — ไม่มีการแจ้งเตือน</translation>
    </message>
    <message>
        <source>RiskDesk — data is stale</source>
        <translation>RiskDesk — ข้อมูลเก่า</translation>
    </message>
    <message>
        <source>RiskDesk — {count} active alert(s), worst: {state}</source>
        <translation>RiskDesk — การแจ้งเตือน {count} รายการ แย่ที่สุด: {state}</translation>
    </message>
    <message>
        <source>Hide window</source>
        <translation>ซ่อนหน้าต่าง</translation>
    </message>
    <message>
        <source>RiskDesk keeps monitoring in the tray.</source>
        <translation>RiskDesk ยังคงติดตามอยู่ในถาดระบบ</translation>
    </message>
</context>
<context>
    <name>WindowActions</name>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;ออก</translation>
    </message>
    <message>
        <source>Export &amp;positions as CSV…</source>
        <translation>ส่งออก&amp;โพซิชันเป็น CSV…</translation>
    </message>
    <message>
        <source>Export risk &amp;report as CSV…</source>
        <translation>ส่งออก&amp;รายงานความเสี่ยงเป็น CSV…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;การตั้งค่า…</translation>
    </message>
    <message>
        <source>&amp;Manage accounts…</source>
        <translation>&amp;จัดการบัญชี…</translation>
    </message>
    <message>
        <source>Demo mode uses the simulator&apos;s accounts; nothing can be saved.</source>
        <translation>โหมดเดโมใช้บัญชีของตัวจำลอง บันทึกอะไรไม่ได้</translation>
    </message>
    <message>
        <source>&amp;Refresh now</source>
        <translation>&amp;รีเฟรชตอนนี้</translation>
    </message>
    <message>
        <source>&amp;Pause refreshing</source>
        <translation>&amp;หยุดรีเฟรชชั่วคราว</translation>
    </message>
    <message>
        <source>&amp;Copy-trading calculator…</source>
        <translation>เครื่องคำนวณ&amp;คัดลอกการเทรด…</translation>
    </message>
    <message>
        <source>&amp;About RiskDesk</source>
        <translation>&amp;เกี่ยวกับ RiskDesk</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;ไฟล์</translation>
    </message>
    <message>
        <source>&amp;Accounts</source>
        <translation>&amp;บัญชี</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;มุมมอง</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;เครื่องมือ</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;ช่วยเหลือ</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>แถบเครื่องมือหลัก</translation>
    </message>
    <message>
        <source>Export positions</source>
        <translation>ส่งออกโพซิชัน</translation>
    </message>
    <message>
        <source>Export risk report</source>
        <translation>ส่งออกรายงานความเสี่ยง</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>บันทึก {path} แล้ว</translation>
    </message>
    <message>
        <source>About RiskDesk</source>
        <translation>เกี่ยวกับ RiskDesk</translation>
    </message>
    <message>
        <source>RiskDesk {version}

A read-only risk monitor for several Bybit accounts. It never places, amends or cancels an order; use read-only API keys.</source>
        <translation>RiskDesk {version}

ตัวติดตามความเสี่ยงแบบอ่านอย่างเดียวสำหรับหลายบัญชี Bybit ไม่เคยวาง แก้ไข หรือยกเลิกออร์เดอร์ ใช้ API key แบบอ่านอย่างเดียว</translation>
    </message>
</context>
<context>
    <name>WindowAlerts</name>
    <message>
        <source>Alerts ({count})</source>
        <translation>การแจ้งเตือน ({count})</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>การแจ้งเตือน</translation>
    </message>
    <message>
        <source>Telegram: {message}</source>
        <translation>Telegram: {message}</translation>
    </message>
    <message>
        <source>History is not recorded in this session.</source>
        <translation>เซสชันนี้ไม่ได้บันทึกประวัติ</translation>
    </message>
</context>
<context>
    <name>WindowCloser</name>
    <message>
        <source>RiskDesk keeps monitoring in the tray.</source>
        <translation>RiskDesk ยังคงติดตามอยู่ในถาดระบบ</translation>
    </message>
</context>
<context>
    <name>_Message</name>
    <message>
        <source>Dismiss</source>
        <translation>ซ่อน</translation>
    </message>
</context>
<context>
    <name>alerts</name>
    <message>
        <source>Back to normal: {text}</source>
        <translation>กลับสู่ปกติ: {text}</translation>
    </message>
    <message>
        <source>No longer applies: {text}</source>
        <translation>ไม่เกี่ยวข้องแล้ว: {text}</translation>
    </message>
    <message>
        <source>{account}: MM rate unknown</source>
        <translation>{account}: ไม่ทราบอัตรา MM</translation>
    </message>
    <message>
        <source>{account}: MM rate {rate} — liquidation at 100% (last known figures)</source>
        <translation>{account}: อัตรา MM {rate} — ชำระบัญชีที่ 100% (ตัวเลขล่าสุดที่ทราบ)</translation>
    </message>
    <message>
        <source>{account}: MM rate {rate} — liquidation at 100%</source>
        <translation>{account}: อัตรา MM {rate} — ชำระบัญชีที่ 100%</translation>
    </message>
    <message>
        <source>{position}: no liquidation price</source>
        <translation>{position}: ไม่มีราคาชำระบัญชี</translation>
    </message>
    <message>
        <source>{position}: {distance} from liquidation (mark {mark}, liquidation {liq})</source>
        <translation>{position}: ห่างจากการชำระบัญชี {distance} (ราคามาร์ก {mark} ราคาชำระบัญชี {liq})</translation>
    </message>
    <message>
        <source>First liquidation unknown</source>
        <translation>ไม่ทราบการชำระบัญชีครั้งแรก</translation>
    </message>
    <message>
        <source>First liquidation at a {move} move: {headline}</source>
        <translation>ถูกชำระบัญชีครั้งแรกเมื่อราคาเคลื่อน {move}: {headline}</translation>
    </message>
    <message>
        <source>{coin} {move} → {account} liquidated</source>
        <translation>{coin} {move} → {account} ถูกชำระบัญชี</translation>
    </message>
    <message>
        <source>long</source>
        <translation>ลอง</translation>
    </message>
    <message>
        <source>short</source>
        <translation>ชอร์ต</translation>
    </message>
    <message>
        <source>Total equity unknown</source>
        <translation>ไม่ทราบมูลค่าสุทธิรวม</translation>
    </message>
    <message>
        <source>Total equity down {move} from its session peak ({peak} → {now})</source>
        <translation>มูลค่าสุทธิรวมลดลง {move} จากจุดสูงสุดของเซสชัน ({peak} → {now})</translation>
    </message>
    <message>
        <source>{coin} is {share} of gross exposure ({gross} of {total})</source>
        <translation>{coin} คิดเป็น {share} ของฐานะรวม ({gross} จาก {total})</translation>
    </message>
    <message>
        <source>Cross-account hedge on {coin}: long in {longs}, short in {shorts} ({amount} offset)</source>
        <translation>เฮดจ์ข้ามบัญชีใน {coin}: ลองใน {longs} ชอร์ตใน {shorts} (หักล้างกัน {amount})</translation>
    </message>
    <message>
        <source>{account}: no data yet after {age}</source>
        <translation>{account}: ยังไม่มีข้อมูลหลังผ่านไป {age}</translation>
    </message>
    <message>
        <source>{account}: data {age} old ({n} refresh intervals)</source>
        <translation>{account}: ข้อมูลเก่า {age} ({n} รอบการรีเฟรช)</translation>
    </message>
    <message>
        <source> — last error: {error}</source>
        <translation> — ข้อผิดพลาดล่าสุด: {error}</translation>
    </message>
    <message>
        <source>{account}: API key {expiry} — create a new read-only key in Bybit&apos;s API management</source>
        <translation>{account}: API key {expiry} — สร้างคีย์ใหม่แบบอ่านอย่างเดียวในหน้าจัดการ API ของ Bybit</translation>
    </message>
    <message>
        <source>RiskDesk test message: alerts will arrive in this chat.</source>
        <translation>ข้อความทดสอบจาก RiskDesk: การแจ้งเตือนจะส่งมาที่แชตนี้</translation>
    </message>
    <message>
        <source>{n} s</source>
        <translation>{n} วิ</translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation>{n} นาที</translation>
    </message>
    <message>
        <source>{n} h</source>
        <translation>{n} ชม.</translation>
    </message>
    <message>
        <source>{n} days</source>
        <translation>{n} วัน</translation>
    </message>
    <message>
        <source>has expired</source>
        <translation>หมดอายุแล้ว</translation>
    </message>
    <message>
        <source>expires in {n} hours</source>
        <translation>จะหมดอายุในอีก {n} ชั่วโมง</translation>
    </message>
    <message>
        <source>expires in {n} days</source>
        <translation>จะหมดอายุในอีก {n} วัน</translation>
    </message>
    <message>
        <source>info</source>
        <translation>ข้อมูล</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>คำเตือน</translation>
    </message>
    <message>
        <source>critical</source>
        <translation>วิกฤต</translation>
    </message>
    <message>
        <source>raised</source>
        <translation>เกิดขึ้น</translation>
    </message>
    <message>
        <source>escalated</source>
        <translation>รุนแรงขึ้น</translation>
    </message>
    <message>
        <source>eased</source>
        <translation>เบาลง</translation>
    </message>
    <message>
        <source>cleared</source>
        <translation>หายไป</translation>
    </message>
    <message>
        <source>… and {n} more alerts (see RiskDesk).</source>
        <translation>… และการแจ้งเตือนอีก {n} รายการ (ดูใน RiskDesk)</translation>
    </message>
</context>
<context>
    <name>copytrade</name>
    <message>
        <source>Copied: your fixed order margin of {budget} USDT at {leverage}x opens {qty} {coin} {side} at {price} (cost {cost} USDT). Your average entry is {f_avg}; the master&apos;s is {m_avg}.</source>
        <translation>คัดลอกแล้ว: มาร์จิ้นต่อออร์เดอร์แบบคงที่ {budget} USDT ที่ {leverage}x เปิด {side} {qty} {coin} ที่ {price} (ต้นทุน {cost} USDT) ราคาเข้าเฉลี่ยของคุณคือ {f_avg} ของมาสเตอร์คือ {m_avg}</translation>
    </message>
    <message>
        <source>Copied: the master put {k_pct}% of its funds into this order, so {budget} USDT of your {balance} USDT opens {qty} {coin} {side} at {price} at the master&apos;s {leverage}x (cost {cost} USDT). Your average entry is {f_avg}; the master&apos;s is {m_avg}.</source>
        <translation>คัดลอกแล้ว: มาสเตอร์ใช้เงิน {k_pct}% ของเงินทุนกับออร์เดอร์นี้ จึงใช้ {budget} USDT จาก {balance} USDT ของคุณเปิด {side} {qty} {coin} ที่ {price} ด้วยเลเวอเรจ {leverage}x ของมาสเตอร์ (ต้นทุน {cost} USDT) ราคาเข้าเฉลี่ยของคุณคือ {f_avg} ของมาสเตอร์คือ {m_avg}</translation>
    </message>
    <message>
        <source>Copied at the minimum size: {k_pct}% of your balance ({budget} USDT) buys less than the minimum {min_qty} {coin}, so Bybit placed {min_qty} {coin} {side} at {price} instead (cost {cost} USDT). That uses {share_pct}% of your balance while the master used {k_pct}% of its funds, so from now on your position is larger for your funds than the master&apos;s. Your average entry is {f_avg}; the master&apos;s is {m_avg}.</source>
        <translation>คัดลอกที่ขนาดขั้นต่ำ: {k_pct}% ของยอดคงเหลือของคุณ ({budget} USDT) ซื้อได้น้อยกว่าขั้นต่ำ {min_qty} {coin} Bybit จึงวาง {side} {min_qty} {coin} ที่ {price} แทน (ต้นทุน {cost} USDT) ซึ่งใช้ {share_pct}% ของยอดคงเหลือของคุณ ขณะที่มาสเตอร์ใช้ {k_pct}% ของเงินทุน ต่อจากนี้โพซิชันของคุณจึงใหญ่กว่าของมาสเตอร์เมื่อเทียบกับเงินทุน ราคาเข้าเฉลี่ยของคุณคือ {f_avg} ของมาสเตอร์คือ {m_avg}</translation>
    </message>
    <message>
        <source>Copied at the minimum size: your fixed order margin of {budget} USDT buys less than the minimum {min_qty} {coin}, so Bybit placed {min_qty} {coin} {side} at {price} instead (cost {cost} USDT), more than your fixed margin. Your average entry is {f_avg}; the master&apos;s is {m_avg}.</source>
        <translation>คัดลอกที่ขนาดขั้นต่ำ: มาร์จิ้นต่อออร์เดอร์แบบคงที่ {budget} USDT ของคุณซื้อได้น้อยกว่าขั้นต่ำ {min_qty} {coin} Bybit จึงวาง {side} {min_qty} {coin} ที่ {price} แทน (ต้นทุน {cost} USDT) ซึ่งมากกว่ามาร์จิ้นคงที่ของคุณ ราคาเข้าเฉลี่ยของคุณคือ {f_avg} ของมาสเตอร์คือ {m_avg}</translation>
    </message>
    <message>
        <source>Copied: the master closed {m_fraction_pct}% of its position, so you closed {qty} {coin} ({f_fraction_pct}% of yours) at {price}; realised PnL {pnl} USDT after fees. Your average entry is {f_avg}; the master&apos;s is {m_avg}.</source>
        <translation>คัดลอกแล้ว: มาสเตอร์ปิด {m_fraction_pct}% ของโพซิชัน คุณจึงปิด {qty} {coin} ({f_fraction_pct}% ของโพซิชันคุณ) ที่ {price} PnL ที่รับรู้แล้ว {pnl} USDT หลังหักค่าธรรมเนียม ราคาเข้าเฉลี่ยของคุณคือ {f_avg} ของมาสเตอร์คือ {m_avg}</translation>
    </message>
    <message>
        <source>Not copied: you already hold {held} entry orders from this master, and beyond {limit} Bybit pauses copying the master&apos;s entry orders. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation>ไม่ได้คัดลอก: คุณถือออร์เดอร์เข้าจากมาสเตอร์นี้อยู่แล้ว {held} รายการ และเมื่อเกิน {limit} Bybit จะหยุดคัดลอกออร์เดอร์เข้าของมาสเตอร์ ราคาเข้าเฉลี่ยของคุณยังคงเป็น {f_avg} ของมาสเตอร์ตอนนี้คือ {m_avg}</translation>
    </message>
    <message>
        <source>Not copied: your price {f_price} is {slip_pct}% away from the master&apos;s fill at {m_price}, more than your slippage tolerance of {tol_pct}%. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation>ไม่ได้คัดลอก: ราคาของคุณ {f_price} ห่างจากราคาที่มาสเตอร์ได้ {m_price} อยู่ {slip_pct}% มากกว่าสลิปเพจที่คุณยอมรับได้ {tol_pct}% ราคาเข้าเฉลี่ยของคุณยังคงเป็น {f_avg} ของมาสเตอร์ตอนนี้คือ {m_avg}</translation>
    </message>
    <message>
        <source>Not copied: Copyguard is on and your price {f_price} is worse than the master&apos;s {m_price} for a {side} entry. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation>ไม่ได้คัดลอก: เปิด Copyguard อยู่ และราคาของคุณ {f_price} แย่กว่าของมาสเตอร์ {m_price} สำหรับการเข้า{side} ราคาเข้าเฉลี่ยของคุณยังคงเป็น {f_avg} ของมาสเตอร์ตอนนี้คือ {m_avg}</translation>
    </message>
    <message>
        <source>Not copied: {qty} {coin} would raise your position margin from {margin} to {new_margin} USDT, above your max position margin of {cap} USDT. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation>ไม่ได้คัดลอก: {qty} {coin} จะเพิ่มมาร์จิ้นโพซิชันของคุณจาก {margin} เป็น {new_margin} USDT เกินมาร์จิ้นโพซิชันสูงสุด {cap} USDT ราคาเข้าเฉลี่ยของคุณยังคงเป็น {f_avg} ของมาสเตอร์ตอนนี้คือ {m_avg}</translation>
    </message>
    <message>
        <source>Not copied: even the minimum order of {min_qty} {coin} costs {min_cost} USDT, more than your available balance of {balance} USDT. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation>ไม่ได้คัดลอก: แม้ออร์เดอร์ขั้นต่ำ {min_qty} {coin} ก็มีต้นทุน {min_cost} USDT มากกว่ายอดคงเหลือที่ใช้ได้ {balance} USDT ราคาเข้าเฉลี่ยของคุณยังคงเป็น {f_avg} ของมาสเตอร์ตอนนี้คือ {m_avg}</translation>
    </message>
    <message>
        <source>Not copied: {qty} {coin} would cost {cost} USDT (margin plus fees to open and close), more than your available balance of {balance} USDT. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation>ไม่ได้คัดลอก: {qty} {coin} จะมีต้นทุน {cost} USDT (มาร์จิ้นบวกค่าธรรมเนียมเปิดและปิด) มากกว่ายอดคงเหลือที่ใช้ได้ {balance} USDT ราคาเข้าเฉลี่ยของคุณยังคงเป็น {f_avg} ของมาสเตอร์ตอนนี้คือ {m_avg}</translation>
    </message>
    <message>
        <source>Not copied: the master closed {m_qty} {coin}, but you hold no position to close because the entry orders were not copied. Your average entry stays {f_avg}; the master&apos;s is now {m_avg}.</source>
        <translation>ไม่ได้คัดลอก: มาสเตอร์ปิด {m_qty} {coin} แต่คุณไม่มีโพซิชันให้ปิดเพราะออร์เดอร์เข้าไม่ได้ถูกคัดลอก ราคาเข้าเฉลี่ยของคุณยังคงเป็น {f_avg} ของมาสเตอร์ตอนนี้คือ {m_avg}</translation>
    </message>
    <message>
        <source>Entry-order limit: {orders} order(s) missed (master&apos;s notional {notional} USDT) while you held {limit}.</source>
        <translation>ขีดจำกัดออร์เดอร์เข้า: พลาด {orders} ออร์เดอร์ (มูลค่าของมาสเตอร์ {notional} USDT) ขณะที่คุณถือครบ {limit}</translation>
    </message>
    <message>
        <source>Slippage: {orders} order(s) missed (master&apos;s notional {notional} USDT), your price outside {tol_pct}%.</source>
        <translation>สลิปเพจ: พลาด {orders} ออร์เดอร์ (มูลค่าของมาสเตอร์ {notional} USDT) ราคาของคุณเกิน {tol_pct}%</translation>
    </message>
    <message>
        <source>Copyguard: {orders} order(s) missed (master&apos;s notional {notional} USDT), your price worse than the master&apos;s.</source>
        <translation>Copyguard: พลาด {orders} ออร์เดอร์ (มูลค่าของมาสเตอร์ {notional} USDT) ราคาของคุณแย่กว่าของมาสเตอร์</translation>
    </message>
    <message>
        <source>Max position margin: {orders} order(s) missed (master&apos;s notional {notional} USDT) at the {cap} USDT cap.</source>
        <translation>มาร์จิ้นโพซิชันสูงสุด: พลาด {orders} ออร์เดอร์ (มูลค่าของมาสเตอร์ {notional} USDT) ที่เพดาน {cap} USDT</translation>
    </message>
    <message>
        <source>Insufficient balance: {orders} order(s) missed (master&apos;s notional {notional} USDT), the minimum size costs too much.</source>
        <translation>ยอดคงเหลือไม่พอ: พลาด {orders} ออร์เดอร์ (มูลค่าของมาสเตอร์ {notional} USDT) ขนาดขั้นต่ำแพงเกินไป</translation>
    </message>
    <message>
        <source>Order cost over balance: {orders} order(s) missed (master&apos;s notional {notional} USDT).</source>
        <translation>ต้นทุนออร์เดอร์เกินยอดคงเหลือ: พลาด {orders} ออร์เดอร์ (มูลค่าของมาสเตอร์ {notional} USDT)</translation>
    </message>
    <message>
        <source>Nothing to close: {orders} closing order(s) (master&apos;s notional {notional} USDT) had no position behind them.</source>
        <translation>ไม่มีอะไรให้ปิด: ออร์เดอร์ปิด {orders} รายการ (มูลค่าของมาสเตอร์ {notional} USDT) ไม่มีโพซิชันรองรับ</translation>
    </message>
    <message>
        <source>Minimum order size: {orders} order(s) (master&apos;s notional {notional} USDT) placed at {min_qty} {coin}, a larger share than the master&apos;s.</source>
        <translation>ขนาดออร์เดอร์ขั้นต่ำ: {orders} ออร์เดอร์ (มูลค่าของมาสเตอร์ {notional} USDT) ถูกวางที่ {min_qty} {coin} เป็นสัดส่วนที่ใหญ่กว่าของมาสเตอร์</translation>
    </message>
    <message>
        <source>Fixed order margin: {orders} order(s) (master&apos;s notional {notional} USDT) used {budget} USDT whatever the master&apos;s quantity.</source>
        <translation>มาร์จิ้นต่อออร์เดอร์แบบคงที่: {orders} ออร์เดอร์ (มูลค่าของมาสเตอร์ {notional} USDT) ใช้ {budget} USDT ไม่ว่ามาสเตอร์จะใช้จำนวนเท่าใด</translation>
    </message>
    <message>
        <source>Different fill prices: {orders} copied order(s) (master&apos;s notional {notional} USDT) filled off the master&apos;s prices.</source>
        <translation>ราคาที่ได้ต่างกัน: {orders} ออร์เดอร์ที่คัดลอก (มูลค่าของมาสเตอร์ {notional} USDT) ได้ราคาต่างจากของมาสเตอร์</translation>
    </message>
    <message>
        <source>must be from 0% to 1% (0.055% is 0.00055)</source>
        <translation>ต้องอยู่ระหว่าง 0% ถึง 1% (0.055% คือ 0.00055)</translation>
    </message>
    <message>
        <source>must be positive</source>
        <translation>ต้องมากกว่า 0</translation>
    </message>
    <message>
        <source>must be a positive multiple of the quantity step</source>
        <translation>ต้องเป็นจำนวนเท่าที่มากกว่า 0 ของขั้นของจำนวน</translation>
    </message>
    <message>
        <source>must not be negative</source>
        <translation>ต้องไม่ติดลบ</translation>
    </message>
    <message>
        <source>must be from 1 to 200</source>
        <translation>ต้องอยู่ระหว่าง 1 ถึง 200</translation>
    </message>
    <message>
        <source>advanced mode needs a positive fixed order margin</source>
        <translation>โหมดขั้นสูงต้องมีมาร์จิ้นต่อออร์เดอร์แบบคงที่มากกว่า 0</translation>
    </message>
    <message>
        <source>must be from 0.1% to 5%</source>
        <translation>ต้องอยู่ระหว่าง 0.1% ถึง 5%</translation>
    </message>
    <message>
        <source>orders must be in time order</source>
        <translation>ออร์เดอร์ต้องเรียงตามเวลา</translation>
    </message>
    <message>
        <source>is not a number</source>
        <translation>ไม่ใช่ตัวเลข</translation>
    </message>
</context>
<context>
    <name>environments</name>
    <message>
        <source>Mainnet</source>
        <translation>เมนเน็ต (Mainnet)</translation>
    </message>
    <message>
        <source>Testnet</source>
        <translation>เทสต์เน็ต (Testnet)</translation>
    </message>
    <message>
        <source>Demo trading</source>
        <translation>เทรดเดโม</translation>
    </message>
    <message>
        <source>Netherlands (bybit.nl)</source>
        <translation>เนเธอร์แลนด์ (bybit.nl)</translation>
    </message>
    <message>
        <source>Turkey (bybit.tr)</source>
        <translation>ตุรกี (bybit.tr)</translation>
    </message>
    <message>
        <source>Kazakhstan (bybit.kz)</source>
        <translation>คาซัคสถาน (bybit.kz)</translation>
    </message>
    <message>
        <source>Georgia (bybitgeorgia.ge)</source>
        <translation>จอร์เจีย (bybitgeorgia.ge)</translation>
    </message>
    <message>
        <source>UAE (bybit.ae)</source>
        <translation>สหรัฐอาหรับเอมิเรตส์ (bybit.ae)</translation>
    </message>
    <message>
        <source>EEA (bybit.eu)</source>
        <translation>เขตเศรษฐกิจยุโรป (bybit.eu)</translation>
    </message>
    <message>
        <source>Indonesia (bybit.id)</source>
        <translation>อินโดนีเซีย (bybit.id)</translation>
    </message>
    <message>
        <source>Japan (manepa.jp)</source>
        <translation>ญี่ปุ่น (manepa.jp)</translation>
    </message>
</context>
</TS>
