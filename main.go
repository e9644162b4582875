// Command git-credential-codecommit is a git credential helper for AWS
// CodeCommit over HTTPS: a drop-in replacement for
// "aws codecommit credential-helper" that needs no Python.
//
// Configure it with
//
//	git-credential-codecommit install
//
// and run "git-credential-codecommit --help" for the rest.
//
// Started as git-remote-codecommit (a link to the same binary), it is a git
// remote helper for the codecommit:// URLs of git-remote-codecommit.
package main

import (
	"os"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/cli"
)

// version, commit and date describe the build. Release builds set them with
//
//	-ldflags "-X main.version=v1.2.3 -X main.commit=<hash> -X main.date=<commit date>"
//
// (see .goreleaser.yaml); "--version" falls back on the binary's build
// information when they are empty, as after "go install ...@v1.2.3".
var version, commit, date string

func main() {
	os.Exit(cli.Main(cli.Build{Version: version, Commit: commit, Date: date}, os.Args, os.Stdin, os.Stdout, os.Stderr))
}
