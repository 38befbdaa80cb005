package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kizuna-desk/kizuna/internal/inboxes"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

const inboxUsage = `usage:
  kizuna inbox add --name N --address A [--address B …] [--brand ID|SUBDOMAIN|NAME] [--group ID] [--ticket-token subject|address|both]
  kizuna inbox list`

// inboxCmd manages shared inboxes (受信箱). A running server sees a change
// at once: the SMTP listener looks every recipient up in the database.
func inboxCmd(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(inboxUsage)
	}
	switch args[0] {
	case "add":
		return inboxAdd(args[1:], stdout)
	case "list":
		return inboxList(args[1:], stdout)
	}
	return fmt.Errorf("unknown inbox command %q\n%s", args[0], inboxUsage)
}

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// cliAdmin is the actor for changes made on the command line, which only
// someone with access to the data directory can run.
var cliAdmin = &model.User{Name: "kizuna CLI", Role: model.RoleAdmin}

func inboxAdd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("inbox add", flag.ContinueOnError)
	var c common
	c.register(fs)
	name := fs.String("name", "", "inbox name, e.g. サポート")
	var addrs listFlag
	fs.Var(&addrs, "address", "an address of the inbox (repeat for more); the first is the one replies come from")
	brand := fs.String("brand", "", "brand id, subdomain or name (default: none)")
	group := fs.Int64("group", 0, "default group id for new tickets")
	token := fs.String("ticket-token", "subject", "how replies find their ticket: subject ([#123]), address (support+t123@) or both")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *name == "" || len(addrs) == 0 {
		return errors.New("--name and at least one --address are required\n" + inboxUsage)
	}
	a, err := c.open(context.Background(), slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer a.Close()
	var ib *model.Inbox
	err = a.Store.Write(context.Background(), func(tx *store.Tx) error {
		in := inboxes.Input{Name: name, Addresses: (*[]string)(&addrs), TicketToken: token}
		if *brand != "" {
			id, err := brandID(tx, *brand)
			if err != nil {
				return err
			}
			in.BrandID = &id
		}
		if *group != 0 {
			in.DefaultGroupID = group
		}
		var err error
		ib, err = inboxes.Create(tx, cliAdmin, in, nil, time.Now().UTC())
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created inbox %d %s <%s>\n", ib.ID, ib.Name, strings.Join(ib.Addresses, ", "))
	return nil
}

// brandID resolves a brand given by id, subdomain or name.
func brandID(tx *store.Tx, s string) (int64, error) {
	if id, err := strconv.ParseInt(s, 10, 64); err == nil {
		return id, nil // checked by the inbox rules
	}
	list, err := tx.Brands()
	if err != nil {
		return 0, err
	}
	for _, b := range list {
		if strings.EqualFold(b.Subdomain, s) || b.Name == s {
			return b.ID, nil
		}
	}
	return 0, fmt.Errorf("no brand %q (give its id, subdomain or name) / ブランドが見つかりません", s)
}

func inboxList(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("inbox list", flag.ContinueOnError)
	var c common
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := c.open(context.Background(), slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer a.Close()
	var list []*model.Inbox
	if err := a.Store.Read(context.Background(), func(tx *store.Tx) (err error) { list, err = tx.Inboxes(); return }); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tADDRESSES\tBRAND\tINCOMING\tACTIVE")
	for _, ib := range list {
		brand := "-"
		if ib.BrandID != 0 {
			brand = strconv.FormatInt(ib.BrandID, 10)
		}
		incoming := inboxes.String(ib.Incoming, inboxes.KeyType)
		if incoming == "" {
			incoming = "forwarding"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%v\n", ib.ID, ib.Name, strings.Join(ib.Addresses, ","), brand, incoming, ib.Active)
	}
	return tw.Flush()
}
