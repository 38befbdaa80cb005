package users

import (
	"slices"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// TagOp is how Zendesk's tag endpoints change a record's tags: POST sets
// them, PUT adds to them, DELETE removes some.
type TagOp int

// The tag operations.
const (
	SetTags TagOp = iota
	AddTags
	RemoveTags
)

// EditTags returns cur changed by op, normalized.
func EditTags(cur []string, op TagOp, tags []string) []string {
	switch op {
	case SetTags:
		return NormalizeTags(tags)
	case AddTags:
		return NormalizeTags(append(slices.Clone(cur), tags...))
	}
	out := slices.Clone(cur)
	for _, r := range NormalizeTags(tags) {
		out = slices.DeleteFunc(out, func(t string) bool { return t == r })
	}
	return NormalizeTags(out)
}

// EditUserTags changes a user's tags under the same rules as any update.
func EditUserTags(tx *store.Tx, actor *model.User, id int64, op TagOp, tags []string, now time.Time) (*model.User, error) {
	if !actor.IsAgent() {
		return nil, errs.Forbiddenf("only agents and admins can tag users / タグを変更できるのはエージェントと管理者のみです")
	}
	u, err := tx.User(id)
	if err != nil {
		return nil, err
	}
	next := EditTags(u.Tags, op, tags)
	return UpdateBy(tx, actor, id, Input{Tags: &next}, now)
}
