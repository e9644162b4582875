package e2e

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// ociImage is an image in an OCI layout directory, as buildah push writes
// it: its layers, bottom first.
type ociImage struct {
	dir    string
	layers []ociDescriptor
}

type ociDescriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
}

func readLayout(t *testing.T, dir string) *ociImage {
	t.Helper()
	var index struct{ Manifests []ociDescriptor }
	readJSON(t, filepath.Join(dir, "index.json"), &index)
	if len(index.Manifests) != 1 {
		t.Fatalf("%s: %d manifests, want 1", dir, len(index.Manifests))
	}
	var manifest struct{ Layers []ociDescriptor }
	readJSON(t, blobPath(dir, index.Manifests[0].Digest), &manifest)
	if len(manifest.Layers) == 0 {
		t.Fatalf("%s: no layers", dir)
	}
	return &ociImage{dir: dir, layers: manifest.Layers}
}

func blobPath(dir, digest string) string {
	algo, hex, _ := strings.Cut(digest, ":")
	return filepath.Join(dir, "blobs", algo, hex)
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(readFile(t, name)), v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// addedTo returns the layers Dockerfile.example added on top of base: the
// image must start with base's layers.
func (img *ociImage) addedTo(t *testing.T, base *ociImage) []ociDescriptor {
	t.Helper()
	n := len(base.layers)
	if len(img.layers) <= n || !slices.Equal(img.layers[:n], base.layers) {
		t.Fatalf("the image's layers %v do not start with the base image's %v", img.layers, base.layers)
	}
	return img.layers[n:]
}

// walk calls f for every entry of the layer, with a reader of its content.
func (img *ociImage) walk(t *testing.T, layer ociDescriptor, f func(h *tar.Header, r io.Reader)) {
	t.Helper()
	file, err := os.Open(blobPath(img.dir, layer.Digest))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var r io.Reader = bufio.NewReaderSize(file, 1<<20)
	if strings.HasSuffix(layer.MediaType, "+gzip") {
		z, err := gzip.NewReader(r)
		if err != nil {
			t.Fatalf("layer %s: %v", layer.Digest, err)
		}
		r = z
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("layer %s: %v", layer.Digest, err)
		}
		h.Name = "/" + strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		f(h, tr)
	}
}

// secretFiles are the names of files that hold credentials: git's and
// curl's stored passwords, the AWS CLI's keys, npm's and pip's tokens, SSH
// private keys.
var secretFiles = []string{".git-credentials", ".netrc", "_netrc", ".npmrc", ".pypirc", ".curlrc",
	"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"}

// layerRef is a layer of an image.
type layerRef struct {
	img   *ociImage
	layer ociDescriptor
}

// dpkgSums returns the MD5 sums dpkg recorded, in the layers, for the files
// the images' packages installed, by absolute path (under /usr too, for bookworm's
// /bin, /sbin and /lib, which are links into /usr).
func dpkgSums(t *testing.T, layers []layerRef) map[string]string {
	t.Helper()
	sums := map[string]string{}
	for _, l := range layers {
		l.img.walk(t, l.layer, func(h *tar.Header, r io.Reader) {
			if !strings.HasPrefix(h.Name, "/var/lib/dpkg/info/") || !strings.HasSuffix(h.Name, ".md5sums") {
				return
			}
			b, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(string(b), "\n") {
				sum, name, ok := strings.Cut(line, "  ")
				if !ok {
					continue
				}
				sums["/"+name] = sum
				for _, d := range []string{"bin/", "sbin/", "lib/", "lib64/"} {
					if strings.HasPrefix(name, d) {
						sums["/usr/"+name] = sum
					}
				}
			}
		})
	}
	return sums
}

