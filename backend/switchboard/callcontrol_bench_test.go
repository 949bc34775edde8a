package switchboard

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
	"github.com/emiago/diago"
	"github.com/emiago/sipgo/sip"
)

// busyUAS is a bare UDP SIP target: it timestamps each INVITE as it comes off the
// socket and answers 486 Busy Here, so a benchmark sees when the switchboard's request
// reached the wire without a SIP stack's own latency in between.
type busyUAS struct {
	conn    *net.UDPConn
	invites chan time.Time
}

func newBusyUAS(b testing.TB) *busyUAS {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	u := &busyUAS{conn: conn, invites: make(chan time.Time, 16)}
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := conn.ReadFromUDP(buf)
			if err != nil {
				return
			}
			at := time.Now()
			msg, err := sip.ParseMessage(buf[:n])
			if err != nil {
				continue
			}
			req, ok := msg.(*sip.Request)
			if !ok || req.Method != sip.INVITE {
				continue // ACKs of our 486
			}
			select {
			case u.invites <- at:
			default:
			}
			res := sip.NewResponseFromRequest(req, sip.StatusBusyHere, "Busy Here", nil)
			if to := res.To(); to != nil && to.Params != nil {
				if _, ok := to.Params.Get("tag"); !ok {
					to.Params.Add("tag", "busy")
				}
			}
			_, _ = conn.WriteToUDP([]byte(res.String()), from)
		}
	}()
	b.Cleanup(func() { conn.Close() })
	return u
}

func (u *busyUAS) uri() string { return "sip:busy@" + u.conn.LocalAddr().String() }

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// BenchmarkConsultToInvite measures the time from an attendant's action — Consult, the
// API handler's call into the switchboard — to its INVITE arriving at the target's
// socket (p50, p99 over b.N consultations of one bridged SIPp call; the target answers
// 486 so the attendant is back with the caller for the next one).
func BenchmarkConsultToInvite(b *testing.B) {
	sb := startSwitchboard(b, receptionConfig(), twoPasswords, WithLogger(quietLogger()))
	ctx := context.Background()
	alice := newTestPhone(b, "alice", modeAnswer, withAnswerDelay(10*time.Millisecond))
	if err := alice.register(ctx, sb.udp, "pw-alice"); err != nil {
		b.Fatal(err)
	}
	if err := sb.AttendantOnline(ctx, queue.Attendant{Username: "alice", Available: true}); err != nil {
		b.Fatal(err)
	}
	sink := newRTPSink(b, 8)
	run := startSipp(b, sb.udp, "caller_until_bye.xml", "-s", "100", "-m", "1",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0640404040", "-key", "pcap", g711aPcap(b))
	waitFor(b, 5*time.Second, "alice answers", func() bool { return alice.answered.Load() == 1 })
	var callID string
	waitFor(b, 5*time.Second, "bridged", func() bool {
		for _, l := range sb.Engine().Lines() {
			callID = l.ID
			return true
		}
		return false
	})
	c := sb.lookupCall(callID)
	target := newBusyUAS(b)

	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if err := sb.Consult(ctx, "alice", callID, target.uri()); err != nil {
			b.Fatalf("Consult: %v", err)
		}
		select {
		case at := <-target.invites:
			lat = append(lat, at.Sub(t0))
		case <-time.After(5 * time.Second):
			b.Fatal("no INVITE on the wire")
		}
		for c.consulting() { // 486 → back with the caller
			time.Sleep(200 * time.Microsecond)
		}
	}
	b.StopTimer()
	reportPercentiles(b, lat)
	sb.stop()
	run.wait(b, 10*time.Second)
}

