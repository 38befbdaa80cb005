package search

// Shared corpus and expectations for the SQLite and PostgreSQL tests.

// corpus maps document ids to their sections (e.g. subject, body).
var corpus = map[int][]string{
	1:  {"配送状況のお知らせ"},
	2:  {"手配"},
	3:  {"ポイント還元について"},
	4:  {"ﾎﾟｲﾝﾄ付与のご案内"},
	5:  {"ABC Corp からの問い合わせ"},
	6:  {"ＡＢＣ株式会社"},
	7:  {"返金 申請を受け付けました"},
	8:  {"返金の申請について"},
	9:  {"Your refund request was received"},
	10: {"Request for a refund"},
	11: {"iPhone 15 の配送が遅れています"},
	12: {"iPhone 修理"},
	13: {"連絡先: foo@example.com までご連絡ください"},
	14: {"返金", "申請"}, // two sections: phrases must not span them
	15: {"返金申請の手順"},
	16: {"葛\U000E0100飾区のお客様"},
	17: {"コーヒーメーカー"},
	18: {"Café Straße"},
}

type searchCase struct {
	query string
	want  []int // ids matched; nil means none
}

var searchCases = []searchCase{
	{"配送", []int{1, 11}},
	{"配送状況", []int{1}},
	{"配", []int{1, 2, 11}},
	{"状", []int{1}},
	{"況", []int{1}},
	{"ﾎﾟｲﾝﾄ", []int{3, 4}},
	{"ポイント", []int{3, 4}},
	{"ＡＢＣ", []int{5, 6}},
	{"abc", []int{5, 6}},
	{`"返金 申請"`, []int{7}},
	{"返金 申請", []int{7, 8, 14, 15}},
	{"返金申請", []int{15}},
	{`"refund request"`, []int{9}},
	{"refund request", []int{9, 10}},
	{"返金 -申請", nil},
	{"返金 -申請を", []int{8, 14, 15}},
	{`申請 -"返金 申請"`, []int{8, 14, 15}},
	{"iPhone 配送", []int{11}},
	{"iphone -配送", []int{12}},
	{"iPhone配", nil}, // not adjacent in 11 ("iPhone 15 の配送")
	{`"15 の配"`, []int{11}},
	{"foo@example.com", []int{13}},
	{"example.com", []int{13}},
	{"bar@example.com", nil},
	{"葛飾", []int{16}},
	{"ｺｰﾋｰ", []int{17}},
	{"ー", []int{17}},
	{"refu*", []int{9, 10}},
	{"cafe\u0301", []int{18}},
	{"STRASSE", []int{18}},
	{"配達", nil},
}

// textQuery parses a user query into its full-text part.
func textQuery(q string) (TextQuery, error) {
	p, err := Parse(q)
	if err != nil {
		return TextQuery{}, err
	}
	return ParseText(p.Terms), nil
}

// tokenMix exercises many scripts; each token must survive the databases'
// parsing unchanged.
const tokenMix = "ABC abc 123 iPhone15 配送状況 ﾎﾟｲﾝﾄ コーヒー 々〆ヶ ß Ελληνικά Русский " +
	"العربية עברית हिन्दी ไทยภาษา 한국어 ᄀᄁ 𠮷野家 \U00030000\U00030001 e\u0301 ㈱ ①② ﬁ ʼn x\u0308\u0323"
