// Package sipua is the console's built-in softphone: a SIP user agent on diago that
// registers the attendant's extension with the PBX (or the switchboard), rings on
// incoming calls, answers them (at once when the INVITE asks for auto-answer, which
// is how the switchboard hands over a call the attendant picked) and turns their RTP
// into sound and back.
//
// It is pure Go but for Opus, which links libopus through cgo (opus.go; without
// cgo the phone speaks G.711 only). Sound comes and goes as 8 kHz mono signed
// 16-bit little-endian PCM in 20 ms frames through an AudioDevice: backend/audio's
// PortAudio streams in the console, in-memory sources and sinks in tests.
//
// The media path of an answered call:
//
//	RTP ─► Opus or G.711 decode ─► jitter buffer (adaptive, 30–100 ms) ─► speaker
//	microphone ─► mute ─► Opus or G.711 encode ─► RTP
//
// What each step adds, on a quiet network with backend/audio's PortAudio devices
// (measured through a PulseAudio null sink, whose monitor feeds the microphone, on a
// two-core machine: backend/audio's TestSoftphoneThroughPulse and
// TestDeviceRoundTripLatency, which `make bench-go` runs; medians of 12 runs):
//
//   - jitter buffer: 10–30 ms by design from a packet's arrival to its playing,
//     26–31 ms measured (the playout clock's own wobble keeps it from trimming
//     lower); more when the measured jitter or late packets call for it;
//   - speaker, PulseAudio and microphone: 54 ms (41–65). The speaker holds ~20 ms
//     ahead of each frame, which it takes from the jitter buffer only when it has
//     room for it; the microphone's frame is sent as soon as it is captured.
//
// RTP in to RTP out: 86 ms for G.711 (68–94) and 90 ms for Opus (72–98), so about
// 45 ms each way.
//
// Opus is answered whenever the offer has it; it is decoded and encoded at 8 kHz
// (libopus resamples), while its RTP timestamps count at 48 kHz (RFC 7587).
//
// One call at a time has the audio: an attendant talks to one caller, and other
// calls wait on the switchboard, not on the phone.
package sipua
