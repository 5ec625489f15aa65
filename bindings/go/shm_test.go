package mapview

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// shmName is a region name no other test run uses.
func shmName(t *testing.T) string {
	return fmt.Sprintf("mapview-go-%s-%d-%d", t.Name(), os.Getpid(), time.Now().UnixNano())
}

// childEnv marks the test binary re-run as a child process (see TestMain).
const childEnv = "MAPVIEW_GO_TEST_CHILD"

// runChild runs this test binary as another process that performs action
// (handled by childMain) and fails the test if it fails.
func runChild(t *testing.T, action string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+action)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child %q: %v\n%s", action, err, out)
	}
}

// childMain is the child process: "named:NAME" writes into the named
// region NAME; "proc:PID:FD" into the memfd region PID holds as FD.
func childMain(action string) int {
	var s *SharedMemory
	var err error
	kind, arg, _ := strings.Cut(action, ":")
	switch kind {
	case "named":
		s, err = OpenSharedMemory(arg)
	case "proc":
		pid, fd, _ := strings.Cut(arg, ":")
		p, _ := strconv.Atoi(pid)
		f, _ := strconv.Atoi(fd)
		s, err = OpenSharedMemoryProc(p, f)
	default:
		err = fmt.Errorf("unknown child action %q", action)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	copy(s.Bytes(), fmt.Sprintf("hello from %d", os.Getpid()))
	if err := s.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func TestSharedMemoryNamed(t *testing.T) {
	name := shmName(t)
	s, err := CreateSharedMemory(name, 4096)
	if err != nil {
		t.Fatal(err)
	}
	defer UnlinkSharedMemory(name)
	info, err := s.Info()
	if err != nil || info.Kind != SharedNamed || info.Len != 4096 || info.Pid != os.Getpid() || s.Len() != 4096 {
		t.Errorf("Info = %+v, %v", info, err)
	}
	if got, err := s.Name(); got != name || err != nil {
		t.Errorf("Name = %q, %v", got, err)
	}
	// Another handle, and another process, see the same memory.
	other, err := OpenSharedMemory(name)
	if err != nil {
		t.Fatal(err)
	}
	copy(s.Bytes(), "written by the first handle")
	if !strings.HasPrefix(string(other.Bytes()), "written by the first handle") {
		t.Error("second handle does not see the write")
	}
	runChild(t, "named:"+name)
	if !strings.HasPrefix(string(s.Bytes()), "hello from ") {
		t.Errorf("the child's write is not here: %q", s.Bytes()[:32])
	}
	_, err = CreateSharedMemory(name, 10)
	if !errors.Is(err, ErrAlreadyExists) || !errors.Is(err, fs.ErrExist) {
		t.Errorf("create over an existing name: %v", err)
	}
	if err := UnlinkSharedMemory(name); err != nil {
		t.Fatal(err)
	}
	_, err = OpenSharedMemory(name)
	wantError(t, err, CodeNotFound, name)
	wantError(t, UnlinkSharedMemory(name), CodeNotFound, name)
	// Open handles outlive the name.
	s.Bytes()[0] = 'H'
	if other.Bytes()[0] != 'H' {
		t.Error("handles stopped sharing after unlink")
	}
	mustClose(t, other)
	mustClose(t, s)
	if err := s.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
	if s.Bytes() != nil || s.Len() != 0 {
		t.Error("Bytes after Close")
	}
	if _, err := s.Info(); !errors.Is(err, ErrClosed) {
		t.Errorf("Info after Close: %v", err)
	}
	if _, err := s.Name(); !errors.Is(err, ErrClosed) {
		t.Errorf("Name after Close: %v", err)
	}
}

func TestSharedMemoryMemfd(t *testing.T) {
	s, err := CreateMemfd(8192)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, s)
	info, err := s.Info()
	if err != nil || info.Kind != SharedMemfd || info.Len != 8192 || info.Seals&(SealShrink|SealGrow) != SealShrink|SealGrow {
		t.Errorf("Info = %+v, %v", info, err)
	}
	if name, err := s.Name(); name != "" || err != nil {
		t.Errorf("Name of a memfd = %q, %v", name, err)
	}
	byFd, err := OpenSharedMemoryFd(info.Fd)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, byFd)
	byProc, err := OpenSharedMemoryProc(info.Pid, info.Fd)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, byProc)
	copy(s.Bytes()[100:], "shared")
	if string(byFd.Bytes()[100:106]) != "shared" || string(byProc.Bytes()[100:106]) != "shared" {
		t.Error("handles do not share memory")
	}
	runChild(t, fmt.Sprintf("proc:%d:%d", info.Pid, info.Fd))
	if !strings.HasPrefix(string(s.Bytes()), "hello from ") {
		t.Errorf("the child's write is not here: %q", s.Bytes()[:32])
	}
}

func TestSharedMemoryErrors(t *testing.T) {
	for _, name := range []string{"a/b", "", strings.Repeat("x", MaxSharedName+1), "nul\x00"} {
		_, err := CreateSharedMemory(name, 10)
		wantError(t, err, CodeInvalidArgument)
	}
	_, err := CreateSharedMemory(shmName(t), 0)
	if err == nil {
		t.Error("size 0 accepted")
	}
	_, err = CreateSharedMemory(shmName(t), -1)
	wantError(t, err, CodeInvalidArgument)
	_, err = CreateMemfd(-1)
	wantError(t, err, CodeInvalidArgument)
	_, err = OpenSharedMemory(shmName(t))
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("open a missing region: %v", err)
	}
	if _, err := OpenSharedMemoryFd(-1); err == nil {
		t.Error("fd -1 accepted")
	}
	if _, err := OpenSharedMemoryProc(os.Getpid(), 1<<20); err == nil {
		t.Error("a descriptor that is not open accepted")
	}
}
