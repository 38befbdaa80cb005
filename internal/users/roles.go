package users

import (
	"strings"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// Zendesk role_type values; a light agent is role "agent" with role_type 1.
const (
	RoleTypeCustomAgent = 0
	RoleTypeLightAgent  = 1
	RoleTypeAdmin       = 4
)

// RoleType returns Zendesk's role_type for a user, nil when Zendesk shows
// none (full agents, admins and end-users).
func RoleType(u *model.User) *int64 {
	if u.Role == model.RoleLightAgent {
		v := int64(RoleTypeLightAgent)
		return &v
	}
	return nil
}

// PublicRole is the role as Zendesk shows it: light agents are "agent".
func PublicRole(u *model.User) string {
	if u.Role == model.RoleLightAgent {
		return model.RoleAgent
	}
	return u.Role
}

// resolveRole turns a requested Zendesk role and role_type into one of our
// roles. cur is the user's current role ("" when creating). An "agent"
// without role_type keeps a light agent light, so sending back the user
// JSON Kizuna returned changes nothing; role_type 0 makes a full agent.
func resolveRole(cur string, role *string, roleType *int64) string {
	r := cur
	if role != nil && strings.TrimSpace(*role) != "" {
		r = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(*role), "_", "-"))
		if r == model.RoleAgent && cur == model.RoleLightAgent && roleType == nil {
			r = model.RoleLightAgent
		}
	}
	if roleType != nil && (r == model.RoleAgent || r == model.RoleLightAgent) {
		switch *roleType {
		case RoleTypeLightAgent:
			r = model.RoleLightAgent
		case RoleTypeCustomAgent:
			r = model.RoleAgent
		}
	}
	return r
}