// checkNoSecrets scans a layer of the image for credentials: files that
// store them, AWS access key ids and secret keys, and private keys. A file
// of a Debian package as the package has it is the distribution's, not a
// credential: GnuTLS carries the keys of its self-tests.
func checkNoSecrets(t *testing.T, ref layerRef, sums map[string]string) {
	t.Helper()
	img, layer := ref.img, ref.layer
	buf := make([]byte, 1<<20)
	img.walk(t, layer, func(h *tar.Header, r io.Reader) {
		base := path.Base(h.Name)
		if h.Typeflag != tar.TypeDir && (slices.Contains(secretFiles, strings.TrimPrefix(base, ".wh.")) ||
			strings.HasSuffix(h.Name, "/.aws/credentials") || strings.Contains(h.Name, "/.ssh/")) {
			t.Errorf("layer %s holds %s", layer.Digest, h.Name)
		}
		if h.Typeflag != tar.TypeReg {
			return
		}
		sum := md5.New()
		r = io.TeeReader(r, sum)
		// Read in chunks that overlap by more than the longest match, so
		// that none is cut in two.
		const overlap = 256
		var tail []byte
		var found string
		for {
			n, err := io.ReadFull(r, buf[len(tail):])
			copy(buf, tail)
			chunk := buf[:len(tail)+n]
			if found == "" {
				found = findSecret(chunk)
			}
			if err != nil {
				break
			}
			tail = append(tail[:0], chunk[len(chunk)-overlap:]...)
		}
		if found != "" && sums[h.Name] != hex.EncodeToString(sum.Sum(nil)) {
			t.Errorf("layer %s: %s holds %s", layer.Digest, h.Name, found)
		}
	})
}

// secretSetting is a secret key in an AWS CLI file or an environment:
// aws_secret_access_key = <40 characters>. The names alone are no secret:
// every AWS SDK holds them.
var secretSetting = regexp.MustCompile(`(?i)aws_secret_access_key["']?\s*[=:]\s*["']?[A-Za-z0-9/+]{40}`)

