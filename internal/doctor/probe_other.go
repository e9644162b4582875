//go:build !unix

package doctor

import "os/exec"

// killGroup leaves cmd as it is: its cancellation kills git only.
func killGroup(*exec.Cmd) {}
