package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// signed signs a file in a new directory and returns the directory.
func signed(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "SHA256SUMS", "0123  a.tar.gz\n4567  b.zip\n")
	if err := run([]string{"sign", "-bundle", filepath.Join(dir, "b.json"), "-public-key", filepath.Join(dir, "k.pem"), filepath.Join(dir, "SHA256SUMS")}, io.Discard); err != nil {
		t.Fatal(err)
	}
	return dir
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func verifyIn(dir, bundle, key, file string) error {
	return run([]string{"verify", "-bundle", filepath.Join(dir, bundle), "-key", filepath.Join(dir, key), filepath.Join(dir, file)}, io.Discard)
}

func TestRoundTrip(t *testing.T) {
	dir := signed(t)
	if err := verifyIn(dir, "b.json", "k.pem", "SHA256SUMS"); err != nil {
		t.Fatal(err)
	}
	var b struct {
		MediaType        string
		MessageSignature struct {
			MessageDigest struct{ Algorithm, Digest string }
		}
		// Only the public key's hint: no certificate, log entry or timestamp.
		VerificationMaterial map[string]json.RawMessage
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "b.json"))
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	sum := sha256.Sum256(data)
	d := b.MessageSignature.MessageDigest
	if b.MediaType != "application/vnd.dev.sigstore.bundle.v0.3+json" || d.Algorithm != "SHA2_256" || d.Digest != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Errorf("bundle %s", raw)
	}
	if len(b.VerificationMaterial) != 1 || b.VerificationMaterial["publicKey"] == nil {
		t.Errorf("verification material %s", raw)
	}
	pem, _ := os.ReadFile(filepath.Join(dir, "k.pem"))
	if !strings.HasPrefix(string(pem), "-----BEGIN PUBLIC KEY-----\n") || strings.Contains(string(raw)+string(pem), "PRIVATE") {
		t.Errorf("public key %s", pem)
	}
}

func TestRejects(t *testing.T) {
	dir := signed(t)
	// One byte of the file changed.
	data, _ := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	data[0] ^= 1
	write(t, dir, "changed", string(data))
	// Another key pair's public key.
	write(t, dir, "other", "x")
	if err := run([]string{"sign", "-bundle", filepath.Join(dir, "other.json"), "-public-key", filepath.Join(dir, "other.pem"), filepath.Join(dir, "other")}, io.Discard); err != nil {
		t.Fatal(err)
	}
	// The signature, or the digest, altered in the bundle.
	raw, _ := os.ReadFile(filepath.Join(dir, "b.json"))
	var b map[string]any
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	ms := b["messageSignature"].(map[string]any)
	alter := func(name string, set func(sig []byte)) {
		field, obj := "signature", ms
		if name == "digest.json" {
			field, obj = "digest", ms["messageDigest"].(map[string]any)
		}
		was := obj[field].(string)
		v, _ := base64.StdEncoding.DecodeString(was)
		set(v)
		obj[field] = base64.StdEncoding.EncodeToString(v)
		out, _ := json.Marshal(b)
		write(t, dir, name, string(out))
		obj[field] = was
	}
	alter("sig.json", func(v []byte) { v[len(v)-1] ^= 1 })
	alter("digest.json", func(v []byte) { v[0] ^= 1 })

	invalid := "could not verify message: invalid signature"
	for _, c := range []struct{ bundle, key, file, want string }{
		{"b.json", "k.pem", "changed", invalid},
		{"b.json", "other.pem", "SHA256SUMS", invalid},
		{"other.json", "k.pem", "SHA256SUMS", invalid},
		{"sig.json", "k.pem", "SHA256SUMS", invalid},
		{"digest.json", "k.pem", "SHA256SUMS", "artifact digest does not match message digest"},
		{"b.json", "k.pem", "missing", "no such file"},
		{"b.json", "SHA256SUMS", "SHA256SUMS", "reading the public key"},
		{"SHA256SUMS", "k.pem", "SHA256SUMS", "reading the bundle"},
	} {
		err := verifyIn(dir, c.bundle, c.key, c.file)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("bundle %s, key %s, file %s: %v, want %q", c.bundle, c.key, c.file, err, c.want)
		}
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"sign"},
		{"verify", "-bundle", "b", "f"},
		{"sign", "-bundle", "b", "-key", "k", "f"},
		{"verify", "-bundle", "b", "-key", "k", "f", "g"},
		{"attest", "-bundle", "b", "-key", "k", "f"},
	} {
		if err := run(args, io.Discard); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}
