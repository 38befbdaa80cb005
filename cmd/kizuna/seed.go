package main

import (
	"errors"
	"io"
)

// seedCmd is replaced by the seed generator (internal/seed).
func seedCmd(args []string, stdout io.Writer) error {
	return errors.New("seed: not built yet")
}