// privateKey is a PEM private key with a body: the header alone, as in
// TLS libraries and npm's documentation, is none.
var privateKey = regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\r?\n(?:[A-Za-z-]+: [^\n]*\r?\n)*\r?\n?[A-Za-z0-9+/=]{40,}`)

// findSecret returns what of a credential b holds: an AWS access key id
// (AKIA or ASIA and 16 upper-case letters or digits, alone), an AWS secret
// key setting, or a PEM private key; or "".
func findSecret(b []byte) string {
	for _, prefix := range []string{"AKIA", "ASIA"} {
		for i := 0; ; {
			j := bytes.Index(b[i:], []byte(prefix))
			if j < 0 {
				break
			}
			i += j
			if i+20 <= len(b) && isKeyID(b[i:i+20]) && (i == 0 || !isKeyChar(b[i-1])) && (i+20 == len(b) || !isKeyChar(b[i+20])) {
				return "an AWS access key id " + string(b[i:i+4]) + "…"
			}
			i++
		}
	}
	if bytes.Contains(bytes.ToLower(b), []byte("aws_secret_access_key")) && secretSetting.Match(b) {
		return "an AWS secret key setting"
	}
	if bytes.Contains(b, []byte("PRIVATE KEY-----")) && privateKey.Match(b) {
		return "a private key"
	}
	return ""
}

func isKeyID(b []byte) bool {
	for _, c := range b {
		if !isKeyChar(c) {
			return false
		}
	}
	return true
}

func isKeyChar(c byte) bool { return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }

// checkAdded checks that the layers Dockerfile.example added hold git and
// the CA certificates (with the packages they depend on, and what dpkg and
// apt record of them), the helper, /etc/gitconfig and the example project,
// and nothing else.
func checkAdded(t *testing.T, img *ociImage, added []ociDescriptor, baseDirs map[string]bool) {
	t.Helper()
	var names []string
	owned := map[string]bool{} // files of packages the layers installed
	var installed []string     // those packages
	var status string
	for _, layer := range added {
		img.walk(t, layer, func(h *tar.Header, r io.Reader) {
			names = append(names, h.Name)
			if pkg, ok := strings.CutSuffix(strings.TrimPrefix(h.Name, "/var/lib/dpkg/info/"), ".list"); ok && !strings.Contains(pkg, "/") {
				installed = append(installed, pkg)
				b, err := io.ReadAll(r)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range strings.Split(strings.TrimSpace(string(b)), "\n") {
					owned[f] = true
					// bookworm's /bin, /sbin and /lib are links into /usr,
					// where the layers hold the files dpkg lists there.
					for _, d := range []string{"/bin/", "/sbin/", "/lib/", "/lib64/"} {
						if strings.HasPrefix(f, d) {
							owned["/usr"+f] = true
						}
					}
				}
			}
			if h.Name == "/var/lib/dpkg/status" {
				b, err := io.ReadAll(r)
				if err != nil {
					t.Fatal(err)
				}
				status = string(b)
			}
		})
	}
	checkPackages(t, status, installed)

	allowed := map[string]bool{
		"/usr/local/bin/git-credential-codecommit": true,
		"/etc/gitconfig":            true,
		"/example/package.json":     true,
		"/etc/ld.so.cache":          true, // ldconfig, after the packages' libraries
		"/etc/ca-certificates.conf": true,
	}
	// What dpkg, apt and update-ca-certificates keep and log.
	prefixes := []string{"/var/lib/dpkg/", "/var/lib/apt/", "/var/cache/apt/", "/var/cache/debconf/", "/var/cache/ldconfig/", "/var/log/", "/etc/ssl/certs/"}
	for _, n := range names {
		whiteout := strings.HasPrefix(path.Base(n), ".wh.")
		// A directory of the base image, whose time a step changed.
		ok := baseDirs[n] || owned[n] || allowed[n] || slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(n, p) })
		if !ok && !whiteout {
			// Directories above something allowed.
			for a := range allowed {
				if strings.HasPrefix(a, n+"/") {
					ok = true
				}
			}
			for o := range owned {
				if strings.HasPrefix(o, n+"/") {
					ok = true
				}
			}
			if slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(p, n+"/") }) {
				ok = true
			}
		}
		if whiteout {
			ok = strings.HasPrefix(n, "/var/lib/apt/lists/")
		}
		if !ok {
			t.Errorf("Dockerfile.example added %s, which is neither git, the CA certificates, the helper, /etc/gitconfig nor the example", n)
		}
	}
}

// checkPackages checks that the packages the added layers installed are git
// and ca-certificates and what they depend on, as the dpkg status file of
// the image records it.
func checkPackages(t *testing.T, status string, installed []string) {
	t.Helper()
	deps := map[string][]string{}
	var pkg string
	for _, line := range strings.Split(status, "\n") {
		if p, ok := strings.CutPrefix(line, "Package: "); ok {
			pkg = p
		}
		for _, field := range []string{"Depends: ", "Pre-Depends: "} {
			if d, ok := strings.CutPrefix(line, field); ok {
				for _, alt := range strings.FieldsFunc(d, func(r rune) bool { return r == ',' || r == '|' }) {
					name, _, _ := strings.Cut(strings.TrimSpace(alt), " ")
					name, _, _ = strings.Cut(name, ":")
					deps[pkg] = append(deps[pkg], name)
				}
			}
		}
	}
	closure := map[string]bool{}
	var add func(string)
	add = func(p string) {
		if !closure[p] {
			closure[p] = true
			for _, d := range deps[p] {
				add(d)
			}
		}
	}
	add("git")
	add("ca-certificates")
	if !slices.Contains(installed, "git") || !slices.Contains(installed, "ca-certificates") {
		t.Errorf("the added layers installed %q, without git or ca-certificates", installed)
	}
	for _, p := range installed {
		name, _, _ := strings.Cut(p, ":")
		if !closure[name] {
			t.Errorf("the added layers installed %s, which neither git nor ca-certificates needs", p)
		}
	}
}

// TestFindSecret shows that the layer scan finds what it looks for, and
// passes by the names alone.
func TestFindSecret(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"key AKIAIOSFODNN7EXAMPLE here":                                                                                 "an AWS access key id AKIA…",
		`{"AccessKeyId":"ASIACONT2345ABCDEFGH"}`:                                                                        "an AWS access key id ASIA…",
		"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY":                                              "an AWS secret key setting",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n":                                              "an AWS secret key setting",
		"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n": "a private key",
		"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,1234\n\nMIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgwMbRvI0MBZhpF\n": "a private key",
		"-----BEGIN EC PRIVATE KEY-----":                                           "",
		`key="-----BEGIN PRIVATE KEY-----\nXXXX\nXXXX\n-----END PRIVATE KEY-----"`: "",
		"AKIAIOSFODNN7EXAMPLEX, ASIAN FOOD, XAKIAIOSFODNN7EXAMPLE":                 "",
		"aws_secret_access_key, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN":          "",
		"-----BEGIN CERTIFICATE-----":                                              "",
	} {
		if got := findSecret([]byte(in)); got != want {
			t.Errorf("findSecret(%q) = %q, want %q", in, got, want)
		}
	}
}
