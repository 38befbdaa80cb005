package tickets

import (
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Change is a requested create or update. A nil pointer leaves the field as
// it is; the API fills it from Zendesk's ticket JSON.
type Change struct {
	Subject        *string
	Status         *string
	Priority       *string // "" clears
	Type           *string // "" clears
	ExternalID     *string
	RequesterID    *int64
	Requester      *Person // find or create by email
	SubmitterID    *int64
	AssigneeID     *int64 // 0 unassigns
	AssigneeEmail  *string
	GroupID        *int64 // 0 clears
	OrganizationID *int64
	BrandID        *int64
	InboxID        *int64
	DueAt          *time.Time // zero clears
	ProblemID      *int64
	Tags           *[]string // replaces all tags
	AddTags        []string
	RemoveTags     []string
	CustomFields   []model.FieldValue // set only these fields
	Collaborators  *[]Person          // replaces; by id or email
	AddCollabs     []Person
	Recipient      *string
	Comment        *CommentInput
	Via            string // channel of a new ticket or comment; default api
	ViaSource      map[string]any
	FollowupOf     int64 // new ticket follows up this closed one
	Metadata       map[string]any

	// FromChannel is set only by channel code (mail), never from API input:
	// the actor is the customer who wrote, yet the channel may route the
	// ticket (inbox, group, brand) and add the customer to a thread they
	// were copied on, which the channel has already verified.
	FromChannel bool

	// RuleSource names the rule that asked for this change ("trigger:12",
	// "automation:3", "assignment"); empty for people and channels. Hooks
	// use it so a rule's own write never runs the rules again.
	RuleSource string

	// SafeUpdate rejects the update with errs.ErrConflict when the ticket
	// changed after UpdatedStamp (Zendesk's safe_update).
	SafeUpdate   bool
	UpdatedStamp time.Time

	// Import keeps timestamps and status as given (Zendesk import).
	CreatedAt time.Time
}

// Person names a user by id or by email (with a name for new users).
type Person struct {
	ID     int64
	Name   string
	Email  string
	Phone  string // without an email: the customer with this number, or a new one
	Locale string
}

// CommentInput is a reply or note added with a change.
type CommentInput struct {
	Body     string
	HTMLBody string
	Public   *bool // default: public, except for light agents
	AuthorID int64
	Uploads  []string // upload tokens
	// Attachments already stored (mail): claimed by the comment as they are.
	Attachments []model.Attachment
	Metadata    map[string]any
	// Approved is set only by internal/approvals when the author sends a
	// draft an approver approved: a user with approval_required may then
	// post it publicly. Never set from API or form input.
	Approved bool
}

// ErrApprovalRequired: the actor must submit public replies for approval
// (users.approval_required; see internal/approvals).
var ErrApprovalRequired = errs.Forbiddenf("your public replies need approval: submit the draft for approval instead / 公開返信は承認が必要です。「承認を依頼」から送ってください")

// Result is what a write produced.
type Result struct {
	Ticket  *model.Ticket
	Audit   *model.Audit
	Comment *model.Comment
	// Old is the ticket before an update (nil on create); Actor who wrote;
	// Change what was asked. Hooks (triggers, SLA, assignment) read them.
	Old    *model.Ticket
	Actor  *model.User
	Change *Change
	// HeldDraftID: the created ticket's first message was held for
	// approval as this draft (Service.HoldFirstComment); 0 otherwise.
	HeldDraftID int64
	// Fields are the ticket field definitions the write saw (Create only):
	// presenting the new ticket then needs no read after the commit.
	Fields []*model.TicketField
	// writes is the transaction's TicketWrites once this write was done
	// (0: unknown); see Unchanged.
	writes int
}

// Unchanged reports whether, in tx, no ticket or audit has been written
// since r's own write (hooks run in a row, and an earlier one may have
// updated the ticket again through a nested write), so that r.Ticket and
// r.Audit are what reading them back would return.
func (r Result) Unchanged(tx *store.Tx) bool {
	return r.writes != 0 && tx.TicketWrites() == r.writes
}

// Fresh reports whether r created its ticket and nothing has been written
// since: what the ticket owns in other tables (its clock, SLA targets,
// metrics row) cannot exist yet, and r.Audit is its whole trail.
func (r Result) Fresh(tx *store.Tx) bool {
	return r.Old == nil && r.Unchanged(tx)
}

// Current returns the ticket as it now is in tx: a copy of r.Ticket when
// nothing has been written since r (Unchanged), else the ticket read back.
func (r Result) Current(tx *store.Tx) (*model.Ticket, error) {
	if r.Unchanged(tx) {
		cp := *r.Ticket
		return &cp, nil
	}
	return tx.Ticket(r.Ticket.ID)
}
