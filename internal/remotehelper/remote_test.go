package remotehelper

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestParse(t *testing.T) {
	const forms = "use codecommit://[PROFILE@]REPOSITORY or codecommit::REGION://[PROFILE@]REPOSITORY"
	for _, tc := range []struct {
		url  string
		want Address
		err  string
	}{
		{url: "codecommit://repo", want: Address{Repo: "repo"}},
		{url: "codecommit://dev@repo", want: Address{Profile: "dev", Repo: "repo"}},
		{url: "eu-west-1://dev@My.Repo_1-x", want: Address{Region: "eu-west-1", Profile: "dev", Repo: "My.Repo_1-x"}},
		{url: "us-gov-west-1://repo", want: Address{Region: "us-gov-west-1", Repo: "repo"}},
		{url: "cn-north-1://repo", want: Address{Region: "cn-north-1", Repo: "repo"}},
		{url: "codecommit://me@corp@repo", want: Address{Profile: "me@corp", Repo: "repo"}},
		{url: "codecommit://dev@repo/", want: Address{Profile: "dev", Repo: "repo"}},

		{url: "codecommit:/x", err: "the URL codecommit::codecommit:/x is malformed; " + forms},
		{url: "codecommit://", err: "the URL codecommit:// is malformed; " + forms},
		{url: "codecommit", err: "the URL codecommit::codecommit is malformed; " + forms},
		{url: "codecommit://dev@", err: "the URL codecommit://dev@ names no repository; " + forms},
		{url: "codecommit:///repo", err: "the URL codecommit:///repo names no repository; " + forms},
		{url: "codecommit://@repo", err: "the URL codecommit://@repo has an empty profile before '@'; " + forms},
		{url: "https://repo", err: "the URL codecommit::https://repo is malformed; " + forms},
		{url: "mars-north-1://repo", err: "the URL codecommit::mars-north-1://repo names the region mars-north-1, which AWS does not list; check its spelling"},
		{url: "codecommit://dev@re po", err: `the URL codecommit://dev@re po names "re po", which is not a CodeCommit repository name; use letters, digits, '.', '_' and '-', at most 100`},
	} {
		got, err := Parse(tc.url)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("Parse(%q) error %v, want %q", tc.url, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.url, got, err, tc.want)
		}
	}
}

func TestResolve(t *testing.T) {
	const profiles = `[profile dev]
region = eu-west-1
[profile fips]
region = us-east-2
use_fips_endpoint = true
[profile noregion]
output = json
[profile china]
region = cn-north-1
[default]
region = ap-southeast-2
`
	const vpce = "vpce-0123456789abcdef0-abcdefgh.git-codecommit.eu-west-1.vpce.amazonaws.com"
	for _, tc := range []struct {
		name     string
		url      string
		env      map[string]string
		endpoint string
		want     string
		err      string
	}{
		{name: "profile's region", url: "codecommit://dev@repo", want: "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/repo"},
		{name: "URL's region", url: "us-west-2://dev@repo", want: "https://git-codecommit.us-west-2.amazonaws.com/v1/repos/repo"},
		{name: "default profile", url: "codecommit://repo", want: "https://git-codecommit.ap-southeast-2.amazonaws.com/v1/repos/repo"},
		{name: "AWS_PROFILE", url: "codecommit://repo", env: map[string]string{"AWS_PROFILE": "dev"}, want: "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/repo"},
		{name: "AWS_REGION beats the profile's", url: "codecommit://dev@repo", env: map[string]string{"AWS_REGION": "us-east-1"}, want: "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/repo"},
		{name: "China", url: "codecommit://china@repo", want: "https://git-codecommit.cn-north-1.amazonaws.com.cn/v1/repos/repo"},
		{name: "FIPS by profile", url: "codecommit://fips@repo", want: "https://git-codecommit-fips.us-east-2.amazonaws.com/v1/repos/repo"},
		{name: "FIPS by environment", url: "codecommit://dev@repo", env: map[string]string{"AWS_USE_FIPS_ENDPOINT": "true"}, want: "https://git-codecommit-fips.eu-west-1.amazonaws.com/v1/repos/repo"},
		{name: "VPC endpoint", url: "codecommit://dev@repo", endpoint: vpce, want: "https://" + vpce + "/v1/repos/repo"},
		{name: "VPC endpoint of another region", url: "us-east-1://dev@repo", endpoint: vpce,
			err: "the CodeCommit endpoint " + vpce + " is in eu-west-1, but the repository is in us-east-1; use an endpoint in us-east-1, or name eu-west-1 in the URL"},
		{name: "endpoint that is not a VPC endpoint", url: "codecommit://dev@repo", endpoint: "evil.example",
			err: "the CodeCommit endpoint evil.example is not a CodeCommit VPC endpoint host name; check CODE_COMMIT_ENDPOINT or git config codecommit.endpoint"},
		{name: "unknown profile", url: "codecommit://nope@repo",
			err: `AWS profile "nope" does not exist in $HOME/.aws/config or $HOME/.aws/credentials; check its name, or create it: aws configure --profile nope`},
		{name: "unknown AWS_PROFILE", url: "codecommit://repo", env: map[string]string{"AWS_PROFILE": "nope"},
			err: `AWS profile "nope" does not exist in $HOME/.aws/config or $HOME/.aws/credentials; check its name, or create it: aws configure --profile nope`},
		{name: "no region", url: "codecommit://noregion@repo",
			err: `no AWS region is set for profile "noregion"; set AWS_REGION, or region in the profile, or name it in the URL: codecommit::REGION://noregion@repo`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := testenv.Isolate(t)
			if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(profiles), 0o600); err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			a, err := Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Resolve(context.Background(), a, tc.endpoint)
			if tc.err != "" {
				if err == nil || strings.ReplaceAll(err.Error(), home, "$HOME") != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got.URL() != tc.want {
				t.Fatalf("%s, %v; want %s", got.URL(), err, tc.want)
			}
		})
	}
}

