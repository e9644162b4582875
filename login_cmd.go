package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/git-credential-codecommit/git-credential-codecommit/login"
)

// login runs login or logout with the flags that follow it. Both write only
// to stderr: what they say is for the person at the terminal, and stdout
// stays empty.
func (c cli) login(op, profile string, args []string) int {
	fs := flag.NewFlagSet(op, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := login.Options{Profile: profile, Stderr: c.stderr}
	fs.StringVar(&o.Profile, "profile", o.Profile, "")
	fs.StringVar(&o.Session, "sso-session", "", "")
	if op == "login" {
		fs.BoolVar(&o.NoBrowser, "no-browser", false, "")
	}
	if err := fs.Parse(args); err != nil {
		return c.usageError(err)
	}
	if fs.NArg() > 0 {
		return c.usageError(fmt.Errorf("%s takes no arguments, got %q", op, fs.Arg(0)))
	}
	var err error
	if op == "login" {
		err = login.Login(context.Background(), o)
	} else {
		err = login.Logout(context.Background(), o)
	}
	if err != nil {
		return c.fail(err, 1)
	}
	return 0
}
