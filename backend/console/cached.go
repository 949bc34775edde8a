package console

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/cache"
	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/favorites"
)

// Reads that the local cache answers while the switchboard cannot be reached,
// and settings saved then, sent once it is back.

// sessionAccount returns the client and cache account of the current session;
// online is false while the switchboard has not been reached.
func (c *Console) sessionAccount() (cl *api.Client, acct cache.Account, online bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client == nil {
		return nil, acct, false, ErrNotLoggedIn
	}
	return c.client, c.acct, c.online, nil
}

// readThrough fetches from the switchboard and caches what it sends; when
// the switchboard cannot be reached it answers from the cache instead.
func readThrough[T any](c *Console, fetch func(*api.Client) (T, error), save func(cache.Account, T) error, load func(cache.Account, *T) (bool, error)) (T, error) {
	var zero T
	cl, acct, online, err := c.sessionAccount()
	if err != nil {
		return zero, err
	}
	if online {
		v, ferr := fetch(cl)
		if ferr == nil {
			if c.cfg.Cache != nil {
				if err := save(acct, v); err != nil {
					c.log.Warn("cache: write", "err", err)
				}
			}
			return v, nil
		}
		if !unreachable(ferr) {
			return zero, unwrap(ferr)
		}
		err = ferr
	} else {
		err = ErrOffline
	}
	if c.cfg.Cache != nil {
		var v T
		if ok, lerr := load(acct, &v); lerr == nil && ok {
			return v, nil
		} else if lerr != nil {
			c.log.Warn("cache: read", "err", lerr)
		}
	}
	return zero, err
}

// keyed returns the save and load functions of one cache key.
func keyed[T any](c *Console, key string) (func(cache.Account, T) error, func(cache.Account, *T) (bool, error)) {
	return func(a cache.Account, v T) error { return c.cfg.Cache.Put(a, key, v) },
		func(a cache.Account, v *T) (bool, error) { return c.cfg.Cache.Get(a, key, v) }
}

// Settings returns the user's settings document (cached offline).
func (c *Console) Settings(ctx context.Context) (json.RawMessage, error) {
	save, load := keyed[json.RawMessage](c, cache.KeySettings)
	doc, err := readThrough(c, func(cl *api.Client) (json.RawMessage, error) { return cl.Settings(ctx) }, save, load)
	if err == nil {
		c.emit.Emit(EventSettings, nil)
	}
	return doc, err
}

// EventSettings says the settings Language reads changed: loaded after a login or
// saved. Texts the Go side shows (the tray menu) follow the language with it.
const EventSettings = "settings:updated"

// SaveSettings stores the user's settings document on the switchboard.
// While the switchboard cannot be reached the document is kept in the
// cache and sent once it is back, so nothing the attendant set is lost.
func (c *Console) SaveSettings(ctx context.Context, doc json.RawMessage) error {
	err := c.saveSettings(ctx, doc)
	if err == nil {
		c.emit.Emit(EventSettings, nil)
	}
	return err
}

func (c *Console) saveSettings(ctx context.Context, doc json.RawMessage) error {
	cl, acct, online, err := c.sessionAccount()
	if err != nil {
		return err
	}
	if online {
		err = cl.PutSettings(ctx, doc)
		if !unreachable(err) {
			if err == nil && c.cfg.Cache != nil {
				if cerr := c.cfg.Cache.Put(acct, cache.KeySettings, doc); cerr != nil {
					c.log.Warn("cache: write", "err", cerr)
				}
			}
			return unwrap(err)
		}
	}
	if c.cfg.Cache == nil {
		return ErrOffline
	}
	if err := c.cfg.Cache.Put(acct, cache.KeySettings, doc); err != nil {
		return err
	}
	return c.cfg.Cache.Put(acct, keySettingsPending, true)
}

func (c *Console) pushPendingSettings(ctx context.Context, cl *api.Client, acct cache.Account) {
	if c.cfg.Cache == nil {
		return
	}
	var pending bool
	var doc json.RawMessage
	if ok, _ := c.cfg.Cache.Get(acct, keySettingsPending, &pending); !ok || !pending {
		return
	}
	if ok, _ := c.cfg.Cache.Get(acct, cache.KeySettings, &doc); !ok {
		return
	}
	if err := cl.PutSettings(ctx, doc); err != nil {
		c.log.Warn("console: sending the settings saved offline", "err", err)
		return
	}
	if err := c.cfg.Cache.Put(acct, keySettingsPending, false); err != nil {
		c.log.Warn("cache: write", "err", err)
	}
}

// Favorites returns the user's favorite groups with their contacts (F1, F2),
// from the cache while offline.
func (c *Console) Favorites(ctx context.Context) ([]favorites.View, error) {
	save, load := keyed[[]favorites.View](c, cache.KeyFavorites)
	return readThrough(c, func(cl *api.Client) ([]favorites.View, error) { return cl.Favorites(ctx) }, save, load)
}

// SearchContacts searches the company directory (C1, C2); the last searches
// are answered from the cache while offline.
func (c *Console) SearchContacts(ctx context.Context, query string, limit int) ([]directory.Result, error) {
	key := query + "\x00" + strconv.Itoa(limit)
	return readThrough(c,
		func(cl *api.Client) ([]directory.Result, error) { return cl.SearchContacts(ctx, query, limit) },
		func(a cache.Account, v []directory.Result) error {
			c.searches.add(c, pendingSearch{acct: a, key: key, results: v}) // off the keystroke's path
			return nil
		},
		func(a cache.Account, v *[]directory.Result) (bool, error) { return c.cfg.Cache.Search(a, key, v) })
}

// Contact returns one contact (D1), from the cache while offline.
func (c *Console) Contact(ctx context.Context, id string) (directory.Contact, error) {
	save, load := keyed[directory.Contact](c, "contact/"+id)
	return readThrough(c, func(cl *api.Client) (directory.Contact, error) { return cl.Contact(ctx, id) }, save, load)
}
