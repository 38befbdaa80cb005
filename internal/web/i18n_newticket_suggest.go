package web

// Messages of the new-ticket form's customer suggestions
// (newticket_suggest.go, static/newticket_suggest.js).

func init() {
	for k, v := range newTicketSuggestMessages {
		messages[k] = v
	}
}

var newTicketSuggestMessages = map[string][2]string{
	"newticket.suggest_label":  {"お客様の候補", "Matching customers"},
	"newticket.suggest_found":  {"%d 件の候補があります。上下の矢印キーで選び、Enter で決定します。", "%d matching customers. Use the up and down arrow keys to choose, and Enter to pick one."},
	"newticket.suggest_chosen": {"%s さんを選びました。", "%s is chosen."},
}
