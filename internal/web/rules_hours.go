package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/bizhours"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/holidays"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// /settings/business-hours: schedules (weekly opening hours in a time
// zone, Japanese national holidays on or off) and each schedule's own
// holidays, with an import of a year's 国民の祝日 from internal/holidays.
// bizhours.CreateSchedule / UpdateSchedule / CreateHoliday validate.

type hoursListData struct {
	rulesPage
	Schedules []*store.BusinessSchedule
	Zones     []string
	Form      *store.BusinessSchedule // the new-schedule form after an error
}

func (s *Server) hoursList(w http.ResponseWriter, r *http.Request) error {
	return s.showHoursList(w, r, &store.BusinessSchedule{TimeZone: "Asia/Tokyo", NationalHolidays: "JP"}, nil, http.StatusOK)
}

func (s *Server) showHoursList(w http.ResponseWriter, r *http.Request, form *store.BusinessSchedule, errList []string, status int) error {
	v := s.view(r)
	d := &hoursListData{rulesPage: s.rulesChrome(r, v, "/settings/business-hours"), Zones: hoursZoneChoices, Form: form}
	if errList != nil {
		d.Errors, d.Notice = errList, ""
	}
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		d.Schedules, err = tx.Schedules()
		return err
	}); err != nil {
		return err
	}
	v.Title, v.Data = v.T("rules.hours"), d
	s.render(w, status, "rules_hours", v)
	return nil
}

// weekOrder lists the days Monday first; Zendesk's minutes count from
// Sunday 00:00 (day 0).
var weekOrder = []int{1, 2, 3, 4, 5, 6, 0}

var dayKeys = []string{"rules.day_sun", "rules.day_mon", "rules.day_tue", "rules.day_wed", "rules.day_thu", "rules.day_fri", "rules.day_sat"}

// spansPerDay is how many opening spans a day has on the form (a lunch
// break makes two).
const spansPerDay = 2

type daySpans struct {
	Day   int
	Label string
	Spans []hoursSpan
}

type hoursSpan struct{ Name, Start, End string }

type scheduleFormData struct {
	rulesPage
	Schedule *store.BusinessSchedule
	Days     []daySpans
	Zones    []string
	Holidays []*store.BusinessHoliday
	Holiday  *store.BusinessHoliday // the add form after an error
	Year     int
}

// hoursZoneChoices are suggestions; any IANA or Zendesk zone name is accepted.
var hoursZoneChoices = []string{"Asia/Tokyo", "Asia/Seoul", "Asia/Shanghai", "Asia/Taipei", "Asia/Singapore", "Asia/Kolkata",
	"Australia/Sydney", "Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago", "America/Los_Angeles", "Etc/UTC"}

func hhmm(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// parseHHMM reads "9:00", "09:00" or "24:00" as minutes of the day.
func parseHHMM(s string) (int, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(strings.ReplaceAll(s, "：", ":")), ":")
	if !ok {
		return 0, false
	}
	hi, err1 := strconv.Atoi(h)
	mi, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hi < 0 || mi < 0 || mi > 59 || hi*60+mi > 1440 {
		return 0, false
	}
	return hi*60 + mi, true
}

func (s *Server) daysOf(v *view, iv []store.BusinessInterval) []daySpans {
	var out []daySpans
	for _, day := range weekOrder {
		d := daySpans{Day: day, Label: v.T(dayKeys[day])}
		for _, i := range iv {
			if i.Start/1440 == day && len(d.Spans) < spansPerDay {
				d.Spans = append(d.Spans, hoursSpan{Start: hhmm(i.Start % 1440), End: hhmm(i.End - day*1440)})
			}
		}
		for len(d.Spans) < spansPerDay {
			d.Spans = append(d.Spans, hoursSpan{})
		}
		for k := range d.Spans {
			d.Spans[k].Name = fmt.Sprintf("d%d_%d", day, k)
		}
		out = append(out, d)
	}
	return out
}

func (s *Server) scheduleForm(w http.ResponseWriter, r *http.Request) error {
	if err := rulesAdminOnly(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var sc *store.BusinessSchedule
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		sc, err = tx.Schedule(id)
		return err
	}); err != nil {
		return err
	}
	return s.showScheduleForm(w, r, sc, nil, nil, nil, http.StatusOK)
}

func (s *Server) showScheduleForm(w http.ResponseWriter, r *http.Request, sc *store.BusinessSchedule, days []daySpans, hol *store.BusinessHoliday, errList []string, status int) error {
	v := s.view(r)
	d := &scheduleFormData{rulesPage: s.rulesChrome(r, v, "/settings/business-hours"), Schedule: sc, Days: days, Zones: hoursZoneChoices, Holiday: hol,
		Year: s.Now().In(holidays.Tokyo()).Year()}
	if errList != nil {
		d.Errors, d.Notice = errList, ""
	}
	if d.Days == nil {
		d.Days = s.daysOf(v, sc.Intervals)
	}
	if d.Holiday == nil {
		d.Holiday = &store.BusinessHoliday{}
	}
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		d.Holidays, err = tx.Holidays(sc.ID)
		return err
	}); err != nil {
		return err
	}
	v.Title, v.Data = v.T("rules.hours"), d
	s.render(w, status, "rules_schedule", v)
	return nil
}

