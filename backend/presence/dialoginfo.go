package presence

import (
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
)

// DialogInfo is an application/dialog-info+xml document (RFC 4235): the
// calls of one extension, as the PBX reports them in BLF NOTIFYs.
type DialogInfo struct {
	Entity  string
	Version int
	Full    bool // state="full": the list is complete; "partial": only changes
	Dialogs []Dialog

	versioned bool // the document has a version (an empty body has none)
}

// Dialog is one call of the entity. State is "trying", "proceeding",
// "early", "confirmed" or "terminated".
type Dialog struct {
	ID        string
	State     string
	Direction string // "initiator" or "recipient", when given
}

// MaxDialogInfo bounds a NOTIFY body: a BLF document lists a few calls.
const MaxDialogInfo = 64 << 10

// ErrDialogInfo wraps every reason a document is refused.
var ErrDialogInfo = errors.New("invalid dialog-info document")

// ParseDialogInfo decodes a dialog-info document. An empty body is a
// document without dialogs (no calls), as some PBXs send before the first call.
func ParseDialogInfo(body []byte) (DialogInfo, error) {
	if len(body) > MaxDialogInfo {
		return DialogInfo{}, fmt.Errorf("%w: %d bytes", ErrDialogInfo, len(body))
	}
	if strings.TrimSpace(string(body)) == "" {
		return DialogInfo{Full: true}, nil
	}
	var doc struct {
		XMLName xml.Name `xml:"dialog-info"`
		Entity  string   `xml:"entity,attr"`
		Version *int     `xml:"version,attr"`
		State   string   `xml:"state,attr"`
		Dialogs []struct {
			ID        string `xml:"id,attr"`
			Direction string `xml:"direction,attr"`
			State     string `xml:"state"`
		} `xml:"dialog"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		return DialogInfo{}, fmt.Errorf("%w: %v", ErrDialogInfo, err)
	}
	info := DialogInfo{Entity: doc.Entity, Full: doc.State != "partial", versioned: doc.Version != nil}
	if doc.Version != nil {
		info.Version = *doc.Version
	}
	for _, d := range doc.Dialogs {
		info.Dialogs = append(info.Dialogs, Dialog{
			ID: d.ID, Direction: d.Direction, State: strings.ToLower(strings.TrimSpace(d.State)),
		})
	}
	return info, nil
}

// Lamp tracks the calls of one BLF subscription across full and partial
// documents and says what they mean for the person.
type Lamp struct {
	dialogs   map[string]string // dialog id → state
	version   int               // of the last versioned document applied
	versioned bool
}

// Apply merges a document and returns the resulting state: any confirmed
// call is Busy, else any call being set up is Ringing, else Available. A
// document older than the last one is ignored (RFC 4235 §4.1): NOTIFYs sent
// close together, as for a call that rings and is answered at once, can
// arrive in the wrong order over UDP. Equal versions are applied, for PBXs
// that never count.
func (l *Lamp) Apply(info DialogInfo) State {
	if info.versioned && l.versioned && info.Version < l.version {
		return l.state()
	}
	if info.versioned {
		l.version, l.versioned = info.Version, true
	}
	if l.dialogs == nil || info.Full {
		l.dialogs = map[string]string{}
	}
	for i, d := range info.Dialogs {
		id := d.ID
		if id == "" {
			id = fmt.Sprint("#", i)
		}
		if d.State == "terminated" {
			delete(l.dialogs, id)
		} else {
			l.dialogs[id] = d.State
		}
	}
	return l.state()
}

func (l *Lamp) state() State {
	state := Available
	for _, s := range l.dialogs {
		switch s {
		case "confirmed":
			return Busy
		case "trying", "proceeding", "early":
			state = Ringing
		}
	}
	return state
}
