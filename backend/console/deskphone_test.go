package console

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/demo"
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

// TestChosenHeadsetIsUsedOnTheNextCall: the headset chosen in the settings
// (S6) is what the softphone opens when it answers the next call; a device
// that is not there is named in the "no sound" message.
func TestChosenHeadsetIsUsedOnTheNextCall(t *testing.T) {
	ev := &events{}
	c := New(Config{Embedded: *embedded(t), Phone: true}, ev, nil) // real PortAudio devices
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Login(ctx, LoginRequest{Username: "admin", Password: "console-secret", Extension: "201"}); err != nil {
		t.Fatal(err)
	}
	const missing = "Headset that was unplugged"
	if err := c.SaveDeviceSettings(ctx, DeviceSettings{Input: missing, Output: missing, Ringtone: "soft"}); err != nil {
		t.Fatal(err)
	}
	if err := c.SaveDeviceSettings(ctx, DeviceSettings{Ringtone: "no such tone"}); err == nil {
		t.Fatal("an unknown ringtone was accepted")
	}
	if d, err := c.DeviceSettings(ctx); err != nil || d.Input != missing || d.Ringtone != "soft" {
		t.Fatalf("device settings after save: %+v %v", d, err)
	}
	go demo.Run(ctx, c.Embedded().SIPAddr(), "reception", demo.Callers(1), demo.WithHold(60*time.Second))
	var pc PhoneCall
	waitUntil(t, "offer rings", func() bool {
		for _, x := range c.PhoneCalls() {
			if x.State == "ringing" {
				pc = x
				return true
			}
		}
		return false
	})
	if err := c.CallAction(ctx, pc.QueueCall, "answer"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the softphone to try the chosen headset", func() bool {
		return ev.find(func(n string, d any) bool {
			s, ok := d.(PhoneState)
			return n == "phone:state" && ok && strings.Contains(s.Error, missing)
		})
	})
}
