package switchboard

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/presence"
	"github.com/concierge-console/concierge/backend/queue"
)

// startKamailioBLF runs test/kamailio/presence.cfg (registrar, proxy and a
// dialog-info presence server) on an ephemeral loopback port. stop ends it
// early (it is also stopped at cleanup).
func startKamailioBLF(t *testing.T) (addr *net.UDPAddr, stop func()) {
	t.Helper()
	modules := "/usr/lib/x86_64-linux-gnu/kamailio/modules/"
	for _, m := range []string{"presence.so", "presence_dialoginfo.so", "pua_dialoginfo.so"} {
		if _, err := os.Stat(modules + m); err != nil {
			t.Skip("kamailio presence modules not installed (build/deps.sh test); skipping the BLF test")
		}
	}
	cfg, err := filepath.Abs(filepath.Join("..", "..", "test", "kamailio", "presence.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, table := range []string{"version", "presentity", "active_watchers", "watchers", "xcap", "pua"} {
		b, err := os.ReadFile(filepath.Join("/usr/share/kamailio/dbtext/kamailio", table))
		if err != nil {
			t.Skipf("kamailio db_text schema missing: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, table), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return kamailioOnFreePort(t, dir, func(self string) []string {
		return []string{"-f", cfg, "-A", `DBURL="text://` + dir + `"`, "-A", `SELF="sip:` + self + `"`}
	})
}

// BLF against a real presence server: the switchboard SUBSCRIBEs to extension
// 2001's dialog events at Kamailio (passing its digest challenge), Kamailio's
// NOTIFYs light the hub: idle → busy while a call to the desk phone is up →
// available after the hang-up; the subscription is refreshed before it expires;
// when the PBX goes silent the lamp turns stale, keeping its last known state.
func TestBLFFromKamailio(t *testing.T) {
	sippBinary(t)
	pbx, stopPBX := startKamailioBLF(t)
	hub := presence.New()
	hub.Want("2001")
	cfg := receptionConfig()
	cfg.PBX = &PBXConfig{Proxy: pbx.String(), Username: "concierge", Password: "pbx-secret"}
	const expires = 6 * time.Second
	sb := startSwitchboard(t, cfg, WithPresence(hub, BLFConfig{Expires: expires}))

	desk := newTestPhone(t, "2001", modeAnswer)
	registerAtPBX(t, desk, pbx)
	blf := func(want presence.State) func() bool {
		return func() bool {
			p := hub.Get("2001")
			return p.State == want && p.Source == "blf" && !p.Stale
		}
	}
	waitFor(t, 15*time.Second, "first NOTIFY: 2001 idle", blf(presence.Available))

	// The desk phone takes a call (an offer to attendant carol's extension,
	// relayed and tracked by the PBX): its lamp turns busy.
	if err := sb.AttendantOnline(context.Background(), queue.Attendant{Username: "carol", Extension: "2001", Available: true}); err != nil {
		t.Fatal(err)
	}
	sink := newRTPSink(t, 8)
	// The caller hangs up 8 s after the switchboard answered it (music on hold): the
	// lamp must turn busy before then, after the offer through the PBX and its NOTIFY.
	run := startSipp(t, sb.udp, "caller.xml", "-s", "100", "-m", "1", "-d", "8000",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0630303040", "-key", "pcap", g711aPcap(t))
	// Generous: under a loaded CI run one lost UDP packet costs seconds of SIP retransmission.
	waitFor(t, 20*time.Second, "desk phone answers", func() bool { return desk.answered.Load() == 1 })
	waitFor(t, 8*time.Second, "BLF busy while the call is up", blf(presence.Busy))
	run.wait(t, 20*time.Second)
	waitFor(t, 10*time.Second, "BLF available after the hang-up", blf(presence.Available))

	// Past the first subscription's lifetime the lamp is still fresh: refreshed.
	time.Sleep(expires + 2*time.Second)
	hub.Sweep()
	if p := hub.Get("2001"); p.Stale || p.State != presence.Available {
		t.Fatalf("after %v: %+v (subscription not refreshed?)", expires, p)
	}

	stopPBX()
	waitFor(t, 4*expires, "lamp stale once the PBX is silent", func() bool {
		hub.Sweep()
		p := hub.Get("2001")
		return p.Stale && p.State == presence.Available && p.Source == "blf"
	})
}

// A phone registered at the switchboard is available for as long as its
// binding lasts; the hub hears it from the registrar, no PBX needed.
func TestRegisteredPhoneIsAvailable(t *testing.T) {
	hub := presence.New()
	sb := startSwitchboard(t, receptionConfig(), WithCredentials(passwords{"2002": "pw-2002"}), WithPresence(hub, BLFConfig{}))
	phone := newTestPhone(t, "2002", modeAnswer)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if p := hub.Get("2002"); p.State != presence.Unknown {
		t.Fatalf("before REGISTER: %+v", p)
	}
	if err := phone.register(ctx, sb.udp, "pw-2002"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "registered phone available", func() bool {
		p := hub.Get("2002")
		return p.State == presence.Available && p.Source == "registrar" && !p.Stale
	})
}
