package web

// Texts of the finishing touches: the ticket page's m/s shortcuts, the
// trainee flag on the agents page and accessibility labels.
func init() {
	for k, v := range polishMessages {
		messages[k] = v
	}
}

var polishMessages = map[string][2]string{
	"keys.macro":  {"マクロを選ぶ（検索欄へ）", "Pick a macro (focus its search)"},
	"keys.status": {"ステータスを変更（選択欄へ）", "Change the status (focus its menu)"},

	"a11y.trainee_col":  {"送信前の承認", "Approval before sending"},
	"a11y.trainee":      {"承認が必要（研修中）", "Needs approval to send (trainee)"},
	"a11y.trainee_off":  {"不要", "Not needed"},
	"a11y.trainee_save": {"%s の「承認が必要（研修中）」を保存", "Save “needs approval to send” for %s"},
}
