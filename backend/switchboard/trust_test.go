//go:build linux

package switchboard

import (
	"context"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/loadgen"
	"github.com/emiago/sipgo/sip"
)

// With TrustedPeers set, a new call from elsewhere gets 403 and is never queued, while
// the trusted peer's calls are answered with music on hold.
func TestUntrustedPeerCannotCall(t *testing.T) {
	cfg := receptionConfig()
	cfg.TrustedPeers = []string{"127.0.0.1/32", "::1"}
	sb := startSwitchboard(t, cfg)

	intruder := newRawRegistrar(t, sb.udp, "127.0.0.2")
	inv := intruder.request("0612345678", "", 1)
	inv.Method = sip.INVITE
	inv.RemoveHeader("CSeq")
	inv.AppendHeader(sip.NewHeader("CSeq", "1 INVITE"))
	inv.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	inv.SetBody([]byte("v=0\r\no=- 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n"))
	intruder.send(t, inv)
	if got := intruder.collect(t, 1); got["Forbidden (untrusted peer)"] != 1 {
		t.Fatalf("INVITE from an untrusted address: %v; want 403 (untrusted peer)", got)
	}
	if n := len(waitingCalls(sb.Switchboard)); n != 0 {
		t.Fatalf("%d calls queued from an untrusted address", n)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := loadgen.Run(ctx, loadgen.Config{Target: sb.udp.String(), Calls: 1, Hold: time.Second}, nil)
	if err != nil || res.Established != 1 || res.Packets == 0 {
		t.Fatalf("call from the trusted peer: %+v, %v; want answered with music", res, err)
	}
}

func TestTrustedPeersConfig(t *testing.T) {
	if _, err := parseTrusted([]string{"10.0.0.0/8", "192.0.2.7", " ::1 "}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"pbx.example.com", "10.0.0.0/33", ""} {
		if _, err := parseTrusted([]string{bad}); err == nil {
			t.Errorf("trusted peer %q accepted", bad)
		}
	}
	p, _ := newPeerScreen([]string{"10.1.0.0/16"})
	for src, want := range map[string]bool{"10.1.2.3:5060": true, "10.2.0.1:5060": false, "[::ffff:10.1.0.9]:5060": true, "junk": false} {
		if got := p.trusted(src); got != want {
			t.Errorf("trusted(%s) = %v, want %v", src, got, want)
		}
	}
}
