package users

import (
	"regexp"
	"strings"
	_ "time/tzdata" // time zone names must validate the same on every host
)

// Zendesk names time zones the Rails way ("Tokyo") and adds the IANA name
// (iana_time_zone). We store IANA names and translate the common ones.
var railsZones = map[string]string{
	"Tokyo":                       "Asia/Tokyo",
	"Osaka":                       "Asia/Tokyo",
	"Sapporo":                     "Asia/Tokyo",
	"Seoul":                       "Asia/Seoul",
	"Beijing":                     "Asia/Shanghai",
	"Hong Kong":                   "Asia/Hong_Kong",
	"Taipei":                      "Asia/Taipei",
	"Singapore":                   "Asia/Singapore",
	"Bangkok":                     "Asia/Bangkok",
	"Kolkata":                     "Asia/Kolkata",
	"Sydney":                      "Australia/Sydney",
	"London":                      "Europe/London",
	"Paris":                       "Europe/Paris",
	"Berlin":                      "Europe/Berlin",
	"UTC":                         "UTC",
	"Eastern Time (US & Canada)":  "America/New_York",
	"Central Time (US & Canada)":  "America/Chicago",
	"Mountain Time (US & Canada)": "America/Denver",
	"Pacific Time (US & Canada)":  "America/Los_Angeles",
	"Hawaii":                      "Pacific/Honolulu",
}

// ianaToRails picks one Rails name per IANA zone ("Tokyo" for Asia/Tokyo).
var ianaToRails = func() map[string]string {
	m := make(map[string]string, len(railsZones))
	for rails, iana := range railsZones {
		if cur, ok := m[iana]; !ok || rails == "Tokyo" || (cur != "Tokyo" && rails < cur) {
			m[iana] = rails
		}
	}
	return m
}()

// IANAZone returns the IANA name for a Rails or IANA time zone name.
func IANAZone(name string) string {
	name = strings.TrimSpace(name)
	if iana, ok := railsZones[name]; ok {
		return iana
	}
	return name
}

// RailsZone returns Zendesk's display name for an IANA zone, or the IANA
// name itself when there is no common Rails name.
func RailsZone(iana string) string {
	if r, ok := ianaToRails[iana]; ok {
		return r
	}
	return iana
}

// Zendesk locale ids for the locales our teams use.
var localeIDs = map[string]int64{"en-US": 1, "ja": 67}

// LocaleID returns Zendesk's locale_id for a locale, nil when unknown.
func LocaleID(locale string) *int64 {
	for l, id := range localeIDs {
		if strings.EqualFold(l, locale) || (strings.EqualFold(locale, "en") && l == "en-US") {
			return &id
		}
	}
	return nil
}

// LocaleForID returns the locale of a Zendesk locale_id.
func LocaleForID(id int64) (string, bool) {
	for l, v := range localeIDs {
		if v == id {
			return l, true
		}
	}
	return "", false
}

var localeRE = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// ValidLocale reports whether s looks like a BCP 47 tag such as ja or en-US.
func ValidLocale(s string) bool { return localeRE.MatchString(s) }
