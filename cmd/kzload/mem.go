package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// memSample is the server's resident memory in KiB: at the start of the
// measured window, the most seen while sampling, at the end, and the
// kernel's high-water mark (VmHWM, the peak since the process started).
type memSample struct {
	start, max, end, hwm int64
	cpu                  float64 // server CPU seconds (user+system) in the window
}

type memSampler struct {
	pid      int
	cpuStart float64
	mu       sync.Mutex
	s        memSample
	done     chan struct{}
	wg       sync.WaitGroup
}

// startMemSampler reads /proc/PID/status every 50ms until stop.
func startMemSampler(pid int) *memSampler {
	m := &memSampler{pid: pid, done: make(chan struct{})}
	if pid == 0 {
		return m
	}
	m.reset()
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-m.done:
				return
			case <-t.C:
				rss, _ := readStatus(m.pid)
				m.mu.Lock()
				m.s.max = max(m.s.max, rss)
				m.mu.Unlock()
			}
		}
	}()
	return m
}

// reset starts the measured window.
func (m *memSampler) reset() {
	if m.pid == 0 {
		return
	}
	rss, _ := readStatus(m.pid)
	m.mu.Lock()
	m.s.start, m.s.max = rss, rss
	m.cpuStart = cpuSeconds(m.pid)
	m.mu.Unlock()
}

func (m *memSampler) stop() memSample {
	if m.pid == 0 {
		return memSample{}
	}
	close(m.done)
	m.wg.Wait()
	rss, hwm := readStatus(m.pid)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.s.end, m.s.hwm = rss, hwm
	m.s.max = max(m.s.max, rss)
	m.s.cpu = cpuSeconds(m.pid) - m.cpuStart
	return m.s
}

// cpuSeconds is a process's user+system CPU time from /proc/PID/stat
// (fields 14 and 15, in clock ticks of 1/100 s on Linux).
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:] // the command name may contain spaces
	}
	f := strings.Fields(s) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / 100
}

// readStatus returns VmRSS and VmHWM of a process, in KiB.
func readStatus(pid int) (rss, hwm int64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(fields[0], 10, 64)
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	return rss, hwm
}
