package store

import "github.com/kizuna-desk/kizuna/internal/model"

const brandCols = "id, name, subdomain, host_mapping, active, is_default, created_at, updated_at"

func scanBrand(sc scanner) (*model.Brand, error) {
	var (
		b                model.Brand
		created, updated int64
	)
	err := sc.Scan(&b.ID, &b.Name, &b.Subdomain, &b.HostMapping, &b.Active, &b.Default, &created, &updated)
	b.CreatedAt, b.UpdatedAt = fromMS(created), fromMS(updated)
	return &b, err
}

// InsertBrand stores a brand; the first brand becomes the default.
func (t *Tx) InsertBrand(b *model.Brand) error {
	n, err := t.count("SELECT COUNT(*) FROM brands")
	if err != nil {
		return err
	}
	if n == 0 {
		b.Default = true
	}
	id, err := t.insert("INSERT INTO brands (name, subdomain, host_mapping, active, is_default, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		b.Name, b.Subdomain, b.HostMapping, b.Active, b.Default, ms(b.CreatedAt), ms(b.UpdatedAt))
	b.ID = id
	return err
}

// UpdateBrand rewrites a brand.
func (t *Tx) UpdateBrand(b *model.Brand) error {
	return t.affectOne("UPDATE brands SET name = ?, subdomain = ?, host_mapping = ?, active = ?, is_default = ?, updated_at = ? WHERE id = ?",
		b.Name, b.Subdomain, b.HostMapping, b.Active, b.Default, ms(b.UpdatedAt), b.ID)
}

// Brand returns one brand.
func (t *Tx) Brand(id int64) (*model.Brand, error) {
	b, err := scanBrand(t.queryRow("SELECT "+brandCols+" FROM brands WHERE id = ?", id))
	return b, t.wrap(err)
}

// DefaultBrand returns the default brand, ErrNotFound if there is none.
func (t *Tx) DefaultBrand() (*model.Brand, error) {
	v, err := t.ConfigCached("brands.default", func() (any, error) { // every new ticket asks
		b, err := scanBrand(t.queryRow("SELECT "+brandCols+" FROM brands WHERE is_default = ? ORDER BY id LIMIT 1", true))
		return b, t.wrap(err)
	})
	if err != nil {
		return nil, err
	}
	b := *v.(*model.Brand) // the caller's own copy
	return &b, nil
}

// Brands lists all brands.
func (t *Tx) Brands() ([]*model.Brand, error) {
	return queryAll(t, scanBrand, "SELECT "+brandCols+" FROM brands ORDER BY id")
}
