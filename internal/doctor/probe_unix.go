//go:build unix

package doctor

import (
	"os/exec"
	"syscall"
)

// killGroup runs cmd in a process group of its own, and makes its
// cancellation kill the whole group: git, and the helpers it started.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	dieWithParent(cmd.SysProcAttr)
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
