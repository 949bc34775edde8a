package sipua

import "syscall"

// childProcAttr puts a child in its own process group (so the whole group can be
// killed) and kills it if the test binary dies before its cleanups run.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
