#!/usr/bin/env python3
"""An independent reader of mapview event logs, written from
docs/event-log-format.md alone (it shares no code with mapview). Prints one
line per event: offset, timestamp, payload as UTF-8; exits 1 on a damaged
event (printing its offset), 2 on a file that is not a log."""
import struct
import sys
import zlib

HEADER = 128


def main(path):
    data = open(path, "rb").read()
    if len(data) < HEADER or data[:8] != b"MVEVLOG\0":
        print(f"{path}: not an event log", file=sys.stderr)
        return 2
    version, header_size, write_offset, count, created, synced = struct.unpack_from("<IIQQQQ", data, 8)
    if version != 1 or header_size != HEADER or not HEADER <= write_offset <= len(data) or write_offset % 8:
        print(f"{path}: bad header", file=sys.stderr)
        return 2
    at = HEADER
    seen = 0
    while at < write_offset:
        timestamp, size, crc = struct.unpack_from("<QII", data, at)
        end = at + 16 + (size + 7) // 8 * 8
        payload = data[at + 16:at + 16 + size]
        if end > write_offset or zlib.crc32(data[at:at + 12] + payload) != crc or any(data[at + 16 + size:end]):
            print(f"damaged event at offset {at}")
            return 1
        print(f"{at}\t{timestamp}\t{payload.decode('utf-8', 'replace')}")
        seen += 1
        at = end
    if seen != count:
        print(f"{path}: header counts {count} events, found {seen}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
