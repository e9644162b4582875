//go:build unix && !linux

package doctor

import "syscall"

// dieWithParent does nothing off Linux: a command outlives a doctor killed
// from outside there, though not its budget.
func dieWithParent(*syscall.SysProcAttr) {}