// scheduleSave creates a schedule (open 9:00–18:00 Monday to Friday) or
// saves a schedule's name, zone, national holidays and weekly hours.
func (s *Server) scheduleSave(w http.ResponseWriter, r *http.Request) error {
	if err := rulesAdminOnly(r); err != nil {
		return err
	}
	v := s.view(r)
	name, zone := r.PostForm.Get("name"), r.PostForm.Get("time_zone")
	national := ""
	if rulesCheckbox(r, "national_holidays") {
		national = "JP"
	}
	in := bizhours.ScheduleInput{Name: &name, TimeZone: &zone, NationalHolidays: &national}
	now := s.Now().UTC().Truncate(time.Millisecond)
	if r.PathValue("id") == "" {
		var sc *store.BusinessSchedule
		err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
			var err error
			sc, err = bizhours.CreateSchedule(tx, in, now)
			return err
		})
		var inv *errs.Invalid
		if errors.As(err, &inv) {
			return s.showHoursList(w, r, &store.BusinessSchedule{Name: name, TimeZone: zone, NationalHolidays: national}, v.ruleErrors(inv), http.StatusUnprocessableEntity)
		}
		if err != nil {
			return err
		}
		return rulesDone(w, r, fmt.Sprintf("/settings/business-hours/%d", sc.ID), "saved")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	// The weekly hours: every day's spans, HH:MM to HH:MM.
	var iv []bizhours.Interval
	var bad []string
	var days []daySpans
	for _, day := range weekOrder {
		d := daySpans{Day: day, Label: v.T(dayKeys[day])}
		for k := 0; k < spansPerDay; k++ {
			n := fmt.Sprintf("d%d_%d", day, k)
			sp := hoursSpan{Name: n, Start: strings.TrimSpace(r.PostForm.Get(n + "_start")), End: strings.TrimSpace(r.PostForm.Get(n + "_end"))}
			d.Spans = append(d.Spans, sp)
			if sp.Start == "" && sp.End == "" {
				continue
			}
			a, ok1 := parseHHMM(sp.Start)
			b, ok2 := parseHHMM(sp.End)
			if !ok1 || !ok2 {
				bad = append(bad, v.T("rules.bad_time", d.Label))
				continue
			}
			iv = append(iv, bizhours.Interval{Start: day*1440 + a, End: day*1440 + b})
		}
		days = append(days, d)
	}
	if iv == nil {
		iv = []bizhours.Interval{}
	}
	in.Intervals = &iv
	var sc *store.BusinessSchedule
	if bad == nil {
		err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
			sc, err = bizhours.UpdateSchedule(tx, id, in, now)
			return err
		})
		var inv *errs.Invalid
		if errors.As(err, &inv) {
			bad = v.ruleErrors(inv)
		} else if err != nil {
			return err
		}
	}
	if bad != nil {
		if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
			sc, err = tx.Schedule(id)
			return err
		}); err != nil {
			return err
		}
		sc.Name, sc.TimeZone, sc.NationalHolidays = name, zone, national
		return s.showScheduleForm(w, r, sc, days, nil, bad, http.StatusUnprocessableEntity)
	}
	return rulesDone(w, r, fmt.Sprintf("/settings/business-hours/%d", id), "saved")
}

// holidayAdd adds one holiday typed into the schedule's form (a ruleWrite).
func (s *Server) holidayAdd(r *http.Request, id int64) error {
	name, start, end, rec := r.PostForm.Get("name"), r.PostForm.Get("start_date"), r.PostForm.Get("end_date"), rulesCheckbox(r, "recurring")
	return s.Store.Write(r.Context(), func(tx *store.Tx) error {
		_, err := bizhours.CreateHoliday(tx, id, bizhours.HolidayInput{Name: &name, StartDate: &start, EndDate: &end, Recurring: &rec}, s.Now().UTC().Truncate(time.Millisecond))
		return err
	})
}

// holidayInvalid shows the schedule again with the holiday as typed and
// what to fix.
func (s *Server) holidayInvalid(w http.ResponseWriter, r *http.Request, id int64, inv *errs.Invalid) error {
	var sc *store.BusinessSchedule
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		sc, err = tx.Schedule(id)
		return err
	}); err != nil {
		return err
	}
	h := &store.BusinessHoliday{Name: r.PostForm.Get("name"), StartDate: r.PostForm.Get("start_date"), EndDate: r.PostForm.Get("end_date"), Recurring: rulesCheckbox(r, "recurring")}
	return s.showScheduleForm(w, r, sc, nil, h, s.view(r).ruleErrors(inv), http.StatusUnprocessableEntity)
}

// holidayImport adds a year's Japanese national holidays as the
// schedule's own holidays (days already there are skipped), for desks
// that want to edit them one by one rather than switch them all on.
// (A ruleWrite.)
func (s *Server) holidayImport(r *http.Request, id int64) error {
	year, err := strconv.Atoi(r.PostForm.Get("year"))
	if err != nil || year < 2007 || year > 2099 {
		return &httpError{http.StatusBadRequest, "rules.bad_year"}
	}
	lang := s.view(r).Lang
	now := s.Now().UTC().Truncate(time.Millisecond)
	return s.Store.Write(r.Context(), func(tx *store.Tx) error {
		have, err := tx.Holidays(id)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, h := range have {
			seen[h.StartDate] = true
		}
		for _, h := range holidays.Japan(year) {
			date := h.Date.Format(time.DateOnly)
			if seen[date] {
				continue
			}
			name := h.Name
			if lang == "en" {
				name = h.NameEn
			}
			if _, err := bizhours.CreateHoliday(tx, id, bizhours.HolidayInput{Name: &name, StartDate: &date}, now); err != nil {
				return err
			}
		}
		return nil
	})
}
