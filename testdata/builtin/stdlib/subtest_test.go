package main

import (
	"os"
	"path/filepath"
	"runtime/pprof"
	"testing"
)

// TestParentWaits writes goroutine profiles from inside a subtest, while its
// parent waits in testing.(*T).Run: capture.sh runs it with
// BUILTIN_PROFILE_DIR set.
func TestParentWaits(t *testing.T) {
	dir := os.Getenv("BUILTIN_PROFILE_DIR")
	if dir == "" {
		t.Skip("BUILTIN_PROFILE_DIR is not set (capture.sh sets it)")
	}
	t.Run("child", func(t *testing.T) {
		for name, debug := range map[string]int{"goroutine.pb.gz": 0, "goroutine.debug2.txt": 2} {
			f, err := os.Create(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if err := pprof.Lookup("goroutine").WriteTo(f, debug); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}
	})
}
