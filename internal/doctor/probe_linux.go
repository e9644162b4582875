package doctor

import "syscall"

// dieWithParent has the kernel kill the command should doctor die before
// it: a doctor killed from outside (SIGKILL) leaves no git waiting behind
// it. The signal follows the thread that started the command, and the Go
// runtime ends no thread while doctor runs but one a goroutine locked and
// left locked, which doctor does not do.
func dieWithParent(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
