package store

import "time"

// CustomerLink is a configured link from the customer panel into another
// system; URLTemplate holds {{placeholders}}.
type CustomerLink struct {
	ID          int64
	Name        string
	URLTemplate string
	Position    int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

const customerLinkCols = "id, name, url_template, position, created_at, updated_at"

func scanCustomerLink(sc scanner) (*CustomerLink, error) {
	var (
		l                CustomerLink
		created, updated int64
	)
	err := sc.Scan(&l.ID, &l.Name, &l.URLTemplate, &l.Position, &created, &updated)
	l.CreatedAt, l.UpdatedAt = fromMS(created), fromMS(updated)
	return &l, err
}

// CustomerLinks lists the links in their order.
func (t *Tx) CustomerLinks() ([]*CustomerLink, error) {
	return queryAll(t, scanCustomerLink, "SELECT "+customerLinkCols+" FROM customer_links ORDER BY position, id")
}

// InsertCustomerLink stores a new link and sets its id.
func (t *Tx) InsertCustomerLink(l *CustomerLink) error {
	id, err := t.insert("INSERT INTO customer_links (name, url_template, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
		l.Name, l.URLTemplate, l.Position, ms(l.CreatedAt), ms(l.UpdatedAt))
	l.ID = id
	return err
}

// DeleteCustomerLink removes a link; ErrNotFound when there was none.
func (t *Tx) DeleteCustomerLink(id int64) error {
	res, err := t.exec("DELETE FROM customer_links WHERE id = ?", id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
