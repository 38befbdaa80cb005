package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/auth"
	"github.com/kizuna-desk/kizuna/internal/blob"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("POST /api/v2/uploads", s.upload)
		s.handle("DELETE /api/v2/uploads/{token}", s.deleteUpload)
		s.handle("GET /api/v2/attachments/{id}", s.showAttachment)
		s.handle("GET /api/v2/attachments/{id}/content", s.attachmentContent)
	})
}

// upload stores one file (the raw request body) and adds it to an upload
// token, new or given, that a comment then claims with "uploads": [token].
func (s *Server) upload(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	name := strings.TrimSpace(q.Get("filename"))
	if name == "" || !utf8.ValidString(name) || strings.ContainsAny(name, "/\\\x00") {
		return badRequest("InvalidValue", "filename is required and must be a plain file name, e.g. ?filename=見積書.pdf")
	}
	me := currentUser(r)
	token := q.Get("token")
	ctype := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ctype); err != nil || mt == "application/x-www-form-urlencoded" {
		ctype = mime.TypeByExtension(strings.ToLower(filepath.Ext(name)))
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	sum, size, err := s.Blobs.Put(r.Body, s.Config.MaxUploadBytes)
	if errors.Is(err, blob.ErrTooLarge) {
		return &apiError{status: http.StatusRequestEntityTooLarge, code: "RequestTooLarge",
			msg: fmt.Sprintf("Files may be at most %d MB. / ファイルは %d MB までです。", s.Config.MaxUploadBytes>>20, s.Config.MaxUploadBytes>>20)}
	}
	if err != nil {
		return err
	}
	var atts []*model.Attachment
	att := &model.Attachment{FileName: name, ContentType: ctype, Size: size, SHA256: sum, CreatedAt: s.Now()}
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		if token == "" {
			token = auth.NewSecret()[:24]
			if err := tx.InsertUpload(token, me.ID, s.Now().UnixMilli()); err != nil {
				return err
			}
		} else if owner, err := tx.UploadOwner(token); err != nil || owner != me.ID {
			return badRequest("InvalidValue", "token is not an upload token of yours.")
		}
		att.UploadToken = token
		if err := tx.InsertAttachment(att); err != nil {
			return err
		}
		var err error
		atts, err = tx.UploadAttachments(token)
		return err
	})
	if err != nil {
		return err
	}
	base := baseURL(r)
	list := make([]attachmentJSON, len(atts))
	for i, a := range atts {
		list[i] = presentAttachment(base, a)
	}
	writeJSON(w, http.StatusCreated, map[string]any{"upload": map[string]any{"token": token, "expires_at": isoTime(s.Now().Add(72 * 3600e9)),
		"attachment": presentAttachment(base, att), "attachments": list}})
	return nil
}

func (s *Server) deleteUpload(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		owner, err := tx.UploadOwner(token)
		if err != nil {
			return err
		}
		if owner != currentUser(r).ID {
			return store.ErrNotFound
		}
		return tx.DeleteUpload(token)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// visibleAttachment returns an attachment the user may see: one on a ticket
// they can see, or one they uploaded and not yet used.
func (s *Server) visibleAttachment(r *http.Request) (*model.Attachment, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	me := currentUser(r)
	var att *model.Attachment
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		if att, err = tx.Attachment(id); err != nil {
			return err
		}
		if att.CommentID == 0 {
			owner, err := tx.UploadOwner(att.UploadToken)
			if err != nil || owner != me.ID {
				return draftFileVisible(tx, me, att.ID) // approval drafts' files (approvals.go)
			}
			return nil
		}
		tk, err := tx.TicketOfComment(att.CommentID)
		if err != nil {
			return err
		}
		if !tickets.CanView(me, tk) {
			return store.ErrNotFound
		}
		if !me.IsStaff() {
			public, err := tx.CommentIsPublic(att.CommentID)
			if err != nil || !public {
				return store.ErrNotFound
			}
		}
		return nil
	})
	return att, err
}

func (s *Server) showAttachment(w http.ResponseWriter, r *http.Request) error {
	att, err := s.visibleAttachment(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"attachment": presentAttachment(baseURL(r), att)})
	return nil
}

// attachmentContent serves the bytes; never inline as HTML, so an uploaded
// page cannot run script on our origin.
func (s *Server) attachmentContent(w http.ResponseWriter, r *http.Request) error {
	att, err := s.visibleAttachment(r)
	if err != nil {
		return err
	}
	f, err := s.Blobs.Open(att.SHA256)
	if err != nil {
		return err
	}
	defer f.Close()
	w.Header().Set("Content-Type", att.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": att.FileName}))
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Header().Set("Content-Length", fmt.Sprint(att.Size))
	_, err = io.Copy(w, f)
	return err
}
