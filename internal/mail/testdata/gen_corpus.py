#!/usr/bin/env python3
"""Write a corpus of Japanese mail made by Python's standard email package
(not by Kizuna) into OUTDIR, with manifest.json listing what a correct reader
must see in each message. Usage: gen_corpus.py OUTDIR"""

import base64
import json
import os
import sys
from email import charset as ecs
from email import encoders
from email.charset import Charset, BASE64, QP
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid

# Python's defaults turn EUC-JP into ISO-2022-JP on output; Japanese mailers
# send it as it is. Shift_JIS is really CP932: the email package encodes
# with the cp932 codec and the label is then written as Outlook writes it.
ecs.add_charset("euc-jp", BASE64, BASE64, "euc-jp")

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
manifest = []
DATE = formatdate(1700000000, localtime=False)
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def write(name, msg, **expect):
    data = msg.as_bytes().replace(b"=?cp932?", b"=?Shift_JIS?").replace(b"=cp932'", b"=Shift_JIS'")
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    expect["file"] = name
    expect.setdefault("attachments", [])
    manifest.append(expect)


def base(msg, subject_header, from_header, mid):
    msg["Subject"] = subject_header
    msg["From"] = from_header
    msg["To"] = "support@example.jp"
    msg["Date"] = DATE
    msg["Message-ID"] = mid


# 1. ISO-2022-JP subject, body and sender name (the classic Japanese mail).
subject, name = "配送状況を教えてください", "佐藤 花子"
body = "お世話になっております。\n注文番号１２３の配送状況を教えてください。\n"
m = MIMEText(body, "plain", "iso-2022-jp")
base(m, Header(subject, "iso-2022-jp"), formataddr((name, "hanako@example.com"), charset="iso-2022-jp"), "<iso2022@example.com>")
write("01_iso2022jp.eml", m, subject=subject, from_name=name, from_address="hanako@example.com", body_contains=["注文番号１２３の配送状況"])

# 2. Shift_JIS as Windows-31J (CP932): ①, ㈱, 髙 and half-width kana.
subject, name = "①㈱髙橋商事ｶﾀｶﾅの件", "髙橋 一郎"
body = "①請求書の件です。\n㈱髙橋商事 ｶﾀｶﾅ ﾃｽﾄ\n"
m = MIMEText(body, "plain", "cp932")
m.set_param("charset", "Shift_JIS")  # as Outlook labels CP932
base(m, Header(subject, "cp932"), formataddr((name, "takahashi@example.co.jp"), charset="cp932"), "<sjis@example.co.jp>")
write("02_shift_jis_cp932.eml", m, subject=subject, from_name=name, from_address="takahashi@example.co.jp", body_contains=["①請求書の件", "㈱髙橋商事 ｶﾀｶﾅ ﾃｽﾄ"])

# 3. Shift_JIS body sent as raw 8-bit.
subject = "返品について②"
body = "返品の手続きを教えてください。③ ﾊﾝｶｸ\n"
cs = Charset("cp932")
cs.body_encoding = None
m = MIMEText(body, "plain", cs)
m.set_param("charset", "Shift_JIS")
base(m, Header(subject, "cp932"), "customer8bit@example.jp", "<sjis8bit@example.jp>")
write("03_shift_jis_8bit.eml", m, subject=subject, from_name="", from_address="customer8bit@example.jp", body_contains=["返品の手続き", "③ ﾊﾝｶｸ"])

# 4. EUC-JP, with half-width kana (SS2).
subject, name = "ログインできません", "鈴木 次郎"
body = "パスワードを忘れました。ｶﾅ も入っています。\n"
m = MIMEText(body, "plain", "euc-jp")
base(m, Header(subject, "euc-jp"), formataddr((name, "suzuki@example.ne.jp"), charset="euc-jp"), "<eucjp@example.ne.jp>")
write("04_euc_jp.eml", m, subject=subject, from_name=name, from_address="suzuki@example.ne.jp", body_contains=["パスワードを忘れました", "ｶﾅ も入っています"])

