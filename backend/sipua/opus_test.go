//go:build cgo

package sipua

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/concierge-console/concierge/backend/nettest"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/sipua/pcmtest"
	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"
	"gopkg.in/hraban/opus.v2"
)

// TestOpusWithBaresip: baresip, a third-party softphone, calls the phone offering
// Opus, Opus after PCMU, or PCMU only. The phone answers with Opus whenever it is
// offered; baresip's 600 Hz sine reaches the phone's speaker at 600 Hz, and the
// phone's 1 kHz microphone tone reaches baresip (which records what it decodes) at
// 1 kHz, whatever the codec.
func TestOpusWithBaresip(t *testing.T) {
	for _, tc := range []struct{ name, offer, want string }{
		{"opus only", "opus", "opus"},
		{"pcmu listed before opus", "pcmu,opus", "opus"},
		{"pcmu only", "pcmu", "pcmu"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			incoming := make(chan *Call, 1)
			p, spk := newTestPhone(t, "127.0.0.1:9", "attendant", "unused", WithOnIncoming(func(c *Call) { incoming <- c }))
			port := p.LocalAddr().(*net.UDPAddr).Port
			bs := startBaresipCaller(t, fmt.Sprintf("sip:attendant@127.0.0.1:%d", port), tc.offer, 600)
			var c *Call
			select {
			case c = <-incoming:
			case <-bs.exited:
				t.Fatal("baresip exited before calling")
			case <-time.After(10 * time.Second):
				t.Fatal("baresip's call never arrived")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := p.Answer(ctx, c.ID); err != nil {
				t.Fatalf("Answer: %v", err)
			}
			t.Logf("offer:\n%s", c.d.InviteRequest.Body())
			if got := c.AudioStats().Codec; !strings.EqualFold(got, tc.want) {
				t.Fatalf("answered with %s, want %s", got, tc.want)
			}

			// baresip → speaker: a second of its tone, then its frequency.
			waitFor(t, 5*time.Second, "baresip's tone at the speaker", func() bool {
				_, a := spk.counts()
				return a >= 50
			})
			heard := pcmtest.DominantFreq(spk.recent(SampleRate/2), SampleRate)
			if math.Abs(heard-600) > 15 {
				t.Fatalf("the speaker plays %.0f Hz, want baresip's 600 Hz", heard)
			}

			// microphone → baresip: wait for 1.5 s of its recording of the call.
			var rec wavFile
			waitFor(t, 5*time.Second, "baresip's recording of the call", func() bool {
				var err error
				rec, err = bs.recording()
				return err == nil && len(rec.pcm) >= 3*rec.rate/2
			})
			if err := p.Hangup(ctx, c.ID); err != nil {
				t.Fatalf("Hangup: %v", err)
			}
			st := c.AudioStats()
			t.Logf("audio stats: %+v", st)
			// The last half second before the end, with the first 100 ms of it
			// skipped in case the recording ends mid-frame.
			tail := rec.pcm[len(rec.pcm)-rec.rate/2 : len(rec.pcm)-rec.rate/10]
			if r := rms(tail); r < 300 {
				t.Fatalf("baresip hears silence (rms %.0f) from the phone", r)
			}
			f := pcmtest.DominantFreq(tail, rec.rate)
			if math.Abs(f-1000) > 15 {
				t.Fatalf("baresip hears %.0f Hz, want the phone's 1000 Hz (recorded at %d Hz)", f, rec.rate)
			}
			t.Logf("%s: the speaker plays %.0f Hz, baresip hears %.0f Hz (rms %.0f, %d Hz)", st.Codec, heard, f, rms(tail), rec.rate)
			if st.PacketsReceived < 50 || st.PacketsSent < 50 || st.FramesConcealed > 5 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

// TestAnswerCodecs: the answer's codec list for an offer, per RFC 3264 order rules
// and the phone's preference for Opus.
func TestAnswerCodecs(t *testing.T) {
	offer := func(formats string, rtpmaps ...string) []byte {
		return []byte("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP " +
			formats + "\r\n" + strings.Join(rtpmaps, "") + "a=sendrecv\r\n")
	}
	names := func(cs []media.Codec) string {
		var s []string
		for _, c := range cs {
			s = append(s, fmt.Sprintf("%s/%d", c.Name, c.PayloadType))
		}
		return strings.Join(s, " ")
	}
	opus111 := "a=rtpmap:111 opus/48000/2\r\n"
	for _, tc := range []struct {
		name  string
		local []media.Codec
		offer []byte
		want  string
	}{
		{"opus offered", defaultCodecs, offer("111 0 101", opus111, "a=rtpmap:101 telephone-event/8000\r\n"), "opus/96 telephone-event/101"},
		{"opus offered last", defaultCodecs, offer("8 0 111", opus111), "opus/96 telephone-event/101"},
		{"no opus", defaultCodecs, offer("8 0"), "pcmu/0 pcma/8 telephone-event/101"},
		{"opus at another rate is not opus", defaultCodecs, offer("111 0", "a=rtpmap:111 opus/16000\r\n"), "pcmu/0 pcma/8 telephone-event/101"},
		{"opus not configured", []media.Codec{media.CodecAudioAlaw}, offer("111 8", opus111), "pcma/8"},
		{"only opus configured", []media.Codec{media.CodecAudioOpus}, offer("0"), "opus/96"},
		{"unparsable offer", defaultCodecs, []byte("nonsense"), "pcmu/0 pcma/8 telephone-event/101"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := names(answerCodecs(tc.local, tc.offer)); got != tc.want {
				t.Fatalf("answer %q, want %q", got, tc.want)
			}
		})
	}
}

type baresipCaller struct {
	dir    string
	exited chan struct{}
}

// startBaresipCaller runs baresip calling target as soon as it starts, offering the
// given audio_codecs, sending a sine at freq Hz, and recording what it decodes
// (sndfile module) into a WAV file.
func startBaresipCaller(t *testing.T, target, codecs string, freq int) *baresipCaller {
	t.Helper()
	bin, err := exec.LookPath("baresip")
	if err != nil {
		t.Skip("skipping: baresip is not installed (Debian package baresip)")
	}
	if _, err := os.Stat("/usr/lib/baresip/modules/opus.so"); err != nil {
		t.Skip("skipping: baresip has no opus module")
	}
	dir := t.TempDir()
	// ausine only makes 48 kHz stereo; baresip resamples it for G.711.
	var b *baresipCaller
	nettest.StartOnBaresipPort(t, func(port int) nettest.Proc {
		config := fmt.Sprintf(`poll_method		epoll
sip_listen		127.0.0.1:%d
audio_player		aubridge,sink
audio_source		ausine,%d
audio_alert		aubridge,alert
ausrc_srate		48000
ausrc_channels		2
rtp_stats		no
module_path		/usr/lib/baresip/modules
module			g711.so
module			opus.so
module			ausine.so
module			aubridge.so
module			sndfile.so
module_tmp		account.so
module_app		menu.so
snd_path		%s
opus_stereo		no
opus_sprop_stereo	no
`, port, freq, dir)
		accounts := fmt.Sprintf("<sip:caller@127.0.0.1>;regint=0;audio_codecs=%s\n", strings.ReplaceAll(codecs, "opus", "opus/48000/1"))
		for name, body := range map[string]string{"config": config, "accounts": accounts, "contacts": ""} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command(bin, "-f", dir, "-e", "/dial "+target)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting baresip: %v", err)
		}
		b = &baresipCaller{dir: dir, exited: make(chan struct{})}
		go func() {
			_ = cmd.Wait()
			close(b.exited)
		}()
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			<-b.exited
			if t.Failed() || testing.Verbose() {
				t.Logf("baresip output:\n%s", lastLines(out.String(), 60))
			}
		})
		return nettest.Proc{Pid: cmd.Process.Pid, Exited: b.exited, Stop: func() {
			_ = cmd.Process.Kill()
			<-b.exited
		}}
	})
	return b
}

