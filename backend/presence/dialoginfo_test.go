package presence

import "testing"

func TestLampFollowsDialogInfo(t *testing.T) {
	doc := func(state, dialogs string) []byte {
		return []byte(`<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="3" state="` + state + `" entity="sip:2001@pbx">` + dialogs + `</dialog-info>`)
	}
	var l Lamp
	steps := []struct {
		body []byte
		want State
	}{
		{nil, Available},
		{doc("full", `<dialog id="a" direction="recipient"><state>early</state></dialog>`), Ringing},
		{doc("full", `<dialog id="a" direction="recipient"><state>confirmed</state></dialog>`), Busy},
		// A second call rings while the first is up: still busy; the first ends: ringing.
		{doc("partial", `<dialog id="b"><state>proceeding</state></dialog>`), Busy},
		{doc("partial", `<dialog id="a"><state>terminated</state></dialog>`), Ringing},
		{doc("full", `<dialog id="b"><state>terminated</state></dialog>`), Available},
		{doc("full", ``), Available},
	}
	for i, s := range steps {
		info, err := ParseDialogInfo(s.body)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := l.Apply(info); got != s.want {
			t.Fatalf("step %d: %s, want %s", i, got, s.want)
		}
	}
}

// NOTIFYs sent close together (the call rings and is answered at once) can
// arrive in the wrong order: the older document must not turn the lamp back.
func TestLampIgnoresOlderDocuments(t *testing.T) {
	doc := func(version, state string) DialogInfo {
		info, err := ParseDialogInfo([]byte(`<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="` + version +
			`" state="full" entity="sip:2001@pbx"><dialog id="a"><state>` + state + `</state></dialog></dialog-info>`))
		if err != nil {
			t.Fatal(err)
		}
		return info
	}
	var l Lamp
	for i, s := range []struct {
		info DialogInfo
		want State
	}{
		{doc("1", "terminated"), Available},
		{doc("3", "confirmed"), Busy},
		{doc("2", "early"), Busy}, // overtaken by version 3
		{doc("3", "confirmed"), Busy},
		{doc("4", "terminated"), Available},
		{doc("3", "confirmed"), Available},
		{DialogInfo{Full: true}, Available}, // an empty body has no version: applied
	} {
		if got := l.Apply(s.info); got != s.want {
			t.Fatalf("step %d: %s, want %s", i, got, s.want)
		}
	}
	// A new subscription counts from 0 again: its lamp starts afresh.
	l = Lamp{}
	if got := l.Apply(doc("0", "early")); got != Ringing {
		t.Fatalf("new subscription: %s, want %s", got, Ringing)
	}
}

func TestParseDialogInfoRefusesGarbage(t *testing.T) {
	for _, body := range []string{"<notxml", "<presence/>", string(make([]byte, MaxDialogInfo+1))} {
		if _, err := ParseDialogInfo([]byte(body)); err == nil {
			t.Errorf("accepted %.20q", body)
		}
	}
}

func FuzzParseDialogInfo(f *testing.F) {
	f.Add([]byte(`<dialog-info state="partial"><dialog id="x"><state>confirmed</state></dialog></dialog-info>`))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, body []byte) {
		info, err := ParseDialogInfo(body)
		if err != nil {
			return
		}
		var l Lamp
		if s := l.Apply(info); !s.Valid() {
			t.Fatalf("invalid state %q", s)
		}
	})
}
