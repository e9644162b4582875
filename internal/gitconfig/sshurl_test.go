package gitconfig

import "testing"

func TestParseSSH(t *testing.T) {
	for in, want := range map[string]*SSHURL{
		"ssh://git-codecommit.us-east-1.amazonaws.com/v1/repos/x":          {User: "", Host: "git-codecommit.us-east-1.amazonaws.com", Path: "/v1/repos/x"},
		"ssh://APKAX@git-codecommit.us-east-1.amazonaws.com:22/v1/repos/x": {User: "APKAX", Host: "git-codecommit.us-east-1.amazonaws.com", Path: "/v1/repos/x"},
		"GIT+SSH://h/p": {User: "", Host: "h", Path: "/p"},
		"ssh+git://h/p": {User: "", Host: "h", Path: "/p"},
		"git-codecommit.us-east-1.amazonaws.com:v1/repos/x": {User: "", Host: "git-codecommit.us-east-1.amazonaws.com", Path: "v1/repos/x"},
		"APKAX@host:v1/repos/x":                             {User: "APKAX", Host: "host", Path: "v1/repos/x"},
		"https://h/p":                                       nil,
		"http://h/p":                                        nil,
		"C:/repos/x":                                        nil,
		"./a:b":                                             nil,
		"origin":                                            nil,
	} {
		got, ok := ParseSSH(in)
		if ok != (want != nil) || ok && got != *want {
			t.Errorf("ParseSSH(%q) = %+v, %v; want %+v", in, got, ok, want)
		}
	}
}
