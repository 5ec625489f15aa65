//go:build linux && (amd64 || arm64)

package mapview

import (
	"encoding/binary"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// Random 8-byte reads: through Map.Bytes (a plain slice over the map: no
// cgo call, no system call per read), through Map.ReadAt (io.ReaderAt with
// its lock and fault guard, for reference), and through os.File.ReadAt
// (pread), at the same offsets, in the two page-cache states the core
// benchmark measures (docs/benchmarks.md):
//
//   - written: the file is cached by the write() calls that made it (small
//     folios, mapped with 4 KiB page-table entries);
//   - readback: the file was dropped from the cache (POSIX_FADV_DONTNEED)
//     and read back from disk (readahead's large folios, which the kernel
//     can map with 2 MiB entries).
//
// bench.sh runs it with -count and prints the ratios. Environment:
// MAPVIEW_BENCH_SIZE_MB (default 256) and MAPVIEW_BENCH_DIR (default the
// system's temporary directory), as for the core benchmark.
//
// The reads are independent, so the CPU overlaps their cache misses: the
// figures are throughput, as in the core benchmark.

const benchOffsets = 1 << 21 // 2M offsets, as the core benchmark

var benchSink uint64

func BenchmarkRandomRead(b *testing.B) {
	sizeMB := 256
	if s := os.Getenv("MAPVIEW_BENCH_SIZE_MB"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("MAPVIEW_BENCH_SIZE_MB=%q", s)
		}
		sizeMB = n
	}
	dir, err := os.MkdirTemp(os.Getenv("MAPVIEW_BENCH_DIR"), "mapview-go-bench-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "random-read.bin")
	writeBenchFile(b, path, sizeMB)

	// The same offsets for every variant, made up front.
	rng := rand.New(rand.NewPCG(0x9E3779B97F4A7C15, 0x2545F4914F6CDD1D))
	words := uint64(sizeMB) << 20 / 8
	offsets := make([]int, benchOffsets)
	for i := range offsets {
		offsets[i] = int(rng.Uint64N(words) * 8)
	}

	measure := func(state string) {
		m, err := OpenFile(path, ModeReadOnly, &Options{Populate: true})
		if err != nil {
			b.Fatal(err)
		}
		defer m.Close()
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()

		b.Run(state+"/bytes", func(b *testing.B) {
			data := m.Bytes() // one call; the loop below touches only the slice
			var sum uint64
			for i := 0; i < b.N; i++ {
				off := offsets[i&(benchOffsets-1)]
				sum += binary.LittleEndian.Uint64(data[off : off+8])
			}
			benchSink += sum
			// How much of the map the kernel maps with 2 MiB entries: the
			// difference between the two cache states.
			b.ReportMetric(filePmdMappedMiB(b, data), "pmd-MiB")
		})
		b.Run(state+"/map-readat", func(b *testing.B) {
			var buf [8]byte
			var sum uint64
			for i := 0; i < b.N; i++ {
				if _, err := m.ReadAt(buf[:], int64(offsets[i&(benchOffsets-1)])); err != nil {
					b.Fatal(err)
				}
				sum += binary.LittleEndian.Uint64(buf[:])
			}
			benchSink += sum
		})
		b.Run(state+"/file-readat", func(b *testing.B) {
			var buf [8]byte
			var sum uint64
			for i := 0; i < b.N; i++ {
				if _, err := f.ReadAt(buf[:], int64(offsets[i&(benchOffsets-1)])); err != nil {
					b.Fatal(err)
				}
				sum += binary.LittleEndian.Uint64(buf[:])
			}
			benchSink += sum
		})
	}

	readAll(b, path) // already cached by the writes; this only makes sure
	measure("written")
	evictAndReadBack(b, path)
	measure("readback")
}

// filePmdMappedMiB reads /proc/self/smaps for the mapping that starts at
// data's first byte and returns its FilePmdMapped figure in MiB.
func filePmdMappedMiB(b *testing.B, data []byte) float64 {
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		b.Fatal(err)
	}
	start := strconv.FormatUint(uint64(uintptr(unsafe.Pointer(&data[0]))), 16) + "-"
	inMap := false
	for _, line := range strings.Split(string(smaps), "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":") {
			inMap = strings.HasPrefix(line, start)
			continue
		}
		if inMap && strings.HasPrefix(line, "FilePmdMapped:") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	return -1 // not found (a kernel without the field)
}

// writeBenchFile writes sizeMB MiB of pseudo-random bytes, 1 MiB at a time,
// and syncs them so that write-back does not run during the measurements.
func writeBenchFile(b *testing.B, path string, sizeMB int) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	chunk := make([]byte, 1<<20)
	for range sizeMB {
		for i := 0; i < len(chunk); i += 8 {
			binary.LittleEndian.PutUint64(chunk[i:], rng.Uint64())
		}
		if _, err := f.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
}

// readAll reads the file once, 1 MiB at a time.
func readAll(b *testing.B, path string) {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for {
		_, err := f.Read(buf)
		if err == io.EOF {
			return
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// evictAndReadBack drops the file from the page cache and reads it back,
// as a file that was not just written would be cached. golang.org/x/sys
// is not a dependency, so posix_fadvise is called through the raw system
// call (fadvise64 on linux/amd64 and arm64 takes fd, offset, len, advice).
func evictAndReadBack(b *testing.B, path string) {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	const posixFadvDontNeed = 4
	_, _, errno := syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, posixFadvDontNeed, 0, 0)
	f.Close()
	if errno != 0 {
		b.Fatalf("posix_fadvise(DONTNEED): %v", errno)
	}
	readAll(b, path)
}
