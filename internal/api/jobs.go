package api

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/kizuna-desk/kizuna/internal/auth"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// Bulk endpoints (create_many, update_many, destroy_many) answer with a
// Zendesk job_status. We run the job before answering, so the status is
// already "completed" and clients that poll job_statuses get the same
// result; each item is its own transaction, as each would be in Zendesk.

type jobStatus struct {
	ID       string           `json:"id"`
	URL      string           `json:"url"`
	Total    int              `json:"total"`
	Progress int              `json:"progress"`
	Status   string           `json:"status"`
	Message  string           `json:"message"`
	Results  []map[string]any `json:"results"`
	owner    int64
	created  time.Time
}

type jobRegistry struct {
	mu   sync.Mutex
	jobs map[string]*jobStatus
}

var jobs = &jobRegistry{jobs: map[string]*jobStatus{}}

// keep holds a finished job for an hour so clients can poll it.
func (j *jobRegistry) keep(js *jobStatus) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for id, old := range j.jobs {
		if time.Since(old.created) > time.Hour {
			delete(j.jobs, id)
		}
	}
	j.jobs[js.ID] = js
}

func (j *jobRegistry) get(id string) *jobStatus {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.jobs[id]
}

func (s *Server) finishJob(w http.ResponseWriter, r *http.Request, results []map[string]any) error {
	id := auth.NewSecret()[:20]
	failed := 0
	for _, res := range results {
		if ok, _ := res["success"].(bool); !ok {
			failed++
		}
	}
	js := &jobStatus{ID: id, URL: fmt.Sprintf("%s/api/v2/job_statuses/%s.json", baseURL(r), id), Total: len(results),
		Progress: len(results), Status: "completed", Message: fmt.Sprintf("Completed at %s", isoTime(s.Now())),
		Results: results, owner: currentUser(r).ID, created: time.Now()}
	if failed > 0 {
		js.Message = fmt.Sprintf("Completed with %d failed of %d", failed, len(results))
	}
	jobs.keep(js)
	writeJSON(w, http.StatusOK, map[string]any{"job_status": js})
	return nil
}

func (s *Server) showJobStatus(w http.ResponseWriter, r *http.Request) error {
	js := jobs.get(r.PathValue("id"))
	if js == nil || js.owner != currentUser(r).ID {
		return store.ErrNotFound
	}
	writeJSON(w, http.StatusOK, map[string]any{"job_status": js})
	return nil
}

func (s *Server) createManyTickets(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	var in struct {
		Tickets []ticketIn `json:"tickets"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if len(in.Tickets) == 0 || len(in.Tickets) > 100 {
		return badRequest("InvalidValue", "tickets must hold 1 to 100 tickets.")
	}
	results := make([]map[string]any, 0, len(in.Tickets))
	for i := range in.Tickets {
		ch, err := in.Tickets[i].change(true)
		if err == nil {
			var res *tickets.Result
			res, err = s.Tickets.Create(r.Context(), currentUser(r), ch)
			if err == nil {
				out := map[string]any{"index": i, "id": res.Ticket.ID, "status": "Created", "success": true}
				if res.HeldDraftID != 0 {
					out["draft_id"] = res.HeldDraftID // the first message waits for approval
				}
				results = append(results, out)
				continue
			}
		}
		results = append(results, jobError(i, 0, err))
	}
	return s.finishJob(w, r, results)
}

func (s *Server) updateManyTickets(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	var in struct {
		Ticket  *ticketIn  `json:"ticket"`
		Tickets []ticketIn `json:"tickets"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	type item struct {
		id int64
		in *ticketIn
	}
	var items []item
	if in.Ticket != nil {
		ids, err := idList(r.URL.Query().Get("ids"))
		if err != nil {
			return err
		}
		for _, id := range ids {
			items = append(items, item{id, in.Ticket})
		}
	} else {
		if len(in.Tickets) == 0 || len(in.Tickets) > 100 {
			return badRequest("InvalidValue", `Send {"ticket": {...}} with ?ids=, or {"tickets": [{"id": …}, …]} with 1 to 100 tickets.`)
		}
		for i := range in.Tickets {
			items = append(items, item{in.Tickets[i].ID.V, &in.Tickets[i]})
		}
	}
	results := make([]map[string]any, 0, len(items))
	for i, it := range items {
		ch, err := it.in.change(false)
		if err == nil {
			_, err = s.Tickets.Update(r.Context(), currentUser(r), it.id, ch)
		}
		if err != nil {
			results = append(results, jobError(i, it.id, err))
			continue
		}
		results = append(results, map[string]any{"index": i, "id": it.id, "status": "Updated", "success": true})
	}
	return s.finishJob(w, r, results)
}

func (s *Server) destroyManyTickets(w http.ResponseWriter, r *http.Request) error {
	ids, err := idList(r.URL.Query().Get("ids"))
	if err != nil {
		return err
	}
	results := make([]map[string]any, 0, len(ids))
	for i, id := range ids {
		if err := s.Tickets.Delete(r.Context(), currentUser(r), id); err != nil {
			results = append(results, jobError(i, id, err))
			continue
		}
		results = append(results, map[string]any{"index": i, "id": id, "status": "Deleted", "success": true})
	}
	return s.finishJob(w, r, results)
}

// errorIndexEntry describes one failed item of a bulk job.
func jobError(index int, id int64, err error) map[string]any {
	e := map[string]any{"index": index, "success": false, "error": "InvalidValue", "details": err.Error()}
	if id != 0 {
		e["id"] = id
	}
	var inv *errs.Invalid
	switch {
	case errors.As(err, &inv):
		e["error"] = "RecordInvalid"
	case errors.Is(err, store.ErrNotFound):
		e["error"] = "TicketNotFound"
	case errors.Is(err, errs.ErrForbidden):
		e["error"] = "PermissionDenied"
	}
	return e
}
