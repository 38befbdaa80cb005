package api

import (
	"net/http"

	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// Ticket operations mail work needs: merge (Zendesk's endpoint and body)
// and split (our extension in the same style). Moving a ticket to another
// inbox is a plain ticket update with inbox_id.

func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("POST /api/v2/tickets/{id}/merge", s.mergeTickets)
		s.handle("POST /api/v2/tickets/{id}/split", s.splitTicket)
	})
}

// mergeTickets merges the tickets in "ids" into the ticket in the path and
// answers with a completed job_status, as Zendesk does; a merge that cannot
// happen at all (a closed ticket, an unknown id) is refused up front.
func (s *Server) mergeTickets(w http.ResponseWriter, r *http.Request) error {
	if err := requireAgent(r); err != nil {
		return err
	}
	target, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		IDs                   []optInt `json:"ids"`
		TargetComment         *string  `json:"target_comment"`
		SourceComment         *string  `json:"source_comment"`
		TargetCommentIsPublic *bool    `json:"target_comment_is_public"`
		SourceCommentIsPublic *bool    `json:"source_comment_is_public"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if len(in.IDs) > tickets.MaxMergeSources {
		return badRequest("TooManyValues", "At most 100 ids per merge. / 一度に統合できるのは 100 件までです。")
	}
	ids := make([]int64, 0, len(in.IDs))
	for _, id := range in.IDs {
		if id.V <= 0 {
			return badRequest("InvalidValue", "ids must be a list of ticket ids. / ids にはチケット ID の配列を指定してください。")
		}
		ids = append(ids, id.V)
	}
	opts := tickets.MergeOptions{
		TargetComment: deref(in.TargetComment), SourceComment: deref(in.SourceComment),
		TargetPublic: in.TargetCommentIsPublic != nil && *in.TargetCommentIsPublic,
		SourcePublic: in.SourceCommentIsPublic != nil && *in.SourceCommentIsPublic,
	}
	res, err := s.Tickets.Merge(r.Context(), currentUser(r), target, ids, opts)
	if err != nil {
		return err
	}
	results := make([]map[string]any, len(res.Sources))
	for i, src := range res.Sources {
		results[i] = map[string]any{"index": i, "id": src.ID, "target_id": res.Target.ID, "status": "Merged", "success": true}
	}
	return s.finishJob(w, r, results)
}

// splitTicket moves the comments in "comment_ids" into a new ticket and
// answers 201 with it.
func (s *Server) splitTicket(w http.ResponseWriter, r *http.Request) error {
	if err := requireAgent(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		CommentIDs []optInt `json:"comment_ids"`
		Subject    *string  `json:"subject"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if len(in.CommentIDs) > 1000 {
		return badRequest("TooManyValues", "At most 1000 comment_ids per split. / 一度に移動できるコメントは 1000 件までです。")
	}
	ids := make([]int64, 0, len(in.CommentIDs))
	for _, c := range in.CommentIDs {
		if c.V <= 0 {
			return badRequest("InvalidValue", "comment_ids must be a list of comment ids. / comment_ids にはコメント ID の配列を指定してください。")
		}
		ids = append(ids, c.V)
	}
	res, err := s.Tickets.Split(r.Context(), currentUser(r), id, ids, tickets.SplitOptions{Subject: deref(in.Subject)})
	if err != nil {
		return err
	}
	w.Header().Set("Location", presentTicket(baseURL(r), res.Ticket, nil).URL)
	return s.writeTicket(w, r, http.StatusCreated, res.Ticket, nil, nil)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
