// Package users owns the rules for people in the desk: staff and customers,
// their identities and the organization they belong to.
package users

import (
	"errors"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Defaults for new users: our teams are Japanese first.
const (
	DefaultLocale   = "ja"
	DefaultTimeZone = "Asia/Tokyo"
)

// Prepare validates u and fills defaults; it does not write.
func Prepare(tx *store.Tx, u *model.User, now time.Time) error {
	if err := prepare(u, now); err != nil {
		return err
	}
	if u.OrganizationID == 0 && u.Email != "" {
		_, domain, _ := strings.Cut(u.Email, "@")
		if id, err := tx.OrganizationIDByDomain(domain); err == nil {
			u.OrganizationID = id
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}

// prepare is Prepare without the organization domain lookup, which a new
// user's insert makes itself (store.InsertUserJoiningDomain).
func prepare(u *model.User, now time.Time) error {
	v := &errs.Invalid{}
	u.Name = strings.TrimSpace(u.Name)
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	if u.Email != "" {
		if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
			v.Addf("email", "InvalidFormat", "Email: %s is not properly formatted", u.Email)
		}
	}
	if u.Name == "" {
		if local, _, ok := strings.Cut(u.Email, "@"); ok {
			u.Name = local // Zendesk names mail-only users after their address
		} else if u.Phone != "" {
			u.Name = u.Phone
		} else {
			v.Add("name", "BlankValue", "Name: cannot be blank")
		}
	}
	if utf8.RuneCountInString(u.Name) > 255 {
		v.Add("name", "TooLong", "Name: is too long (maximum is 255 characters)")
	}
	if u.Role == "" {
		u.Role = model.RoleEndUser
	}
	if !model.ValidRole(u.Role) {
		v.Addf("role", "InvalidValue", "Role: %q is not one of admin, agent, light-agent, end-user", u.Role)
	}
	if u.Locale == "" {
		u.Locale = DefaultLocale
	}
	if u.TimeZone == "" {
		u.TimeZone = DefaultTimeZone
	} else if _, err := time.LoadLocation(u.TimeZone); err != nil {
		v.Addf("time_zone", "InvalidValue", "Time zone: %q is not a known time zone", u.TimeZone)
	}
	u.Tags = NormalizeTags(u.Tags)
	if u.CreatedAt.IsZero() {
		u.CreatedAt = now
	}
	u.UpdatedAt = now
	return v.OrNil()
}

// Create validates and stores a new user. New users are active.
func Create(tx *store.Tx, u *model.User, now time.Time) error {
	u.Active = true
	if err := prepare(u, now); err != nil {
		return err
	}
	if err := tx.InsertUserJoiningDomain(u); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return duplicateEmail{errs.Invalidf("email", "DuplicateValue", "Email: %s is already being used by another user", u.Email).(*errs.Invalid)}
		}
		return err
	}
	return nil
}

// duplicateEmail is the validation error for an email already taken; it
// also matches errDuplicateEmail so FindOrCreate can tell it apart.
type duplicateEmail struct{ *errs.Invalid }

var errDuplicateEmail = errors.New("duplicate email")

func (d duplicateEmail) Is(target error) bool { return target == errDuplicateEmail }

func (d duplicateEmail) Unwrap() error { return d.Invalid }

// FindOrCreate returns the user with this email, creating an end-user when
// none exists — how a customer's first mail or form post becomes a person.
func FindOrCreate(tx *store.Tx, name, email, locale string, now time.Time) (*model.User, error) {
	return FindOrCreatePerson(tx, Person{Name: name, Email: email, Locale: locale}, now)
}

// Person is how a customer is named where they may not exist yet: a
// ticket's requester given by email, or a caller given by phone number.
type Person struct {
	Name, Email, Phone, Locale string
}

// FindOrCreatePerson returns the user with p's email or, without an email,
// the one customer with p's phone number, creating an end-user (with both
// the email and the phone given) when there is none. Several customers
// sharing the number (a company switchboard) make a new one rather than
// guess.
func FindOrCreatePerson(tx *store.Tx, p Person, now time.Time) (*model.User, error) {
	email := strings.ToLower(strings.TrimSpace(p.Email))
	phone := strings.TrimSpace(p.Phone)
	if email == "" && phone == "" {
		return nil, errs.Invalidf("requester", "BlankValue", "Requester: an email or a phone number is required to identify a new requester / 新しいお客様にはメールアドレスか電話番号が必要です")
	}
	var (
		u   *model.User
		err error
	)
	if email != "" {
		u, err = tx.UserByEmail(email)
	} else {
		// Two first calls from one new number must not both create a
		// customer, and no unique constraint can stop them (a shared
		// switchboard number names several): one transaction at a time
		// looks the number up and creates its customer.
		if err := tx.LockKey("users.phone", phone); err != nil {
			return nil, err
		}
		u, err = tx.EndUserByPhone(phone)
	}
	if err == nil {
		return u, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	u = &model.User{Name: p.Name, Email: email, Phone: phone, Role: model.RoleEndUser, Locale: p.Locale}
	// Two first mails from one new customer can race to create them: the
	// loser's insert fails on the unique email, and the winner's user is
	// there to be read (PostgreSQL needs the savepoint to go on after it).
	// The user's insert is the statement that can clash: its email identity
	// could only clash with another user's secondary address added since
	// the lookup above, and that (queued on PostgreSQL, sent with the
	// write's next batch) fails the write with ErrConflict.
	err = tx.SavepointAnswered(func() error { return Create(tx, u, now) })
	if email != "" && (errors.Is(err, errDuplicateEmail) || errors.Is(err, store.ErrConflict)) {
		if existing, rerr := tx.UserByEmail(email); rerr == nil {
			return existing, nil
		}
	}
	if err != nil {
		var inv *errs.Invalid
		if errors.As(err, &inv) {
			// report the problem against the ticket's requester
			for f, ds := range inv.Details {
				delete(inv.Details, f)
				inv.Details["requester"] = append(inv.Details["requester"], ds...)
			}
		}
		return nil, err
	}
	return u, nil
}

// MaxTagLength bounds a tag, in characters: a ticket is looked up by its
// tags, and PostgreSQL indexes at most about 2.7 KB per entry; 255
// characters of any script stay well under it.
const MaxTagLength = 255

// TooLongTag reports whether one of tags (as NormalizeTags returns them)
// is over MaxTagLength.
func TooLongTag(tags []string) bool {
	return slices.ContainsFunc(tags, func(t string) bool { return utf8.RuneCountInString(t) > MaxTagLength })
}

// NormalizeTags lower-cases ASCII, splits on spaces (tags never contain
// them, as in Zendesk), drops duplicates and keeps the first-seen order.
func NormalizeTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		for _, f := range strings.Fields(t) {
			f = strings.ToLower(f)
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}
