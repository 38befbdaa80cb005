package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/kizuna-desk/kizuna/internal/seed"
)

// seedCmd fills the database with demo data (see package seed).
func seedCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	var c common
	c.register(fs)
	n := fs.Int("tickets", 1000, "how many tickets to create (about 3 comments each)")
	seedVal := fs.Uint64("seed", 1, "random seed: the same seed and --until give the same data")
	until := fs.String("until", "", "end of the two years of history, YYYY-MM-DD (default: now)")
	batch := fs.Int("batch", 10000, "tickets per transaction")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (for tuning)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 0 {
		return errors.New("--tickets must not be negative")
	}
	opt := seed.Options{Tickets: *n, Seed: *seedVal, BatchSize: *batch, Progress: stdout}
	if *until != "" {
		t, err := time.Parse("2006-01-02", *until)
		if err != nil {
			return fmt.Errorf("--until: expected a date like 2026-04-01")
		}
		opt.Until = t
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	a, err := c.open(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer a.Close()
	// The desk needs its default brand, group and first admin like `serve`
	// makes them; seeded agents are not admins one can sign in as.
	email, pw, err := a.Bootstrap(ctx, os.Getenv("KIZUNA_ADMIN_EMAIL"), os.Getenv("KIZUNA_ADMIN_PASSWORD"))
	if err != nil {
		return fmt.Errorf("create first admin: %w", err)
	}
	if pw != "" {
		fmt.Fprintf(stdout, "Created the first admin. Sign in with:\n  email:    %s\n  password: %s\n(shown once; change it after signing in)\n", email, pw)
	}
	st, err := seed.Run(ctx, a.Store, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %d tickets, %d comments, %d audits, %d customers, %d agents, %d organizations in %s (%s)\n",
		st.Tickets, st.Comments, st.Audits, st.Customers, st.Agents, st.Organizations, st.Elapsed.Round(time.Millisecond), a.Store.Dialect())
	return nil
}
