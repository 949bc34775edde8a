package console

import (
	"context"
	"testing"
)

// TestDeskPhoneLeavesTheSoftphoneOff: logging in for the desk phone of the
// extension starts no softphone (the switchboard then calls the extension
// through the PBX); the default login registers the softphone.
func TestDeskPhoneLeavesTheSoftphoneOff(t *testing.T) {
	ctx := context.Background()
	c := New(Config{Embedded: *embedded(t), Phone: true, Audio: nullAudio{heard: &countingWriter{}}}, &events{}, nil)
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	info, err := c.Login(ctx, LoginRequest{Username: "admin", Password: "console-secret", Extension: "201", DeskPhone: true})
	if err != nil {
		t.Fatal(err)
	}
	if !info.Telephony || !info.DeskPhone {
		t.Fatalf("desk-phone login: %+v", info)
	}
	if st := c.PhoneState(); st.State != "off" {
		t.Fatalf("the softphone runs in desk-phone mode: %+v", st)
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}

	info, err = c.Login(ctx, LoginRequest{Username: "admin", Password: "console-secret", Extension: "201"})
	if err != nil {
		t.Fatal(err)
	}
	if info.DeskPhone {
		t.Fatalf("softphone login says desk phone: %+v", info)
	}
	waitUntil(t, "the softphone to register", func() bool { return c.PhoneState().State == "registered" })
}