# 5. UTF-8 base64.
subject, name = "請求書の再発行をお願いします", "田中 太郎"
body = "いつもありがとうございます。🍣 請求書を再発行してください。\n"
m = MIMEText(body, "plain", "utf-8")
base(m, Header(subject, "utf-8"), formataddr((name, "tanaka@example.com"), charset="utf-8"), "<utf8b64@example.com>")
write("05_utf8_base64.eml", m, subject=subject, from_name=name, from_address="tanaka@example.com", body_contains=["🍣 請求書を再発行"])

# 6. UTF-8 quoted-printable, a display name with a comma.
subject, name = "解約の手続き", "山田, 花子"
cs = Charset("utf-8")
cs.body_encoding = QP
cs.header_encoding = QP
body = "解約したいです。よろしくお願いします。\n\n2024年1月1日 山田 <yamada@example.com>:\n> 以前の問い合わせ\n"
m = MIMEText(body, "plain", cs)
base(m, Header(subject, cs), formataddr((name, "yamada@example.com"), charset=cs), "<utf8qp@example.com>")
write("06_utf8_qp.eml", m, subject=subject, from_name=name, from_address="yamada@example.com", body_contains=["解約したいです"],
      quote_contains="以前の問い合わせ")

# 7. Encoded words split in the middle of a character (UTF-8 and Shift_JIS).
subject = "文字化けしない件名テスト"
raw = subject.encode("utf-8")
cut = 4  # inside the second character's three bytes
words = [raw[:cut], raw[cut:11], raw[11:]]
m = Message()
m["Subject"] = " ".join("=?UTF-8?B?%s?=" % base64.b64encode(w).decode() for w in words)
sj = "髙橋①".encode("cp932")
m["From"] = "=?shift_jis?B?%s?= =?shift_jis?B?%s?= <split@example.jp>" % (base64.b64encode(sj[:1]).decode(), base64.b64encode(sj[1:]).decode())
m["To"] = "support@example.jp"
m["Date"] = DATE
m["Message-ID"] = "<split@example.jp>"
m["Content-Type"] = 'text/plain; charset="utf-8"'
m["Content-Transfer-Encoding"] = "base64"
m.set_payload(base64.encodebytes("分割された符号化語のテストです。\n".encode()).decode())
write("07_split_encoded_words.eml", m, subject=subject, from_name="髙橋①", from_address="split@example.jp", body_contains=["分割された符号化語"])

# 8. RFC 2231 Japanese file names: UTF-8 with continuations, Shift_JIS, ISO-2022-JP.
m = EmailMessage()
base(m, "添付ファイルの送付", formataddr(("伊藤 美咲", "ito@example.com")), "<rfc2231@example.com>")
m.set_content("見積書と請求書を添付します。\n")
long_name = "御見積書_株式会社きずなデスク様_2024年度_第１四半期分_最終版①.pdf"
pdf = b"%PDF-1.4\n" + bytes(range(256)) * 20
m.add_attachment(pdf, maintype="application", subtype="pdf", filename=long_name)
xls = b"PK\x03\x04" + b"\x00" * 3000
m.add_attachment(xls, maintype="application", subtype="vnd.ms-excel", filename="請求書.xls")
write("08_rfc2231_names.eml", m, subject="添付ファイルの送付", from_name="伊藤 美咲", from_address="ito@example.com", body_contains=["見積書と請求書を添付します"],
      attachments=[{"name": long_name, "size": len(pdf)}, {"name": "請求書.xls", "size": len(xls)}])

m = MIMEMultipart()
base(m, Header("古いメーラーの添付", "iso-2022-jp"), "legacy@example.jp", "<rfc2231legacy@example.jp>")
m.attach(MIMEText("旧式の添付名です。\n", "plain", "iso-2022-jp"))
a = MIMEBase("text", "csv")
a.set_payload("a,b\r\n1,2\r\n".encode())
encoders.encode_base64(a)
a.add_header("Content-Disposition", "attachment", filename=("cp932", "ja", "顧客一覧①.csv"))
m.attach(a)
b = MIMEBase("application", "octet-stream")
b.set_payload(b"\x01\x02\x03" * 100)
encoders.encode_base64(b)
b.add_header("Content-Disposition", "attachment", filename=("iso-2022-jp", "ja", "議事録.bin"))
m.attach(b)
c = MIMEBase("application", "octet-stream")
c.set_payload(b"x" * 77)
encoders.encode_base64(c)
c.add_header("Content-Disposition", "attachment", filename=Header("注文書.dat", "iso-2022-jp").encode())
m.attach(c)
write("09_legacy_attachment_names.eml", m, subject="古いメーラーの添付", from_name="", from_address="legacy@example.jp", body_contains=["旧式の添付名です"],
      attachments=[{"name": "顧客一覧①.csv", "size": 10}, {"name": "議事録.bin", "size": 300}, {"name": "注文書.dat", "size": 77}])

