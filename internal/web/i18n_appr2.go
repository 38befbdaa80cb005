package web

// Messages added while tidying approval before sending (承認): key prefix
// "appr2.", merged into the catalog at start like every area's.
func init() {
	for k, v := range appr2Messages {
		messages[k] = v
	}
}

var appr2Messages = map[string][2]string{
	"appr2.remove_above": {"外すファイルは、上の一覧で「外す」にチェックを入れてください。", "To take a file off, tick “Remove” next to it in the list above."},
}