type wavFile struct {
	rate int
	pcm  []int16 // the first channel
}

// recording reads what baresip has decoded so far (its sndfile "dec" dump). The
// data chunk's size may not be written yet: everything after its header is read.
func (b *baresipCaller) recording() (wavFile, error) {
	files, _ := filepath.Glob(filepath.Join(b.dir, "dump-*-dec.wav"))
	if len(files) != 1 {
		return wavFile{}, fmt.Errorf("%d recordings", len(files))
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		return wavFile{}, err
	}
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
		return wavFile{}, fmt.Errorf("not a WAV file yet")
	}
	var w wavFile
	channels := 0
	for off := 12; off+8 <= len(data); {
		id, size := string(data[off:off+4]), int(binary.LittleEndian.Uint32(data[off+4:]))
		body := data[off+8:]
		switch id {
		case "fmt ":
			if len(body) < 16 || binary.LittleEndian.Uint16(body) != 1 || binary.LittleEndian.Uint16(body[14:]) != 16 {
				return wavFile{}, fmt.Errorf("not 16-bit PCM")
			}
			channels = int(binary.LittleEndian.Uint16(body[2:]))
			w.rate = int(binary.LittleEndian.Uint32(body[4:]))
		case "data":
			if channels == 0 {
				return wavFile{}, fmt.Errorf("data before fmt")
			}
			for i := 0; i+2*channels <= len(body); i += 2 * channels {
				w.pcm = append(w.pcm, int16(binary.LittleEndian.Uint16(body[i:])))
			}
			return w, nil
		}
		off += 8 + size + size%2
	}
	return wavFile{}, fmt.Errorf("no data yet")
}

