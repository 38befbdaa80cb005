package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/kizuna-desk/kizuna/internal/bizhours"
	"github.com/kizuna-desk/kizuna/internal/holidays"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Business hours: Zendesk's /api/v2/business_hours/schedules with its
// workweek and holidays, plus our "national_holidays": "JP" and a
// "recurring" flag on holidays (年末年始 every year).
func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		const base = "/api/v2/business_hours/schedules"
		s.handle("GET "+base, s.listSchedules)
		s.handle("GET "+base+"/{id}", s.showSchedule)
		s.handle("POST "+base, s.createSchedule)
		s.handle("PUT "+base+"/{id}", s.updateSchedule)
		s.handle("DELETE "+base+"/{id}", s.deleteSchedule)
		s.handle("PUT "+base+"/{id}/workweek", s.updateWorkweek)
		s.handle("GET "+base+"/{id}/holidays", s.listHolidays)
		s.handle("GET "+base+"/{id}/holidays/{hid}", s.showHoliday)
		s.handle("POST "+base+"/{id}/holidays", s.createHoliday)
		s.handle("PUT "+base+"/{id}/holidays/{hid}", s.updateHoliday)
		s.handle("DELETE "+base+"/{id}/holidays/{hid}", s.deleteHoliday)
		s.handle("GET /api/v2/business_hours/national_holidays/{country}", s.listNationalHolidays)
	})
}

type scheduleJSON struct {
	ID               int64                    `json:"id"`
	Name             string                   `json:"name"`
	TimeZone         string                   `json:"time_zone"`
	Intervals        []store.BusinessInterval `json:"intervals"`
	NationalHolidays *string                  `json:"national_holidays"`
	CreatedAt        string                   `json:"created_at"`
	UpdatedAt        string                   `json:"updated_at"`
}

type holidayJSON struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	StartDate string `json:"start_date"`
	EndDate   string `json:"end_date"`
	Recurring bool   `json:"recurring"`
}

func presentSchedule(s *store.BusinessSchedule) scheduleJSON {
	return scheduleJSON{ID: s.ID, Name: s.Name, TimeZone: s.TimeZone, Intervals: s.Intervals,
		NationalHolidays: strPtr(s.NationalHolidays), CreatedAt: isoTime(s.CreatedAt), UpdatedAt: isoTime(s.UpdatedAt)}
}

func presentHoliday(h *store.BusinessHoliday) holidayJSON {
	return holidayJSON{ID: h.ID, Name: h.Name, StartDate: h.StartDate, EndDate: h.EndDate, Recurring: h.Recurring}
}

func (s *Server) listSchedules(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	var list []*store.BusinessSchedule
	err := s.Store.Read(r.Context(), func(tx *store.Tx) (err error) {
		list, err = tx.Schedules()
		return err
	})
	if err != nil {
		return err
	}
	out := make([]scheduleJSON, len(list))
	for i, sc := range list {
		out[i] = presentSchedule(sc)
	}
	writeJSON(w, http.StatusOK, map[string]any{"schedules": out})
	return nil
}

