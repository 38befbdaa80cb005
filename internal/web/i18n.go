package web

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// messages is the catalog: every key has its Japanese and English text.
// A test checks that every key a template or handler uses is here.
var messages = map[string][2]string{
	"nav.skip":      {"本文へ移動", "Skip to content"},
	"nav.main":      {"メインメニュー", "Main menu"},
	"nav.queues":    {"チケット", "Tickets"},
	"nav.settings":  {"設定", "Settings"},
	"nav.logout":    {"ログアウト", "Sign out"},
	"nav.views":     {"ビュー", "Views"},
	"nav.shortcuts": {"ショートカット", "Shortcuts"},

	"keys.title":     {"キーボードショートカット", "Keyboard shortcuts"},
	"keys.next_prev": {"次 / 前のチケット", "Next / previous ticket"},
	"keys.open":      {"選択したチケットを開く", "Open the selected ticket"},
	"keys.reply":     {"公開返信を書く", "Write a public reply"},
	"keys.note":      {"社内メモを書く", "Write an internal note"},
	"keys.assign":    {"自分に割り当てる", "Assign to me"},
	"keys.send":      {"送信", "Send"},
	"keys.queue":     {"チケット一覧へ戻る", "Back to the ticket list"},
	"keys.search":    {"検索へ移動", "Go to search"},
	"keys.help":      {"この一覧を表示", "Show this list"},
	"keys.close":     {"閉じる", "Close"},

	"error.title":       {"エラー", "Error"},
	"error.back":        {"戻る", "Go back"},
	"error.not_found":   {"ページが見つかりません。", "This page does not exist."},
	"error.csrf":        {"セキュリティトークンが無効です。ページを再読み込みしてからもう一度お試しください。", "The security token is invalid. Reload the page and try again."},
	"error.forbidden":   {"この操作は許可されていません。", "You are not allowed to do this."},
	"error.bad_request": {"入力内容が正しくありません。", "The request was not valid."},
	"error.internal":    {"サーバーでエラーが発生しました。時間をおいてもう一度お試しください。", "Something went wrong on the server. Please try again shortly."},
	"error.signed_out":  {"ログインしてください。", "Please sign in."},
	"error.conflict":    {"このチケットは他の人によって更新されました。内容を確認してください。", "Someone else updated this ticket. Please check it."},

	"login.title":          {"ログイン", "Sign in"},
	"login.email":          {"メールアドレス", "Email"},
	"login.password":       {"パスワード", "Password"},
	"login.remember":       {"ログインしたままにする（30日間）", "Keep me signed in (30 days)"},
	"login.submit":         {"ログイン", "Sign in"},
	"login.forgot":         {"パスワードをお忘れですか？", "Forgot your password?"},
	"login.failed":         {"メールアドレスまたはパスワードが正しくありません。", "The email or password is not correct."},
	"login.not_staff":      {"このアカウントではエージェント画面を利用できません。", "This account cannot use the agent workspace."},
	"login.reset_done":     {"パスワードを変更しました。新しいパスワードでログインしてください。", "Your password was changed. Sign in with the new one."},
	"reset.title":          {"パスワードの再設定", "Reset your password"},
	"reset.explain":        {"登録済みのメールアドレスを入力してください。再設定用のリンクをお送りします。", "Enter your email address and we will send you a link to set a new password."},
	"reset.send":           {"再設定リンクを送信", "Send the link"},
	"reset.sent":           {"登録されているアドレスであれば、再設定用のリンクを送信しました。メールをご確認ください。", "If the address belongs to an account, a link is on its way. Please check your mail."},
	"reset.back":           {"ログイン画面へ戻る", "Back to sign in"},
	"reset.email_required": {"メールアドレスを入力してください。", "Please enter your email address."},
	"reset.link_invalid":   {"このリンクは無効か、有効期限が切れています。もう一度お申し込みください。", "This link is not valid or has expired. Please ask for a new one."},
	"reset.new_title":      {"新しいパスワードを設定", "Choose a new password"},
	"reset.new_password":   {"新しいパスワード（10文字以上）", "New password (10 characters or more)"},
	"reset.again":          {"新しいパスワード（確認）", "New password again"},
	"reset.save":           {"パスワードを変更", "Change password"},
	"reset.too_short":      {"パスワードは10文字以上にしてください。", "The password must have at least 10 characters."},
	"reset.mismatch":       {"確認用のパスワードが一致しません。", "The two passwords do not match."},
	"reset.mail_subject":   {"【Kizuna】パスワード再設定のご案内", "Kizuna: reset your password"},
	"reset.mail_body": {"%s 様\n\nパスワード再設定のお申し込みを受け付けました。\n次のリンクから新しいパスワードを設定してください（有効期限 %[3]d 分）。\n\n%[2]s\n\nお心当たりがない場合は、このメールを破棄してください。パスワードは変更されません。\n",
		"Hello %s,\n\nSomeone asked to reset your Kizuna password.\nSet a new one with this link (valid for %[3]d minutes):\n\n%[2]s\n\nIf this was not you, ignore this mail; your password stays as it is.\n"},

	"prefs.title":    {"表示設定", "Preferences"},
	"prefs.language": {"表示言語", "Language"},
	"prefs.browser":  {"ブラウザの設定に従う", "Same as the browser"},
	"prefs.zone":     {"タイムゾーン", "Time zone"},
	"prefs.save":     {"保存", "Save"},
	"prefs.saved":    {"設定を保存しました。", "Preferences saved."},

	"sessions.title":         {"ログイン中のセッション", "Signed-in sessions"},
	"sessions.explain":       {"このアカウントでログインしているブラウザの一覧です。心当たりのないものはログアウトさせてください。", "Browsers signed in to your account. Sign out any you do not recognise."},
	"sessions.browser":       {"ブラウザ", "Browser"},
	"sessions.created":       {"ログイン日時", "Signed in"},
	"sessions.last_seen":     {"最終利用", "Last active"},
	"sessions.expires":       {"有効期限", "Expires"},
	"sessions.actions":       {"操作", "Actions"},
	"sessions.current":       {"このブラウザ", "This browser"},
	"sessions.remembered":    {"ログイン保持", "Remembered"},
	"sessions.revoke":        {"ログアウトさせる", "Sign out"},
	"sessions.sign_out_here": {"ログアウト", "Sign out"},
	"sessions.revoke_others": {"他のすべてのセッションをログアウト", "Sign out all other sessions"},

	"view.unassigned": {"未割り当て", "Unassigned"},
	"view.mine":       {"自分の担当", "Assigned to me"},
	"view.unsolved":   {"未解決のすべて", "All unsolved"},
	"view.pending":    {"保留中", "Pending"},
	"view.solved":     {"最近解決済み", "Recently solved"},

	"queue.caption":    {"チケット一覧。列見出しで並べ替えできます。", "Tickets. Sort with the column headers."},
	"queue.unassigned": {"未割り当て", "Unassigned"},
	"queue.empty":      {"このビューにチケットはありません。", "No tickets in this view."},
	"queue.pages":      {"ページ", "Pages"},
	"queue.prev":       {"← 前へ", "← Previous"},
	"queue.next":       {"次へ →", "Next →"},
	"queue.page":       {"%d ページ", "Page %d"},

	"col.id":         {"番号", "ID"},
	"col.subject":    {"件名", "Subject"},
	"col.status":     {"ステータス", "Status"},
	"col.priority":   {"優先度", "Priority"},
	"col.requester":  {"依頼者", "Requester"},
	"col.assignee":   {"担当者", "Assignee"},
	"col.updated_at": {"更新", "Updated"},

	"load.title":      {"チームの負荷", "Team load"},
	"load.unassigned": {"未割り当て: %d 件", "Unassigned: %d"},
	"load.agent":      {"担当者", "Agent"},
	"load.open":       {"未解決", "Open"},
	"load.new_today":  {"本日新規", "New today"},

	"status.new":     {"新規", "New"},
	"status.open":    {"オープン", "Open"},
	"status.pending": {"保留中", "Pending"},
	"status.hold":    {"待機中", "On-hold"},
	"status.solved":  {"解決済み", "Solved"},
	"status.closed":  {"終了", "Closed"},

	"priority.low":    {"低", "Low"},
	"priority.normal": {"普通", "Normal"},
	"priority.high":   {"高", "High"},
	"priority.urgent": {"緊急", "Urgent"},

	"via.web":               {"ウェブ", "Web"},
	"via.email":             {"メール", "Email"},
	"via.chat":              {"チャット", "Chat"},
	"via.voice":             {"電話", "Phone"},
	"via.api":               {"API", "API"},
	"via.mobile":            {"モバイル", "Mobile"},
	"via.sms":               {"SMS", "SMS"},
	"via.side_conversation": {"サイド会話", "Side conversation"},
	"via.rule":              {"ルール", "Rule"},

	"ticket.back":         {"← チケット一覧", "← Tickets"},
	"ticket.created":      {"作成", "created"},
	"ticket.saved":        {"保存しました。", "Saved."},
	"ticket.not_saved":    {"保存できませんでした:", "Not saved:"},
	"ticket.conversation": {"やりとり", "Conversation"},
	"ticket.public":       {"公開返信", "Public reply"},
	"ticket.note":         {"社内メモ", "Internal note"},
	"ticket.mail_frame":   {"受信したメールの本文", "Body of the received mail"},
	"ticket.attachments":  {"添付ファイル", "Attachments"},
	"ticket.history":      {"変更履歴", "History"},
	"ticket.side":         {"チケット情報と依頼者", "Ticket details and requester"},
	"ticket.properties":   {"チケット情報", "Ticket details"},
	"ticket.assign_me":    {"自分に割り当てる", "Assign to me"},
	"ticket.group":        {"グループ", "Group"},
	"ticket.tags":         {"タグ（空白区切り）", "Tags (space separated)"},
	"ticket.save":         {"更新", "Update"},
	"ticket.light_agent":  {"ライトエージェントは社内メモのみ追加できます。", "Light agents can add internal notes only."},
	"ticket.requester":    {"依頼者", "Requester"},
	"ticket.no_others":    {"ありません。", "None."},

	"person.email": {"メール", "Email"},
	"person.phone": {"電話", "Phone"},
	"person.org":   {"組織", "Organization"},

	"compose.mode":           {"種類", "Kind"},
	"compose.public":         {"公開返信", "Public reply"},
	"compose.note":           {"社内メモ", "Internal note"},
	"compose.body":           {"本文", "Message"},
	"compose.placeholder":    {"返信またはメモを入力（Ctrl+Enter で送信）", "Write a reply or note (Ctrl+Enter sends)"},
	"compose.attach":         {"ファイルを添付", "Attach files"},
	"compose.submit":         {"送信して更新", "Submit"},
	"compose.attach_warning": {"本文に「添付」とありますが、ファイルが添付されていません。", "The text mentions an attachment, but no file is attached."},
	"compose.send_anyway":    {"添付なしで送信", "Send without attachment"},
	"compose.body_required":  {"ファイルを添付するときは本文も入力してください。", "Please write a message to go with the files."},
	"compose.too_large":      {"ファイルが大きすぎます。", "The files are too large."},

	"compose.locked":    {"%s が返信を書いています。二重返信を防ぐため、送信を止めました。", "%s is writing a reply. To avoid a double reply, yours was not sent."},
	"compose.take_over": {"引き継いで送信", "Take over and send"},
	"presence.viewing":  {"%s が閲覧中", "%s is viewing"},
	"presence.replying": {"%s が返信中", "%s is replying"},

	"search.title":       {"検索", "Search"},
	"search.label":       {"検索条件", "Search query"},
	"search.placeholder": {"例: status:open assignee:me 配送", "e.g. status:open assignee:me delivery"},
	"search.submit":      {"検索", "Search"},
	"search.hint":        {"件名・本文の語句と、status: priority: assignee: requester: tags: created> などの条件を組み合わせられます。", "Combine words from subjects and messages with filters such as status: priority: assignee: requester: tags: created>."},
	"search.results":     {"検索結果", "Search results"},
	"search.none":        {"該当するチケットはありません。", "No tickets match."},
	"search.more":        {"最初の50件を表示しています。条件を絞り込んでください。", "Showing the first 50. Narrow the query to see others."},
	"search.too_long":    {"検索条件が長すぎるか、正しい文字ではありません。", "The query is too long or not valid text."},
	"nav.search":         {"検索", "Search"},

	"live.new_message": {"新しいメッセージがあります", "New message"},
	"live.updated":     {"このチケットは他の人によって更新されました", "This ticket was updated by someone else"},
	"live.show":        {"表示する", "Show"},

	"field.status":      {"ステータス", "Status"},
	"field.priority":    {"優先度", "Priority"},
	"field.assignee_id": {"担当者", "Assignee"},
	"field.group_id":    {"グループ", "Group"},
	"field.tags":        {"タグ", "Tags"},
	"field.subject":     {"件名", "Subject"},
	"field.type":        {"種別", "Type"},
	"event.created":     {"チケットを作成", "Ticket created"},
	"event.none":        {"（なし）", "(none)"},
}

