package bizhours

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // zones must resolve the same on every host
)

// railsZones maps the Rails-style names Zendesk uses for time_zone ("Tokyo",
// "Eastern Time (US & Canada)") to IANA zones, so schedules exported from
// Zendesk load unchanged. IANA names are accepted as they are.
var railsZones = map[string]string{
	"Tokyo": "Asia/Tokyo", "Osaka": "Asia/Tokyo", "Sapporo": "Asia/Tokyo", "Seoul": "Asia/Seoul",
	"Beijing": "Asia/Shanghai", "Chongqing": "Asia/Chongqing", "Hong Kong": "Asia/Hong_Kong",
	"Taipei": "Asia/Taipei", "Singapore": "Asia/Singapore", "Kuala Lumpur": "Asia/Kuala_Lumpur",
	"Bangkok": "Asia/Bangkok", "Hanoi": "Asia/Bangkok", "Jakarta": "Asia/Jakarta", "Manila": "Asia/Manila",
	"Chennai": "Asia/Kolkata", "Kolkata": "Asia/Kolkata", "Mumbai": "Asia/Kolkata", "New Delhi": "Asia/Kolkata",
	"Abu Dhabi": "Asia/Muscat", "Dubai": "Asia/Dubai", "Sydney": "Australia/Sydney", "Melbourne": "Australia/Melbourne",
	"Brisbane": "Australia/Brisbane", "Perth": "Australia/Perth", "Auckland": "Pacific/Auckland",
	"UTC": "Etc/UTC", "London": "Europe/London", "Edinburgh": "Europe/London", "Dublin": "Europe/Dublin",
	"Lisbon": "Europe/Lisbon", "Amsterdam": "Europe/Amsterdam", "Berlin": "Europe/Berlin", "Paris": "Europe/Paris",
	"Madrid": "Europe/Madrid", "Rome": "Europe/Rome", "Stockholm": "Europe/Stockholm", "Vienna": "Europe/Vienna",
	"Warsaw": "Europe/Warsaw", "Prague": "Europe/Prague", "Zurich": "Europe/Zurich", "Brussels": "Europe/Brussels",
	"Copenhagen": "Europe/Copenhagen", "Helsinki": "Europe/Helsinki", "Athens": "Europe/Athens",
	"Istanbul": "Europe/Istanbul", "Moscow": "Europe/Moscow",
	"Eastern Time (US & Canada)": "America/New_York", "Central Time (US & Canada)": "America/Chicago",
	"Mountain Time (US & Canada)": "America/Denver", "Pacific Time (US & Canada)": "America/Los_Angeles",
	"Arizona": "America/Phoenix", "Alaska": "America/Juneau", "Hawaii": "Pacific/Honolulu",
	"Atlantic Time (Canada)": "America/Halifax", "Mexico City": "America/Mexico_City",
	"Brasilia": "America/Sao_Paulo", "Buenos Aires": "America/Argentina/Buenos_Aires", "Santiago": "America/Santiago",
	"Bogota": "America/Bogota", "Lima": "America/Lima",
}

// Zone resolves a schedule's time_zone: a Zendesk (Rails) name or an IANA
// name. Empty means Asia/Tokyo, the desk's default.
func Zone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "Asia/Tokyo"
	}
	if iana, ok := railsZones[name]; ok {
		name = iana
	}
	if strings.EqualFold(name, "local") {
		return nil, fmt.Errorf("time_zone %q is not a zone name / タイムゾーン名が正しくありません", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time_zone %q is not a known time zone (use e.g. \"Asia/Tokyo\" or \"Tokyo\") / タイムゾーン %q は使えません", name, name)
	}
	return loc, nil
}
