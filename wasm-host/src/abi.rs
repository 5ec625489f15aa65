//! The host imports a guest uses to find its views and arguments
//! (module "mapview"; docs/guest-abi.md specifies them). They pass only
//! integers; the few that copy bytes into guest memory check the buffer
//! first: inside the memory and clear of every view, so a host function
//! never faults on a read-only or truncated view.

use wasmtime::{Caller, Extern, Linker, Memory};

use crate::instance::GuestState;

pub(crate) const MODULE: &str = "mapview";

fn memory(caller: &mut Caller<'_, GuestState>) -> wasmtime::Result<Memory> {
    match caller.get_export("memory") {
        Some(Extern::Memory(m)) => Ok(m),
        _ => wasmtime::bail!("the guest exports no memory named 'memory'"),
    }
}

/// The guest range `[ptr, ptr+len)`, checked against the memory's size and,
/// for writes, against every view.
fn guest_range(
    caller: &mut Caller<'_, GuestState>,
    what: &str,
    ptr: i32,
    len: i32,
    for_write: bool,
) -> wasmtime::Result<(Memory, usize, usize)> {
    let memory = memory(caller)?;
    let (start, len) = (ptr as u32 as usize, len as u32 as usize);
    let end = start + len;
    if end > memory.data_size(&*caller) {
        wasmtime::bail!(
            "mapview.{what}: buffer {start:#x}..{end:#x} is outside the guest's memory"
        );
    }
    if for_write && let Some(v) = caller.data().views.iter().find(|v| v.overlaps(start, end)) {
        wasmtime::bail!(
            "mapview.{what}: buffer {start:#x}..{end:#x} overlaps view '{}'",
            v.info.name
        );
    }
    Ok((memory, start, end))
}

/// Copies `bytes` (at most `cap`) to guest memory at `buf`; returns the
/// number copied.
fn copy_out(
    caller: &mut Caller<'_, GuestState>,
    what: &str,
    bytes: &[u8],
    buf: i32,
    cap: i32,
) -> wasmtime::Result<i32> {
    let n = bytes.len().min(cap as u32 as usize);
    let (memory, start, _) = guest_range(caller, what, buf, n as i32, true)?;
    memory.write(&mut *caller, start, &bytes[..n])?;
    Ok(n as i32)
}

pub(crate) fn define(linker: &mut Linker<GuestState>) -> wasmtime::Result<()> {
    linker.func_wrap(MODULE, "view_count", |c: Caller<'_, GuestState>| {
        c.data().views.len() as i32
    })?;
    linker.func_wrap(MODULE, "view_addr", |c: Caller<'_, GuestState>, i: i32| {
        view(&c, i).map_or(-1, |v| v.info.addr as i32)
    })?;
    linker.func_wrap(MODULE, "view_len", |c: Caller<'_, GuestState>, i: i32| {
        view(&c, i).map_or(-1, |v| v.info.len as i32)
    })?;
    linker.func_wrap(
        MODULE,
        "view_writable",
        |c: Caller<'_, GuestState>, i: i32| view(&c, i).map_or(-1, |v| i32::from(v.info.writable)),
    )?;
    linker.func_wrap(
        MODULE,
        "view_name_len",
        |c: Caller<'_, GuestState>, i: i32| view(&c, i).map_or(-1, |v| v.info.name.len() as i32),
    )?;
    linker.func_wrap(
        MODULE,
        "view_name",
        |mut c: Caller<'_, GuestState>, i: i32, buf: i32, cap: i32| {
            let Some(name) = view(&c, i).map(|v| v.info.name.clone()) else {
                return Ok(-1);
            };
            copy_out(&mut c, "view_name", name.as_bytes(), buf, cap)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "view_find",
        |mut c: Caller<'_, GuestState>, ptr: i32, len: i32| {
            let (memory, start, end) = guest_range(&mut c, "view_find", ptr, len, false)?;
            let wanted = memory.data(&c)[start..end].to_vec();
            Ok(c.data()
                .views
                .iter()
                .position(|v| v.info.name.as_bytes() == wanted)
                .map_or(-1, |i| i as i32))
        },
    )?;
    linker.func_wrap(MODULE, "arg_count", |c: Caller<'_, GuestState>| {
        c.data().args.len() as i32
    })?;
    linker.func_wrap(MODULE, "arg_len", |c: Caller<'_, GuestState>, i: i32| {
        usize::try_from(i)
            .ok()
            .and_then(|i| c.data().args.get(i))
            .map_or(-1, |a| a.len() as i32)
    })?;
    linker.func_wrap(
        MODULE,
        "arg_read",
        |mut c: Caller<'_, GuestState>, i: i32, buf: i32, cap: i32| {
            let Some(arg) = usize::try_from(i)
                .ok()
                .and_then(|i| c.data().args.get(i))
                .cloned()
            else {
                return Ok(-1);
            };
            copy_out(&mut c, "arg_read", &arg, buf, cap)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "output",
        |mut c: Caller<'_, GuestState>, ptr: i32, len: i32| {
            let (memory, start, end) = guest_range(&mut c, "output", ptr, len, false)?;
            let limit = c.data().max_output;
            if c.data().output.len() + (end - start) > limit {
                wasmtime::bail!(
                    "mapview.output: the guest wrote more than {limit} bytes of output"
                );
            }
            // Reading from a view is fine: a truncated file reads as zeros here
            // too (the SIGBUS guard covers host code).
            let bytes = memory.data(&c)[start..end].to_vec();
            c.data_mut().output.extend_from_slice(&bytes);
            Ok(())
        },
    )?;
    Ok(())
}

fn view<'a>(c: &'a Caller<'_, GuestState>, i: i32) -> Option<&'a crate::view::PlacedView> {
    usize::try_from(i).ok().and_then(|i| c.data().views.get(i))
}
