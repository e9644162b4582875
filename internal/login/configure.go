package login

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsconfigfile"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awscreds"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safetext"
)

// NewProfile asks Login to create the profile, as "aws configure sso" does.
type NewProfile struct {
	// StartURL and Region are the sso-session's sso_start_url and
	// sso_region; both are needed.
	StartURL, Region string
	// AccountID and RoleName choose the profile's account and role; an
	// empty one is chosen from what ListAccounts or ListAccountRoles
	// answers: the only one, else the user's pick when Interactive.
	AccountID, RoleName string
	// Stdin is where the user's picks are read, when Interactive (stdin is
	// a terminal).
	Stdin       io.Reader
	Interactive bool
}

// set reports whether any setting of p was given.
func (p NewProfile) set() bool {
	return p.StartURL != "" || p.Region != "" || p.AccountID != "" || p.RoleName != ""
}

// Patterns of what configure accepts; compiled when it runs, not when the
// program starts.
const (
	regionPattern  = `^[a-z]{2}(-[a-z0-9]+)+-[0-9]+$`
	accountPattern = `^[0-9]{12}$`
	namePattern    = `^[A-Za-z0-9_.+=,@-]+$`
)

// matches reports whether s matches pattern.
func matches(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }

// configure signs in to a new sso-session and writes it and the profile
// to the AWS config file, changing nothing else there: it signs in, lists
// the accounts and roles the user may use, picks one of each, and only
// then writes [sso-session NAME] and the profile, so that a failure
// anywhere leaves the file as it was.
func configure(ctx context.Context, o Options) error {
	p := o.Create
	profile := o.Profile
	if profile == "" {
		profile = os.Getenv("AWS_PROFILE")
	}
	if profile == "" {
		profile = "default"
	}
	name := o.Session
	if name == "" {
		name = profile
	}
	if err := checkCreate(p, profile, name); err != nil {
		return err
	}
	file, _, err := awsconfig.SharedFiles()
	if err != nil {
		return &failure.Error{Problem: "cannot find the AWS config file", Cause: failure.Reason(err), Fix: "check AWS_CONFIG_FILE and HOME", Err: err}
	}
	s := Session{Name: name, StartURL: p.StartURL, Region: p.Region, Scopes: []string{defaultScope},
		retry: awscreds.LoginCommand(profile) + " --start-url " + p.StartURL + " --sso-region " + p.Region}
	f, err := newFlowFor(ctx, s, o)
	if err != nil {
		return err
	}
	if err := f.run(ctx); err != nil {
		return err
	}
	var in *bufio.Scanner // the user's picks, at a terminal
	if p.Interactive && p.Stdin != nil {
		in = bufio.NewScanner(p.Stdin)
	}
	portal := sso.NewFromConfig(f.cfg)
	token := aws.String(f.token.AccessToken)
	account, err := choose(f, "account", "--account-id", p.AccountID, func() ([]choice, error) { return accounts(ctx, portal, token) }, in)
	if err != nil {
		return err
	}
	role, err := choose(f, "role in account "+account, "--role-name", p.RoleName, func() ([]choice, error) { return roles(ctx, portal, token, account) }, in)
	if err != nil {
		return err
	}
	err = awsconfigfile.Update(file,
		awsconfigfile.Section{Header: awsconfigfile.SSOSession(name), Keys: []awsconfigfile.Key{
			{Name: "sso_start_url", Value: p.StartURL}, {Name: "sso_region", Value: p.Region}, {Name: "sso_registration_scopes", Value: defaultScope}}},
		awsconfigfile.Section{Header: awsconfigfile.Profile(profile), Keys: []awsconfigfile.Key{
			{Name: "sso_session", Value: name}, {Name: "sso_account_id", Value: account}, {Name: "sso_role_name", Value: role}}})
	if err != nil {
		return &failure.Error{Problem: "signed in, but cannot write the profile to " + file, Cause: failure.Reason(err), Fix: "check the file and its directory, then run " + s.retry + " again", Err: err}
	}
	safetext.Fprintf(f.out, f.secrets, "Wrote [%s] (account %s, role %s) and [%s] to %s.\n",
		awsconfigfile.Profile(profile), account, role, awsconfigfile.SSOSession(name), file)
	return nil
}

