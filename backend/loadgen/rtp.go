//go:build linux

package loadgen

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

const (
	frameDur     = 20 * time.Millisecond
	frameSamples = 160
	rtpHeader    = 12
	// sweepEvery is how often a reader drains its sockets, each with one recvmmsg(2)
	// of up to batch packets: about five are waiting, so a call costs ten system calls
	// a second instead of fifty. The kernel's timestamps keep the arrival times exact
	// whatever the sweep's delay.
	sweepEvery = 100 * time.Millisecond
	batch      = 16
)

// stream is one call's RTP socket, and the RTCP port above it, bound so that the
// switchboard's RTCP reports land nowhere else (they are not read).
type stream struct {
	conn *net.UDPConn
	rtcp *net.UDPConn
	raw  syscall.RawConn
	dst  atomic.Pointer[dest] // set once the call is answered

	// sender-only
	seq  uint16
	ts   uint32
	ssrc uint32

	total atomic.Int64 // packets received over the whole call

	// reader-only: the measurement window
	rx rxState
}

type dest struct{ pt uint8 }

type rxState struct {
	in       bool  // a packet of the window was seen
	firstExt int64 // extended sequence number of the window's first packet
	lastExt  int64
	lastSeq  uint16
	received int64
	late     int64
	lastAt   int64 // kernel arrival time of the previous packet in the window, ns
}

func newStream() (*stream, error) {
	conn, rtcp, err := listenPair()
	if err != nil {
		return nil, err
	}
	raw, err := conn.SyscallConn()
	if err != nil {
		conn.Close()
		rtcp.Close()
		return nil, err
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
	}); err != nil || serr != nil {
		conn.Close()
		rtcp.Close()
		return nil, fmt.Errorf("SO_TIMESTAMPNS: %w", errors.Join(err, serr))
	}
	return &stream{conn: conn, rtcp: rtcp, raw: raw, ssrc: rand.Uint32(), seq: uint16(rand.Uint32()), ts: rand.Uint32()}, nil
}

// listenPair binds an RTP socket on loopback and the RTCP socket on the next port.
func listenPair() (rtp, rtcp *net.UDPConn, err error) {
	for range 50 {
		rtp, err = net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			return nil, nil, err
		}
		port := rtp.LocalAddr().(*net.UDPAddr).Port
		if port < 65535 {
			if rtcp, err = net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port + 1}); err == nil {
				return rtp, rtcp, nil
			}
		}
		rtp.Close()
	}
	return nil, nil, errors.New("no free RTP/RTCP port pair")
}

func (s *stream) port() int { return s.conn.LocalAddr().(*net.UDPAddr).Port }

// connect points the socket at the switchboard's RTP address: the kernel then skips
// the route lookup of every send, and only the switchboard's packets are received.
func (s *stream) connect(raddr *net.UDPAddr, pt uint8) error {
	ip4 := raddr.IP.To4()
	if ip4 == nil {
		return fmt.Errorf("RTP address %s is not IPv4", raddr)
	}
	sa := &syscall.SockaddrInet4{Port: raddr.Port, Addr: [4]byte(ip4)}
	var cerr error
	if err := s.raw.Control(func(fd uintptr) { cerr = syscall.Connect(int(fd), sa) }); err != nil || cerr != nil {
		return fmt.Errorf("connect RTP socket to %s: %w", raddr, errors.Join(err, cerr))
	}
	s.dst.Store(&dest{pt: pt})
	return nil
}

func (s *stream) close() {
	_ = s.conn.Close()
	_ = s.rtcp.Close()
}

// mediaLoop sends every call's frames from one goroutine and reads them back on a few.
type mediaLoop struct {
	streams []*stream
	per     int
	send    bool
	readers []*reader

	// The window, as kernel timestamps in ns; to is 0 while it is open.
	from, to atomic.Int64
}

// reader drains a share of the streams; mu guards its results against collect.
type reader struct {
	streams []*stream
	mu      sync.Mutex
	gaps    histogram
	other   int64
}

func newMediaLoop(streams []*stream, per int, send bool) *mediaLoop {
	m := &mediaLoop{streams: streams, per: per, send: send}
	for lo := 0; lo < len(streams); lo += per {
		m.readers = append(m.readers, &reader{streams: streams[lo:min(lo+per, len(streams))], gaps: newHistogram()})
	}
	return m
}

func (m *mediaLoop) start(ctx context.Context) *sync.WaitGroup {
	var wg sync.WaitGroup
	if m.send {
		wg.Go(func() { m.sendLoop(ctx) })
	}
	for _, r := range m.readers {
		wg.Go(func() { m.readLoop(ctx, r) })
	}
	return &wg
}

// sendLoop sends one pre-encoded silence frame per call every 20 ms: only the RTP
// header changes between packets, patched in place in one buffer per payload type.
func (m *mediaLoop) sendLoop(ctx context.Context) {
	var bufs [128][]byte // by payload type, built on first use
	frame := func(pt uint8) []byte {
		if bufs[pt] == nil {
			silence := byte(0xd5) // PCMA
			if pt == 0 {
				silence = 0xff // PCMU
			}
			b := make([]byte, rtpHeader+frameSamples)
			b[0], b[1] = 0x80, pt
			for i := rtpHeader; i < len(b); i++ {
				b[i] = silence
			}
			bufs[pt] = b
		}
		return bufs[pt]
	}
	t := time.NewTicker(frameDur)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, s := range m.streams {
			d := s.dst.Load()
			if d == nil {
				continue
			}
			b := frame(d.pt & 0x7f)
			binary.BigEndian.PutUint16(b[2:], s.seq)
			binary.BigEndian.PutUint32(b[4:], s.ts)
			binary.BigEndian.PutUint32(b[8:], s.ssrc)
			s.seq++
			s.ts += frameSamples
			// A send error (the call just ended) is not the generator's to report.
			_, _ = s.conn.Write(b)
		}
	}
}

