package switchboard

import (
	"errors"
	"fmt"
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

func TestFailureReason(t *testing.T) {
	res := func(code int, reason string) *sip.Response {
		req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", Host: "x"})
		return sip.NewResponseFromRequest(req, code, reason, nil)
	}
	for _, tc := range []struct {
		err      error
		timedOut bool
		want     string
	}{
		{&sipgo.ErrDialogResponse{Res: res(486, "Busy Here")}, false, "busy"},
		{fmt.Errorf("wrapped: %w", sipgo.ErrDialogResponse{Res: res(603, "Decline")}), false, "declined"},
		{&sipgo.ErrDialogResponse{Res: res(480, "Temporarily Unavailable")}, false, "unavailable"},
		{&sipgo.ErrDialogResponse{Res: res(407, "Proxy Authentication Required")}, false, "407 Proxy Authentication Required"},
		{errors.New("context deadline exceeded"), true, "timeout"},
		{errors.New("connection refused"), false, "unreachable"},
	} {
		if got := failureReason(tc.err, tc.timedOut); got != tc.want {
			t.Errorf("failureReason(%v) = %q; want %q", tc.err, got, tc.want)
		}
	}
}
