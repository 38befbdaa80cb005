package api

import (
	"net/http"
	"slices"

	"github.com/kizuna-desk/kizuna/internal/store"
)

// destroyMany is the body of Zendesk's DELETE …/destroy_many?ids=1,2,3 for
// rule-like resources: the ids (1 to 100, each once) are deleted in one
// transaction by del, so either all go or none does.
func (s *Server) destroyMany(w http.ResponseWriter, r *http.Request, del func(tx *store.Tx, id int64) error) error {
	ids, err := idList(r.URL.Query().Get("ids"))
	if err != nil {
		return err
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		for _, id := range ids {
			if err := del(tx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
