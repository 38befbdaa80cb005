package web

import (
	"testing"

	"github.com/kizuna-desk/kizuna/internal/approvals"
)

// TestApprovalKeys: every state and action the approval panel names (keys
// built from values, which TestCatalogComplete cannot see) has its words.
func TestApprovalKeys(t *testing.T) {
	states := []string{approvals.StatePending, approvals.StateReturned, approvals.StateApproved, approvals.StateSent}
	actions := []string{approvals.ActionSubmitted, approvals.ActionResubmitted, approvals.ActionEdited, approvals.ActionReturned,
		approvals.ActionApproved, approvals.ActionSent, approvals.ActionSentBehalf}
	var keys []string
	for _, s := range states {
		keys = append(keys, approvalKey("state", s))
	}
	for _, a := range actions {
		keys = append(keys, approvalKey("action", a), approvalKey("done", a))
	}
	keys = append(keys, "approval.role_admin", "approval.role_agent") // approvals.html: who may approve
	for _, k := range keys {
		if m, ok := messages[k]; !ok || m[0] == "" || m[1] == "" {
			t.Errorf("missing %s", k)
		}
	}
}
