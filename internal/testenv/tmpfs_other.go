//go:build !linux

package testenv

// memoryTempDir is for Linux, whose /dev/shm it uses: see tmpfs_linux.go.
func memoryTempDir() {}
