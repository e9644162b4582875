package e2e

import (
	"os"
	"syscall"
)

func ownedBy(fi os.FileInfo, u localUser) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == u.uid
}
