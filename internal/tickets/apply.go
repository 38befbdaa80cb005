package tickets

import (
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/richtext"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// applier carries one write's context while a Change is applied.
type applier struct {
	s              *Service
	tx             *store.Tx
	actor          *model.User
	now            time.Time
	v              errs.Invalid
	comment        *model.Comment
	byCustomer     bool // the comment's author is an end-user
	followupSource *model.Ticket
}

// apply copies ch onto tk (old is nil on create), validating as it goes and
// then enforcing the status rules. Every problem is collected and reported
// together, as Zendesk's RecordInvalid does.
func (a *applier) apply(old, tk *model.Ticket, ch *Change) error {
	if err := a.people(old, tk, ch); err != nil {
		return err
	}
	a.scalars(tk, ch)
	if err := a.references(tk, ch); err != nil {
		return err
	}
	a.tags(tk, ch)
	if len(ch.CustomFields) > 0 {
		if err := a.customFields(tk, ch.CustomFields); err != nil {
			return err
		}
	}
	if ch.Comment != nil {
		if err := a.buildComment(old, tk, ch); err != nil {
			return err
		}
	}
	a.statusRules(old, tk, ch)
	return a.v.OrNil()
}

func (a *applier) people(old, tk *model.Ticket, ch *Change) error {
	requesterChanged := false
	var requester *model.User // as just found or created, when the change names one
	switch {
	case ch.Requester != nil:
		u, err := a.person(*ch.Requester, "requester")
		if err != nil {
			return err
		}
		if u != nil {
			tk.RequesterID, requesterChanged, requester = u.ID, true, u
		}
	case ch.RequesterID != nil:
		u, err := a.user(*ch.RequesterID, "requester")
		if err != nil {
			return err
		}
		tk.RequesterID, requesterChanged, requester = *ch.RequesterID, true, u
	}
	if ch.SubmitterID != nil && old == nil {
		if _, err := a.user(*ch.SubmitterID, "submitter"); err != nil {
			return err
		}
		tk.SubmitterID = *ch.SubmitterID
	}
	if ch.OrganizationID != nil {
		if *ch.OrganizationID != 0 {
			if _, err := a.tx.Organization(*ch.OrganizationID); errors.Is(err, store.ErrNotFound) {
				a.v.Addf("organization_id", "InvalidValue", "Organization: %d does not exist", *ch.OrganizationID)
			} else if err != nil {
				return err
			}
		}
		tk.OrganizationID = *ch.OrganizationID
	} else if old == nil || requesterChanged {
		if requester == nil || requester.ID != tk.RequesterID {
			requester, _ = a.tx.User(tk.RequesterID) // absent: the validation above said so
		}
		if requester != nil {
			tk.OrganizationID = requester.OrganizationID
		}
	}
	if ch.AssigneeEmail != nil {
		u, err := a.tx.UserByEmail(*ch.AssigneeEmail)
		if errors.Is(err, store.ErrNotFound) {
			a.v.Addf("assignee", "InvalidValue", "Assignee: no agent has the email %s", *ch.AssigneeEmail)
		} else if err != nil {
			return err
		} else {
			ch.AssigneeID = &u.ID
		}
	}
	if ch.AssigneeID != nil {
		if id := *ch.AssigneeID; id != 0 {
			u, err := a.user(id, "assignee")
			if err != nil {
				return err
			}
			if u != nil && !u.IsAgent() {
				a.v.Addf("assignee_id", "InvalidValue", "Assignee: %s is not an agent", u.Name)
			}
			if u != nil && ch.GroupID == nil && tk.GroupID == 0 && u.DefaultGroupID != 0 {
				tk.GroupID = u.DefaultGroupID // as Zendesk: the assignee's default group
			}
		}
		tk.AssigneeID = *ch.AssigneeID
	}
	if ch.Collaborators != nil {
		tk.CollaboratorIDs = nil
		ch.AddCollabs = append(slices.Clone(*ch.Collaborators), ch.AddCollabs...)
	}
	for _, p := range ch.AddCollabs {
		u, err := a.person(p, "collaborators")
		if err != nil {
			return err
		}
		if u != nil && !slices.Contains(tk.CollaboratorIDs, u.ID) && u.ID != tk.RequesterID {
			tk.CollaboratorIDs = append(tk.CollaboratorIDs, u.ID)
		}
	}
	return nil
}

// person resolves a Person to a user, creating an end-user for a new email.
func (a *applier) person(p Person, field string) (*model.User, error) {
	if p.ID != 0 {
		return a.user(p.ID, field)
	}
	if p.Email == "" && p.Phone == "" {
		a.v.Addf(field, "BlankValue", "%s: give an id, an email or a phone number", fieldLabel(field))
		return nil, nil
	}
	u, err := users.FindOrCreatePerson(a.tx, users.Person{Name: p.Name, Email: p.Email, Phone: p.Phone, Locale: p.Locale}, a.now)
	var inv *errs.Invalid
	if errors.As(err, &inv) {
		for f, ds := range inv.Details {
			for _, d := range ds {
				a.v.Add(f, d.Error, d.Description)
			}
		}
		return nil, nil
	}
	return u, err
}

// user loads a referenced user, recording a validation problem if absent.
func (a *applier) user(id int64, field string) (*model.User, error) {
	u, err := a.tx.User(id)
	if errors.Is(err, store.ErrNotFound) {
		a.v.Addf(field+"_id", "InvalidValue", "%s: user %d does not exist", fieldLabel(field), id)
		return nil, nil
	}
	return u, err
}

func fieldLabel(f string) string {
	if f == "" {
		return f
	}
	return strings.ToUpper(f[:1]) + strings.ReplaceAll(f[1:], "_", " ")
}

func (a *applier) scalars(tk *model.Ticket, ch *Change) {
	if ch.Subject != nil {
		s := strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(*ch.Subject, "\r", " "), "\n", " "))
		if utf8.RuneCountInString(s) > 255 {
			a.v.Add("subject", "TooLong", "Subject: is too long (maximum is 255 characters)")
		}
		tk.Subject = s
	}
	if ch.Priority != nil {
		if *ch.Priority != "" && !slices.Contains(model.Priorities, *ch.Priority) {
			a.v.Addf("priority", "InvalidValue", "Priority: %q is not one of low, normal, high, urgent", *ch.Priority)
		}
		tk.Priority = *ch.Priority
	}
	if ch.Type != nil {
		if *ch.Type != "" && !slices.Contains(model.TicketTypes, *ch.Type) {
			a.v.Addf("type", "InvalidValue", "Type: %q is not one of question, incident, problem, task", *ch.Type)
		}
		tk.Type = *ch.Type
	}
	if ch.Status != nil {
		if !slices.Contains(model.Statuses, *ch.Status) {
			a.v.Addf("status", "InvalidValue", "Status: %q is not one of new, open, pending, hold, solved, closed", *ch.Status)
		} else {
			tk.Status = *ch.Status
		}
	}
	if ch.ExternalID != nil {
		if utf8.RuneCountInString(*ch.ExternalID) > 255 { // indexed, as a tag is (users.MaxTagLength)
			a.v.Add("external_id", "TooLong", "External ID: is too long (maximum is 255 characters) / 外部IDが長すぎます（255文字まで）")
		}
		tk.ExternalID = *ch.ExternalID
	}
	if ch.DueAt != nil {
		tk.DueAt = *ch.DueAt
	}
	if ch.Recipient != nil {
		tk.Recipient = *ch.Recipient
	}
}

