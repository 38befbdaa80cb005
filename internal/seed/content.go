package seed

// A brand is one service of the seeded company, with the inquiries its
// customers send. Templates use {slots} filled per ticket (see text.go), so
// one ticket speaks of one order number, product or domain throughout.
type brandKit struct {
	name, subdomain string
	nameEN          string
	weight          int // share of tickets
	topics          []topic
}

// topic is one kind of inquiry: its ticket type, usual priority, the team
// that handles it, tags and texts in Japanese and English.
type topic struct {
	key    string
	weight int
	typ    string
	prio   string
	group  int // index into groupNames
	tags   []string
	ja, en texts
}

type texts struct {
	subjects []string // ticket subjects
	asks     []string // the customer's first message
	answers  []string // the agent's reply
	notes    []string // internal notes
	follows  []string // the customer's follow-ups
}

var brands = []*brandKit{ecBrand, saasBrand, hostingBrand, marketBrand}

// Words wrapped around every message, per language.
type phrasebook struct {
	openers, closers                  []string // customer
	agentOpen, agentHello, agentClose []string
	solvedClose                       []string
	notes, follows, thanks            []string
}

var jaPhrases = phrasebook{
	openers: []string{"お世話になっております。", "いつも{brand}を利用しています。", "はじめて問い合わせします。",
		"{org}の{family}です。", "", "お忙しいところ失礼します。", "度々すみません。"},
	closers: []string{"よろしくお願いいたします。", "ご確認のほどよろしくお願いします。", "急ぎで対応いただけると助かります。",
		"お手数ですがご回答をお願いいたします。", "よろしくお願いします。", "本日中にご連絡いただけますでしょうか。"},
	agentOpen: []string{"{family}様", "{family} 様", "{org}\n{family}様"},
	agentHello: []string{"お問い合わせいただきありがとうございます。\n{brand}カスタマーサポートの{agent}でございます。",
		"ご連絡いただきありがとうございます。\n{brand}サポート窓口の{agent}です。",
		"大変お待たせして申し訳ございません。\n{brand}カスタマーサポートの{agent}でございます。",
		"いつも{brand}をご利用いただき、誠にありがとうございます。\nサポート担当の{agent}です。"},
	agentClose: []string{"ご不明な点がございましたら、お気軽にお問い合わせください。", "今後とも{brand}をよろしくお願いいたします。",
		"何卒よろしくお願いいたします。", "引き続きどうぞよろしくお願いいたします。"},
	solvedClose: []string{"本件はこれにて完了とさせていただきます。", "その他ご不明な点がございましたら、本メールにご返信ください。",
		"今回はご不便をおかけし、申し訳ございませんでした。"},
	notes: []string{"{agent2}さん、こちら確認お願いします。", "過去にも同様の問い合わせあり。履歴を参照のこと。",
		"マクロ「{macro}」で返信済み。", "SLA注意：本日中に返信が必要。", "お客様の温度感高め。丁寧に対応すること。",
		"開発チームに確認中。回答待ち。", "電話で折り返し済み。内容は上記のとおり。", "引き継ぎ：明日は{agent2}さんが対応予定。"},
	follows: []string{"まだ解決していません。", "承知しました。確認してみます。", "追加で質問があります。",
		"スクリーンショットを添付します。", "言われた手順を試しましたが、状況は変わりません。"},
	thanks: []string{"無事解決しました。ありがとうございました！", "ご対応ありがとうございました。", "確認できました。助かりました。",
		"迅速な対応に感謝します。"},
}

var enPhrases = phrasebook{
	openers:   []string{"Hi,", "Hello,", "Hello support team,", "Hi there,", "", "Good morning,"},
	closers:   []string{"Thanks,", "Thank you in advance.", "Best regards,", "Please get back to me soon.", "Cheers,"},
	agentOpen: []string{"Hi {given},", "Hello {given},", "Dear {given},"},
	agentHello: []string{"Thank you for contacting {brand} Support. This is {agent}.",
		"Thanks for reaching out, and sorry for the wait. My name is {agent} from the {brand} team.",
		"Thank you for your message. I'm {agent} and I'll be helping you today."},
	agentClose: []string{"Let us know if there is anything else we can do.", "Best regards,\n{agent}\n{brand} Support",
		"Have a great day!", "Kind regards,\n{brand} Customer Support"},
	solvedClose: []string{"I'll mark this request as solved; just reply if you need anything else.",
		"We apologise for the inconvenience."},
	notes: []string{"{agent2}, could you take a look at this one?", "Similar issue reported last month, see history.",
		"Replied with macro \"{macro}\".", "SLA: needs a reply today.", "Customer is upset, handle with care.",
		"Waiting on engineering.", "Called the customer back, summary above."},
	follows: []string{"This is still not working.", "OK, I'll check and get back to you.", "I have one more question.",
		"I tried the steps you sent but nothing changed."},
	thanks: []string{"That fixed it, thank you!", "Thanks for your help.", "All good now, appreciate the quick reply."},
}

var macros = []string{"配送状況のご案内", "返金手続きのご案内", "パスワード再設定手順", "請求書の再発行", "解約手続きのご案内",
	"SSL証明書の更新手順", "出品審査の基準", "Refund policy", "Password reset", "Escalate to Tier 2"}
