package switchboard

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/emiago/diago/audio"
	"github.com/emiago/diago/media"
	"github.com/emiago/diago/media/sdp"
	"github.com/pion/rtp"
)

func TestGeneratedMusicIsSeamlessAndAudible(t *testing.T) {
	pcm := generateMOH()
	if len(pcm)%mohFrameSamples != 0 {
		t.Fatalf("%d samples is not whole 20 ms frames", len(pcm))
	}
	var peak, sum float64
	for _, s := range pcm {
		v := float64(s)
		if v < 0 {
			v = -v
		}
		peak = max(peak, v)
		sum += v
	}
	if peak > 0.5*32767 || peak < 0.2*32767 {
		t.Errorf("peak %v: want a comfortable level, never clipping", peak)
	}
	if mean := sum / float64(len(pcm)); mean < 500 {
		t.Errorf("mean level %v: music is nearly silent", mean)
	}
	// The loop point must not click: the jump from last to first sample is no bigger
	// than the largest step inside the music.
	maxStep := 0
	for i := 1; i < len(pcm); i++ {
		maxStep = max(maxStep, absInt(int(pcm[i])-int(pcm[i-1])))
	}
	if jump := absInt(int(pcm[0]) - int(pcm[len(pcm)-1])); jump > maxStep {
		t.Errorf("loop point jumps by %d, more than any step in the music (%d)", jump, maxStep)
	}
	track := encodeMOH(pcm)
	if track.frames() != len(pcm)/mohFrameSamples || len(track.pcmu[0]) != 160 || len(track.pcma[0]) != 160 {
		t.Fatalf("frames: %d × %d bytes", track.frames(), len(track.pcmu[0]))
	}
}

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func TestLoadMOHFile(t *testing.T) {
	dir := t.TempDir()
	// A WAV written by diago's writer round-trips.
	wavPath := filepath.Join(dir, "moh.wav")
	f, err := os.Create(wavPath)
	if err != nil {
		t.Fatal(err)
	}
	w := audio.NewWavWriter(f)
	w.NumChans = 1
	pcm := make([]byte, 8000*2) // 1 s
	for i := range 8000 {
		pcm[2*i] = byte(i)
	}
	if _, err := w.Write(pcm); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	track, err := newMOHTrack(wavPath)
	if err != nil {
		t.Fatalf("load wav: %v", err)
	}
	if track.frames() != 50 {
		t.Errorf("1 s WAV gave %d frames; want 50", track.frames())
	}
	// Raw 16-bit PCM.
	rawPath := filepath.Join(dir, "moh.raw")
	if err := os.WriteFile(rawPath, pcm[:3200], 0o600); err != nil {
		t.Fatal(err)
	}
	if track, err := newMOHTrack(rawPath); err != nil || track.frames() != 10 {
		t.Errorf("raw: %v, %v frames", err, track)
	}
	// Wrong format.
	w16 := filepath.Join(dir, "16k.wav")
	f, _ = os.Create(w16)
	w = audio.NewWavWriter(f)
	w.NumChans, w.SampleRate = 1, 16000
	_, _ = w.Write(pcm)
	_ = w.Close()
	if _, err := newMOHTrack(w16); err == nil {
		t.Error("16 kHz WAV accepted")
	}
	if _, err := newMOHTrack(filepath.Join(dir, "missing.wav")); err == nil {
		t.Error("missing file accepted")
	}
}

// mohListeners creates n RTP sessions on loopback that all send to one sink socket,
// which nobody reads (the kernel drops what does not fit: sending costs the same).
func mohListeners(tb testing.TB, p *mohPlayer, n int) []*mohListener {
	tb.Helper()
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sink.Close() })
	raddr := sink.LocalAddr().(*net.UDPAddr)
	ls := make([]*mohListener, 0, n)
	for i := range n {
		codec := media.CodecAudioUlaw
		if i%2 == 1 {
			codec = media.CodecAudioAlaw
		}
		ms := &media.MediaSession{
			Codecs: []media.Codec{codec},
			Laddr:  net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)},
			Mode:   sdp.ModeSendrecv,
		}
		if err := ms.Init(); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { ms.Close() })
		ms.SetRemoteAddr(raddr)
		w := media.NewRTPPacketWriter(ms, codec)
		l, err := p.add(w, codec)
		if err != nil {
			tb.Fatal(err)
		}
		ls = append(ls, l)
	}
	return ls
}

