package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/queue"
)

// Management views (L2, A2, A3, A4): user accounts and queues, for
// administrators; supervisors read them and open and close queues.
// The switchboard authorizes every call; these only carry its answers, with
// its messages, to the UI.

// AdminQueues lists the stored queues and whether a restart is needed for
// them to apply.
func (c *Console) AdminQueues(ctx context.Context) (api.QueueSettingsList, error) {
	return adminCall(c, func(cl *api.Client) (api.QueueSettingsList, error) { return cl.QueueSettings(ctx) })
}

// SaveQueue creates the queue req.ID (create) or replaces it.
func (c *Console) SaveQueue(ctx context.Context, req api.QueueRequest, create bool) (api.QueueSaved, error) {
	return adminCall(c, func(cl *api.Client) (api.QueueSaved, error) {
		if create {
			return cl.CreateQueue(ctx, req)
		}
		return cl.SaveQueue(ctx, req)
	})
}

// DeleteQueue removes a queue and returns the queues left.
func (c *Console) DeleteQueue(ctx context.Context, id string) (api.QueueSettingsList, error) {
	return adminCall(c, func(cl *api.Client) (api.QueueSettingsList, error) {
		if err := cl.DeleteQueue(ctx, id); err != nil {
			return api.QueueSettingsList{}, err
		}
		return cl.QueueSettings(ctx)
	})
}

// SetQueueMode sets a queue's mode (supervisors and administrators, Q9).
func (c *Console) SetQueueMode(ctx context.Context, id string, mode queue.Mode) (api.QueueMode, error) {
	return adminCall(c, func(cl *api.Client) (api.QueueMode, error) { return cl.SetQueueMode(ctx, id, mode) })
}

// Users lists the user accounts.
func (c *Console) Users(ctx context.Context) ([]api.User, error) {
	return adminCall(c, func(cl *api.Client) ([]api.User, error) { return cl.Users(ctx) })
}

// SaveUser creates the account req.Username (create) or replaces it; an empty
// password on update keeps the current one.
func (c *Console) SaveUser(ctx context.Context, req api.UserRequest, create bool) (api.User, error) {
	return adminCall(c, func(cl *api.Client) (api.User, error) {
		if create {
			return cl.CreateUser(ctx, req)
		}
		return cl.UpdateUser(ctx, req)
	})
}

// DeleteUser removes an account.
func (c *Console) DeleteUser(ctx context.Context, username string) error {
	_, err := adminCall(c, func(cl *api.Client) (struct{}, error) { return struct{}{}, cl.DeleteUser(ctx, username) })
	return err
}

// errNotAdmin is what the UI shows when the switchboard refuses a management
// call: the session's role is not enough.
var errNotAdmin = errors.New("only administrators can manage users and queues")

// adminCall runs f on the switchboard's client and turns its refusals into
// the switchboard's own message (400 validation, 404, 409 conflicts).
func adminCall[T any](c *Console, f func(*api.Client) (T, error)) (T, error) {
	return refusedAs(c, errNotAdmin, f)
}

// refusedAs is live, with a 403 told as notAllowed plus the switchboard's reason:
// the session's role is not enough for what was asked.
func refusedAs[T any](c *Console, notAllowed error, f func(*api.Client) (T, error)) (T, error) {
	return live(c, func(cl *api.Client) (T, error) {
		out, err := f(cl)
		if se := (*api.StatusError)(nil); errors.As(err, &se) && se.Status == http.StatusForbidden {
			return out, fmt.Errorf("%w (%s)", notAllowed, se.Msg)
		}
		return out, err
	})
}
