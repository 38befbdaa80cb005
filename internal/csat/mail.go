package csat

import (
	"bytes"
	"embed"
	"html/template"
	"strings"
	texttemplate "text/template"

	"github.com/kizuna-desk/kizuna/internal/model"
)

//go:embed templates/*
var templateFS embed.FS

var (
	mailText = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/mail.txt"))
	mailHTML = template.Must(template.ParseFS(templateFS, "templates/mail.html"))
)

// Japanese reports whether a locale reads Japanese (the desk's default).
func Japanese(locale string) bool {
	l := strings.ToLower(locale)
	return l == "" || l == "ja" || strings.HasPrefix(l, "ja-") || strings.HasPrefix(l, "ja_")
}

// Mail is a composed survey mail.
type Mail struct {
	Subject, Body, HTML string
}

type mailData struct {
	Japanese            bool
	Name                string
	TicketID            int64
	Subject             string
	GoodURL, BadURL     string // Japanese page
	GoodURLEn, BadURLEn string // English page
}

// SurveyMail composes the survey for tk's requester: both languages, the
// requester's own first, with good and bad links to the survey page at
// link (which asks to confirm; opening a link stores nothing).
func SurveyMail(tk *model.Ticket, requester *model.User, link string) (*Mail, error) {
	ja := Japanese(requester.Locale)
	d := mailData{Japanese: ja, Name: requester.Name, TicketID: tk.ID, Subject: tk.Subject,
		GoodURL: link + "?score=good&lang=ja", BadURL: link + "?score=bad&lang=ja",
		GoodURLEn: link + "?score=good&lang=en", BadURLEn: link + "?score=bad&lang=en"}
	var text, html bytes.Buffer
	if err := mailText.Execute(&text, d); err != nil {
		return nil, err
	}
	if err := mailHTML.Execute(&html, d); err != nil {
		return nil, err
	}
	subject := "How did we do? / 今回の対応はいかがでしたか？"
	if ja {
		subject = "今回の対応はいかがでしたか？ / How did we do?"
	}
	return &Mail{Subject: subject, Body: text.String(), HTML: html.String()}, nil
}
