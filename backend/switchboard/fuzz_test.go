package switchboard

import (
	"testing"

	"github.com/emiago/sipgo/sip"
)

// FuzzInviteParsing feeds arbitrary SDP bodies and caller-ID headers through what the
// switchboard parses itself (the SIP wire format is sipgo's, fuzzed upstream).
func FuzzInviteParsing(f *testing.F) {
	f.Add([]byte("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8 0\r\na=rtpmap:8 PCMA/8000\r\n"), `"Bob" <sip:+3312345@pbx>;tag=1`)
	f.Add([]byte("m=audio 0 RTP/AVP 18"), "<tel:+33>, <sip:x@y>")
	f.Add([]byte("m=audio 1 RTP/AVP 96\na=rtpmap:96 PCMU\na=rtpmap:96 /"), `"`)
	f.Add([]byte("="), "")
	f.Fuzz(func(t *testing.T, body []byte, pai string) {
		req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: "100", Host: "127.0.0.1"})
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		req.AppendHeader(sip.NewHeader("P-Asserted-Identity", pai))
		req.SetBody(body)
		_ = checkOffer(req)
		_, _ = callerID(req)
	})
}

// FuzzRegister feeds arbitrary Authorization, Contact and Expires values to the registrar.
func FuzzRegister(f *testing.F) {
	f.Add(`Digest username="alice", realm="r", nonce="x", uri="sip:r", response="00"`, "<sip:alice@127.0.0.1:5060>;expires=60", "3600")
	f.Add("Digest ,,,", "*", "0")
	f.Add("", "<sip:a@b>;expires=-1", "x")
	reg, err := newRegistrar("r", passwords{"alice": "pw"}, testLogger(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, auth, contact, expires string) {
		raw := "REGISTER sip:r SIP/2.0\r\n" +
			"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\n" +
			"From: <sip:alice@r>;tag=1\r\nTo: <sip:alice@r>\r\nCall-ID: 1\r\nCSeq: 1 REGISTER\r\n" +
			"Contact: " + contact + "\r\nExpires: " + expires + "\r\nAuthorization: " + auth + "\r\n" +
			"Content-Length: 0\r\n\r\n"
		msg, err := sip.ParseMessage([]byte(raw))
		if err != nil {
			return
		}
		req, ok := msg.(*sip.Request)
		if !ok {
			return
		}
		if res, _ := reg.register(req); res.StatusCode == 200 {
			t.Fatalf("fuzzed REGISTER accepted: %q", auth)
		}
	})
}
