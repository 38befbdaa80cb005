package api_test

import (
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

func TestBusinessHoursSchedules(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		const s = "/api/v2/business_hours/schedules"
		runSteps(t, d, []step{
			{name: "none yet", as: "agent", method: "GET", path: s + ".json", status: 200, want: map[string]any{"schedules": []any{}}},
			{name: "agents cannot create", as: "agent", method: "POST", path: s, status: 403,
				body: map[string]any{"schedule": map[string]any{"name": "東京"}}},
			{name: "create with a Zendesk zone name and defaults", as: "admin", method: "POST", path: s + ".json", status: 201,
				body: map[string]any{"schedule": map[string]any{"name": "東京サポート窓口", "time_zone": "Tokyo", "national_holidays": "JP"}},
				want: map[string]any{"schedule.id": 1, "schedule.name": "東京サポート窓口", "schedule.time_zone": "Tokyo",
					"schedule.national_holidays": "JP", "schedule.intervals.0.start_time": 1980, "schedule.intervals.0.end_time": 2520,
					"schedule.intervals.4.start_time": 5*1440 + 540, "schedule.intervals.5": nil}},
			{name: "create with an IANA zone and no national holidays", as: "admin", method: "POST", path: s, status: 201,
				body: map[string]any{"schedule": map[string]any{"name": "NY office", "time_zone": "America/New_York",
					"intervals": []any{map[string]any{"start_time": 1500, "end_time": 1800}}}},
				want: map[string]any{"schedule.id": 2, "schedule.time_zone": "America/New_York", "schedule.national_holidays": nil,
					"schedule.intervals.0.start_time": 1500}},
			{name: "unknown zone", as: "admin", method: "POST", path: s, status: 422,
				body: map[string]any{"schedule": map[string]any{"name": "火星", "time_zone": "Mars/Olympus"}},
				want: map[string]any{"error": "RecordInvalid", "details.time_zone.0.error": "InvalidValue"}},
			{name: "blank name and bad country", as: "admin", method: "POST", path: s, status: 422,
				body: map[string]any{"schedule": map[string]any{"name": " ", "national_holidays": "US"}},
				want: map[string]any{"details.name.0.error": "BlankValue", "details.national_holidays.0.error": "InvalidValue"}},
			{name: "wrong type", as: "admin", method: "POST", path: s, status: 400,
				body: `{"schedule": {"name": "x", "intervals": "9-18"}}`},
			{name: "broken JSON", as: "admin", method: "POST", path: s, status: 400, body: `{"schedule": `},
			{name: "workweek: split shifts", as: "admin", method: "PUT", path: s + "/1/workweek.json", status: 200,
				body: map[string]any{"workweek": map[string]any{"intervals": []any{
					map[string]any{"start_time": 1980, "end_time": 2160}, map[string]any{"start_time": 2220, "end_time": 2520}}}},
				want: map[string]any{"workweek.intervals.1.start_time": 2220, "workweek.intervals.2": nil}},
			{name: "workweek: an interval over midnight", as: "admin", method: "PUT", path: s + "/1/workweek", status: 422,
				body: map[string]any{"workweek": map[string]any{"intervals": []any{map[string]any{"start_time": 2400, "end_time": 2940}}}},
				want: map[string]any{"details.intervals.0.error": "InvalidValue"}},
			{name: "rename keeps the workweek", as: "admin", method: "PUT", path: s + "/1", status: 200,
				body: map[string]any{"schedule": map[string]any{"name": "東京・大阪サポート"}},
				want: map[string]any{"schedule.name": "東京・大阪サポート", "schedule.intervals.1.start_time": 2220, "schedule.time_zone": "Tokyo"}},
			{name: "show", as: "agent", method: "GET", path: s + "/1", status: 200, want: map[string]any{"schedule.name": "東京・大阪サポート"}},
			{name: "list", as: "agent", method: "GET", path: s, status: 200, want: map[string]any{"schedules.1.name": "NY office"}},
			{name: "holiday: 年末年始 every year", as: "admin", method: "POST", path: s + "/1/holidays.json", status: 201,
				body: map[string]any{"holiday": map[string]any{"name": "年末年始", "start_date": "2026-12-29", "end_date": "2027-01-03", "recurring": true}},
				want: map[string]any{"holiday.id": 1, "holiday.name": "年末年始", "holiday.start_date": "2026-12-29", "holiday.end_date": "2027-01-03", "holiday.recurring": true}},
			{name: "holiday: one day, end date defaults", as: "admin", method: "POST", path: s + "/1/holidays", status: 201,
				body: map[string]any{"holiday": map[string]any{"name": "創立記念日", "start_date": "2027-06-01"}},
				want: map[string]any{"holiday.id": 2, "holiday.end_date": "2027-06-01", "holiday.recurring": false}},
			{name: "holiday: ends before it starts", as: "admin", method: "POST", path: s + "/1/holidays", status: 422,
				body: map[string]any{"holiday": map[string]any{"name": "逆", "start_date": "2027-06-02", "end_date": "2027-06-01"}},
				want: map[string]any{"details.end_date.0.error": "InvalidValue"}},
			{name: "holiday: bad date", as: "admin", method: "POST", path: s + "/1/holidays", status: 422,
				body: map[string]any{"holiday": map[string]any{"name": "x", "start_date": "2027/06/01"}},
				want: map[string]any{"details.start_date.0.error": "InvalidValue"}},
			{name: "holiday of an unknown schedule", as: "admin", method: "POST", path: s + "/99/holidays", status: 404,
				body: map[string]any{"holiday": map[string]any{"name": "x", "start_date": "2027-06-01"}}},
			{name: "holiday: update", as: "admin", method: "PUT", path: s + "/1/holidays/2", status: 200,
				body: map[string]any{"holiday": map[string]any{"end_date": "2027-06-02"}},
				want: map[string]any{"holiday.name": "創立記念日", "holiday.end_date": "2027-06-02"}},
			{name: "holiday: not on another schedule", as: "admin", method: "GET", path: s + "/2/holidays/2", status: 404},
			{name: "holidays list by date", as: "agent", method: "GET", path: s + "/1/holidays", status: 200,
				want: map[string]any{"holidays.0.name": "年末年始", "holidays.1.name": "創立記念日"}},
			{name: "holiday: delete", as: "admin", method: "DELETE", path: s + "/1/holidays/2", status: 204},
			{name: "holiday: gone", as: "agent", method: "GET", path: s + "/1/holidays/2", status: 404},
			{name: "national holidays 2026", as: "agent", method: "GET", path: "/api/v2/business_hours/national_holidays/JP?year=2026", status: 200,
				want: map[string]any{"holidays.9.date": "2026-05-06", "holidays.9.name": "振替休日", "holidays.13.date": "2026-09-22",
					"holidays.13.name": "国民の休日", "holidays.13.name_en": "Citizens' Holiday"}},
			{name: "national holidays: bad year", as: "agent", method: "GET", path: "/api/v2/business_hours/national_holidays/JP?year=abc", status: 400},
			{name: "delete schedule", as: "admin", method: "DELETE", path: s + "/2", status: 204},
			{name: "deleted schedule", as: "agent", method: "GET", path: s + "/2", status: 404},
			{name: "customers cannot read schedules", as: "customer", method: "GET", path: s, status: 403},
		})
	})
}
