package mapview

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets the test binary serve as the child process of the
// cross-process tests (runChild).
func TestMain(m *testing.M) {
	if action := os.Getenv(childEnv); action != "" {
		os.Exit(childMain(action))
	}
	os.Exit(m.Run())
}

// writeFile writes data to name in a fresh temporary directory and returns
// the path.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantError checks that err is an *Error of code whose message contains
// every one of needles.
func wantError(t testing.TB, err error, code Code, needles ...string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v (%T), want an *Error with code %v", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("got code %d (%v) with message %q, want %d (%v)", e.Code, e.Code, e.Message, code, code)
	}
	for _, n := range needles {
		if !strings.Contains(e.Error(), n) {
			t.Errorf("message %q does not contain %q", e.Error(), n)
		}
	}
}

// mustClose closes c and fails the test on error.
func mustClose(t testing.TB, c interface{ Close() error }) {
	t.Helper()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}
