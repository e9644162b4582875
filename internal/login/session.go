package login

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awscreds"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
)

// Session is an IAM Identity Center sign-in configuration: an
// [sso-session NAME] section of the AWS config file, or the sso_start_url
// and sso_region of a legacy profile.
type Session struct {
	// Name is the sso-session's name; it is empty for a legacy profile.
	Name string
	// Profile is the profile the session was found through; it is empty
	// when the session was named directly.
	Profile string
	// StartURL is the AWS access portal URL (sso_start_url).
	StartURL string
	// Region is the region of IAM Identity Center (sso_region).
	Region string
	// Scopes are the sso-session's sso_registration_scopes. A legacy
	// profile has none, and gets no refresh token.
	Scopes []string
	// retry, when set, is the command that signs in again.
	retry string
}

// String names s for messages: its sso-session, else its profile.
func (s Session) String() string {
	if s.Name != "" {
		return fmt.Sprintf("SSO session %q", s.Name)
	}
	return fmt.Sprintf("profile %q", s.Profile)
}

// LoginCommand is the command that signs in to s. awscreds.LoginCommand
// spells it, with --profile; a session named directly is given with
// --sso-session instead.
func (s Session) LoginCommand() string {
	if s.retry != "" {
		return s.retry
	}
	if s.Profile != "" {
		return awscreds.LoginCommand(s.Profile)
	}
	command, _, _ := strings.Cut(awscreds.LoginCommand(""), " --profile")
	return command + " --sso-session " + s.Name
}

// CacheFile is the token cache file of s that the AWS CLI and SDKs share:
// ~/.aws/sso/cache/ and the hex SHA-1 of the session's name, or of the
// start URL for a legacy profile, with ".json".
func (s Session) CacheFile() (string, error) {
	key := s.Name
	if key == "" {
		key = s.StartURL
	}
	p, err := ssocreds.StandardCachedTokenFilepath(key)
	if err != nil {
		return "", &failure.Error{Problem: "cannot find the SSO token cache", Cause: failure.Reason(err), Fix: "set HOME to your home directory", Err: err}
	}
	return p, nil
}

// FindSession returns the IAM Identity Center session of profile, or the
// sso-session named session when that is not empty. An empty profile is
// AWS_PROFILE, else "default", as for the SDK. A profile that takes its
// credentials from a source_profile has the session of the first profile
// in that chain that has one, since that is where the SDK signs in.
func FindSession(ctx context.Context, profile, session string) (Session, error) {
	if session != "" {
		file, _, err := awsconfig.SharedFiles()
		if err != nil {
			return Session{}, err
		}
		return namedSession(ctx, file, session)
	}
	cfg, err := awsconfig.Load(ctx, profile)
	if err != nil {
		return Session{}, err
	}
	for p := &cfg.Shared; p != nil; p = p.Source {
		var s Session
		switch {
		case p.SSOSession != nil:
			s = Session{Name: p.SSOSession.Name, StartURL: p.SSOSession.SSOStartURL, Region: p.SSOSession.SSORegion}
			if s.Scopes, err = registrationScopes(cfg.ConfigFile, s.Name); err != nil {
				return Session{}, err
			}
		case p.SSOStartURL != "" || p.SSORegion != "":
			s = Session{StartURL: p.SSOStartURL, Region: p.SSORegion}
		default:
			continue
		}
		s.Profile = cfg.Profile
		return s, s.complete(cfg.ConfigFile)
	}
	return Session{}, &failure.Error{Problem: fmt.Sprintf("AWS profile %q has no IAM Identity Center settings in %s", cfg.Profile, cfg.ConfigFile),
		Fix: "give it sso_session (see the README), or use --sso-session NAME"}
}

// namedSession returns the sso-session named name.
func namedSession(ctx context.Context, file, name string) (Session, error) {
	// The SDK keeps a config file's [sso-session NAME] sections under the
	// name "sso-session NAME", next to the profiles, and reads their
	// sso_start_url and sso_region as it reads a legacy profile's. Loading
	// the section as that profile reads them exactly as the SDK does for a
	// profile that names the session.
	sc, err := config.LoadSharedConfigProfile(ctx, "sso-session "+name, func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles = []string{file}
		o.CredentialsFiles = []string{}
	})
	var notExist config.SharedConfigProfileNotExistError
	switch {
	case errors.As(err, &notExist):
		return Session{}, &failure.Error{Problem: fmt.Sprintf("%s has no [sso-session %s] section", file, name), Fix: "check --sso-session, or add the section (see the README)"}
	case err != nil:
		return Session{}, &failure.Error{Problem: fmt.Sprintf("cannot read [sso-session %s] from %s", name, file), Cause: failure.Reason(err), Fix: "fix the file", Err: err}
	}
	s := Session{Name: name, StartURL: sc.SSOStartURL, Region: sc.SSORegion}
	if s.Scopes, err = registrationScopes(file, name); err != nil {
		return Session{}, err
	}
	return s, s.complete(file)
}

// complete checks that s has a start URL and a region; file is where they
// belong.
func (s Session) complete(file string) error {
	var missing []string
	if s.StartURL == "" {
		missing = append(missing, "sso_start_url")
	}
	if s.Region == "" {
		missing = append(missing, "sso_region")
	}
	if len(missing) == 0 {
		return nil
	}
	where := fmt.Sprintf("[sso-session %s]", s.Name)
	if s.Name == "" {
		where = fmt.Sprintf("profile %q", s.Profile)
	}
	return &failure.Error{Problem: fmt.Sprintf("%s in %s has no %s", where, file, strings.Join(missing, " and ")), Fix: "add it"}
}

// registrationScopes returns the sso_registration_scopes of the
// [sso-session name] section of the config file, which the SDK's shared
// configuration does not read. The AWS CLI reads the value as a
// comma-separated list. Indented lines continue the key before them, and
// comment lines hold no "sso_registration_scopes =" key: both are skipped.
func registrationScopes(file, name string) ([]string, error) {
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &failure.Error{Problem: "cannot read " + file, Cause: failure.Reason(err), Fix: "check its permissions", Err: err}
	}
	var (
		in     bool
		scopes []string
	)
	for _, line := range strings.Split(string(b), "\n") {
		indented := strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "["):
			header, _, _ := strings.Cut(t[1:], "]")
			words := strings.Fields(header)
			in = len(words) == 2 && words[0] == "sso-session" && words[1] == name
		case in && !indented:
			key, value, ok := strings.Cut(t, "=")
			if !ok || strings.TrimSpace(key) != "sso_registration_scopes" {
				continue
			}
			scopes = nil
			for _, s := range strings.Split(value, ",") {
				if s = strings.TrimSpace(s); s != "" {
					scopes = append(scopes, s)
				}
			}
		}
	}
	return scopes, nil
}