// TestOpusLossRecovered: a caller sends an Opus tone and loses three packets on the
// way (one, then two in a row). The phone rebuilds them from the packets that follow
// (FEC, or Opus's own concealment), so the tone plays on without a silent frame,
// where G.711's repeat-then-silence would leave a hole. The rebuilt audio is ready
// when the next packet arrives, up to 40 ms after the lost one was due: the buffer
// must hold that much more than the frame playing, so it is 100 ms here. (With the
// default 40 ms floor a rebuilt packet is in time only when the next one beats the
// playout clock; otherwise the buffer conceals as for G.711.)
func TestOpusLossRecovered(t *testing.T) {
	incoming := make(chan *Call, 1)
	p, spk := newTestPhone(t, "127.0.0.1:9", "attendant", "unused", WithOnIncoming(func(c *Call) { incoming <- c }),
		WithJitterBuffer(100*time.Millisecond, 100*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	med := diagoCall(t, ctx, p, media.CodecAudioOpus)
	c := <-incoming

	enc, err := opus.NewEncoder(SampleRate, 1, opus.AppVoIP)
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(enc.SetInBandFEC(true), enc.SetPacketLossPerc(10), enc.SetBitrate(24000)); err != nil {
		t.Fatal(err)
	}
	w := med.RTPPacketWriter
	drop := &lossyRTP{RTPWriter: w.Writer(), lose: map[int]bool{60: true, 90: true, 91: true}}
	w.UpdateWriter(drop, media.CodecAudioOpus)
	// Half a second of silence for the buffer to settle, then 2 s of a 600 Hz tone;
	// Write paces at 20 ms.
	src := &tone{freq: 600}
	frame, pcm, payload := make([]byte, FrameBytes), make([]int16, FrameSamples), make([]byte, 1500)
	for i := range 125 {
		clear(frame)
		if i >= 25 {
			src.Read(frame)
		}
		pcm = pcmFromBytes(pcm[:0], frame)
		n, err := enc.Encode(pcm, payload)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(payload[:n]); err != nil {
			t.Fatalf("sending RTP: %v", err)
		}
	}
	// The speaker's frames, by level; first and last are the tone's ends.
	var levels []int
	first, last := -1, -1
	measure := func() {
		played := spk.recent(10 * SampleRate)
		levels, first, last = levels[:0], -1, -1
		for i := 0; i+FrameSamples <= len(played); i += FrameSamples {
			l := int(rms(played[i : i+FrameSamples]))
			levels = append(levels, l)
			if l > 1000 {
				if first < 0 {
					first = i / FrameSamples
				}
				last = i / FrameSamples
			}
		}
	}
	waitFor(t, 3*time.Second, "the end of the tone at the speaker", func() bool {
		measure()
		return last >= 0 && len(levels)-last > 3
	})
	st := c.AudioStats()
	t.Logf("audio stats: %+v; the caller lost %d packets", st, drop.lost())
	if drop.lost() != 3 {
		t.Fatalf("the caller lost %d packets, want 3", drop.lost())
	}
	// 100 frames, give or take one skipped by the buffer or concealed after the end.
	if n := last - first + 1; n < 99 || n > 101 {
		t.Fatalf("the tone played for %d frames, want 100: %v", n, levels)
	}
	// Opus's concealment fades a little, and its decoder takes a frame to settle
	// after it; the jitter buffer's own concealment would play silence for the
	// second of two lost frames.
	for i := first; i <= last; i++ {
		if levels[i] < 300 {
			t.Fatalf("frame %d of the tone is nearly silent (rms %d): %v", i-first, levels[i], levels[first:last+1])
		}
	}
	if st.FramesConcealed > 1 { // the end of the stream
		t.Fatalf("%d frames concealed by the jitter buffer; Opus should have rebuilt them", st.FramesConcealed)
	}
}

// lossyRTP loses the packets whose (0-based) index is in lose.
type lossyRTP struct {
	media.RTPWriter
	mu   sync.Mutex
	n    int
	lose map[int]bool
	gone int
}

func (l *lossyRTP) WriteRTP(p *rtp.Packet) error {
	l.mu.Lock()
	i := l.n
	l.n++
	lost := l.lose[i]
	if lost {
		l.gone++
	}
	l.mu.Unlock()
	if lost {
		return nil
	}
	return l.RTPWriter.WriteRTP(p)
}

func (l *lossyRTP) lost() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.gone
}

// diagoCall calls the phone straight from a diago user agent offering only codec,
// asking for auto-answer, and returns the caller's media once answered. The call
// is hung up when the test ends.
func diagoCall(t *testing.T, ctx context.Context, p *Phone, codec media.Codec) *diago.DialogMedia {
	t.Helper()
	var (
		ua        *sipgo.UserAgent
		dg        *diago.Diago
		port      int
		stopServe context.CancelFunc
	)
	for attempt := 1; ; attempt++ {
		var err error
		if ua, err = sipgo.NewUA(sipgo.WithUserAgent("caller")); err != nil {
			t.Fatal(err)
		}
		port = freePort(t)
		dg = diago.NewDiago(ua, diago.WithLogger(testLogger(t)),
			diago.WithMediaConfig(diago.MediaConfig{Codecs: []media.Codec{codec}}),
			diago.WithTransport(diago.Transport{Transport: "udp", BindHost: "127.0.0.1", BindPort: port}))
		var sctx context.Context
		sctx, stopServe = context.WithCancel(ctx)
		err = dg.ServeBackground(sctx, func(d *diago.DialogServerSession) {})
		if err == nil {
			break
		}
		stopServe()
		ua.Close()
		// The port found free can be taken before diago binds it: try another.
		if attempt == 5 {
			t.Fatal(err)
		}
	}
	// The INVITE must leave from the listening socket, which sipgo only reuses once
	// its serve loop has registered it.
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	waitFor(t, 2*time.Second, "the caller's SIP socket", func() bool {
		_, err := ua.TransportLayer().GetConnection("udp", addr)
		return err == nil
	})
	phone := p.LocalAddr().(*net.UDPAddr)
	d, med, err := dg.Invite(ctx, sip.Uri{Scheme: "sip", User: "attendant", Host: "127.0.0.1", Port: phone.Port},
		diago.InviteOptions{Headers: []sip.Header{sip.NewHeader("Call-Info", "<sip:127.0.0.1>;answer-after=0")}})
	if err != nil {
		t.Fatalf("INVITE: %v", err)
	}
	t.Cleanup(func() {
		hctx, c := context.WithTimeout(context.Background(), 3*time.Second)
		defer c()
		d.Hangup(hctx)
		d.Close()
		stopServe()
		ua.Close()
	})
	return med
}

// TestOpusCodecDelay measures what Opus adds to the audio path by itself: the
// encoder's look-ahead and the decoder's delay, in samples of the output (G.711
// adds none). A tone starts at a known sample; the test finds where it starts
// after encoding and decoding.
func TestOpusCodecDelay(t *testing.T) {
	vc, err := newOpus()
	if err != nil {
		t.Fatal(err)
	}
	const onset = 10 * FrameSamples
	src := &tone{freq: 1000}
	frame, payload := make([]byte, FrameBytes), make([]byte, maxPayload)
	var out []int16
	for i := range 30 {
		clear(frame)
		if i >= onset/FrameSamples {
			src.Read(frame)
		}
		n, err := vc.encode(payload, frame)
		if err != nil {
			t.Fatal(err)
		}
		pcm, err := vc.decode(payload[:n])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pcm...)
	}
	at := -1
	for i, v := range out {
		if v > 2000 || v < -2000 {
			at = i
			break
		}
	}
	if at < onset {
		t.Fatalf("the tone starts at sample %d, before it was sent (%d)", at, onset)
	}
	d := time.Duration(at-onset) * time.Second / SampleRate
	t.Logf("Opus at 8 kHz delays audio by %d samples (%v); G.711 by none", at-onset, d)
	if d > FrameDuration {
		t.Fatalf("Opus delays audio by %v, more than a frame", d)
	}
	if f := pcmtest.DominantFreq(out[len(out)-SampleRate/4:], SampleRate); math.Abs(f-1000) > 15 {
		t.Fatalf("the tone comes out at %.0f Hz", f)
	}
}

// BenchmarkCodecFrame: the CPU cost of one 20 ms frame each way (encode and
// decode), for each codec the phone speaks.
func BenchmarkCodecFrame(b *testing.B) {
	for _, c := range []media.Codec{media.CodecAudioUlaw, media.CodecAudioOpus} {
		b.Run(c.Name, func(b *testing.B) {
			vc, err := newVoiceCodec(c)
			if err != nil {
				b.Fatal(err)
			}
			src := &tone{freq: 1000}
			frame, payload := make([]byte, FrameBytes), make([]byte, maxPayload)
			b.ReportAllocs()
			for b.Loop() {
				src.Read(frame)
				n, err := vc.encode(payload, frame)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := vc.decode(payload[:n]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