# 10. multipart/alternative that carries only HTML: plain text is derived.
m = MIMEMultipart("alternative")
base(m, Header("HTMLだけのメール", "utf-8"), formataddr(("渡辺 健", "watanabe@example.com"), charset="utf-8"), "<htmlonly@example.com>")
m.attach(MIMEText('<html><body><p>HTMLだけで<b>送りました</b>。</p><script>alert(1)</script>'
                  '<p onclick="x()">追跡<img src="https://tracker.example.net/p.gif"></p></body></html>', "html", "utf-8"))
write("10_html_only.eml", m, subject="HTMLだけのメール", from_name="渡辺 健", from_address="watanabe@example.com",
      body_contains=["HTMLだけで送りました"], html_contains=["<b>送りました</b>"], html_excludes=["script", "onclick", "tracker.example.net"])

# 11. multipart/related with an inline cid: image, inside alternative.
m = MIMEMultipart("alternative")
base(m, Header("画像付きの問い合わせ", "iso-2022-jp"), formataddr(("中村 さくら", "nakamura@example.com"), charset="iso-2022-jp"), "<related@example.com>")
m.attach(MIMEText("画像を見てください。\n", "plain", "iso-2022-jp"))
rel = MIMEMultipart("related")
rel.attach(MIMEText('<p>画像を見てください。</p><img src="cid:screenshot01@example.com">', "html", "utf-8"))
img = MIMEImage(PNG, "png")
img.add_header("Content-ID", "<screenshot01@example.com>")
img.add_header("Content-Disposition", "inline", filename="画面.png")
rel.attach(img)
m.attach(rel)
write("11_related_cid.eml", m, subject="画像付きの問い合わせ", from_name="中村 さくら", from_address="nakamura@example.com", body_contains=["画像を見てください"],
      html_contains=["cid:screenshot01@example.com"], attachments=[{"name": "画面.png", "size": len(PNG), "content_id": "screenshot01@example.com"}])

# 12. Mislabelled charsets: declared ISO-2022-JP but UTF-8 (subject and body),
#     and declared ISO-2022-JP but Shift_JIS.
subject = "文字コードが間違っています"
m = MIMEText("本文はUTF-8なのにISO-2022-JPと書かれています。\n", "plain", "utf-8")
m.set_param("charset", "iso-2022-jp")
base(m, "=?iso-2022-jp?B?%s?=" % base64.b64encode(subject.encode()).decode(), "liar@example.com", "<mislabel@example.com>")
write("12_mislabelled_utf8.eml", m, subject=subject, from_name="", from_address="liar@example.com", body_contains=["本文はUTF-8なのに"], warnings=True)

m = MIMEText("本文はShift_JISです。①\n", "plain", "cp932")
m.set_param("charset", "iso-2022-jp")
base(m, "=?iso-2022-jp?B?%s?=" % base64.b64encode("SJISの件名①".encode("cp932")).decode(), "liar2@example.com", "<mislabel2@example.com>")
write("13_mislabelled_sjis.eml", m, subject="SJISの件名①", from_name="", from_address="liar2@example.com", body_contains=["本文はShift_JISです。①"], warnings=True)

# 14. Unknown charset label on UTF-8 text: shown best-effort with a warning.
m = MIMEText("不明な文字コードの本文\n", "plain", "utf-8")
m.set_param("charset", "x-foo")
base(m, Header("不明な文字コード", "utf-8"), "unknown@example.com", "<unknowncs@example.com>")
write("14_unknown_charset.eml", m, subject="不明な文字コード", from_name="", from_address="unknown@example.com", body_contains=["不明な文字コードの本文"], warnings=True)

