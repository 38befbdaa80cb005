package seed

// Name parts with their romanisation (for email addresses). Family names
// include the variant kanji real customer lists are full of (髙/高, 齋/斎/斉,
// 邊/邉/辺, 﨑/崎, 𠮷) so that search and sorting meet them.
var jaFamily = [][2]string{
	{"佐藤", "sato"}, {"鈴木", "suzuki"}, {"髙橋", "takahashi"}, {"高橋", "takahashi"}, {"田中", "tanaka"},
	{"伊藤", "ito"}, {"渡邊", "watanabe"}, {"渡辺", "watanabe"}, {"渡邉", "watanabe"}, {"山本", "yamamoto"},
	{"中村", "nakamura"}, {"小林", "kobayashi"}, {"加藤", "kato"}, {"吉田", "yoshida"}, {"𠮷田", "yoshida"},
	{"山田", "yamada"}, {"佐々木", "sasaki"}, {"山口", "yamaguchi"}, {"松本", "matsumoto"}, {"井上", "inoue"},
	{"木村", "kimura"}, {"林", "hayashi"}, {"斎藤", "saito"}, {"齋藤", "saito"}, {"斉藤", "saito"},
	{"清水", "shimizu"}, {"山崎", "yamazaki"}, {"山﨑", "yamazaki"}, {"森", "mori"}, {"池田", "ikeda"},
	{"橋本", "hashimoto"}, {"阿部", "abe"}, {"石川", "ishikawa"}, {"山下", "yamashita"}, {"中島", "nakajima"},
	{"石井", "ishii"}, {"小川", "ogawa"}, {"前田", "maeda"}, {"岡田", "okada"}, {"長谷川", "hasegawa"},
	{"藤田", "fujita"}, {"後藤", "goto"}, {"近藤", "kondo"}, {"村上", "murakami"}, {"遠藤", "endo"},
	{"青木", "aoki"}, {"坂本", "sakamoto"}, {"福田", "fukuda"}, {"太田", "ota"}, {"西村", "nishimura"},
	{"藤井", "fujii"}, {"金子", "kaneko"}, {"岡本", "okamoto"}, {"藤原", "fujiwara"}, {"中野", "nakano"},
	{"三浦", "miura"}, {"原田", "harada"}, {"松田", "matsuda"}, {"竹内", "takeuchi"}, {"上田", "ueda"},
	{"小野", "ono"}, {"中川", "nakagawa"}, {"柳澤", "yanagisawa"}, {"廣瀬", "hirose"}, {"宮﨑", "miyazaki"},
	{"菊池", "kikuchi"}, {"桑原", "kuwabara"}, {"大久保", "okubo"}, {"野口", "noguchi"}, {"工藤", "kudo"},
}

var jaGiven = [][2]string{
	{"花子", "hanako"}, {"太郎", "taro"}, {"翔太", "shota"}, {"陽菜", "hina"}, {"結衣", "yui"},
	{"大輔", "daisuke"}, {"美咲", "misaki"}, {"健一", "kenichi"}, {"由美", "yumi"}, {"直樹", "naoki"},
	{"裕子", "yuko"}, {"拓也", "takuya"}, {"さくら", "sakura"}, {"ひろし", "hiroshi"}, {"愛", "ai"},
	{"蓮", "ren"}, {"葵", "aoi"}, {"悠真", "yuma"}, {"美穂", "miho"}, {"誠", "makoto"},
	{"恵子", "keiko"}, {"浩二", "koji"}, {"彩", "aya"}, {"亮", "ryo"}, {"真由美", "mayumi"},
	{"一郎", "ichiro"}, {"千尋", "chihiro"}, {"隆", "takashi"}, {"明美", "akemi"}, {"達也", "tatsuya"},
	{"七海", "nanami"}, {"颯", "hayate"}, {"智子", "tomoko"}, {"修", "osamu"}, {"麻衣", "mai"},
	{"俊介", "shunsuke"}, {"あかり", "akari"}, {"優斗", "yuto"}, {"香織", "kaori"}, {"淳", "jun"},
}