// translate looks key up; a missing key shows itself, which the catalog
// test catches before it ships.
func translate(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return m[1]
	}
	return m[0]
}

// langOf maps a user's locale ("ja", "ja-JP", "en-US") to a catalog
// language, "" when it is neither.
func langOf(locale string) string {
	l := strings.ToLower(strings.TrimSpace(locale))
	switch {
	case l == "ja" || strings.HasPrefix(l, "ja-") || strings.HasPrefix(l, "ja_"):
		return "ja"
	case l == "en" || strings.HasPrefix(l, "en-") || strings.HasPrefix(l, "en_"):
		return "en"
	}
	return ""
}

// acceptLanguage picks ja or en from the browser's list in its order of
// preference (q-values), Japanese when neither is listed: the desk's
// home is Japan.
func acceptLanguage(h string) string {
	best, bestQ := "", -1.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := parseQ(v); err == nil {
				q = f
			}
		}
		if l := langOf(tag); l != "" && q > bestQ {
			best, bestQ = l, q
		}
	}
	if best == "" {
		return "ja"
	}
	return best
}

func parseQ(s string) (float64, error) { return strconv.ParseFloat(s, 64) }

var (
	tokyo = mustZone("Asia/Tokyo")
	zones sync.Map // name → *time.Location
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("JST", 9*3600)
	}
	return loc
}

// loadZone caches time.LoadLocation, which reads the zone file each call.
func loadZone(name string) (*time.Location, error) {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}