func reportPercentiles(b *testing.B, d []time.Duration) {
	slices.Sort(d)
	pct := func(p float64) float64 {
		return float64(d[min(len(d)-1, int(p*float64(len(d))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op") // the percentiles are the measurement
}

// BenchmarkRelay200 bridges 200 SIPp callers (BENCH_RELAY_CALLS to change it) to 200
// attendants (one test UA registered under 200 names, each call sending a 20 ms test
// frame every 20 ms) and counts, over a 5 s window, the attendant frames that did not
// reach the callers: the relay's loss with every call bridged at once. It also reports
// the caller→attendant packets per second per call.
func BenchmarkRelay200(b *testing.B) {
	n := 200
	if v, err := strconv.Atoi(os.Getenv("BENCH_RELAY_CALLS")); err == nil && v > 0 {
		n = v
	}
	pw := passwords{}
	for i := range n {
		pw[fmt.Sprintf("a%d", i)] = "pw"
	}
	cfg := receptionConfig()
	cfg.OfferTimeout = 30 * time.Second
	sb := startSwitchboard(b, cfg, WithCredentials(pw), WithLogger(quietLogger()))
	ctx := context.Background()
	phone := newTestPhone(b, "a0", modeAnswer, withAnswerDelay(0))
	for user := range pw {
		uri := sip.Uri{Scheme: "sip", User: user, Host: sb.udp.IP.String(), Port: sb.udp.Port}
		tx, err := phone.dg.RegisterTransaction(ctx, uri, diago.RegisterOptions{Username: user, Password: "pw", Expiry: 300 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		if err := tx.Register(ctx); err != nil {
			b.Fatalf("register %s: %v", user, err)
		}
		if err := sb.AttendantOnline(ctx, queue.Attendant{Username: user, Available: true}); err != nil {
			b.Fatal(err)
		}
	}
	sink := newRTPSink(b, 8)
	// 200 calls at 50 frames/s arrive at this one socket: a big buffer keeps the test's
	// own reader from being the loss it measures.
	if err := sink.conn.SetReadBuffer(8 << 20); err != nil {
		b.Fatal(err)
	}
	run := startSipp(b, sb.udp, "caller_until_bye.xml", "-s", "100", "-m", strconv.Itoa(n), "-l", strconv.Itoa(n), "-r", "50",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0640404040", "-key", "pcap", longPcap(b, 6))
	waitFor(b, 60*time.Second, "every call bridged", func() bool { return phone.answered.Load() == int64(n) })
	time.Sleep(2 * time.Second) // let the last ones settle

	b.ResetTimer()
	const window = 5 * time.Second
	const lag = 200 * time.Millisecond // frames in flight at the window's edges
	st0 := sb.Stats()
	sent0, in0 := phone.rtpOut.Load(), phone.unmarked.Load()
	time.Sleep(lag)
	recv0 := sink.heard[patternByte].Load()
	time.Sleep(window - lag)
	st1 := sb.Stats()
	sent1, in1 := phone.rtpOut.Load(), phone.unmarked.Load()
	time.Sleep(lag)
	recv1 := sink.heard[patternByte].Load()
	b.StopTimer()
	relayIn, relayOut, relayFailed := st1.RelayIn-st0.RelayIn, st1.RelayOut-st0.RelayOut, st1.RelayFailed-st0.RelayFailed
	b.ReportMetric(float64(relayIn-relayOut), "relay-not-forwarded")
	b.ReportMetric(float64(relayFailed), "relay-write-errors")
	b.Logf("relay over the window: %d packets read, %d written, %d write errors", relayIn, relayOut, relayFailed)

	sent, recv := sent1-sent0, recv1-recv0
	lost := max(0, sent-recv)
	b.ReportMetric(float64(n), "calls")
	b.ReportMetric(float64(sent), "frames-sent")
	b.ReportMetric(float64(lost), "frames-lost")
	b.ReportMetric(100*float64(lost)/float64(max(sent, 1)), "loss-%")
	b.ReportMetric(float64(in1-in0)/window.Seconds()/float64(n), "caller-pps/call")
	b.ReportMetric(0, "ns/op")
	b.Logf("%d bridged calls: attendant→caller %d frames sent, %d received (%d lost); caller→attendant %.1f packets/s per call",
		n, sent, recv, lost, float64(in1-in0)/window.Seconds()/float64(n))
	sb.stop()
	run.wait(b, 30*time.Second)
}
