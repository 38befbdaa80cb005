// Package model holds the plain data types shared by the store, the domain
// packages and the API. It has no behaviour beyond small helpers, so every
// other package can import it without cycles.
package model

import "time"

// Roles. Light agents are agents of another department: they read tickets and
// add internal notes but never reply publicly.
const (
	RoleAdmin      = "admin"
	RoleAgent      = "agent"
	RoleLightAgent = "light-agent"
	RoleEndUser    = "end-user"
)

// ValidRole reports whether r is one of the four roles.
func ValidRole(r string) bool {
	switch r {
	case RoleAdmin, RoleAgent, RoleLightAgent, RoleEndUser:
		return true
	}
	return false
}

// Ticket statuses in their life-cycle order.
const (
	StatusNew     = "new"
	StatusOpen    = "open"
	StatusPending = "pending"
	StatusHold    = "hold"
	StatusSolved  = "solved"
	StatusClosed  = "closed"
)

// Statuses lists every status in life-cycle order; comparisons such as
// status<solved use this order.
var Statuses = []string{StatusNew, StatusOpen, StatusPending, StatusHold, StatusSolved, StatusClosed}

// Priorities lists every priority in increasing urgency.
var Priorities = []string{"low", "normal", "high", "urgent"}

// TicketTypes are Zendesk's ticket types.
var TicketTypes = []string{"question", "incident", "problem", "task"}

// Channels a ticket or comment can arrive through ("via").
var Channels = []string{"web", "email", "chat", "voice", "api", "mobile", "sms", "side_conversation", "rule"}

// Brand is one service of the company with its own addresses and help center.
type Brand struct {
	ID          int64
	Name        string
	Subdomain   string
	HostMapping string
	Active      bool
	Default     bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Group is a team of agents.
type Group struct {
	ID          int64
	Name        string
	Description string
	Default     bool
	Deleted     bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// GroupMembership puts an agent in a group.
type GroupMembership struct {
	ID        int64
	UserID    int64
	GroupID   int64
	Default   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Organization is a customer company; users whose email domain is in
// DomainNames join it automatically.
type Organization struct {
	ID            int64
	Name          string
	ExternalID    string
	Details       string
	Notes         string
	GroupID       int64
	SharedTickets bool
	SharedComment bool
	DomainNames   []string
	Tags          []string
	Fields        map[string]any
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// User is anyone who signs in or writes in: staff and customers alike.
type User struct {
	ID             int64
	Name           string
	Email          string // primary email, lower-cased; "" if none
	Role           string
	Locale         string
	TimeZone       string
	Phone          string
	ExternalID     string
	OrganizationID int64
	DefaultGroupID int64
	Alias          string
	Signature      string
	Details        string
	Notes          string
	Tags           []string
	Fields         map[string]any
	Active         bool
	Suspended      bool
	Verified       bool
	PasswordHash   string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	LastLoginAt    time.Time
	// ApprovalRequired: a trainee whose public replies need an approver
	// (internal/approvals); they may still add internal notes.
	ApprovalRequired bool
}

// IsStaff reports whether the user works in the desk (any non-customer role).
func (u *User) IsStaff() bool { return u.Role != RoleEndUser && u.Role != "" }

// IsAgent reports whether the user may reply publicly and edit tickets.
func (u *User) IsAgent() bool { return u.Role == RoleAgent || u.Role == RoleAdmin }

// Identity is one way to recognise a user: an email, a phone number, an
// external id from another system.
type Identity struct {
	ID        int64
	UserID    int64
	Type      string // email, phone_number, external_id, …
	Value     string
	Primary   bool
	Verified  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// FieldValue is one custom field's value on a ticket. Value is nil, a string,
// a bool or a []string, the shapes Zendesk returns.
type FieldValue struct {
	ID    int64 `json:"id"`
	Value any   `json:"value"`
}

// Ticket is one inquiry.
type Ticket struct {
	ID                  int64
	ExternalID          string
	Subject             string
	Description         string
	Status              string
	Priority            string
	Type                string
	RequesterID         int64
	SubmitterID         int64
	AssigneeID          int64
	GroupID             int64
	OrganizationID      int64
	BrandID             int64
	InboxID             int64
	Via                 string
	ViaSource           map[string]any
	Recipient           string
	Tags                []string
	CustomFields        []FieldValue
	CollaboratorIDs     []int64
	FollowupIDs         []int64
	ViaFollowupSourceID int64
	ProblemID           int64
	IsPublic            bool
	DueAt               time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
	SolvedAt            time.Time
	DeletedAt           time.Time
}

// Comment is a public reply or an internal note on a ticket.
type Comment struct {
	ID          int64
	TicketID    int64
	AuditID     int64
	AuthorID    int64
	Public      bool
	Body        string // plain text
	HTMLBody    string // sanitized HTML
	Via         string
	Metadata    map[string]any
	Attachments []Attachment
	CreatedAt   time.Time
}

// Attachment is a file stored once by content hash under the data dir.
type Attachment struct {
	ID          int64
	CommentID   int64
	UploadToken string
	FileName    string
	ContentType string
	Size        int64
	SHA256      string
	Inline      bool
	CreatedAt   time.Time
}

// Audit is one append-only record of a change to a ticket.
type Audit struct {
	ID        int64
	TicketID  int64
	AuthorID  int64
	Via       string
	Metadata  map[string]any
	Events    []AuditEvent
	CreatedAt time.Time
}

// AuditEvent is one field change, comment or notification inside an audit,
// in Zendesk's event shape.
type AuditEvent struct {
	ID            int64  `json:"id"`
	Type          string `json:"type"` // Create, Change, Comment, Notification, …
	FieldName     string `json:"field_name,omitempty"`
	Value         any    `json:"value,omitempty"`
	PreviousValue any    `json:"previous_value,omitempty"`
	CommentID     int64  `json:"comment_id,omitempty"`
	Reason        string `json:"reason,omitempty"`
}

// TicketField is a custom field definition.
type TicketField struct {
	ID          int64
	Type        string // text, textarea, integer, decimal, date, checkbox, tagger (dropdown), multiselect, regexp
	Title       string
	Description string
	Position    int
	Active      bool
	Required    bool
	Options     []FieldOption
	Regexp      string
	Tag         string // checkbox: tag added when checked
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// FieldOption is one choice of a dropdown or multi-select field.
type FieldOption struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// APIToken is a user's API token; only its hash is stored.
type APIToken struct {
	ID          int64
	UserID      int64
	Description string
	CreatedAt   time.Time
}
