package web

// Messages of the new-ticket form (newticket.go, templates/newticket.html).

func init() {
	for k, v := range newTicketMessages {
		messages[k] = v
	}
}

var newTicketMessages = map[string][2]string{
	"newticket.nav":                   {"新規チケット", "New ticket"},
	"newticket.key":                   {"新規チケット", "New ticket"},
	"newticket.title":                 {"新規チケット", "New ticket"},
	"newticket.intro":                 {"電話で受けた問い合わせや、他の窓口から届いたお客様の声をチケットにします。", "Record a phone call, or a customer's message that came through another channel, as a ticket."},
	"newticket.not_created":           {"チケットは作成されていません。次の点を確認してください。", "The ticket was not created. Please check:"},
	"newticket.requester":             {"お客様（依頼者）", "Customer (requester)"},
	"newticket.change_requester":      {"別のお客様にする", "Choose another customer"},
	"newticket.find_label":            {"既存のお客様を検索（名前・メールアドレス・電話番号）", "Find an existing customer (name, email or phone)"},
	"newticket.find":                  {"検索", "Find"},
	"newticket.find_hint":             {"見つからなければ、下に新しいお客様を入力してください。", "If they are not found, enter a new customer below."},
	"newticket.matches":               {"見つかったお客様", "Customers found"},
	"newticket.none_of_these":         {"このどれでもない（新しいお客様）", "None of these (a new customer)"},
	"newticket.no_match":              {"該当するお客様はいません。", "No customer matches."},
	"newticket.new_customer":          {"新しいお客様", "New customer"},
	"newticket.new_name":              {"お名前", "Name"},
	"newticket.new_hint":              {"メールアドレスか電話番号のどちらかが必要です。登録済みのメールアドレスや電話番号なら、そのお客様になります。", "An email address or a phone number is needed. One already on file picks that customer."},
	"newticket.via":                   {"受付チャネル", "Channel"},
	"newticket.subject":               {"件名", "Subject"},
	"newticket.first_message":         {"最初のメッセージ", "First message"},
	"newticket.public":                {"公開返信（お客様に送信）", "Public reply (sent to the customer)"},
	"newticket.public_approval":       {"公開返信（承認後に送信）", "Public reply (sent after approval)"},
	"newticket.light_hint":            {"ライトエージェントは社内メモのみ書けます。", "Light agents can write internal notes only."},
	"newticket.trainee_hint":          {"公開のメッセージは承認者が確認してから送信されます。", "A public message is sent once an approver has checked it."},
	"newticket.body":                  {"内容", "Message"},
	"newticket.properties":            {"チケットの項目", "Ticket properties"},
	"newticket.status_auto":           {"自動（新規）", "Automatic (new)"},
	"newticket.me":                    {"自分", "me"},
	"newticket.inbox":                 {"受信箱", "Inbox"},
	"newticket.create":                {"チケットを作成", "Create ticket"},
	"newticket.cancel":                {"キャンセル", "Cancel"},
	"newticket.for_customer":          {"このお客様の新規チケット", "New ticket for this customer"},
	"newticket.created":               {"チケットを作成しました。", "Ticket created."},
	"newticket.created_held":          {"チケットを作成しました。最初のメッセージは承認待ちです（承認されるまでお客様には届きません）。", "Ticket created. Its first message is waiting for approval (the customer gets nothing until it is approved)."},
	"newticket.files_again":           {"添付ファイルは保存されていません。もう一度選んでください。", "The attached files were not kept: please choose them again."},
	"newticket.err_find_blank":        {"検索する名前・メールアドレス・電話番号を入力してください。", "Type a name, an email address or a phone number to find."},
	"newticket.err_unknown_requester": {"選ばれたお客様が見つかりません。もう一度検索してください。", "The chosen customer does not exist. Please find them again."},
	"newticket.err_requester":         {"お客様を検索して選ぶか、新しいお客様の名前と連絡先を入力してください。", "Find and choose a customer, or enter a new customer's name and contact."},
	"newticket.err_contact":           {"新しいお客様のメールアドレスか電話番号を入力してください。", "Enter the new customer's email address or phone number."},
	"newticket.err_email":             {"メールアドレス「%s」の形式が正しくありません。", "The email address %s is not valid."},
	"newticket.err_subject":           {"件名を入力してください。", "Enter a subject."},
	"newticket.err_body":              {"最初のメッセージを入力してください。", "Enter the first message."},
	"newticket.err_light_public":      {"ライトエージェントは公開返信を送れません。社内メモとして記録してください。", "Light agents cannot send public replies. Record it as an internal note."},
	"newticket.err_light":             {"ライトエージェントにはこの操作はできません（公開返信・新しいお客様の登録など）。", "Light agents cannot do this (public replies, adding new customers …)."},
}
