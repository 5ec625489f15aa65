//! Handle registries. A handle given to C is an id, not a pointer: the
//! top byte names the type, the rest counts up and is never reused. So a
//! zero, forged, wrongly-typed, closed or twice-closed handle is told
//! apart and reported, never dereferenced, and Go's garbage collector
//! never sees a fake pointer.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use crate::error::{Failure, mapview_status};

const TAG_SHIFT: u32 = 56;
const COUNTER_MASK: u64 = (1 << TAG_SHIFT) - 1;

/// Ids are unique counters: multiplying by an odd constant spreads them
/// well enough and costs far less than SipHash on the per-call path.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type Table<T> = HashMap<u64, Arc<T>, BuildHasherDefault<IdHasher>>;

pub(crate) struct Registry<T> {
    tag: u64,
    what: &'static str,
    next: AtomicU64,
    live: RwLock<Table<T>>,
}

impl<T> Registry<T> {
    pub(crate) const fn new(tag: u8, what: &'static str) -> Registry<T> {
        Registry {
            tag: (tag as u64) << TAG_SHIFT,
            what,
            next: AtomicU64::new(1),
            live: RwLock::new(HashMap::with_hasher(BuildHasherDefault::new())),
        }
    }

    /// Registers a new object and returns its handle id.
    pub(crate) fn insert(&self, value: T) -> u64 {
        let id = self.tag | (self.next.fetch_add(1, Ordering::Relaxed) & COUNTER_MASK);
        // A panic while the lock was held cannot leave the table half
        // changed (insert/remove are single calls), so poisoning is ignored.
        let mut live = self.live.write().unwrap_or_else(|e| e.into_inner());
        live.insert(id, Arc::new(value));
        id
    }

    /// The object behind a handle. The Arc keeps it alive for the call even
    /// if another thread closes the handle meanwhile.
    pub(crate) fn get(&self, id: u64) -> Result<Arc<T>, Failure> {
        let live = self.live.read().unwrap_or_else(|e| e.into_inner());
        match live.get(&id) {
            Some(v) => Ok(Arc::clone(v)),
            None => Err(self.missing(id)),
        }
    }

    /// Unregisters a handle (close). The object is dropped when the last
    /// call using it returns.
    pub(crate) fn remove(&self, id: u64) -> Result<Arc<T>, Failure> {
        let mut live = self.live.write().unwrap_or_else(|e| e.into_inner());
        live.remove(&id).ok_or_else(|| self.missing(id))
    }

    fn missing(&self, id: u64) -> Failure {
        let what = self.what;
        if id == 0 {
            return Failure::new(
                mapview_status::MAPVIEW_ERR_INVALID_HANDLE,
                format!("the {what} handle is 0 (not opened, or the open failed)"),
            );
        }
        if id & !COUNTER_MASK != self.tag {
            return Failure::new(
                mapview_status::MAPVIEW_ERR_INVALID_HANDLE,
                format!("handle {id:#x} is not a {what} handle"),
            );
        }
        if id & COUNTER_MASK < self.next.load(Ordering::Relaxed) {
            return Failure::new(
                mapview_status::MAPVIEW_ERR_CLOSED,
                format!("{what} handle {id:#x} was closed"),
            );
        }
        Failure::new(
            mapview_status::MAPVIEW_ERR_INVALID_HANDLE,
            format!("{what} handle {id:#x} was never issued"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_wrong_type_zero_and_forged_handles_are_told_apart() {
        let maps: Registry<u32> = Registry::new(1, "map");
        let others: Registry<u32> = Registry::new(2, "windows");
        let id = maps.insert(7);
        let other = others.insert(8);
        assert_eq!(*maps.get(id).unwrap(), 7);
        assert_eq!(
            maps.get(0).unwrap_err().code,
            mapview_status::MAPVIEW_ERR_INVALID_HANDLE
        );
        let wrong = maps.get(other).unwrap_err();
        assert_eq!(wrong.code, mapview_status::MAPVIEW_ERR_INVALID_HANDLE);
        assert!(
            wrong.message.contains("not a map handle"),
            "{}",
            wrong.message
        );
        assert_eq!(
            maps.get(id + 1000).unwrap_err().code,
            mapview_status::MAPVIEW_ERR_INVALID_HANDLE
        );
        assert_eq!(*maps.remove(id).unwrap(), 7);
        assert_eq!(
            maps.get(id).unwrap_err().code,
            mapview_status::MAPVIEW_ERR_CLOSED
        );
        assert_eq!(
            maps.remove(id).unwrap_err().code,
            mapview_status::MAPVIEW_ERR_CLOSED
        );
        assert_ne!(maps.insert(9), id, "ids are never reused");
    }

    #[test]
    fn an_object_lives_until_the_last_user_is_done() {
        let reg: Registry<String> = Registry::new(1, "map");
        let id = reg.insert("alive".to_string());
        let held = reg.get(id).unwrap();
        reg.remove(id).unwrap();
        assert_eq!(*held, "alive", "a call in flight keeps its object");
    }
}
