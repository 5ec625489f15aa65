//! Line and word counts over every view, like `wc -l -w`: prints
//! "lines words bytes name" per view and returns the total line count.
#![no_std]

use guest_abi::{NameBuf, print, print_u64, view, view_name_into, views};

fn count(bytes: &[u8]) -> (u64, u64) {
    let mut lines = 0u64;
    let mut words = 0u64;
    let mut in_word = false;
    for &b in bytes {
        lines += u64::from(b == b'\n');
        let space = matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
        words += u64::from(!space && !in_word);
        in_word = !space;
    }
    (lines, words)
}

#[unsafe(no_mangle)]
pub extern "C" fn run() -> i64 {
    let mut total = 0u64;
    let mut name = NameBuf::new();
    for i in 0..views() {
        let bytes = view(i);
        let (lines, words) = count(bytes);
        total += lines;
        print_u64(lines);
        print(b" ");
        print_u64(words);
        print(b" ");
        print_u64(bytes.len() as u64);
        print(b" ");
        print(view_name_into(i, &mut name.0));
        print(b"\n");
    }
    total as i64
}

/// Lines in view `index`.
#[unsafe(no_mangle)]
pub extern "C" fn lines(index: i32) -> i64 {
    count(view(index as usize)).0 as i64
}

/// Words in view `index`.
#[unsafe(no_mangle)]
pub extern "C" fn words(index: i32) -> i64 {
    count(view(index as usize)).1 as i64
}