func TestEnv(t *testing.T) {
	tg := Target{Address: Address{Repo: "repo"}, Host: "git-codecommit.us-east-1.amazonaws.com"}
	got, err := tg.Env([]string{"PATH=/bin", "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=user.name", "GIT_CONFIG_VALUE_0=me"}, "/bin/h --credential-helper")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"PATH=/bin", "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=user.name", "GIT_CONFIG_VALUE_0=me",
		"GIT_CONFIG_KEY_1=credential.https://git-codecommit.us-east-1.amazonaws.com/v1/repos/repo.helper", "GIT_CONFIG_VALUE_1=",
		"GIT_CONFIG_KEY_2=credential.https://git-codecommit.us-east-1.amazonaws.com/v1/repos/repo.helper", "GIT_CONFIG_VALUE_2=/bin/h --credential-helper",
		"GIT_CONFIG_KEY_3=credential.https://git-codecommit.us-east-1.amazonaws.com/v1/repos/repo.useHttpPath", "GIT_CONFIG_VALUE_3=true",
		"GIT_CONFIG_COUNT=4"}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if _, err := tg.Env([]string{"GIT_CONFIG_COUNT=x"}, "h"); err == nil {
		t.Error("a GIT_CONFIG_COUNT that is not a number was accepted")
	}
}

// TestMainErrors checks Main's errors: the URL as the user wrote it, each
// with its fix. The line they make, escaped, is internal/cli's (its
// TestFailureLines).
func TestMainErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"origin", "us-east-9://app"},
			"the URL codecommit::us-east-9://app names the region us-east-9, which AWS does not list; check its spelling"},
		{[]string{"origin", "codecommit://dev@re\npo"},
			`the URL codecommit://dev@re` + "\n" + `po names "re\npo", which is not a CodeCommit repository name; use letters, digits, '.', '_' and '-', at most 100`},
		{[]string{"origin", "codecommit://nope@repo"},
			`AWS profile "nope" does not exist in $HOME/.aws/config or $HOME/.aws/credentials; check its name, or create it: aws configure --profile nope`},
		{[]string{"a", "b", "c"},
			"git-remote-codecommit takes REMOTE URL, not 3 arguments; let git run it, for a codecommit:// remote"},
	} {
		home := testenv.Isolate(t)
		var stdout, stderr strings.Builder
		code, err := Main(context.Background(), tc.args, "/nonexistent/self", strings.NewReader(""), &stdout, &stderr)
		if err == nil || failure.As(err) == nil {
			t.Errorf("%q: exit %d, error %v; want a *failure.Error", tc.args, code, err)
			continue
		}
		if got := strings.ReplaceAll(err.Error(), home, "$HOME"); code != 1 || stdout.Len() != 0 || stderr.Len() != 0 || got != tc.want {
			t.Errorf("%q: exit %d, stdout %q, stderr %q\nerror %q\nwant  %q", tc.args, code, stdout.String(), stderr.String(), got, tc.want)
		}
	}
}
