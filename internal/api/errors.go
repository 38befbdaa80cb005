package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// errorBody is Zendesk's error envelope.
type errorBody struct {
	Error       string                   `json:"error"`
	Description string                   `json:"description,omitempty"`
	Details     map[string][]errs.Detail `json:"details,omitempty"`
}

// apiError is an error with its HTTP status and Zendesk error word.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(code, msg string) error {
	return &apiError{status: http.StatusBadRequest, code: code, msg: msg}
}

var errUnauthenticated = &apiError{status: http.StatusUnauthorized, code: "Couldn't authenticate you"}

func notFound() error { return store.ErrNotFound }

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		ae  *apiError
		inv *errs.Invalid
	)
	switch {
	case errors.As(err, &ae):
		writeJSON(w, ae.status, errorBody{Error: ae.code, Description: ae.msg})
	case errors.As(err, &inv):
		writeJSON(w, http.StatusUnprocessableEntity, errorBody{Error: "RecordInvalid", Description: "Record validation errors", Details: inv.Details})
	case errors.Is(err, store.ErrNotFound):
		writeJSON(w, http.StatusNotFound, errorBody{Error: "RecordNotFound", Description: "Not found"})
	case errors.Is(err, errs.ErrForbidden):
		writeJSON(w, http.StatusForbidden, errorBody{Error: "Forbidden", Description: err.Error()})
	case errors.Is(err, store.ErrConflict):
		writeJSON(w, http.StatusConflict, errorBody{Error: "UpdateConflict", Description: "The record was changed by someone else, or a unique value is already taken; reload and try again."})
	case errors.Is(err, r.Context().Err()) && r.Context().Err() != nil:
		// the client went away; nothing useful to write
	default:
		s.Log.Error("API request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: "InternalError", Description: "Something went wrong on our side; it has been logged. / サーバー内部でエラーが発生しました。"})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
