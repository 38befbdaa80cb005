package automations

import (
	"encoding/json"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Input is a create or update; nil fields stay as they are.
type Input struct {
	Title      *string
	Active     *bool
	Position   *int64
	Conditions *rules.Conditions
	Actions    *[]rules.Action
}

// Create validates and stores a new automation; without a position it
// goes last.
func Create(tx *store.Tx, in Input, now time.Time) (*Automation, error) {
	row := &store.Automation{Active: true, Conditions: `{"all":[],"any":[]}`, Actions: `[]`, CreatedAt: now, UpdatedAt: now}
	if in.Position == nil {
		max, err := tx.MaxAutomationPosition()
		if err != nil {
			return nil, err
		}
		p := max + 1
		in.Position = &p
	}
	a, err := apply(row, in)
	if err != nil {
		return nil, err
	}
	if err := tx.InsertAutomation(a.Automation); err != nil {
		return nil, err
	}
	return a, nil
}

// Update changes an automation and validates the result as a whole.
func Update(tx *store.Tx, id int64, in Input, now time.Time) (*Automation, error) {
	row, err := tx.Automation(id)
	if err != nil {
		return nil, err
	}
	a, err := apply(row, in)
	if err != nil {
		return nil, err
	}
	a.UpdatedAt = now
	if err := tx.UpdateAutomation(a.Automation); err != nil {
		return nil, err
	}
	return a, nil
}

func apply(row *store.Automation, in Input) (*Automation, error) {
	a, err := Parse(row)
	if err != nil {
		return nil, err
	}
	if in.Title != nil {
		a.Title = *in.Title
	}
	if in.Active != nil {
		a.Active = *in.Active
	}
	if in.Position != nil {
		if *in.Position < 0 {
			return nil, errs.Invalidf("position", "InvalidValue", "Position: must be 0 or more / 位置は0以上で指定してください")
		}
		a.Position = *in.Position
	}
	if in.Conditions != nil {
		a.Conds = *in.Conditions
	}
	if in.Actions != nil {
		a.Actions = *in.Actions
	}
	if err := Validate(a.Title, a.Conds, a.Actions); err != nil {
		return nil, err
	}
	cj, _ := json.Marshal(a.Conds)
	aj, _ := json.Marshal(orEmpty(a.Actions))
	a.Conditions, a.Automation.Actions = string(cj), string(aj)
	return a, nil
}

func orEmpty(a []rules.Action) []rules.Action {
	if a == nil {
		return []rules.Action{}
	}
	return a
}

// Reorder sets positions and active flags of several automations at once
// (Zendesk's update_many); every id must exist.
func Reorder(tx *store.Tx, items []Input, ids []int64, now time.Time) ([]*Automation, error) {
	out := make([]*Automation, 0, len(ids))
	for i, id := range ids {
		a, err := Update(tx, id, Input{Position: items[i].Position, Active: items[i].Active}, now)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}
