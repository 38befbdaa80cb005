package tickets

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// MaxMergeSources caps how many tickets one merge takes in.
const MaxMergeSources = 100

// MergeOptions are the notes left on both sides of a merge, as Zendesk's
// target_comment, source_comment and their *_is_public flags. Empty
// comments get a bilingual default; notes are internal unless asked.
type MergeOptions struct {
	TargetComment string
	SourceComment string
	TargetPublic  bool
	SourcePublic  bool
}

// MergeResult is the target after the merge and the closed sources.
type MergeResult struct {
	Target     *model.Ticket
	Sources    []*model.Ticket
	MovedMails int64
}

// Merge folds the sourceIDs tickets into targetID in one transaction, as
// Zendesk does: both sides get a note linking them, the sources are closed.
// Beyond Zendesk, for mail work: the sources' mails are re-linked to the
// target so replies to their Message-IDs thread onto it, the sources'
// requesters and CCs are copied onto the target, and their tags are added.
func (s *Service) Merge(ctx context.Context, actor *model.User, targetID int64, sourceIDs []int64, opts MergeOptions) (*MergeResult, error) {
	if !actor.IsAgent() {
		return nil, errs.Forbiddenf("only agents and admins can merge tickets / チケットの統合はエージェントと管理者のみ行えます")
	}
	ids := uniqueIDs(sourceIDs)
	switch {
	case len(ids) == 0:
		return nil, errs.Invalidf("ids", "BlankValue", "Ids: name at least one ticket to merge / 統合するチケットを指定してください")
	case len(ids) > MaxMergeSources:
		return nil, errs.Invalidf("ids", "TooLong", "Ids: at most %d tickets can be merged at once / 一度に統合できるのは %d 件までです", MaxMergeSources, MaxMergeSources)
	case slices.Contains(ids, targetID):
		return nil, errs.Invalidf("ids", "InvalidValue", "Ids: ticket %d cannot be merged into itself / チケット %d を自身に統合することはできません", targetID, targetID)
	}
	var res *MergeResult
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		var err error
		res, err = s.mergeTx(tx, actor, targetID, ids, opts)
		return err
	})
	return res, err
}

func (s *Service) mergeTx(tx *store.Tx, actor *model.User, targetID int64, ids []int64, opts MergeOptions) (*MergeResult, error) {
	target, sources, err := lockForMerge(tx, targetID, ids)
	if err != nil {
		return nil, err
	}
	res := &MergeResult{}
	closed := model.StatusClosed
	for _, src := range sources {
		note := strings.TrimSpace(opts.SourceComment)
		if note == "" {
			note = fmt.Sprintf("This ticket was closed and merged into #%d \"%s\".\nこのチケットはクローズされ、#%d「%s」に統合されました。",
				target.ID, target.Subject, target.ID, target.Subject)
		}
		public := opts.SourcePublic
		ch := Change{Status: &closed, Comment: &CommentInput{Body: note, Public: &public}}
		if src.AssigneeID == 0 {
			// A closed ticket needs an assignee; the agent who merged it answers for it.
			ch.AssigneeID = &actor.ID
		}
		r, err := s.UpdateTx(tx, actor, src.ID, ch)
		if err != nil {
			return nil, fmt.Errorf("close merged ticket %d: %w", src.ID, err)
		}
		if err := addEvents(tx, r.Audit, model.AuditEvent{Type: "Merge", FieldName: "target_ticket_id", Value: target.ID}); err != nil {
			return nil, err
		}
		res.Sources = append(res.Sources, r.Ticket)
	}

	note := strings.TrimSpace(opts.TargetComment)
	if note == "" {
		note = mergedIntoNote(sources)
	}
	public := opts.TargetPublic
	ch := Change{Comment: &CommentInput{Body: note, Public: &public}}
	for _, src := range sources {
		for _, id := range append([]int64{src.RequesterID}, src.CollaboratorIDs...) {
			if id != target.RequesterID {
				ch.AddCollabs = append(ch.AddCollabs, Person{ID: id})
			}
		}
		ch.AddTags = append(ch.AddTags, src.Tags...)
	}
	r, err := s.UpdateTx(tx, actor, target.ID, ch)
	if err != nil {
		return nil, err
	}
	if err := addEvents(tx, r.Audit, model.AuditEvent{Type: "Merge", FieldName: "source_ticket_ids", Value: ids}); err != nil {
		return nil, err
	}
	res.Target = r.Ticket
	if res.MovedMails, err = tx.MoveTicketMail(ids, target.ID, s.now()); err != nil {
		return nil, err
	}
	return res, nil
}

// lockForMerge locks every ticket of a merge in id order, so two merges
// touching the same tickets cannot deadlock, and checks each may take part.
func lockForMerge(tx *store.Tx, targetID int64, ids []int64) (*model.Ticket, []*model.Ticket, error) {
	all := slices.Sorted(slices.Values(append([]int64{targetID}, ids...)))
	var (
		target  *model.Ticket
		sources []*model.Ticket
		v       errs.Invalid
	)
	for _, id := range all {
		tk, err := tx.TicketForUpdate(id)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, nil, err
		}
		missing := err != nil || !tk.DeletedAt.IsZero()
		switch {
		case id == targetID && missing:
			return nil, nil, errs.ErrNotFound
		case missing:
			v.Addf("ids", "InvalidValue", "Ids: ticket %d does not exist / チケット %d は存在しません", id, id)
		case tk.Status == model.StatusClosed && id == targetID:
			v.Addf("target", "InvalidValue", "Target: ticket %d is closed; closed tickets cannot be merged / チケット %d はクローズ済みのため統合できません", id, id)
		case tk.Status == model.StatusClosed:
			v.Addf("ids", "InvalidValue", "Ids: ticket %d is closed; closed tickets cannot be merged / チケット %d はクローズ済みのため統合できません", id, id)
		case id == targetID:
			target = tk
		default:
			sources = append(sources, tk)
		}
	}
	return target, sources, v.OrNil()
}

func mergedIntoNote(sources []*model.Ticket) string {
	refs := make([]string, len(sources))
	lines := make([]string, len(sources))
	for i, src := range sources {
		refs[i] = fmt.Sprintf("#%d", src.ID)
		lines[i] = fmt.Sprintf("#%d %s", src.ID, src.Subject)
	}
	list := strings.Join(refs, ", ")
	en := fmt.Sprintf("Tickets %s were merged into this ticket.", list)
	if len(sources) == 1 {
		en = fmt.Sprintf("Ticket %s was merged into this ticket.", list)
	}
	return en + "\nチケット " + list + " をこのチケットに統合しました。\n\n" + strings.Join(lines, "\n")
}

// addEvents appends events to an audit written earlier in this transaction.
func addEvents(tx *store.Tx, a *model.Audit, evs ...model.AuditEvent) error {
	if a == nil {
		return nil
	}
	a.Events = append(a.Events, evs...)
	return tx.SetAuditEvents(a)
}

func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
