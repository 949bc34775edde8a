package switchboard

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/nettest"
	"github.com/concierge-console/concierge/backend/queue"
	"github.com/emiago/diago/audio"
)

// startBaresip runs baresip as attendant alice: it REGISTERs with digest auth at the
// switchboard and auto-answers (answermode=auto), sending a 440 Hz sine and dumping
// what it hears to WAV files in the returned directory (sndfile module).
func startBaresip(t *testing.T, sb *testSwitchboard, user, password string) (dumpDir string) {
	t.Helper()
	bin, err := exec.LookPath("baresip")
	if err != nil {
		t.Skip("baresip not installed; skipping the softphone integration test")
	}
	dir := t.TempDir()
	// baresip's sine source only runs at 48 kHz; play our hold music from a WAV instead.
	tone := filepath.Join(dir, "tone.wav")
	writeWAV(t, tone, generateMOH())
	dumpDir = filepath.Join(dir, "dump")
	if err := os.Mkdir(dumpDir, 0o700); err != nil {
		t.Fatal(err)
	}
	nettest.StartOnBaresipPort(t, func(port int) nettest.Proc {
		config := fmt.Sprintf(`poll_method		epoll
sip_listen		127.0.0.1:%d
call_local_timeout	120
call_max_calls		4
audio_player		aubridge,sink
audio_source		aufile,%s
audio_alert		aubridge,alert
rtp_stats		no
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			aubridge.so
module			sndfile.so
module_tmp		account.so
module_app		menu.so
snd_path		%s
`, port, tone, dumpDir)
		accounts := fmt.Sprintf("<sip:%s@127.0.0.1:%d>;auth_pass=%s;answermode=auto;regint=60;audio_codecs=pcma,pcmu\n",
			user, sb.udp.Port, password)
		for name, body := range map[string]string{"config": config, "accounts": accounts, "contacts": ""} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command(bin, "-f", dir, "-n", "127.0.0.1")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatalf("start baresip: %v", err)
		}
		exited := make(chan struct{})
		go func() {
			_ = cmd.Wait()
			close(exited)
		}()
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			<-exited
			if t.Failed() || testing.Verbose() {
				t.Logf("baresip output:\n%s", tail(out.String(), 4000))
			}
		})
		return nettest.Proc{Pid: cmd.Process.Pid, Exited: exited, Stop: func() {
			_ = cmd.Process.Kill()
			<-exited
		}}
	})
	return dumpDir
}

// baresip, a real softphone, registers as attendant alice and auto-answers the offer;
// the caller hears baresip's audio and baresip records the caller's audio.
func TestBaresipAttendant(t *testing.T) {
	sippBinary(t)
	sb := startSwitchboard(t, receptionConfig(), WithCredentials(passwords{"alice": "pw-alice"}))
	dump := startBaresip(t, sb, "alice", "pw-alice")
	waitFor(t, 10*time.Second, "baresip registered", func() bool {
		_, ok := sb.reg.lookup("alice")
		return ok
	})
	if err := sb.AttendantOnline(context.Background(), queue.Attendant{Username: "alice", Available: true}); err != nil {
		t.Fatal(err)
	}

	sink := newRTPSink(t, 8)
	// The caller hangs up 6 s after the switchboard answered it: room for a slow bridge
	// and the 1.3 s of baresip's audio measured below.
	run := startSipp(t, sb.udp, "caller.xml", "-s", "100", "-m", "1", "-d", "6000",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0640404040", "-key", "pcap", g711aPcap(t))

	waitFor(t, 10*time.Second, "bridged to baresip", func() bool {
		snap := sb.Engine().Snapshot()
		return len(snap.Attendants) == 1 && snap.Attendants[0].OnCall
	})
	// Music on hold stops at the bridge; what the caller gets from now on is baresip's.
	time.Sleep(300 * time.Millisecond)
	before := sink.packets.Load()
	time.Sleep(time.Second)
	if n := sink.packets.Load() - before; n < 35 {
		t.Errorf("caller got %d packets in 1 s from baresip; want ~50", n)
	}
	run.wait(t, 20*time.Second)
	e := sb.history.wait(t, OutcomeAnswered, 5*time.Second)
	if e.Attendant != "alice" {
		t.Errorf("history = %+v", e)
	}
	// sndfile writes one WAV per direction; the decoded one holds the caller's audio.
	waitFor(t, 5*time.Second, "baresip recorded the caller", func() bool {
		files, _ := filepath.Glob(filepath.Join(dump, "*.wav"))
		for _, f := range files {
			if st, err := os.Stat(f); err == nil && st.Size() > 16000 { // > 1 s of 8 kHz 16-bit
				return true
			}
		}
		return false
	})
}

func writeWAV(t *testing.T, path string, pcm []int16) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := audio.NewWavWriter(f)
	w.NumChans = 1
	buf := make([]byte, 2*len(pcm))
	for i, v := range pcm {
		binary.LittleEndian.PutUint16(buf[2*i:], uint16(v))
	}
	if _, err := w.Write(buf); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
