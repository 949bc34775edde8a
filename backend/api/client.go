package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/favorites"
	"github.com/concierge-console/concierge/backend/queue"
)

// Client talks to a switchboard's API. It is safe for concurrent use.
type Client struct {
	base string
	http *http.Client

	mu    sync.RWMutex
	token string
}

// StatusError is a non-2xx answer of the switchboard, with its message.
type StatusError struct {
	Status int
	Code   string
	Msg    string
}

func (e *StatusError) Error() string { return e.Msg }

// ErrUnauthorized matches a 401: wrong password or an expired session.
var ErrUnauthorized = errors.New("unauthorized")

// Is lets errors.Is(err, ErrUnauthorized) work on a 401.
func (e *StatusError) Is(target error) bool {
	return target == ErrUnauthorized && e.Status == http.StatusUnauthorized
}

// NewClient returns a client for the switchboard at base (https://host:port).
// hc carries the TLS trust (pinned certificate or system roots); nil uses
// http.DefaultClient.
func NewClient(base string, hc *http.Client) *Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: strings.TrimRight(base, "/"), http: hc}
}

// Base is the switchboard's address.
func (c *Client) Base() string { return c.base }

// Token returns the session token (empty before Login).
func (c *Client) Token() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.token
}

// SetToken resumes a session without logging in again.
func (c *Client) SetToken(t string) {
	c.mu.Lock()
	c.token = t
	c.mu.Unlock()
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+"/api/"+Version+path, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if t := c.Token(); t != "" {
		req.Header.Set("Authorization", "Bearer "+t)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("switchboard unreachable: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var e Error
		if json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(&e) != nil || e.Error == "" {
			e.Error = resp.Status
		}
		return &StatusError{Status: resp.StatusCode, Code: e.Code, Msg: e.Error}
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode %s %s: %w", method, path, err)
	}
	return nil
}

// Health checks that a switchboard answers.
func (c *Client) Health(ctx context.Context) (Health, error) {
	var h Health
	return h, c.do(ctx, http.MethodGet, "/health", nil, &h)
}

// Login opens a session and keeps its token for later calls.
func (c *Client) Login(ctx context.Context, req LoginRequest) (Session, error) {
	var s Session
	if err := c.do(ctx, http.MethodPost, "/session", req, &s); err != nil {
		return s, err
	}
	c.SetToken(s.Token)
	return s, nil
}

// Me returns the user of the current session.
func (c *Client) Me(ctx context.Context) (User, error) {
	var u User
	return u, c.do(ctx, http.MethodGet, "/session", nil, &u)
}

// Logout ends the session on the switchboard and forgets the token.
func (c *Client) Logout(ctx context.Context) error {
	err := c.do(ctx, http.MethodDelete, "/session", nil, nil)
	c.SetToken("")
	return err
}

// Queues returns every queue with its waiting calls.
func (c *Client) Queues(ctx context.Context) ([]queue.Queue, error) {
	var q []queue.Queue
	return q, c.do(ctx, http.MethodGet, "/queues", nil, &q)
}

// CallAction runs answer, reject, pickup, reserve, hold, resume or hangup on a call.
func (c *Client) CallAction(ctx context.Context, callID, action string) error {
	return c.do(ctx, http.MethodPost, "/calls/"+url.PathEscape(callID)+"/"+action, nil, nil)
}

// Transfer blind-transfers the attendant's call to target; safe brings it
// back as a recall when the target does not answer.
func (c *Client) Transfer(ctx context.Context, callID, target string, safe bool) error {
	return c.do(ctx, http.MethodPost, "/calls/"+url.PathEscape(callID)+"/transfer", TransferRequest{Target: target, Safe: safe}, nil)
}

// SetNote sets the note of a call.
func (c *Client) SetNote(ctx context.Context, callID, note string) error {
	return c.do(ctx, http.MethodPut, "/calls/"+url.PathEscape(callID)+"/note", Note{Note: note}, nil)
}

// SetAvailable switches the attendant between available and busy.
func (c *Client) SetAvailable(ctx context.Context, on bool) error {
	return c.do(ctx, http.MethodPut, "/me/availability", Availability{Available: on}, nil)
}

// Settings returns the user's settings document.
func (c *Client) Settings(ctx context.Context) (json.RawMessage, error) {
	var doc json.RawMessage
	return doc, c.do(ctx, http.MethodGet, "/me/settings", nil, &doc)
}

// PutSettings replaces the user's settings document.
func (c *Client) PutSettings(ctx context.Context, doc json.RawMessage) error {
	return c.do(ctx, http.MethodPut, "/me/settings", doc, nil)
}

// History returns the user's recent calls, newest first, transfer
// destinations named from the directory.
func (c *Client) History(ctx context.Context) ([]HistoryItem, error) {
	var h []HistoryItem
	return h, c.do(ctx, http.MethodGet, "/history", nil, &h)
}

// CreateUser creates an account (administrators only).
func (c *Client) CreateUser(ctx context.Context, req UserRequest) (User, error) {
	var u User
	return u, c.do(ctx, http.MethodPost, "/users", req, &u)
}

// Users lists the accounts (supervisors and administrators).
func (c *Client) Users(ctx context.Context) ([]User, error) {
	var u []User
	return u, c.do(ctx, http.MethodGet, "/users", nil, &u)
}

// SearchContacts searches the directory; results come ranked.
func (c *Client) SearchContacts(ctx context.Context, query string, limit int) ([]directory.Result, error) {
	var res []directory.Result
	q := url.Values{"q": {query}, "limit": {strconv.Itoa(limit)}}
	return res, c.do(ctx, http.MethodGet, "/contacts?"+q.Encode(), nil, &res)
}

// Contact returns one contact.
func (c *Client) Contact(ctx context.Context, id string) (directory.Contact, error) {
	var out directory.Contact
	return out, c.do(ctx, http.MethodGet, "/contacts/"+url.PathEscape(id), nil, &out)
}

// CreateContact adds a contact; the switchboard sets its id and owner.
func (c *Client) CreateContact(ctx context.Context, in directory.Contact) (directory.Contact, error) {
	var out directory.Contact
	return out, c.do(ctx, http.MethodPost, "/contacts", in, &out)
}

// UpdateContact replaces a contact.
func (c *Client) UpdateContact(ctx context.Context, in directory.Contact) (directory.Contact, error) {
	var out directory.Contact
	return out, c.do(ctx, http.MethodPut, "/contacts/"+url.PathEscape(in.ID), in, &out)
}

// DeleteContact removes a contact.
func (c *Client) DeleteContact(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/contacts/"+url.PathEscape(id), nil, nil)
}

// Favorites returns the user's favorite groups with their contacts.
func (c *Client) Favorites(ctx context.Context) ([]favorites.View, error) {
	var out []favorites.View
	return out, c.do(ctx, http.MethodGet, "/me/favorites", nil, &out)
}

// SaveFavorites replaces the user's favorite groups.
func (c *Client) SaveFavorites(ctx context.Context, groups []favorites.Group) ([]favorites.View, error) {
	var out []favorites.View
	return out, c.do(ctx, http.MethodPut, "/me/favorites", groups, &out)
}
