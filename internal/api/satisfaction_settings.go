package api

import (
	"net/http"

	"github.com/kizuna-desk/kizuna/internal/csat"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Survey settings are our extension (Zendesk keeps them in the admin UI):
// one account setting plus optional brand and inbox overrides, each on or
// off with a delay after the solve.

type satisfactionSettingJSON struct {
	Scope        string  `json:"scope"`
	ScopeID      *int64  `json:"scope_id"`
	Enabled      bool    `json:"enabled"`
	DelayMinutes int     `json:"delay_minutes"`
	UpdatedAt    *string `json:"updated_at"`
}

func presentSatisfactionSetting(x csat.Setting) satisfactionSettingJSON {
	return satisfactionSettingJSON{Scope: x.Scope, ScopeID: idPtr(x.ScopeID), Enabled: x.Enabled, DelayMinutes: x.DelayMinutes, UpdatedAt: timePtr(x.UpdatedAt)}
}

func (s *Server) listSatisfactionSettings(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	var list []csat.Setting
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		list, err = csat.Settings(tx)
		return err
	}); err != nil {
		return err
	}
	out := make([]satisfactionSettingJSON, len(list))
	for i, x := range list {
		out[i] = presentSatisfactionSetting(x)
	}
	writeJSON(w, http.StatusOK, map[string]any{"satisfaction_settings": out})
	return nil
}

func (s *Server) saveSatisfactionSetting(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	var in struct {
		Setting *struct {
			Scope        string `json:"scope"`
			ScopeID      int64  `json:"scope_id"`
			Enabled      *bool  `json:"enabled"`
			DelayMinutes *int   `json:"delay_minutes"`
		} `json:"satisfaction_setting"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if in.Setting == nil {
		return errs.Invalidf("satisfaction_setting", "BlankValue", "satisfaction_setting is required / satisfaction_setting を指定してください")
	}
	x := csat.Setting{Scope: in.Setting.Scope, ScopeID: in.Setting.ScopeID, Enabled: true, DelayMinutes: csat.DefaultDelayMinutes}
	if x.Scope == "" {
		x.Scope = csat.ScopeAccount
	}
	err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		// Unset fields keep the value the scope has now; a new override
		// starts from the account's setting.
		cur, err := csat.Settings(tx)
		if err != nil {
			return err
		}
		x.Enabled, x.DelayMinutes = cur[0].Enabled, cur[0].DelayMinutes
		for _, c := range cur {
			if c.Scope == x.Scope && (c.ScopeID == x.ScopeID || x.Scope == csat.ScopeAccount) {
				x.Enabled, x.DelayMinutes = c.Enabled, c.DelayMinutes
			}
		}
		if in.Setting.Enabled != nil {
			x.Enabled = *in.Setting.Enabled
		}
		if in.Setting.DelayMinutes != nil {
			x.DelayMinutes = *in.Setting.DelayMinutes
		}
		x, err = csat.Save(tx, x, s.Now())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"satisfaction_setting": presentSatisfactionSetting(x)})
	return nil
}

func (s *Server) deleteSatisfactionSetting(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	scope := r.PathValue("scope")
	if err := s.Store.Write(r.Context(), func(tx *store.Tx) error { return csat.Remove(tx, scope, id) }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ticketSatisfaction is the ticket JSON's satisfaction_rating: the latest
// survey of each ticket as {id, score, comment, reason, reason_id}, or
// null when the ticket was never surveyed.
func (s *Server) ticketSatisfaction(r *http.Request, list []ticketJSON) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	for i, t := range list {
		ids[i] = t.ID
	}
	var latest map[int64]*store.SatisfactionRating
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		latest, err = tx.LatestSatisfactionRatings(ids)
		return err
	}); err != nil {
		return err
	}
	addRatings(r, list, latest)
	return nil
}

// addRatings puts each ticket's latest rating (from latest, by ticket id)
// on its JSON.
func addRatings(r *http.Request, list []ticketJSON, latest map[int64]*store.SatisfactionRating) {
	viewer := currentUser(r)
	for i := range list {
		x := latest[list[i].ID]
		if x == nil {
			continue
		}
		full := presentRating("", x, viewer)
		list[i].SatisfactionRating = map[string]any{"id": x.ID, "score": x.Score, "comment": full.Comment,
			"reason": full.Reason, "reason_id": full.ReasonID}
	}
}
