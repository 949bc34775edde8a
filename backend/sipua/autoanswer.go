package sipua

import (
	"strings"

	"github.com/emiago/sipgo/sip"
)

// isAutoAnswer reports whether an INVITE asks to be answered without ringing. Desk
// phones disagree on the header, so the switchboard sends all three and the phone
// honours any of them:
//
//	Call-Info: <sip:pbx>;answer-after=0     Snom, Yealink, Grandstream, baresip
//	Alert-Info: <...>;info=alert-autoanswer Polycom, Cisco
//	Answer-Mode: Auto                       RFC 5373
//
// Only a zero answer-after counts: a delay would mean "ring a little first", which
// an attendant's softphone has no use for.
func isAutoAnswer(req *sip.Request) bool {
	for _, h := range req.GetHeaders("Call-Info") {
		for _, v := range splitList(h.Value()) {
			if p, ok := headerParam(v, "answer-after"); ok && strings.TrimSpace(p) == "0" {
				return true
			}
		}
	}
	for _, h := range req.GetHeaders("Alert-Info") {
		for _, v := range splitList(h.Value()) {
			if p, ok := headerParam(v, "info"); ok && strings.EqualFold(strings.TrimSpace(p), "alert-autoanswer") {
				return true
			}
		}
	}
	for _, h := range req.GetHeaders("Answer-Mode") {
		v := strings.TrimSpace(strings.SplitN(h.Value(), ";", 2)[0])
		if strings.EqualFold(v, "Auto") {
			return true
		}
	}
	return false
}

// splitList splits a header value on the commas between entries, not on commas
// inside <...>.
func splitList(v string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range v {
		switch c {
		case '<':
			depth++
		case '>':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, v[start:i])
				start = i + 1
			}
		}
	}
	return append(out, v[start:])
}

// headerParam returns the value of a ;name=value parameter after the <uri> of one
// header entry.
func headerParam(entry, name string) (string, bool) {
	if i := strings.LastIndexByte(entry, '>'); i >= 0 {
		entry = entry[i+1:]
	}
	for _, p := range strings.Split(entry, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.Trim(strings.TrimSpace(v), `"`), true
		}
	}
	return "", false
}

// callerID extracts who is calling: P-Asserted-Identity when the PBX vouches for it,
// else From.
func callerID(req *sip.Request) CallerID {
	if h := req.GetHeader("P-Asserted-Identity"); h != nil {
		var addr sip.Uri
		entry := splitList(h.Value())[0]
		name, uri := splitNameAddr(entry)
		if err := sip.ParseUri(uri, &addr); err == nil && addr.User != "" {
			return CallerID{Name: name, Number: addr.User}
		}
	}
	if f := req.From(); f != nil {
		return CallerID{Name: f.DisplayName, Number: f.Address.User}
	}
	return CallerID{}
}

// splitNameAddr splits `"Name" <sip:uri>` into its display name and URI.
func splitNameAddr(v string) (name, uri string) {
	v = strings.TrimSpace(v)
	i := strings.IndexByte(v, '<')
	if i < 0 {
		return "", strings.SplitN(v, ";", 2)[0]
	}
	j := strings.IndexByte(v[i:], '>')
	if j < 0 {
		return "", v[i+1:]
	}
	return strings.Trim(strings.TrimSpace(v[:i]), `"`), v[i+1 : i+j]
}
