package csat_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/csat"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestEffectiveSetting: the inbox's own setting wins over its brand's,
// which wins over the account's; with none saved, surveys are on after a day.
func TestEffectiveSetting(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		get := func(brand, inbox int64) csat.Setting {
			var s csat.Setting
			if err := db.Read(ctx, func(tx *store.Tx) error {
				var err error
				s, err = csat.Effective(tx, brand, inbox)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return s
		}
		if s := get(1, 1); !s.Enabled || s.DelayMinutes != 1440 || s.Scope != "account" {
			t.Errorf("default: %+v", s)
		}
		now := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
		rows := []store.SatisfactionSetting{
			{Scope: "account", Enabled: true, DelayMinutes: 120, UpdatedAt: now},
			{Scope: "brand", ScopeID: 2, Enabled: false, DelayMinutes: 120, UpdatedAt: now},
			{Scope: "inbox", ScopeID: 7, Enabled: true, DelayMinutes: 5, UpdatedAt: now},
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			for i := range rows {
				if err := tx.UpsertSatisfactionSetting(&rows[i]); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			brand, inbox int64
			enabled      bool
			delay        int
		}{
			{1, 1, true, 120},  // account
			{2, 1, false, 120}, // brand 2 is off
			{2, 7, true, 5},    // but inbox 7 asks for surveys after 5 minutes
			{1, 7, true, 5},
			{0, 0, true, 120},
		} {
			if s := get(c.brand, c.inbox); s.Enabled != c.enabled || s.DelayMinutes != c.delay {
				t.Errorf("brand %d inbox %d: %+v, want enabled %v delay %d", c.brand, c.inbox, s, c.enabled, c.delay)
			}
		}
	})
}

// TestSurveyMailLanguage: both languages, the requester's first.
func TestSurveyMailLanguage(t *testing.T) {
	tk := &model.Ticket{ID: 42, Subject: "ﾛｸﾞｲﾝできません <重要>"}
	for _, c := range []struct {
		locale, first, subject string
	}{
		{"ja", "様", "今回の対応はいかがでしたか？ / How did we do?"},
		{"", "様", "今回の対応はいかがでしたか？"},
		{"en-US", "Dear", "How did we do? / 今回の対応はいかがでしたか？"},
	} {
		m, err := csat.SurveyMail(tk, &model.User{Name: "髙橋 ㈱", Locale: c.locale}, "https://desk.example.jp/csat/tok")
		if err != nil {
			t.Fatal(err)
		}
		ja, en := strings.Index(m.Body, "様"), strings.Index(m.Body, "Dear")
		if ja < 0 || en < 0 || (c.first == "様") != (ja < en) || !strings.HasPrefix(m.Subject, strings.Split(c.subject, " / ")[0]) {
			t.Errorf("locale %q: subject %q body\n%s", c.locale, m.Subject, m.Body)
		}
		if !strings.Contains(m.Body, "https://desk.example.jp/csat/tok?score=good&lang=ja") || !strings.Contains(m.Body, "?score=bad&lang=en") {
			t.Errorf("locale %q: links missing\n%s", c.locale, m.Body)
		}
		if !strings.Contains(m.HTML, "&lt;重要&gt;") || strings.Contains(m.HTML, "<重要>") {
			t.Errorf("locale %q: the HTML part does not escape the subject\n%s", c.locale, m.HTML)
		}
	}
}