// BenchmarkMOHTick measures one 20 ms music-on-hold tick for 1000 waiting calls: one
// RTP packet marshalled and sent per call. ns/call/tick × 50 = CPU ns per call per
// second; the goal is ≤ 0.12 % of a core per call, i.e. ≤ 24 µs per call-tick.
func BenchmarkMOHTick(b *testing.B) {
	track, err := newMOHTrack("")
	if err != nil {
		b.Fatal(err)
	}
	p := newMOHPlayer(track, testLogger(b))
	const calls = 1000
	mohListeners(b, p, calls)
	b.ResetTimer()
	for b.Loop() {
		p.tick()
	}
	perCallTick := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / calls
	b.ReportMetric(perCallTick, "ns/call-tick")
	b.ReportMetric(perCallTick*50/1e9*100, "%core/call")
}

// BenchmarkMOHRealtime plays music to 1000 calls in real time for the benchmark's
// duration and reports the process CPU time used per call, as a share of one core.
func BenchmarkMOHRealtime(b *testing.B) {
	track, err := newMOHTrack("")
	if err != nil {
		b.Fatal(err)
	}
	p := newMOHPlayer(track, testLogger(b))
	const calls = 1000
	mohListeners(b, p, calls)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	start, cpu0 := time.Now(), cpuTime(b)
	go func() { defer close(done); p.run(ctx) }()
	for b.Loop() {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	wall, cpu := time.Since(start), cpuTime(b)-cpu0
	b.ReportMetric(float64(cpu)/float64(wall)/calls*100, "%core/call")
	// 1.0 = every call got its 50 packets a second.
	b.ReportMetric(float64(p.sent.Load())/wall.Seconds()/(calls*50), "delivery")
}

func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// After a stall the player skips frames; the RTP timestamps jump over the gap and the
// marker bit flags the new talk spurt, as RFC 3551 receivers expect.
func TestMOHSkipAdvancesTimestamps(t *testing.T) {
	track, err := newMOHTrack("")
	if err != nil {
		t.Fatal(err)
	}
	p := newMOHPlayer(track, testLogger(t))
	rx, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	ms := &media.MediaSession{Codecs: []media.Codec{media.CodecAudioAlaw}, Laddr: net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}, Mode: sdp.ModeSendrecv}
	if err := ms.Init(); err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	ms.SetRemoteAddr(rx.LocalAddr().(*net.UDPAddr))
	l, err := p.add(media.NewRTPPacketWriter(ms, media.CodecAudioAlaw), media.CodecAudioAlaw)
	if err != nil {
		t.Fatal(err)
	}
	p.tick()
	p.tick()
	p.skip(10)
	p.tick()
	p.remove(l)
	p.tick() // removed: nothing sent

	var pkts []rtp.Packet
	buf := make([]byte, 1500)
	_ = rx.SetReadDeadline(time.Now().Add(time.Second))
	for range 3 {
		n, err := rx.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		var pkt rtp.Packet
		if err := pkt.Unmarshal(buf[:n]); err != nil {
			t.Fatal(err)
		}
		pkts = append(pkts, pkt)
	}
	_ = rx.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := rx.Read(buf); err == nil {
		t.Error("a removed listener still got music")
	}
	if !pkts[0].Marker || pkts[1].Marker || !pkts[2].Marker {
		t.Errorf("markers %v %v %v; want first and after-skip set", pkts[0].Marker, pkts[1].Marker, pkts[2].Marker)
	}
	if d := pkts[1].Timestamp - pkts[0].Timestamp; d != 160 {
		t.Errorf("timestamp step %d; want 160", d)
	}
	if d := pkts[2].Timestamp - pkts[1].Timestamp; d != 11*160 {
		t.Errorf("timestamp step over the skip %d; want %d", d, 11*160)
	}
	if pkts[0].PayloadType != 8 || len(pkts[0].Payload) != 160 {
		t.Errorf("packet: pt %d, %d bytes", pkts[0].PayloadType, len(pkts[0].Payload))
	}
	if pkts[1].SequenceNumber != pkts[0].SequenceNumber+1 || pkts[2].SequenceNumber != pkts[1].SequenceNumber+1 {
		t.Error("sequence numbers not consecutive")
	}
}
