package safefile

import (
	"io/fs"
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Windows has no O_NOFOLLOW or O_NONBLOCK: a reparse point shows as a
// symbolic link to Lstat, and there are no FIFOs to block on.
const openFlags = 0

// OpenFlags are the flags that make os.OpenFile refuse a symbolic link and
// not block on a FIFO, where the system has them.
const OpenFlags = openFlags

// euid is -1: Windows has no uids; its owners and access lists are judged
// by judgeACL.
func euid() int { return -1 }

// me is the SID of the user the process runs as.
var me = sync.OnceValues(func() (string, error) {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return "", err
	}
	return u.User.Sid.String(), nil
})

func stat(path string, fi fs.FileInfo) ownerMode {
	return ownerMode{mode: fi.Mode(), uid: -1, acl: aclOf(path)}
}

// aclOf reads the owner and access list of path and judges them; what
// cannot be read is not trusted.
func aclOf(path string) string {
	user, err := me()
	if err != nil {
		return "cannot be checked: this user's SID is unknown (" + err.Error() + ")"
	}
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return "has an owner and access list that cannot be read (" + err.Error() + ")"
	}
	owner, _, err := sd.Owner()
	if err != nil || owner == nil {
		return "has no owner"
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return "has an access list that cannot be read (" + err.Error() + ")"
	}
	var allowed []allowEntry
	if dacl != nil {
		for i := range uint32(dacl.AceCount) {
			var ace *windows.ACCESS_ALLOWED_ACE
			if err := windows.GetAce(dacl, i, &ace); err != nil {
				return "has an access list that cannot be read (" + err.Error() + ")"
			}
			if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE || ace.Header.AceFlags&windows.INHERIT_ONLY_ACE != 0 {
				continue
			}
			sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
			allowed = append(allowed, allowEntry{sid.String(), uint32(ace.Mask)})
		}
	}
	return judgeACL(owner.String(), user, allowed, dacl == nil)
}

func isLoop(error) bool { return false }
