package metrics

import (
	"github.com/kizuna-desk/kizuna/internal/bizhours"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// DefaultClock is the business clock when a Service sets none: the desk's
// default schedule (24/7 when there is none), as Zendesk measures ticket
// metrics against the default schedule.
func DefaultClock(tx *store.Tx) (Clock, error) {
	s, err := bizhours.Default(tx)
	if err != nil {
		return nil, err
	}
	return s, nil
}
