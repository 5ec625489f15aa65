//! The panic boundary every export runs in: a panic becomes
//! MAPVIEW_ERR_PANIC with its message, never an unwind into C.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::{Failure, mapview_error, mapview_status};

/// Runs `body`, stores its failure (if any) in `err`, and returns the status.
///
/// `err` is the caller's optional error out-parameter: NULL, or a pointer to
/// writable storage for one `mapview_error*`. It is set to NULL first, so a
/// caller can always free it afterwards.
pub(crate) fn guard(
    err: *mut *mut mapview_error,
    body: impl FnOnce() -> Result<(), Failure>,
) -> mapview_status {
    if !err.is_null() {
        // SAFETY: a non-NULL err points to writable storage for a pointer
        // (API contract, written on every function).
        unsafe { err.write(std::ptr::null_mut()) };
    }
    // AssertUnwindSafe: on a panic nothing the closure touched is used
    // again; the handle registry's locks recover from poisoning.
    let outcome = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        Err(Failure::new(
            mapview_status::MAPVIEW_ERR_PANIC,
            format!("internal error: {what}"),
        ))
    });
    match outcome {
        Ok(()) => mapview_status::MAPVIEW_OK,
        Err(failure) => {
            let code = failure.code;
            if !err.is_null() {
                // SAFETY: as above.
                unsafe { err.write(mapview_error::boxed(failure)) };
            }
            code
        }
    }
}

/// For exports that return a status without an error object (close).
pub(crate) fn guard_status(body: impl FnOnce() -> Result<(), Failure>) -> mapview_status {
    guard(std::ptr::null_mut(), body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{mapview_error_code, mapview_error_free, mapview_error_message};

    #[test]
    fn a_panic_becomes_a_status_and_a_message() {
        let mut err = std::ptr::null_mut();
        let status = guard(&mut err, || panic!("boom at the boundary"));
        assert_eq!(status, mapview_status::MAPVIEW_ERR_PANIC);
        assert_eq!(mapview_error_code(err), mapview_status::MAPVIEW_ERR_PANIC);
        // SAFETY: the message is a NUL-terminated string owned by err.
        let msg = unsafe { std::ffi::CStr::from_ptr(mapview_error_message(err)) };
        assert!(msg.to_str().unwrap().contains("boom at the boundary"));
        mapview_error_free(err);
        assert_eq!(
            guard_status(|| panic!("no error object")),
            mapview_status::MAPVIEW_ERR_PANIC
        );
    }

    #[test]
    fn success_clears_the_error_slot() {
        let mut err = std::ptr::dangling_mut::<mapview_error>(); // garbage left by the caller
        assert_eq!(guard(&mut err, || Ok(())), mapview_status::MAPVIEW_OK);
        assert!(err.is_null());
    }
}
