package directory

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// FieldTypes are the custom ticket field types, with Zendesk's names
// ("tagger" is a drop-down).
var FieldTypes = []string{"text", "textarea", "checkbox", "date", "integer", "decimal", "regexp", "tagger", "multiselect"}

// FieldInput is a requested create or update of a ticket field.
type FieldInput struct {
	Type, Title, Description, Regexp, Tag *string
	Position                              *int64
	Active, Required                      *bool
	Options                               *[]model.FieldOption
	// Portal and display settings.
	TitleInPortal, AgentDescription, Key                                    *string
	VisibleInPortal, EditableInPortal, RequiredInPortal, CollapsedForAgents *bool
}

// Field is a definition with its settings.
type Field struct {
	*model.TicketField
	Settings store.FieldSettings
}

// CanSeeField reports whether actor may see a definition: staff see all,
// customers those shown in the portal.
func CanSeeField(actor *model.User, f Field) bool {
	return actor.IsStaff() || (f.Active && f.Settings.VisibleInPortal)
}

// CreateField stores a new ticket field definition.
func CreateField(tx *store.Tx, actor *model.User, in FieldInput, now time.Time) (*Field, error) {
	if err := mayAdminister(actor, "ticket fields"); err != nil {
		return nil, err
	}
	f := &Field{TicketField: &model.TicketField{Active: true, CreatedAt: now, UpdatedAt: now}}
	if in.Position == nil {
		defs, err := tx.TicketFields()
		if err != nil {
			return nil, err
		}
		for _, d := range defs {
			f.Position = max(f.Position, d.Position+1)
		}
	}
	if err := applyField(tx, nil, f, in); err != nil {
		return nil, err
	}
	if err := tx.InsertTicketField(f.TicketField); err != nil {
		return nil, err
	}
	return f, saveSettings(tx, f)
}

// UpdateField changes a definition; its type cannot change, as in Zendesk,
// because values already on tickets were validated against it.
func UpdateField(tx *store.Tx, actor *model.User, id int64, in FieldInput, now time.Time) (*Field, error) {
	if err := mayAdminister(actor, "ticket fields"); err != nil {
		return nil, err
	}
	old, err := GetField(tx, id)
	if err != nil {
		return nil, err
	}
	def := *old.TicketField
	f := &Field{TicketField: &def, Settings: old.Settings}
	if err := applyField(tx, old, f, in); err != nil {
		return nil, err
	}
	f.UpdatedAt = now
	if err := tx.UpdateTicketField(f.TicketField); err != nil {
		return nil, err
	}
	return f, saveSettings(tx, f)
}

// DeleteField removes a definition; values on tickets are no longer shown.
func DeleteField(tx *store.Tx, actor *model.User, id int64) error {
	if err := mayAdminister(actor, "ticket fields"); err != nil {
		return err
	}
	return tx.DeleteTicketField(id)
}

// GetField returns one definition with its settings.
func GetField(tx *store.Tx, id int64) (*Field, error) {
	def, err := tx.TicketField(id)
	if err != nil {
		return nil, err
	}
	settings, err := tx.FieldSettingsByID()
	if err != nil {
		return nil, err
	}
	return &Field{TicketField: def, Settings: settings[id]}, nil
}

// ListFields returns every definition with its settings, by position.
func ListFields(tx *store.Tx) ([]Field, error) {
	defs, err := tx.TicketFields()
	if err != nil {
		return nil, err
	}
	settings, err := tx.FieldSettingsByID()
	if err != nil {
		return nil, err
	}
	out := make([]Field, len(defs))
	for i, d := range defs {
		out[i] = Field{TicketField: d, Settings: settings[d.ID]}
	}
	return out, nil
}

func saveSettings(tx *store.Tx, f *Field) error {
	if err := tx.SaveFieldSettings(f.ID, f.Settings); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return errs.Invalidf("key", "DuplicateValue", "Key: %s has already been taken / このキーは使用中です", f.Settings.Key)
		}
		return err
	}
	return nil
}

var keyRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)

