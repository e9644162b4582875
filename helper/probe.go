package helper

import "os"

// ProbeEnv is set by doctor in the environment of the git it runs to see
// which helpers git asks. A get that finds it reads the request, answers
// nothing, so that git goes on to the next helper, touches no credentials,
// and exits with ProbeExit.
const ProbeEnv = "GIT_CREDENTIAL_CODECOMMIT_DOCTOR"

// ProbeExit is the exit status of a get under ProbeEnv. Git ignores a
// helper's exit status, but trace2 records it, and so doctor recognises this
// program by it whatever its file is called.
const ProbeExit = 99

// Probed reports whether doctor is probing this run.
func Probed() bool { return os.Getenv(ProbeEnv) != "" }