func (a *applier) references(tk *model.Ticket, ch *Change) error {
	if ch.GroupID != nil {
		if id := *ch.GroupID; id != 0 {
			g, err := a.tx.Group(id)
			if errors.Is(err, store.ErrNotFound) || (err == nil && g.Deleted) {
				a.v.Addf("group_id", "InvalidValue", "Group: %d does not exist", id)
			} else if err != nil {
				return err
			}
		}
		tk.GroupID = *ch.GroupID
	}
	if ch.BrandID != nil {
		if _, err := a.tx.Brand(*ch.BrandID); errors.Is(err, store.ErrNotFound) {
			a.v.Addf("brand_id", "InvalidValue", "Brand: %d does not exist", *ch.BrandID)
		} else if err != nil {
			return err
		}
		tk.BrandID = *ch.BrandID
	} else if tk.BrandID == 0 {
		if b, err := a.tx.DefaultBrand(); err == nil {
			tk.BrandID = b.ID
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if ch.InboxID != nil {
		if id := *ch.InboxID; id != 0 {
			if _, err := a.tx.Inbox(id); errors.Is(err, store.ErrNotFound) {
				a.v.Addf("inbox_id", "InvalidValue", "Inbox: %d does not exist / 受信箱 %d は存在しません", id, id)
			} else if err != nil {
				return err
			}
		}
		tk.InboxID = *ch.InboxID
	}
	if ch.ProblemID != nil {
		if id := *ch.ProblemID; id != 0 {
			p, err := a.tx.Ticket(id)
			if errors.Is(err, store.ErrNotFound) || (err == nil && p.Type != "problem") {
				a.v.Addf("problem_id", "InvalidValue", "Problem: %d is not a problem ticket", id)
			} else if err != nil {
				return err
			}
		}
		tk.ProblemID = *ch.ProblemID
	}
	return nil
}

func (a *applier) tags(tk *model.Ticket, ch *Change) {
	var given []string // only tags this change brings: a long tag kept from before is not refused
	if ch.Tags != nil {
		given = users.NormalizeTags(*ch.Tags)
		tk.Tags = given
	}
	if len(ch.AddTags) > 0 {
		given = append(given, users.NormalizeTags(ch.AddTags)...)
		tk.Tags = users.NormalizeTags(append(tk.Tags, ch.AddTags...))
	}
	if users.TooLongTag(given) {
		a.v.Add("tags", "TooLong", "Tags: each tag is at most 255 characters / タグは1つ255文字までです")
	}
	for _, r := range users.NormalizeTags(ch.RemoveTags) {
		tk.Tags = slices.DeleteFunc(tk.Tags, func(t string) bool { return t == r })
	}
	if tk.Tags == nil {
		tk.Tags = []string{}
	}
}

func (a *applier) buildComment(old, tk *model.Ticket, ch *Change) error {
	in := ch.Comment
	public := a.actor.Role != model.RoleLightAgent
	if in.Public != nil {
		public = *in.Public
	}
	if a.actor.Role == model.RoleEndUser {
		public = true // a customer's words are always part of the conversation
	}
	if public && a.actor.Role == model.RoleLightAgent {
		return errs.Forbiddenf("light agents can add internal notes only")
	}
	if public && old != nil && a.actor.ApprovalRequired && !in.Approved {
		return ErrApprovalRequired
	}
	a.byCustomer = a.actor.Role == model.RoleEndUser
	c := &model.Comment{AuthorID: a.actor.ID, Public: public, Via: orDefault(ch.Via, "api"), Metadata: in.Metadata, CreatedAt: a.now}
	if in.AuthorID != 0 && in.AuthorID != a.actor.ID {
		if !a.actor.IsAgent() {
			return errs.Forbiddenf("only agents can write on behalf of another user")
		}
		author, err := a.user(in.AuthorID, "author")
		if err != nil || author == nil {
			return err
		}
		c.AuthorID = in.AuthorID
		a.byCustomer = author.Role == model.RoleEndUser
		if a.byCustomer {
			c.Public = true
		}
	}
	if in.HTMLBody != "" {
		c.HTMLBody = richtext.Sanitize(in.HTMLBody)
		c.Body = richtext.ToPlain(c.HTMLBody)
		if ch.FromChannel && strings.TrimSpace(in.Body) != "" {
			c.Body = strings.TrimRight(strings.ReplaceAll(in.Body, "\r\n", "\n"), " \n\t") // the mail's own plain part
		}
	} else {
		c.Body = strings.TrimRight(strings.ReplaceAll(in.Body, "\r\n", "\n"), " \n\t")
		c.HTMLBody = richtext.FromPlain(c.Body)
	}
	if strings.TrimSpace(c.Body) == "" && len(in.Uploads) == 0 && len(in.Attachments) == 0 {
		a.v.Add("comment", "BlankValue", "Comment: body cannot be blank")
		return nil
	}
	for _, tok := range in.Uploads {
		owner, err := a.tx.UploadOwner(tok)
		if errors.Is(err, store.ErrNotFound) || (err == nil && owner != a.actor.ID && !a.actor.IsAgent()) {
			a.v.Addf("comment", "InvalidValue", "Comment: upload token %q is not valid", tok)
			continue
		} else if err != nil {
			return err
		}
		atts, err := a.tx.UploadAttachments(tok)
		if err != nil {
			return err
		}
		for _, at := range atts {
			c.Attachments = append(c.Attachments, *at)
		}
	}
	c.Attachments = append(c.Attachments, in.Attachments...)
	if old == nil {
		tk.Description = c.Body
		if tk.Subject == "" {
			tk.Subject = firstLine(c.Body, 80)
		}
	} else if old.Description == "" && c.Public {
		// A ticket created without a message (its first one was held for
		// approval) takes its description from its first public comment.
		tk.Description = c.Body
	}
	a.comment = c
	return nil
}

// statusRules enforces the life cycle Zendesk users expect.
func (a *applier) statusRules(old, tk *model.Ticket, ch *Change) {
	explicit := ch.Status != nil
	if old != nil && old.Status != model.StatusNew && tk.Status == model.StatusNew {
		a.v.Add("status", "InvalidValue", "Status: a ticket cannot go back to new")
		return
	}
	// Assigning a new ticket opens it.
	if tk.Status == model.StatusNew && tk.AssigneeID != 0 {
		tk.Status = model.StatusOpen
	}
	// A customer's reply reopens a ticket waiting on them or already solved.
	if old != nil && !explicit && a.comment != nil && a.byCustomer {
		switch tk.Status {
		case model.StatusPending, model.StatusHold, model.StatusSolved:
			tk.Status = model.StatusOpen
		}
	}
	if (tk.Status == model.StatusSolved || tk.Status == model.StatusClosed) && tk.AssigneeID == 0 {
		a.v.Add("assignee_id", "BlankValue", "Assignee: is required when the ticket is solved")
	}
	switch {
	case tk.Status == model.StatusSolved && (old == nil || old.Status != model.StatusSolved):
		tk.SolvedAt = a.now
	case tk.Status != model.StatusSolved && tk.Status != model.StatusClosed:
		tk.SolvedAt = time.Time{}
	}
}

// finish writes the comment and the audit and re-indexes the ticket.
func (a *applier) finish(old, tk *model.Ticket, ch *Change) (*Result, error) {
	audit := &model.Audit{TicketID: tk.ID, AuthorID: a.actor.ID, Via: orDefault(ch.Via, "api"), Metadata: ch.Metadata, CreatedAt: a.now}
	audit.Events = DiffEvents(old, tk)
	if len(audit.Events) == 0 && a.comment == nil {
		// Nothing changed: no audit, no re-index, nothing to tell anyone.
		return &Result{Ticket: tk}, nil
	}
	if err := a.tx.InsertAudit(audit); err != nil {
		return nil, err
	}
	if a.comment != nil {
		a.comment.TicketID, a.comment.AuditID = tk.ID, audit.ID
		if err := a.tx.InsertComment(a.comment); err != nil {
			return nil, err
		}
		audit.Events = append([]model.AuditEvent{{Type: "Comment", CommentID: a.comment.ID}}, audit.Events...)
		if err := a.tx.SetAuditEvents(audit); err != nil {
			return nil, err
		}
	}
	switch {
	case old == nil: // everything the document holds is in hand
		var comments []*model.Comment
		if a.comment != nil {
			comments = append(comments, a.comment)
		}
		if err := a.tx.IndexNewTicket(tk, comments); err != nil {
			return nil, err
		}
	case old.Subject != tk.Subject || a.comment != nil:
		if err := a.tx.IndexTicket(tk.ID); err != nil {
			return nil, err
		}
	}
	if a.followupSource != nil {
		src := a.followupSource
		src.FollowupIDs = append(src.FollowupIDs, tk.ID)
		if err := a.tx.UpdateTicket(src, false); err != nil {
			return nil, err
		}
	}
	res := Result{Ticket: tk, Audit: audit, Comment: a.comment, Old: old, Actor: a.actor, Change: ch, writes: a.tx.TicketWrites()}
	for _, f := range a.s.BeforeCommit {
		if err := f(a.tx, res); err != nil {
			return nil, err
		}
	}
	a.s.notify(a.tx, res, old)
	return &res, nil
}

func firstLine(s string, max int) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	if utf8.RuneCountInString(line) > max {
		r := []rune(line)
		line = string(r[:max]) + "…"
	}
	return line
}

// endUserMayChange allows customers to add comments and copy people in, and
// on create to set a subject and custom fields the form showed them.
func endUserMayChange(ch Change, create bool) error {
	if ch.Status != nil || ch.Priority != nil && !create || ch.Type != nil && !create || ch.AssigneeID != nil || ch.AssigneeEmail != nil ||
		ch.GroupID != nil || ch.OrganizationID != nil || ch.BrandID != nil && !create || ch.Tags != nil || len(ch.AddTags) > 0 ||
		len(ch.RemoveTags) > 0 || ch.ExternalID != nil || ch.DueAt != nil || ch.ProblemID != nil || ch.InboxID != nil ||
		(!create && (ch.Subject != nil || len(ch.CustomFields) > 0)) {
		return errs.Forbiddenf("end users can only add comments to their requests")
	}
	if ch.Comment != nil && ch.Comment.AuthorID != 0 {
		return errs.Forbiddenf("end users cannot write on behalf of others")
	}
	return nil
}

// lightAgentMayChange allows light agents internal notes only.
func lightAgentMayChange(ch Change) error {
	only := Change{Comment: ch.Comment, Via: ch.Via, ViaSource: ch.ViaSource, Metadata: ch.Metadata}
	if !changeEmpty(ch, only) {
		return errs.Forbiddenf("light agents can add internal notes only")
	}
	return nil
}

func onlyTags(ch Change) bool {
	only := Change{Tags: ch.Tags, AddTags: ch.AddTags, RemoveTags: ch.RemoveTags, Via: ch.Via, ViaSource: ch.ViaSource, Metadata: ch.Metadata,
		SafeUpdate: ch.SafeUpdate, UpdatedStamp: ch.UpdatedStamp}
	return changeEmpty(ch, only)
}

// changeEmpty reports whether ch sets nothing beyond what allowed sets.
func changeEmpty(ch, allowed Change) bool {
	return ch.Subject == allowed.Subject && ch.Status == allowed.Status && ch.Priority == allowed.Priority &&
		ch.Type == allowed.Type && ch.ExternalID == allowed.ExternalID && ch.RequesterID == allowed.RequesterID &&
		ch.Requester == allowed.Requester && ch.SubmitterID == allowed.SubmitterID && ch.AssigneeID == allowed.AssigneeID &&
		ch.AssigneeEmail == allowed.AssigneeEmail && ch.GroupID == allowed.GroupID && ch.OrganizationID == allowed.OrganizationID &&
		ch.BrandID == allowed.BrandID && ch.InboxID == allowed.InboxID && ch.DueAt == allowed.DueAt && ch.ProblemID == allowed.ProblemID &&
		ch.Tags == allowed.Tags && len(ch.AddTags) == len(allowed.AddTags) && len(ch.RemoveTags) == len(allowed.RemoveTags) &&
		len(ch.CustomFields) == len(allowed.CustomFields) && ch.Collaborators == allowed.Collaborators &&
		len(ch.AddCollabs) == len(allowed.AddCollabs) && ch.Recipient == allowed.Recipient && ch.Comment == allowed.Comment
}