func applyField(tx *store.Tx, old *Field, f *Field, in FieldInput) error {
	v := &errs.Invalid{}
	if in.Type != nil {
		t := strings.ToLower(strings.TrimSpace(*in.Type))
		if t == "dropdown" {
			t = "tagger"
		}
		if old != nil && t != old.Type {
			v.Add("type", "InvalidValue", "Type: cannot be changed; create a new field instead / 種類は変更できません")
		}
		f.Type = t
	}
	for dst, src := range map[*string]*string{&f.Title: in.Title, &f.Description: in.Description, &f.Regexp: in.Regexp,
		&f.Settings.TitleInPortal: in.TitleInPortal, &f.Settings.AgentDescription: in.AgentDescription} {
		if src != nil {
			*dst = *src
		}
	}
	if in.Key != nil {
		f.Settings.Key = strings.TrimSpace(*in.Key)
	}
	if in.Tag != nil {
		f.Tag = strings.ToLower(strings.TrimSpace(*in.Tag))
	}
	if in.Position != nil {
		f.Position = int(*in.Position)
	}
	for dst, src := range map[*bool]*bool{&f.Active: in.Active, &f.Required: in.Required,
		&f.Settings.VisibleInPortal: in.VisibleInPortal, &f.Settings.EditableInPortal: in.EditableInPortal,
		&f.Settings.RequiredInPortal: in.RequiredInPortal, &f.Settings.CollapsedForAgents: in.CollapsedForAgents} {
		if src != nil {
			*dst = *src
		}
	}
	f.Title = strings.TrimSpace(f.Title)
	switch {
	case f.Title == "":
		v.Add("title", "BlankValue", "Title: cannot be blank / タイトルを入力してください")
	case utf8.RuneCountInString(f.Title) > 255:
		v.Add("title", "TooLong", "Title: is too long (maximum is 255 characters) / タイトルが長すぎます")
	}
	if f.Type == "" {
		v.Add("type", "BlankValue", "Type: cannot be blank / 種類を指定してください")
	} else if !slices.Contains(FieldTypes, f.Type) {
		v.Addf("type", "InvalidValue", "Type: %q is not one of %s / 種類が正しくありません", f.Type, strings.Join(FieldTypes, ", "))
	}
	if f.Settings.Key != "" && !keyRE.MatchString(f.Settings.Key) {
		v.Add("key", "InvalidValue", "Key: use letters, digits and _ starting with a letter / キーは英数字と _ で指定してください")
	}
	if strings.ContainsFunc(f.Tag, unicode.IsSpace) {
		v.Add("tag", "InvalidValue", "Tag: cannot contain spaces / タグに空白は使えません")
	}
	if f.Type == "regexp" {
		if f.Regexp == "" {
			v.Add("regexp_for_validation", "BlankValue", "Regexp for validation: cannot be blank for a regexp field / 正規表現を入力してください")
		} else if _, err := regexp.Compile(f.Regexp); err != nil {
			v.Addf("regexp_for_validation", "InvalidValue", "Regexp for validation: %v / 正規表現が正しくありません", err)
		}
	}
	if f.Type == "tagger" || f.Type == "multiselect" {
		if err := applyOptions(tx, old, f, in.Options, v); err != nil {
			return err
		}
	} else {
		f.Options = nil
	}
	return v.OrNil()
}

// applyOptions validates drop-down options and gives new ones ids that are
// unique across all fields. An option keeps its id when it is sent back
// with it, or with the same value.
func applyOptions(tx *store.Tx, old *Field, f *Field, opts *[]model.FieldOption, v *errs.Invalid) error {
	if opts == nil {
		if len(f.Options) == 0 {
			v.Add("custom_field_options", "BlankValue", "Custom field options: a drop-down needs at least one option / 選択肢を1つ以上指定してください")
		}
		return nil
	}
	var prev []model.FieldOption
	if old != nil {
		prev = old.Options
	}
	defs, err := tx.TicketFields()
	if err != nil {
		return err
	}
	var next int64
	for _, d := range defs {
		for _, o := range d.Options {
			next = max(next, o.ID)
		}
	}
	seen := map[string]bool{}
	out := make([]model.FieldOption, 0, len(*opts))
	for i, o := range *opts {
		o.Name, o.Value = strings.TrimSpace(o.Name), strings.TrimSpace(o.Value)
		switch {
		case o.Name == "" || o.Value == "":
			v.Addf("custom_field_options", "BlankValue", "Custom field options: option %d needs a name and a value / 選択肢には名前と値が必要です", i+1)
			continue
		case strings.ContainsFunc(o.Value, unicode.IsSpace):
			v.Addf("custom_field_options", "InvalidValue", "Custom field options: value %q cannot contain spaces (it is used as a tag) / 値に空白は使えません", o.Value)
			continue
		case seen[o.Value]:
			v.Addf("custom_field_options", "DuplicateValue", "Custom field options: value %q is used twice / 値が重複しています", o.Value)
			continue
		}
		seen[o.Value] = true
		keep := int64(0)
		for _, p := range prev {
			if (o.ID != 0 && p.ID == o.ID) || (o.ID == 0 && p.Value == o.Value) {
				keep = p.ID
			}
		}
		if keep == 0 {
			next++
			keep = next
		}
		o.ID = keep
		out = append(out, o)
	}
	if len(out) == 0 && len(*opts) == 0 {
		v.Add("custom_field_options", "BlankValue", "Custom field options: a drop-down needs at least one option / 選択肢を1つ以上指定してください")
	}
	f.Options = out
	return nil
}
