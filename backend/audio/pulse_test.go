//go:build linux

package audio

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// otherSink is the second null sink, also an ALSA device of that name.
const otherSink = "concierge_b"

// pulseServer is a private PulseAudio with one null sink, the test rig's "sound
// card": PortAudio reaches it through ALSA's pulse plugin (libasound2-plugins), and
// what is played into the sink comes back on its monitor source.
type pulseServer struct {
	cmd *exec.Cmd
	// keepers play silence into the sinks with a 10 ms latency for the life of the
	// server. A null sink with no low-latency input renders in blocks of about 2 s,
	// so every new stream (libasound's own pulse plugin as much as PortAudio) would
	// wait that long for its first frame: an artefact of the test rig that a real
	// sound card does not have. Silence adds nothing to what the tests play.
	keepers []*exec.Cmd // one per sink
	dir     string
	log     *os.File
}

// startPulse starts the server and points this process at it (PULSE_SERVER,
// XDG_RUNTIME_DIR, HOME). It must run before PortAudio is first initialised: ALSA
// decides whether "default" means pulse when it first loads its configuration.
func startPulse() (*pulseServer, error) {
	bin, err := exec.LookPath("pulseaudio")
	if err != nil {
		return nil, fmt.Errorf("pulseaudio not installed (Debian: pulseaudio, libasound2-plugins)")
	}
	dir, err := os.MkdirTemp("", "concierge-pulse-")
	if err != nil {
		return nil, err
	}
	sock := filepath.Join(dir, "pulse.sock")
	logf, err := os.Create(filepath.Join(dir, "pulse.log"))
	if err != nil {
		return nil, err
	}
	// pcm.default → pulse, independent of whether the distribution's 99-pulse.conf
	// hook is installed.
	// A second sink is a second "sound card" PortAudio lists by name, for
	// tests that a chosen device (not the default) gets the sound.
	asoundrc := "pcm.!default { type pulse }\nctl.!default { type pulse }\n" +
		"pcm." + otherSink + " { type pulse device " + otherSink + " hint { show on description \"second test sink\" } }\n"
	if err := os.WriteFile(filepath.Join(dir, ".asoundrc"), []byte(asoundrc), 0o600); err != nil {
		return nil, err
	}
	env := append(os.Environ(), "XDG_RUNTIME_DIR="+dir, "HOME="+dir)
	cmd := exec.Command(bin, "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
		"--disable-shm=yes", "--log-target=stderr",
		"-L", "module-null-sink sink_name=concierge_test rate=48000",
		"-L", "module-null-sink sink_name="+otherSink+" rate=48000",
		"-L", "module-native-protocol-unix auth-anonymous=1 socket="+sock)
	cmd.Env = env
	cmd.Dir = dir
	// Dies with the test binary, even when it crashes before TestMain cleans up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting pulseaudio: %w", err)
	}
	p := &pulseServer{cmd: cmd, dir: dir, log: logf}
	for _, kv := range [][2]string{{"PULSE_SERVER", "unix:" + sock}, {"XDG_RUNTIME_DIR", dir}, {"HOME", dir}} {
		os.Setenv(kv[0], kv[1])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		out, err := exec.CommandContext(ctx, "pactl", "info").CombinedOutput()
		if err == nil && strings.Contains(string(out), "concierge_test") {
			// The first sink stays the default whatever order PulseAudio loaded them in.
			if out, err := exec.CommandContext(ctx, "pactl", "set-default-sink", "concierge_test").CombinedOutput(); err != nil {
				p.stop()
				return nil, fmt.Errorf("pactl set-default-sink: %v: %s", err, out)
			}
			zero, err := os.Open("/dev/zero")
			if err != nil {
				p.stop()
				return nil, err
			}
			defer zero.Close() // the child has its own descriptor once started
			for _, sink := range []string{"concierge_test", otherSink} {
				keeper := exec.Command("pacat", "-d", sink, "--latency-msec=10", "--rate=8000", "--channels=1", "--format=s16le")
				keeper.Stdin = zero
				keeper.Stdout, keeper.Stderr = logf, logf
				keeper.Env = append(env, "PULSE_SERVER=unix:"+sock)
				keeper.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
				if err := keeper.Start(); err != nil {
					p.stop()
					return nil, fmt.Errorf("starting pacat: %w", err)
				}
				p.keepers = append(p.keepers, keeper)
			}
			return p, nil
		}
		if ctx.Err() != nil {
			p.stop()
			log, _ := os.ReadFile(logf.Name())
			return nil, fmt.Errorf("pulseaudio did not come up: %v: %s\n%s", err, out, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *pulseServer) stop() {
	for _, k := range p.keepers {
		k.Process.Kill()
		k.Wait()
	}
	if p.cmd.Process != nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	}
	p.log.Close()
	os.RemoveAll(p.dir)
}