# 15. A reply with attachments and CCs.
m = MIMEMultipart()
base(m, Header("Re: [#5] 見積もりについて", "iso-2022-jp"), formataddr(("小林 優子", "kobayashi@example.com"), charset="iso-2022-jp"), "<reply@example.com>")
m["Cc"] = formataddr(("加藤 部長", "kato@example.com"), charset="utf-8") + ", support@example.jp"
m["In-Reply-To"] = "<out-1@kizuna.example.jp>"
m["References"] = "<orig@example.com> <out-1@kizuna.example.jp>"
m.attach(MIMEText("追加の資料を送ります。\n", "plain", "iso-2022-jp"))
doc = MIMEBase("application", "pdf")
doc.set_payload(b"%PDF" + b"\xff" * 5000)
encoders.encode_base64(doc)
doc.add_header("Content-Disposition", "attachment", filename=("utf-8", "", "資料 ①.pdf"))
m.attach(doc)
write("15_reply_with_attachment.eml", m, subject="Re: [#5] 見積もりについて", from_name="小林 優子", from_address="kobayashi@example.com",
      body_contains=["追加の資料を送ります"], attachments=[{"name": "資料 ①.pdf", "size": 5004}], in_reply_to="out-1@kizuna.example.jp",
      cc=["kato@example.com", "support@example.jp"])

# 16. An out-of-office auto-reply.
m = MIMEText("ただいま不在にしております。1月4日に戻ります。\n", "plain", "iso-2022-jp")
base(m, Header("自動応答: 不在のお知らせ", "iso-2022-jp"), formataddr(("佐藤 花子", "hanako@example.com"), charset="iso-2022-jp"), "<ooo@example.com>")
m["Auto-Submitted"] = "auto-replied"
m["X-Autoreply"] = "yes"
m["Precedence"] = "bulk"
write("16_auto_reply.eml", m, subject="自動応答: 不在のお知らせ", from_name="佐藤 花子", from_address="hanako@example.com",
      body_contains=["ただいま不在にしております"], auto_submitted=True)

# 17. A delivery status notification (bounce) for one of our replies.
orig = MIMEText("ご返信ありがとうございます。\n", "plain", "utf-8")
orig["Subject"] = Header("Re: 配送状況", "utf-8")
orig["From"] = "support@example.jp"
orig["To"] = "nobody@example.org"
orig["Message-ID"] = "<out-bounced@kizuna.example.jp>"
report = MIMEMultipart("report", report_type="delivery-status")
base(report, "Undelivered Mail Returned to Sender", "MAILER-DAEMON@mx.example.jp (Mail Delivery System)", "<dsn@mx.example.jp>")
report.attach(MIMEText("メールを配信できませんでした。\nThis is the mail system.\n", "plain", "utf-8"))
dsn = MIMEBase("message", "delivery-status")
per_msg = Message()
per_msg["Reporting-MTA"] = "dns; mx.example.jp"
per_rcpt = Message()
per_rcpt["Final-Recipient"] = "rfc822; nobody@example.org"
per_rcpt["Action"] = "failed"
per_rcpt["Status"] = "5.1.1"
per_rcpt["Diagnostic-Code"] = "smtp; 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown"
dsn.set_payload([per_msg, per_rcpt])
report.attach(dsn)
report.attach(MIMEMessage(orig))
write("17_dsn_bounce.eml", report, subject="Undelivered Mail Returned to Sender", from_name="Mail Delivery System", from_address="mailer-daemon@mx.example.jp",
      body_contains=["メールを配信できませんでした"], auto_submitted=True,
      bounce={"original_message_id": "out-bounced@kizuna.example.jp", "failed": ["nobody@example.org"]})

with open(os.path.join(OUT, "manifest.json"), "w", encoding="utf-8") as f:
    json.dump(manifest, f, ensure_ascii=False, indent=1)
print("wrote %d messages to %s" % (len(manifest), OUT))
