package sipua

import (
	"testing"

	"github.com/emiago/sipgo/sip"
)

func inviteWith(t *testing.T, hdrs ...[2]string) *sip.Request {
	t.Helper()
	req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: "att", Host: "127.0.0.1"})
	for _, h := range hdrs {
		req.AppendHeader(sip.NewHeader(h[0], h[1]))
	}
	return req
}

func TestIsAutoAnswer(t *testing.T) {
	cases := []struct {
		name string
		hdrs [][2]string
		want bool
	}{
		{"none", nil, false},
		{"call-info", [][2]string{{"Call-Info", "<sip:10.0.0.1>;answer-after=0"}}, true},
		{"call-info spaced", [][2]string{{"Call-Info", "<sip:10.0.0.1> ; Answer-After = 0"}}, true},
		{"call-info delayed", [][2]string{{"Call-Info", "<sip:10.0.0.1>;answer-after=5"}}, false},
		{"call-info list", [][2]string{{"Call-Info", "<http://x/icon.png>;purpose=icon, <sip:pbx>;answer-after=0"}}, true},
		{"call-info purpose only", [][2]string{{"Call-Info", "<http://x/a;answer-after=0>;purpose=info"}}, false},
		{"alert-info", [][2]string{{"Alert-Info", "<http://localhost>;info=alert-autoanswer;delay=0"}}, true},
		{"alert-info ring", [][2]string{{"Alert-Info", "<http://localhost>;info=alert-internal"}}, false},
		{"answer-mode", [][2]string{{"Answer-Mode", "Auto"}}, true},
		{"answer-mode manual", [][2]string{{"Answer-Mode", "Manual"}}, false},
	}
	for _, c := range cases {
		if got := isAutoAnswer(inviteWith(t, c.hdrs...)); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestCallerID(t *testing.T) {
	req := inviteWith(t)
	req.AppendHeader(&sip.FromHeader{DisplayName: "Jean Dupont", Address: sip.Uri{Scheme: "sip", User: "0612345678", Host: "pbx"}, Params: sip.NewParams()})
	if id := callerID(req); id != (CallerID{"Jean Dupont", "0612345678"}) {
		t.Fatalf("from: %+v", id)
	}
	req.AppendHeader(sip.NewHeader("P-Asserted-Identity", `"Accueil" <sip:+33123456789@pbx;user=phone>`))
	if id := callerID(req); id != (CallerID{"Accueil", "+33123456789"}) {
		t.Fatalf("PAI: %+v", id)
	}
}