func (m *mediaLoop) readLoop(ctx context.Context, r *reader) {
	var b recvBatch
	b.init()
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		from, to := m.from.Load(), m.to.Load()
		r.mu.Lock()
		for _, s := range r.streams {
			for {
				n := b.recv(s.raw)
				for i := range n {
					r.packet(s, b.data(i), b.arrival(i), from, to)
				}
				if n < batch {
					break
				}
			}
		}
		r.mu.Unlock()
	}
}

// packet accounts for one received datagram that arrived (kernel time) at ns.
func (r *reader) packet(s *stream, b []byte, at, from, to int64) {
	if len(b) < rtpHeader || b[0]>>6 != 2 {
		r.other++
		return
	}
	if pt := b[1] & 0x7f; pt != 0 && pt != 8 {
		r.other++
		return
	}
	s.total.Add(1)
	if from == 0 || at < from || (to != 0 && at >= to) {
		return
	}
	seq := binary.BigEndian.Uint16(b[2:])
	rx := &s.rx
	if !rx.in {
		*rx = rxState{in: true, firstExt: int64(seq), lastExt: int64(seq), lastSeq: seq, received: 1, lastAt: at}
		return
	}
	rx.received++
	if d := int16(seq - rx.lastSeq); d > 0 {
		rx.lastExt += int64(d)
		rx.lastSeq = seq
	} else {
		rx.late++
	}
	if at > rx.lastAt {
		r.gaps.add(time.Duration(at - rx.lastAt))
	}
	rx.lastAt = at
}

// recvBatch is one reader's buffers for recvmmsg(2). Only the RTP header of each
// packet is needed, so the payload is truncated.
type recvBatch struct {
	msgs [batch]mmsghdr
	iovs [batch]syscall.Iovec
	bufs [batch][64]byte
	oobs [batch][64]byte
}

// mmsghdr is struct mmsghdr of <sys/socket.h> on 64-bit Linux.
type mmsghdr struct {
	hdr syscall.Msghdr
	len uint32
	_   [4]byte
}

func (b *recvBatch) init() {
	for i := range b.msgs {
		b.iovs[i].Base = &b.bufs[i][0]
		b.iovs[i].SetLen(len(b.bufs[i]))
		b.msgs[i].hdr.Iov = &b.iovs[i]
		b.msgs[i].hdr.Iovlen = 1
		b.msgs[i].hdr.Control = &b.oobs[i][0]
	}
}

// recv reads up to batch waiting datagrams of the socket without blocking. It calls
// recvmmsg(2) itself: the net package has no non-blocking or batched read.
func (b *recvBatch) recv(raw syscall.RawConn) int {
	for i := range b.msgs {
		b.msgs[i].hdr.SetControllen(len(b.oobs[i]))
		b.msgs[i].hdr.Flags = 0
	}
	var n int
	err := raw.Read(func(fd uintptr) bool {
		r, _, errno := syscall.Syscall6(syscall.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&b.msgs[0])), batch, syscall.MSG_DONTWAIT, 0, 0)
		if errno != 0 {
			r = 0
		}
		n = int(r)
		return true // never wait: the next sweep comes back
	})
	if err != nil {
		return 0
	}
	return n
}

func (b *recvBatch) data(i int) []byte { return b.bufs[i][:min(int(b.msgs[i].len), len(b.bufs[i]))] }

// arrival is the kernel's receive time of datagram i in ns (SO_TIMESTAMPNS).
func (b *recvBatch) arrival(i int) int64 {
	h := &b.msgs[i].hdr
	if int(h.Controllen) >= syscall.CmsgLen(16) {
		c := (*syscall.Cmsghdr)(unsafe.Pointer(&b.oobs[i][0]))
		if c.Level == syscall.SOL_SOCKET && c.Type == syscall.SCM_TIMESTAMPNS {
			return (*syscall.Timespec)(unsafe.Pointer(&b.oobs[i][syscall.CmsgLen(0)])).Nano()
		}
	}
	return time.Now().UnixNano()
}

// measure opens (on) or closes the window. Closing waits for the readers to have read
// everything that arrived before it.
func (m *mediaLoop) measure(on bool) {
	now := time.Now().UnixNano()
	if on {
		m.from.Store(now)
		return
	}
	m.to.Store(now)
	time.Sleep(2*sweepEvery + 20*time.Millisecond)
}

// collect adds the window's figures to res.
func (m *mediaLoop) collect(res *Result, calls []*callerCall) {
	all := newHistogram()
	res.MinPerCall = -1
	for _, r := range m.readers {
		r.mu.Lock()
		all.merge(&r.gaps)
		res.Other += r.other
		r.mu.Unlock()
	}
	for i, s := range m.streams {
		if calls[i] == nil {
			continue
		}
		r := m.readers[i/m.per]
		r.mu.Lock()
		rx := s.rx
		r.mu.Unlock()
		got := int64(0)
		if rx.in {
			got = rx.received
			expected := rx.lastExt - rx.firstExt + 1
			res.Expected += expected
			res.Lost += max(0, expected-rx.received+rx.late)
			res.Late += rx.late
		}
		res.Packets += got
		if res.MinPerCall < 0 || got < res.MinPerCall {
			res.MinPerCall = got
		}
	}
	res.MinPerCall = max(res.MinPerCall, 0)
	res.InterArrive = all.percentiles()
}
