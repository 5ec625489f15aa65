//! Sums every view as little-endian u64 words (a last partial word is
//! zero-padded) with plain loads from the mapped pages.
#![no_std]

/// The sum of all views' u64 words, wrapping.
#[unsafe(no_mangle)]
pub extern "C" fn run() -> i64 {
    (0..guest_abi::views()).fold(0u64, |acc, i| {
        acc.wrapping_add(sum_words(guest_abi::view(i)))
    }) as i64
}

/// The sum of view `index` alone.
#[unsafe(no_mangle)]
pub extern "C" fn sum_view(index: i32) -> i64 {
    sum_words(guest_abi::view(index as usize)) as i64
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn sum_words(bytes: &[u8]) -> u64 {
    use core::arch::wasm32::{i64x2_add, i64x2_extract_lane, u64x2, v128, v128_load};
    // 128 bytes per iteration into four i64x2 accumulators: plain v128
    // loads from the view, few loop back-edges.
    let body = &bytes[..bytes.len() / 128 * 128];
    let mut acc: [v128; 4] = [u64x2(0, 0); 4];
    let mut p = body.as_ptr();
    let end = body.as_ptr().wrapping_add(body.len());
    while p < end {
        for k in 0..8 {
            // SAFETY: p + 16*k + 16 <= end, inside `body`; v128_load allows
            // unaligned addresses.
            let v = unsafe { v128_load(p.add(16 * k) as *const v128) };
            acc[k % 4] = i64x2_add(acc[k % 4], v);
        }
        p = p.wrapping_add(128);
    }
    let mut sum = 0u64;
    for a in acc {
        sum = sum
            .wrapping_add(i64x2_extract_lane::<0>(a) as u64)
            .wrapping_add(i64x2_extract_lane::<1>(a) as u64);
    }
    sum.wrapping_add(sum_scalar(&bytes[body.len()..]))
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn sum_words(bytes: &[u8]) -> u64 {
    sum_scalar(bytes)
}

fn sum_scalar(bytes: &[u8]) -> u64 {
    let body = &bytes[..bytes.len() / 8 * 8];
    let tail = &bytes[body.len()..];
    // Four independent lanes let the compiler use simd128 adds.
    let mut lanes = [0u64; 4];
    let mut chunks = body.chunks_exact(32);
    for c in &mut chunks {
        for (k, lane) in lanes.iter_mut().enumerate() {
            let w = u64::from_le_bytes(c[k * 8..k * 8 + 8].try_into().unwrap_or([0; 8]));
            *lane = lane.wrapping_add(w);
        }
    }
    let mut sum = lanes.iter().fold(0u64, |a, &l| a.wrapping_add(l));
    for w in chunks.remainder().chunks_exact(8) {
        sum = sum.wrapping_add(u64::from_le_bytes(w.try_into().unwrap_or([0; 8])));
    }
    let mut last = [0u8; 8];
    last[..tail.len()].copy_from_slice(tail);
    sum.wrapping_add(u64::from_le_bytes(last))
}
