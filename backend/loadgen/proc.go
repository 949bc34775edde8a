//go:build linux

package loadgen

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is USER_HZ, the unit of /proc/PID/stat CPU times: 100 on every Linux
// architecture Go supports.
const clockTick = 100

// ProcSample is another process's CPU and memory at one moment, from /proc.
type ProcSample struct {
	At  time.Time
	CPU time.Duration // user + system, since the process started
	RSS int64         // resident memory, bytes
	// Waited is how long the process's threads have been runnable but waiting for a
	// core (run-queue delay, summed over threads from /proc/PID/task/*/schedstat):
	// what the neighbours on a shared machine cost it. Threads that ended are missed.
	Waited time.Duration
}

// SampleProc reads pid's CPU time and resident memory.
func SampleProc(pid int) (ProcSample, error) {
	at := time.Now()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ProcSample{}, fmt.Errorf("loadgen: %w", err)
	}
	// The command name (field 2) may hold spaces and parentheses: fields are counted
	// from the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return ProcSample{}, fmt.Errorf("loadgen: /proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(string(stat[i+1:]))
	// f[0] is field 3 (state); utime and stime are fields 14 and 15, rss field 24.
	if len(f) < 22 {
		return ProcSample{}, fmt.Errorf("loadgen: /proc/%d/stat: %d fields", pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	pages, err3 := strconv.ParseInt(f[21], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return ProcSample{}, fmt.Errorf("loadgen: /proc/%d/stat: bad numbers", pid)
	}
	return ProcSample{
		At:     at,
		CPU:    time.Duration(utime+stime) * time.Second / clockTick,
		RSS:    pages * int64(os.Getpagesize()),
		Waited: runQueueWait(pid),
	}, nil
}

// runQueueWait sums the run-queue delay of pid's threads (second field of schedstat, ns).
func runQueueWait(pid int) time.Duration {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return 0
	}
	var total int64
	for _, t := range tasks {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, t.Name()))
		if err != nil {
			continue // the thread ended meanwhile
		}
		if f := strings.Fields(string(data)); len(f) >= 2 {
			if ns, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				total += ns
			}
		}
	}
	return time.Duration(total)
}

// WaitShare is how long the process's threads waited for a core between two samples,
// per second of wall time, in ms: 0 on an idle machine.
func WaitShare(a, b ProcSample) float64 {
	wall := b.At.Sub(a.At)
	if wall <= 0 {
		return 0
	}
	return float64(b.Waited-a.Waited) / float64(time.Millisecond) / wall.Seconds()
}

// CPUShare is the share of one core that the process used between two samples, in %.
func CPUShare(a, b ProcSample) float64 {
	wall := b.At.Sub(a.At)
	if wall <= 0 {
		return 0
	}
	return float64(b.CPU-a.CPU) / float64(wall) * 100
}
