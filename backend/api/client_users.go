package api

import (
	"context"
	"net/http"
	"net/url"
)

// UpdateUser replaces the account req.Username; an empty password keeps the
// current one (administrators only).
func (c *Client) UpdateUser(ctx context.Context, req UserRequest) (User, error) {
	var u User
	return u, c.do(ctx, http.MethodPut, "/users/"+url.PathEscape(req.Username), req, &u)
}

// DeleteUser removes an account (administrators only; not one's own).
func (c *Client) DeleteUser(ctx context.Context, username string) error {
	return c.do(ctx, http.MethodDelete, "/users/"+url.PathEscape(username), nil, nil)
}
