package approvals

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/richtext"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// normalize validates and fills a draft's text; problems go to v.
func normalize(in Input, v *errs.Invalid) (body, html string, cc []string) {
	if strings.TrimSpace(in.HTMLBody) != "" {
		html = richtext.Sanitize(in.HTMLBody)
		body = richtext.ToPlain(html)
	} else {
		body = strings.TrimRight(strings.ReplaceAll(in.Body, "\r\n", "\n"), " \n\t")
		html = richtext.FromPlain(body)
	}
	switch {
	case strings.TrimSpace(body) == "":
		v.Add("body", "BlankValue", "Body: cannot be blank / 本文を入力してください")
	case len(body) > MaxBody || !utf8.ValidString(body):
		v.Add("body", "TooLong", "Body: at most 64 KB of UTF-8 text / 本文は64KBまでです")
	}
	seen := map[string]bool{}
	for _, e := range in.CC {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" || seen[e] {
			continue
		}
		seen[e] = true
		if at := strings.Index(e, "@"); at <= 0 || at == len(e)-1 || strings.ContainsAny(e, " \t\r\n,<>") {
			v.Addf("cc", "InvalidValue", "CC: %q is not an email address / CC のメールアドレスが正しくありません", e)
			continue
		}
		cc = append(cc, e)
	}
	if len(cc) > MaxCC {
		v.Add("cc", "TooLong", "CC: at most 20 addresses / CC は20件までです")
	}
	return body, html, cc
}

// files applies in's uploads and removals to draft d (already stored) and
// loads d.Files; changed says whether the set of files changed.
// Upload tokens must be the actor's own.
func files(tx *store.Tx, actor *model.User, d *store.ApprovalDraft, in Input) (changed bool, err error) {
	v := &errs.Invalid{}
	for _, id := range in.Remove {
		switch err := tx.RemoveApprovalDraftFile(d.ID, id); {
		case errors.Is(err, store.ErrNotFound):
			v.Addf("remove_attachments", "InvalidValue", "Attachment %d is not part of this draft / この添付ファイルは下書きにありません", id)
		case err != nil:
			return false, err
		default:
			changed = true
		}
	}
	for _, tok := range in.Uploads {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		if owner, err := tx.UploadOwner(tok); errors.Is(err, store.ErrNotFound) || (err == nil && owner != actor.ID) {
			v.Addf("uploads", "InvalidValue", "Upload token %q is not valid / アップロードトークンが正しくありません", tok)
			continue
		} else if err != nil {
			return false, err
		}
		atts, err := tx.FreeUploadAttachments(tok)
		if err != nil {
			return false, err
		}
		if len(atts) == 0 {
			v.Addf("uploads", "InvalidValue", "Upload token %q has no unused files / このアップロードのファイルはすでに使われています", tok)
		}
		for _, a := range atts {
			if err := tx.AddApprovalDraftFile(d.ID, a.ID); err != nil {
				return false, err
			}
			changed = true
		}
	}
	by, err := tx.ApprovalDraftFiles(d.ID)
	if err != nil {
		return false, err
	}
	d.Files = by[d.ID]
	if len(d.Files) > MaxFiles {
		v.Add("uploads", "TooLong", "Attachments: at most 20 files per draft / 添付ファイルは1件の下書きにつき20個までです")
	}
	return changed, v.OrNil()
}

// withFiles loads the files of drafts.
func withFiles(tx *store.Tx, drafts ...*store.ApprovalDraft) error {
	ids := make([]int64, len(drafts))
	for i, d := range drafts {
		ids[i] = d.ID
	}
	by, err := tx.ApprovalDraftFiles(ids...)
	for _, d := range drafts {
		d.Files = by[d.ID]
	}
	return err
}
