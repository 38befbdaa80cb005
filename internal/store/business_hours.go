package store

import "time"

// BusinessSchedule is a stored business-hours schedule (Zendesk's
// schedules). Intervals are minutes since Sunday 00:00 local time.
type BusinessSchedule struct {
	ID               int64
	Name             string
	TimeZone         string // IANA name
	Intervals        []BusinessInterval
	NationalHolidays string // "JP" or ""
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// BusinessInterval is one weekly opening span.
type BusinessInterval struct {
	Start int `json:"start_time"`
	End   int `json:"end_time"`
}

// BusinessHoliday closes a schedule from StartDate to EndDate (inclusive,
// "YYYY-MM-DD"); Recurring ones repeat yearly on the same month and day.
type BusinessHoliday struct {
	ID         int64
	ScheduleID int64
	Name       string
	StartDate  string
	EndDate    string
	Recurring  bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

const scheduleCols = "id, name, time_zone, intervals, national_holidays, created_at, updated_at"

func scanSchedule(sc scanner) (*BusinessSchedule, error) {
	var (
		s                BusinessSchedule
		iv               string
		created, updated int64
	)
	err := sc.Scan(&s.ID, &s.Name, &s.TimeZone, &iv, &s.NationalHolidays, &created, &updated)
	s.Intervals = fromJSON[[]BusinessInterval](iv)
	if s.Intervals == nil {
		s.Intervals = []BusinessInterval{}
	}
	s.CreatedAt, s.UpdatedAt = fromMS(created), fromMS(updated)
	return &s, err
}

// InsertSchedule stores a new schedule.
func (t *Tx) InsertSchedule(s *BusinessSchedule) error {
	id, err := t.insert("INSERT INTO business_schedules (name, time_zone, intervals, national_holidays, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
		s.Name, s.TimeZone, jsonText(s.Intervals), s.NationalHolidays, ms(s.CreatedAt), ms(s.UpdatedAt))
	s.ID = id
	return err
}

// UpdateSchedule rewrites a schedule.
func (t *Tx) UpdateSchedule(s *BusinessSchedule) error {
	return t.affectOne("UPDATE business_schedules SET name = ?, time_zone = ?, intervals = ?, national_holidays = ?, updated_at = ? WHERE id = ?",
		s.Name, s.TimeZone, jsonText(s.Intervals), s.NationalHolidays, ms(s.UpdatedAt), s.ID)
}

// DeleteSchedule removes a schedule and its holidays.
func (t *Tx) DeleteSchedule(id int64) error {
	if _, err := t.exec("DELETE FROM business_holidays WHERE schedule_id = ?", id); err != nil {
		return err
	}
	return t.affectOne("DELETE FROM business_schedules WHERE id = ?", id)
}

// Schedule returns one schedule.
func (t *Tx) Schedule(id int64) (*BusinessSchedule, error) {
	s, err := scanSchedule(t.queryRow("SELECT "+scheduleCols+" FROM business_schedules WHERE id = ?", id))
	return s, t.wrap(err)
}

// DefaultSchedule returns the first schedule, which Zendesk treats as the
// account default; ErrNotFound when there is none.
func (t *Tx) DefaultSchedule() (*BusinessSchedule, error) {
	s, err := scanSchedule(t.queryRow("SELECT " + scheduleCols + " FROM business_schedules ORDER BY id LIMIT 1"))
	return s, t.wrap(err)
}

// Schedules lists all schedules, oldest (the default) first.
func (t *Tx) Schedules() ([]*BusinessSchedule, error) {
	return queryAll(t, scanSchedule, "SELECT "+scheduleCols+" FROM business_schedules ORDER BY id")
}

const holidayCols = "id, schedule_id, name, start_date, end_date, recurring, created_at, updated_at"

func scanHoliday(sc scanner) (*BusinessHoliday, error) {
	var (
		h                BusinessHoliday
		created, updated int64
	)
	err := sc.Scan(&h.ID, &h.ScheduleID, &h.Name, &h.StartDate, &h.EndDate, &h.Recurring, &created, &updated)
	h.CreatedAt, h.UpdatedAt = fromMS(created), fromMS(updated)
	return &h, err
}

// InsertHoliday stores a holiday of a schedule.
func (t *Tx) InsertHoliday(h *BusinessHoliday) error {
	id, err := t.insert("INSERT INTO business_holidays (schedule_id, name, start_date, end_date, recurring, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		h.ScheduleID, h.Name, h.StartDate, h.EndDate, h.Recurring, ms(h.CreatedAt), ms(h.UpdatedAt))
	h.ID = id
	return err
}

// UpdateHoliday rewrites a holiday.
func (t *Tx) UpdateHoliday(h *BusinessHoliday) error {
	return t.affectOne("UPDATE business_holidays SET name = ?, start_date = ?, end_date = ?, recurring = ?, updated_at = ? WHERE id = ? AND schedule_id = ?",
		h.Name, h.StartDate, h.EndDate, h.Recurring, ms(h.UpdatedAt), h.ID, h.ScheduleID)
}

// DeleteHoliday removes one holiday of a schedule.
func (t *Tx) DeleteHoliday(scheduleID, id int64) error {
	return t.affectOne("DELETE FROM business_holidays WHERE id = ? AND schedule_id = ?", id, scheduleID)
}

// Holiday returns one holiday of a schedule.
func (t *Tx) Holiday(scheduleID, id int64) (*BusinessHoliday, error) {
	h, err := scanHoliday(t.queryRow("SELECT "+holidayCols+" FROM business_holidays WHERE id = ? AND schedule_id = ?", id, scheduleID))
	return h, t.wrap(err)
}

// Holidays lists a schedule's holidays by start date.
func (t *Tx) Holidays(scheduleID int64) ([]*BusinessHoliday, error) {
	return queryAll(t, scanHoliday, "SELECT "+holidayCols+" FROM business_holidays WHERE schedule_id = ? ORDER BY start_date, id", scheduleID)
}
