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
