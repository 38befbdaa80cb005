package outbound_test

import (
	"encoding/base64"
	"io"
	"mime/multipart"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
)

func multipartReader(r io.Reader, boundary string) *multipart.Reader {
	return multipart.NewReader(r, boundary)
}

func decodeCTE(t *testing.T, cte string, r io.Reader) []byte {
	t.Helper()
	data, err := io.ReadAll(r)
	must(t, err)
	if strings.EqualFold(cte, "base64") {
		data, err = base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(data)))
		must(t, err)
	}
	return data
}

func decodeCharset(t *testing.T, charset string, data []byte) string {
	t.Helper()
	switch strings.ToLower(charset) {
	case "utf-8":
		return string(data)
	case "iso-2022-jp":
		out, err := japanese.ISO2022JP.NewDecoder().Bytes(data)
		must(t, err)
		return string(out)
	}
	t.Fatalf("unexpected charset %q", charset)
	return ""
}
