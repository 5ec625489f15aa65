//! Searches every view for the pattern given as argument 0 and prints
//! "name:count" for each view that has it; returns the total number of
//! (possibly overlapping) occurrences.
#![no_std]

use guest_abi::{NameBuf, arg_into, args, print, print_u64, view, view_name_into, views};

fn occurrences(hay: &[u8], needle: &[u8]) -> u64 {
    let Some((&first, rest)) = needle.split_first() else {
        return 0;
    };
    let mut n = 0;
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        // Skip quickly to the next candidate first byte.
        match hay[i..=hay.len() - needle.len()]
            .iter()
            .position(|&b| b == first)
        {
            None => break,
            Some(k) => i += k,
        }
        if &hay[i + 1..i + needle.len()] == rest {
            n += 1;
        }
        i += 1;
    }
    n
}

#[unsafe(no_mangle)]
pub extern "C" fn run() -> i64 {
    if args() == 0 {
        print(b"usage: search PATTERN\n");
        return -1;
    }
    let mut pattern = NameBuf::new();
    let needle = arg_into(0, &mut pattern.0);
    let mut name = NameBuf::new();
    let mut total = 0u64;
    for i in 0..views() {
        let n = occurrences(view(i), needle);
        if n > 0 {
            print(view_name_into(i, &mut name.0));
            print(b":");
            print_u64(n);
            print(b"\n");
        }
        total += n;
    }
    total as i64
}
