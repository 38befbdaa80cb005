package api_test

import "github.com/kizuna-desk/kizuna/internal/api"

func apiConfig(rateLimit int) api.Config {
	c := api.DefaultConfig
	c.RateLimit = rateLimit
	c.MaxBodyBytes = 1 << 20
	return c
}
