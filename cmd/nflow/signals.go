package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// interrupts catches SIGINT and SIGTERM while a command runs: the first
// closes stop, for the command to finish its step and save what it has;
// a second exits the process at once with the signal's status.
type interrupts struct {
	stop chan struct{}
	ch   chan os.Signal
	done chan struct{}
	mu   sync.Mutex
	sig  os.Signal // the first signal, nil if none yet
}

// signalStatus is the exit status of a process ended by sig, as shells
// report it: 128 + the signal number (130 for SIGINT, 143 for SIGTERM).
func signalStatus(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

// signalName is SIGINT, SIGTERM or what Go calls sig.
func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return fmt.Sprint(sig)
}

// catchInterrupts starts catching SIGINT and SIGTERM; messages go to log.
// Call release when the command is done.
func catchInterrupts(log io.Writer) *interrupts {
	in := &interrupts{stop: make(chan struct{}), ch: make(chan os.Signal, 2), done: make(chan struct{})}
	signal.Notify(in.ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		for {
			select {
			case sig := <-in.ch:
				in.mu.Lock()
				first := in.sig == nil
				if first {
					in.sig = sig
				}
				in.mu.Unlock()
				if !first {
					fmt.Fprintf(log, "nflow: %s again: quitting at once, nothing more saved\n", signalName(sig))
					os.Exit(signalStatus(sig))
				}
				fmt.Fprintf(log, "nflow: %s: stopping at the end of this step to save the best epoch so far (%s again quits at once)\n", signalName(sig), signalName(sig))
				close(in.stop)
			case <-in.done:
				return
			}
		}
	}()
	return in
}

// received returns the first signal caught, or nil.
func (in *interrupts) received() os.Signal {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.sig
}

// release stops catching the signals.
func (in *interrupts) release() {
	signal.Stop(in.ch)
	close(in.done)
}
