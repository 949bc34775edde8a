// Package audio is the console's sound card: it lists PortAudio devices, opens a
// microphone as an io.Reader and a headset or ringer as an io.Writer, and plays test
// tones and ringtones. It is the only cgo in the back end besides Wails, so that the
// softphone (backend/sipua) and its tests stay pure Go: they exchange plain PCM.
//
// Every stream speaks the telephone format, whatever the device does: 8 kHz, mono,
// signed 16-bit little-endian PCM in 20 ms frames (160 samples, 320 bytes), which is
// what G.711 RTP carries. A device that refuses 8 kHz is opened at its own default
// rate and resampled here.
//
// Streams use PortAudio's blocking API, so the device's clock paces the caller: Read
// returns when the microphone has produced a frame and Write returns when the card
// has room for one. The softphone relies on that instead of a timer of its own, which
// avoids the slow drift between two clocks that otherwise grows the delay; and
// Playback.ReadFrom takes each frame from the softphone's jitter buffer only once
// the card has room for it, so that no frame waits between the two.
//
// On Linux PortAudio reaches PulseAudio or PipeWire through ALSA's pulse plugin
// (libasound2-plugins), where the device named "pulse" (or "default") follows the
// desktop's chosen output.
package audio