func (s *Server) showSchedule(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var sc *store.BusinessSchedule
	err = s.Store.Read(r.Context(), func(tx *store.Tx) (err error) {
		sc, err = tx.Schedule(id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"schedule": presentSchedule(sc)})
	return nil
}

func (s *Server) decodeSchedule(w http.ResponseWriter, r *http.Request) (bizhours.ScheduleInput, error) {
	var in struct {
		Schedule *struct {
			Name             optString            `json:"name"`
			TimeZone         optString            `json:"time_zone"`
			Intervals        *[]bizhours.Interval `json:"intervals"`
			NationalHolidays optString            `json:"national_holidays"`
		} `json:"schedule"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return bizhours.ScheduleInput{}, err
	}
	if in.Schedule == nil {
		return bizhours.ScheduleInput{}, badRequest("InvalidValue", `The body must be {"schedule": {...}}. / {"schedule": {...}} の形式で送ってください。`)
	}
	sc := in.Schedule
	return bizhours.ScheduleInput{Name: sc.Name.ptr(), TimeZone: sc.TimeZone.ptr(), Intervals: sc.Intervals,
		NationalHolidays: sc.NationalHolidays.ptr()}, nil
}

func (s *Server) createSchedule(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	in, err := s.decodeSchedule(w, r)
	if err != nil {
		return err
	}
	var sc *store.BusinessSchedule
	err = s.Store.Write(r.Context(), func(tx *store.Tx) (err error) {
		sc, err = bizhours.CreateSchedule(tx, in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"schedule": presentSchedule(sc)})
	return nil
}

func (s *Server) updateSchedule(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.decodeSchedule(w, r)
	if err != nil {
		return err
	}
	var sc *store.BusinessSchedule
	err = s.Store.Write(r.Context(), func(tx *store.Tx) (err error) {
		sc, err = bizhours.UpdateSchedule(tx, id, in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"schedule": presentSchedule(sc)})
	return nil
}

func (s *Server) deleteSchedule(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Store.Write(r.Context(), func(tx *store.Tx) error { return tx.DeleteSchedule(id) }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// updateWorkweek replaces a schedule's intervals (Zendesk's only way to
// write them).
func (s *Server) updateWorkweek(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Workweek *struct {
			Intervals *[]bizhours.Interval `json:"intervals"`
		} `json:"workweek"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if in.Workweek == nil || in.Workweek.Intervals == nil {
		return badRequest("InvalidValue", `The body must be {"workweek": {"intervals": [...]}}. / {"workweek": {"intervals": [...]}} の形式で送ってください。`)
	}
	var sc *store.BusinessSchedule
	err = s.Store.Write(r.Context(), func(tx *store.Tx) (err error) {
		sc, err = bizhours.UpdateSchedule(tx, id, bizhours.ScheduleInput{Intervals: in.Workweek.Intervals}, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"workweek": map[string]any{"intervals": sc.Intervals}})
	return nil
}

func (s *Server) listHolidays(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var list []*store.BusinessHoliday
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		if _, err := tx.Schedule(id); err != nil {
			return err
		}
		list, err = tx.Holidays(id)
		return err
	})
	if err != nil {
		return err
	}
	out := make([]holidayJSON, len(list))
	for i, h := range list {
		out[i] = presentHoliday(h)
	}
	writeJSON(w, http.StatusOK, map[string]any{"holidays": out})
	return nil
}

func (s *Server) showHoliday(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	hid, err := pathID(r, "hid")
	if err != nil {
		return err
	}
	var h *store.BusinessHoliday
	err = s.Store.Read(r.Context(), func(tx *store.Tx) (err error) {
		h, err = tx.Holiday(id, hid)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"holiday": presentHoliday(h)})
	return nil
}

func (s *Server) decodeHoliday(w http.ResponseWriter, r *http.Request) (bizhours.HolidayInput, error) {
	var in struct {
		Holiday *struct {
			Name      optString `json:"name"`
			StartDate optString `json:"start_date"`
			EndDate   optString `json:"end_date"`
			Recurring *bool     `json:"recurring"`
		} `json:"holiday"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return bizhours.HolidayInput{}, err
	}
	if in.Holiday == nil {
		return bizhours.HolidayInput{}, badRequest("InvalidValue", `The body must be {"holiday": {...}}. / {"holiday": {...}} の形式で送ってください。`)
	}
	h := in.Holiday
	return bizhours.HolidayInput{Name: h.Name.ptr(), StartDate: h.StartDate.ptr(), EndDate: h.EndDate.ptr(), Recurring: h.Recurring}, nil
}

func (s *Server) createHoliday(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.decodeHoliday(w, r)
	if err != nil {
		return err
	}
	var h *store.BusinessHoliday
	err = s.Store.Write(r.Context(), func(tx *store.Tx) (err error) {
		h, err = bizhours.CreateHoliday(tx, id, in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"holiday": presentHoliday(h)})
	return nil
}

func (s *Server) updateHoliday(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	hid, err := pathID(r, "hid")
	if err != nil {
		return err
	}
	in, err := s.decodeHoliday(w, r)
	if err != nil {
		return err
	}
	var h *store.BusinessHoliday
	err = s.Store.Write(r.Context(), func(tx *store.Tx) (err error) {
		h, err = bizhours.UpdateHoliday(tx, id, hid, in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"holiday": presentHoliday(h)})
	return nil
}

func (s *Server) deleteHoliday(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	hid, err := pathID(r, "hid")
	if err != nil {
		return err
	}
	if err := s.Store.Write(r.Context(), func(tx *store.Tx) error { return tx.DeleteHoliday(id, hid) }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listNationalHolidays shows the computed national holidays of a year
// (?year=, default this year in Tokyo) so admins can check the calendar.
func (s *Server) listNationalHolidays(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	if r.PathValue("country") != "JP" && r.PathValue("country") != "jp" {
		return store.ErrNotFound
	}
	year := s.Now().In(holidays.Tokyo()).Year()
	if v := r.URL.Query().Get("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1980 || n > 2150 {
			return badRequest("InvalidValue", "year must be a year from 1980 to 2150. / year は 1980〜2150 の年で指定してください。")
		}
		year = n
	}
	type dayJSON struct {
		Date   string `json:"date"`
		Name   string `json:"name"`
		NameEn string `json:"name_en"`
	}
	var out []dayJSON
	for _, h := range holidays.Japan(year) {
		out = append(out, dayJSON{Date: h.Date.Format(time.DateOnly), Name: h.Name, NameEn: h.NameEn})
	}
	writeJSON(w, http.StatusOK, map[string]any{"holidays": out, "year": year, "country": "JP"})
	return nil
}