// checkCreate refuses the flags of a profile to create, p, with the
// profile and sso-session names, before anything is asked of AWS.
func checkCreate(p NewProfile, profile, name string) error {
	retry := awscreds.LoginCommand(profile) + " --start-url URL --sso-region REGION"
	u, err := url.Parse(p.StartURL)
	switch {
	case p.StartURL == "" || p.Region == "":
		return &failure.Error{Problem: "creating a profile needs both --start-url and --sso-region", Fix: "give both: " + retry}
	case err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || strings.ContainsAny(p.StartURL, " \t"):
		return &failure.Error{Problem: fmt.Sprintf("--start-url %q is not an https:// URL", p.StartURL), Fix: "give the AWS access portal URL, e.g. https://d-1234567890.awsapps.com/start"}
	case !matches(regionPattern, p.Region):
		return &failure.Error{Problem: fmt.Sprintf("--sso-region %q is not an AWS region", p.Region), Fix: "give IAM Identity Center's region, e.g. us-east-1"}
	case p.AccountID != "" && !matches(accountPattern, p.AccountID):
		return &failure.Error{Problem: fmt.Sprintf("--account-id %q is not an AWS account id", p.AccountID), Fix: "give its 12 digits"}
	case !matches(namePattern, profile) || !matches(namePattern, name):
		return &failure.Error{Problem: fmt.Sprintf("%q is not a profile or sso-session name this program writes", profile+" / "+name), Fix: "use letters, digits and _.+=,@-"}
	case p.RoleName != "" && !matches(namePattern, p.RoleName):
		return &failure.Error{Problem: fmt.Sprintf("--role-name %q is not a role name", p.RoleName), Fix: "give the permission set's name"}
	}
	return nil
}

// accounts lists the accounts the token may use, every page.
func accounts(ctx context.Context, portal *sso.Client, token *string) ([]choice, error) {
	var list []choice
	pg := sso.NewListAccountsPaginator(portal, &sso.ListAccountsInput{AccessToken: token})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range out.AccountList {
			list = append(list, choice{aws.ToString(a.AccountId), aws.ToString(a.AccountName)})
		}
	}
	return list, nil
}

// roles lists the roles the token may take in account, every page.
func roles(ctx context.Context, portal *sso.Client, token *string, account string) ([]choice, error) {
	var list []choice
	pg := sso.NewListAccountRolesPaginator(portal, &sso.ListAccountRolesInput{AccessToken: token, AccountId: aws.String(account)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range out.RoleList {
			list = append(list, choice{aws.ToString(r.RoleName), ""})
		}
	}
	return list, nil
}

// choice is an account or a role: its id or name, and a description.
type choice struct{ id, about string }

// choose returns given when the list has it, the only item of the list
// when given is empty, or the user's pick when there are more and the
// user is at a terminal (in is not nil). what names the items; flag is how
// to give one.
func choose(f *flow, what, flag, given string, list func() ([]choice, error), in *bufio.Scanner) (string, error) {
	items, err := list()
	if err != nil {
		return "", f.failed("listing your accounts and roles", err)
	}
	ids := make([]string, len(items))
	for i, c := range items {
		ids[i] = c.id
	}
	switch {
	case len(items) == 0:
		return "", &failure.Error{Problem: fmt.Sprintf("IAM Identity Center lists no %s you may use in %s", what, f.session), Fix: "ask your administrator to assign you one"}
	case given != "":
		for _, id := range ids {
			if id == given {
				return given, nil
			}
		}
		return "", &failure.Error{Problem: fmt.Sprintf("%s %s is not one you may use", flag, given), Cause: "you may use: " + strings.Join(ids, ", "), Fix: "give one of those"}
	case len(items) == 1:
		safetext.Fprintf(f.out, f.secrets, "Using the only %s you may use: %s.\n", what, items[0].id)
		return items[0].id, nil
	case in == nil:
		return "", &failure.Error{Problem: fmt.Sprintf("you may use %d: %s", len(items), strings.Join(ids, ", ")), Fix: "choose one with " + flag}
	}
	for {
		safetext.Fprintf(f.out, f.secrets, "Choose the %s:\n", what)
		for i, c := range items {
			if c.about != "" {
				safetext.Fprintf(f.out, f.secrets, "  %d. %s (%s)\n", i+1, c.id, c.about)
			} else {
				safetext.Fprintf(f.out, f.secrets, "  %d. %s\n", i+1, c.id)
			}
		}
		safetext.Fprintf(f.out, f.secrets, "Number: ")
		if !in.Scan() {
			return "", &failure.Error{Problem: "no " + what + " was chosen", Fix: "choose one with " + flag}
		}
		if n, err := strconv.Atoi(strings.TrimSpace(in.Text())); err == nil && n >= 1 && n <= len(items) {
			return items[n-1].id, nil
		}
	}
}
