//go:build linux

package loadgen

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/diago/media/sdp"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// callerUA is the callers' SIP side: one UDP socket, sipgo's dialog client for
// INVITE/ACK/BYE and a server for the switchboard's in-dialog BYEs.
type callerUA struct {
	target sip.Uri
	host   string
	ua     *sipgo.UserAgent
	conn   net.PacketConn
	dc     *sipgo.DialogClientCache
	served chan struct{}
}

func newCallerUA(target string, log *slog.Logger) (*callerUA, error) {
	host, portStr, err := net.SplitHostPort(target)
	if err != nil {
		return nil, fmt.Errorf("loadgen: target %q: %w", target, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || host == "" {
		return nil, fmt.Errorf("loadgen: target %q: want host:port", target)
	}
	local := "127.0.0.1"
	if ip := net.ParseIP(host); ip != nil && !ip.IsLoopback() {
		local = "0.0.0.0"
	}
	conn, err := net.ListenPacket("udp", net.JoinHostPort(local, "0"))
	if err != nil {
		return nil, fmt.Errorf("loadgen: SIP socket: %w", err)
	}
	laddr := conn.LocalAddr().(*net.UDPAddr)
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("concierge-loadgen"), sipgo.WithUserAgentHostname(laddr.IP.String()))
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("loadgen: SIP user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(log))
	if err != nil {
		ua.Close()
		conn.Close()
		return nil, fmt.Errorf("loadgen: SIP server: %w", err)
	}
	cli, err := sipgo.NewClient(ua, sipgo.WithClientLogger(log), sipgo.WithClientHostname(laddr.IP.String()),
		sipgo.WithClientConnectionAddr(laddr.String()))
	if err != nil {
		ua.Close()
		conn.Close()
		return nil, fmt.Errorf("loadgen: SIP client: %w", err)
	}
	c := &callerUA{
		target: sip.Uri{Scheme: "sip", Host: host, Port: port},
		host:   laddr.IP.String(),
		ua:     ua,
		conn:   conn,
		served: make(chan struct{}),
		dc: sipgo.NewDialogClientCache(cli, sip.ContactHeader{
			Address: sip.Uri{Scheme: "sip", User: "loadgen", Host: laddr.IP.String(), Port: laddr.Port},
		}),
	}
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		if err := c.dc.ReadBye(req, tx); err != nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
		}
	})
	srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusNotAcceptableHere, "Load Generator", nil))
	})
	go func() {
		defer close(c.served)
		_ = srv.ServeUDP(conn)
	}()
	// Until sipgo has the socket in its pool, an INVITE would open another one.
	for deadline := time.Now().Add(5 * time.Second); ua.TransportLayer().Pool("udp").Size() == 0; {
		if time.Now().After(deadline) {
			c.close()
			return nil, errors.New("loadgen: SIP listener did not start")
		}
		time.Sleep(time.Millisecond)
	}
	return c, nil
}

func (c *callerUA) close() {
	_ = c.ua.Close()
	_ = c.conn.Close()
	<-c.served
}

// callerCall is one established call.
type callerCall struct {
	d *sipgo.DialogClientSession
}

func (c *callerCall) ended() bool { return c.d.Context().Err() != nil }

func (c *callerCall) hangup(ctx context.Context) error {
	if c.ended() {
		return nil
	}
	return c.d.Bye(ctx)
}

// call places one call from number to the dialled user with s as its RTP socket, and
// returns once it is answered, ACKed and s sends to the switchboard's media address.
func (c *callerUA) call(ctx context.Context, dialled, number string, s *stream) (*callerCall, error) {
	to := c.target
	to.User = dialled
	from := &sip.FromHeader{
		DisplayName: "Load " + number,
		Address:     sip.Uri{Scheme: "sip", User: number, Host: c.host},
		Params:      sip.NewParams(),
	}
	from.Params.Add("tag", sip.GenerateTagN(16))
	d, err := c.dc.Invite(ctx, to, offerSDP(c.host, s.port()), from, sip.NewHeader("Content-Type", "application/sdp"))
	if err != nil {
		return nil, fmt.Errorf("INVITE: %w", err)
	}
	if err := d.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("INVITE: %w", err)
	}
	if err := d.Ack(ctx); err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("ACK: %w", err)
	}
	raddr, pt, err := answerMedia(d.InviteResponse.Body())
	if err != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = d.Bye(cctx)
		return nil, err
	}
	if err := s.connect(raddr, pt); err != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = d.Bye(cctx)
		return nil, err
	}
	return &callerCall{d: d}, nil
}

// offerSDP offers PCMA and PCMU at 20 ms on the call's RTP port.
func offerSDP(host string, port int) []byte {
	id := strconv.FormatInt(time.Now().UnixNano()%1e9, 10)
	return []byte(strings.Join([]string{
		"v=0",
		"o=loadgen " + id + " " + id + " IN IP4 " + host,
		"s=loadgen",
		"c=IN IP4 " + host,
		"t=0 0",
		"m=audio " + strconv.Itoa(port) + " RTP/AVP 8 0",
		"a=rtpmap:8 PCMA/8000",
		"a=rtpmap:0 PCMU/8000",
		"a=ptime:20",
		"a=sendrecv",
		"",
	}, "\r\n"))
}

// answerMedia reads the switchboard's RTP address and chosen payload type from its SDP.
func answerMedia(body []byte) (*net.UDPAddr, uint8, error) {
	sd := sdp.SessionDescription{}
	if err := sdp.Unmarshal(body, &sd); err != nil {
		return nil, 0, fmt.Errorf("answer SDP: %w", err)
	}
	md, err := sd.MediaDescription("audio")
	if err != nil {
		return nil, 0, fmt.Errorf("answer SDP: %w", err)
	}
	ci, err := sd.ConnectionInformation()
	if err != nil {
		return nil, 0, fmt.Errorf("answer SDP: %w", err)
	}
	if len(md.Formats) == 0 {
		return nil, 0, errors.New("answer SDP: no audio format")
	}
	pt, err := strconv.ParseUint(md.Formats[0], 10, 7)
	if err != nil {
		return nil, 0, fmt.Errorf("answer SDP: format %q: %w", md.Formats[0], err)
	}
	return &net.UDPAddr{IP: ci.IP, Port: md.Port}, uint8(pt), nil
}
