package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/store"
)

// decode reads a JSON body into v. Bodies over the limit, invalid UTF-8,
// malformed JSON and values of the wrong type are 4xx errors naming the
// problem; unknown fields are ignored, as Zendesk does.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.Config.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &apiError{status: http.StatusRequestEntityTooLarge, code: "RequestTooLarge",
				msg: fmt.Sprintf("The request body is larger than %d bytes. / リクエストが大きすぎます。", s.Config.MaxBodyBytes)}
		}
		return badRequest("InvalidRequest", "Could not read the request body.")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("InvalidJSON", "The request body is empty; send a JSON object. / リクエスト本文が空です。")
	}
	if !utf8.Valid(body) {
		return badRequest("InvalidJSON", "The request body is not valid UTF-8. / リクエスト本文が UTF-8 ではありません。")
	}
	if jsonEscapedNUL(body) {
		return badRequest("InvalidValue", "The request body holds a NUL character (\\u0000), which no text field can store. / リクエスト本文に NUL 文字（\\u0000）が含まれています。")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			return badRequest("InvalidValue", fmt.Sprintf("%s: expected %s, got a JSON %s.", te.Field, jsonKind(te.Type.String()), te.Value))
		case errors.As(err, &se):
			return badRequest("InvalidJSON", fmt.Sprintf("Malformed JSON at byte %d: %v. / JSON の形式が正しくありません。", se.Offset, se))
		default:
			return badRequest("InvalidJSON", "Malformed JSON: "+err.Error())
		}
	}
	if dec.More() {
		return badRequest("InvalidJSON", "Unexpected data after the JSON object.")
	}
	return nil
}

func jsonKind(goType string) string {
	switch {
	case strings.Contains(goType, "int"), strings.Contains(goType, "float"), strings.Contains(goType, "optInt"):
		return "a number"
	case strings.Contains(goType, "bool"):
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.Contains(goType, "string"), strings.Contains(goType, "optString"):
		return "a string"
	}
	return "an object"
}

// optInt is a JSON id that may be absent, null (clear) or a number; numeric
// strings are accepted too, as many scripts send ids as strings.
type optInt struct {
	Set bool
	V   int64 // 0 when null
}

func (o *optInt) UnmarshalJSON(b []byte) error {
	o.Set = true
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		o.V = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return &json.UnmarshalTypeError{Value: "value " + string(b), Type: typeOfOptInt}
	}
	o.V = n
	return nil
}

func (o optInt) ptr() *int64 {
	if !o.Set {
		return nil
	}
	v := o.V
	return &v
}

// optString is a JSON string that may be absent or null (clear).
type optString struct {
	Set bool
	V   string
}

func (o *optString) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.V = ""
		return nil
	}
	if err := json.Unmarshal(b, &o.V); err != nil {
		return &json.UnmarshalTypeError{Value: "value " + string(b), Type: typeOfOptString}
	}
	return nil
}

func (o optString) ptr() *string {
	if !o.Set {
		return nil
	}
	v := o.V
	return &v
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, store.ErrNotFound
	}
	return id, nil
}

// idList parses "1,2,3" (Zendesk's ids= parameter), at most 100 ids.
func idList(s string) ([]int64, error) {
	var out []int64
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 {
			return nil, badRequest("InvalidValue", "ids must be a comma-separated list of ticket ids.")
		}
		out = append(out, id)
	}
	if len(out) == 0 {
		return nil, badRequest("InvalidValue", "ids is required, e.g. ids=1,2,3.")
	}
	if len(out) > 100 {
		return nil, badRequest("TooManyValues", "At most 100 ids per request.")
	}
	return out, nil
}
