package app

import (
	"context"
	"net/http"
	"sync"
)

// Extension is one area of the desk (rules, SLAs, views, the web UI …)
// plugged into the app from its own file, so adding an area never means
// editing app.go. Every field is optional.
type Extension struct {
	Name string
	// Open builds the area's services once the store, tickets service and
	// API exist; an error aborts App.Open.
	Open func(a *App) error
	// Routes adds non-API routes (public pages, the web UI) to the root mux.
	Routes func(a *App, mux *http.ServeMux)
	// Run is the area's background work; it returns when ctx ends.
	Run func(ctx context.Context, a *App)
}

var extensions []Extension

// register adds an extension; call it from an init function.
func register(e Extension) { extensions = append(extensions, e) }

// Provide stores an area's service on the app so other areas and tests can
// find it with Lookup.
func Provide[T any](a *App, v T) {
	a.servicesMu.Lock()
	defer a.servicesMu.Unlock()
	if a.services == nil {
		a.services = map[any]any{}
	}
	a.services[typeKey[T]{}] = v
}

// Lookup returns the service of type T that an extension provided, or the
// zero value.
func Lookup[T any](a *App) T {
	a.servicesMu.Lock()
	defer a.servicesMu.Unlock()
	v, _ := a.services[typeKey[T]{}].(T)
	return v
}

type typeKey[T any] struct{}

func (a *App) openExtensions() error {
	for _, e := range extensions {
		if e.Open != nil {
			if err := e.Open(a); err != nil {
				return err
			}
		}
	}
	return nil
}

func (a *App) extensionRoutes(mux *http.ServeMux) {
	for _, e := range extensions {
		if e.Routes != nil {
			e.Routes(a, mux)
		}
	}
}

// runExtensions starts every extension's background work and returns a
// function that waits for all of it to stop.
func (a *App) runExtensions(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	for _, e := range extensions {
		if e.Run == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.Run(ctx, a)
		}()
	}
	return wg.Wait
}