var enFirst = []string{
	"James", "Emily", "Michael", "Sarah", "David", "Jessica", "Daniel", "Laura", "Chris", "Hannah",
	"Thomas", "Olivia", "Kevin", "Sophie", "Ryan", "Grace", "Mark", "Chloe", "Paul", "Emma",
	"Lucas", "Mia", "Ben", "Amelia", "Noah", "Ava", "Liam", "Isla", "Ethan", "Zoe",
}

var enLast = []string{
	"Smith", "Johnson", "Brown", "Taylor", "Wilson", "Miller", "Davis", "Clark", "Lewis", "Walker",
	"Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Carter",
	"Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans", "Edwards", "Collins", "Stewart",
}

// Organization names: a stem and a kind of business, in one of the forms a
// Japanese company name takes (株式会社X, X株式会社, ㈱X, 合同会社X, …).
var orgStems = [][2]string{
	{"さくら", "sakura"}, {"あおば", "aoba"}, {"日本", "nihon"}, {"東京", "tokyo"}, {"大阪", "osaka"},
	{"みらい", "mirai"}, {"ひかり", "hikari"}, {"富士", "fuji"}, {"北斗", "hokuto"}, {"瑞穂", "mizuho"},
	{"白鷺", "shirasagi"}, {"若葉", "wakaba"}, {"朝日", "asahi"}, {"つばさ", "tsubasa"}, {"なごみ", "nagomi"},
	{"青空", "aozora"}, {"銀河", "ginga"}, {"紅葉", "momiji"}, {"湊", "minato"}, {"大和", "yamato"},
	{"髙島", "takashima"}, {"山﨑", "yamazaki"}, {"葛飾", "katsushika"}, {"横浜", "yokohama"}, {"博多", "hakata"},
	{"札幌", "sapporo"}, {"京都", "kyoto"}, {"神戸", "kobe"}, {"名古屋", "nagoya"}, {"仙台", "sendai"},
	{"アルファ", "alpha"}, {"ネクスト", "next"}, {"グローバル", "global"}, {"スマート", "smart"}, {"ブルーム", "bloom"},
}

var orgKinds = [][2]string{
	{"商事", "shoji"}, {"物産", "bussan"}, {"工業", "kogyo"}, {"システムズ", "systems"}, {"テクノロジー", "tech"},
	{"食品", "foods"}, {"製作所", "seisakusho"}, {"デザイン", "design"}, {"不動産", "estate"}, {"ホールディングス", "hd"},
	{"メディカル", "medical"}, {"ロジスティクス", "logistics"}, {"ラボ", "lab"}, {"企画", "kikaku"}, {"電機", "denki"},
}

var orgForms = []string{"株式会社%s", "%s株式会社", "㈱%s", "株式会社%s", "合同会社%s", "有限会社%s", "%s株式会社"}

var enOrgStems = []string{"Acme", "Northwind", "Blue Harbor", "Pinecrest", "Silverline", "Redwood", "Brightpath", "Summit", "Oakridge", "Lakeside"}

var enOrgKinds = [][2]string{{"Trading", "trading"}, {"Software", "software"}, {"Logistics", "logistics"}, {"Foods", "foods"}, {"Studio", "studio"}, {"Partners", "partners"}}

// Free mail domains for customers without an organization (reserved
// example domains: seeded data must never mail a real person).
var freeMailDomains = []string{"mail.example.jp", "example.ne.jp", "docomo.example.jp", "ezweb.example.jp", "example.com", "webmail.example.com"}

// Agent groups, as the case studies' teams split their work.
var groupNames = []struct{ name, desc string }{
	{"一次対応 / Tier 1", "最初の返信と振り分け / first replies and triage"},
	{"二次対応 / Tier 2", "調査が必要なお問い合わせ / cases that need investigation"},
	{"請求・決済 / Billing", "請求書・返金・決済 / invoices, refunds, payments"},
	{"技術サポート / Technical", "サーバー・ドメイン・API / servers, domains, API"},
	{"トラブル対応 / Trust & Safety", "取引トラブル・通報 / disputes and reports"},
	{"エスカレーション / Escalations", "管理者による引き継ぎ / taken over by managers"},
}
