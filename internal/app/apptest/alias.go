package apptest

import "github.com/kizuna-desk/kizuna/internal/store"

type storeTx = store.Tx
