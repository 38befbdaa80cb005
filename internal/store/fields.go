package store

import (
	"slices"

	"github.com/kizuna-desk/kizuna/internal/model"
)

const fieldCols = "id, type, title, description, position, active, required, options, regexp, tag, created_at, updated_at"

func scanField(sc scanner) (*model.TicketField, error) {
	var (
		f                model.TicketField
		options          string
		created, updated int64
	)
	err := sc.Scan(&f.ID, &f.Type, &f.Title, &f.Description, &f.Position, &f.Active, &f.Required, &options, &f.Regexp, &f.Tag, &created, &updated)
	f.Options = fromJSON[[]model.FieldOption](options)
	f.CreatedAt, f.UpdatedAt = fromMS(created), fromMS(updated)
	return &f, err
}

func fieldArgs(f *model.TicketField) []any {
	return []any{f.Type, f.Title, f.Description, f.Position, f.Active, f.Required, jsonText(orEmpty(f.Options)), f.Regexp, f.Tag, ms(f.CreatedAt), ms(f.UpdatedAt)}
}

// InsertTicketField stores a custom field definition.
func (t *Tx) InsertTicketField(f *model.TicketField) error {
	id, err := t.insert("INSERT INTO ticket_fields (type, title, description, position, active, required, options, regexp, tag, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", fieldArgs(f)...)
	f.ID = id
	return err
}

// UpdateTicketField rewrites a custom field definition.
func (t *Tx) UpdateTicketField(f *model.TicketField) error {
	return t.affectOne("UPDATE ticket_fields SET type = ?, title = ?, description = ?, position = ?, active = ?, required = ?, options = ?, regexp = ?, tag = ?, created_at = ?, updated_at = ? WHERE id = ?",
		append(fieldArgs(f), f.ID)...)
}

// DeleteTicketField removes a definition; values already on tickets stay in
// their JSON and are no longer shown.
func (t *Tx) DeleteTicketField(id int64) error {
	return t.affectOne("DELETE FROM ticket_fields WHERE id = ?", id)
}

// TicketField returns one definition.
func (t *Tx) TicketField(id int64) (*model.TicketField, error) {
	f, err := scanField(t.queryRow("SELECT "+fieldCols+" FROM ticket_fields WHERE id = ?", id))
	return f, t.wrap(err)
}

// TicketFields lists definitions by position.
// Every ticket shown or written needs them: they come from the
// configuration cache, each caller getting its own copy.
func (t *Tx) TicketFields() ([]*model.TicketField, error) {
	v, err := t.ConfigCached("ticket_fields", func() (any, error) {
		return queryAll(t, scanField, "SELECT "+fieldCols+" FROM ticket_fields ORDER BY position, id")
	})
	if err != nil {
		return nil, err
	}
	cached := v.([]*model.TicketField)
	out := make([]*model.TicketField, len(cached))
	for i, f := range cached {
		c := *f
		c.Options = slices.Clone(f.Options)
		out[i] = &c
	}
	return out, nil
}
