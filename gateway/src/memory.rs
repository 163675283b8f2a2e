//! Handing freed memory back to the system.
//!
//! glibc's allocator gives every thread that allocates its own arena and returns an arena's free
//! pages only from its top. Each server worker builds its route table (a compiled regular
//! expression per route) when it starts, which peaks at about 4 MiB and leaves that much
//! resident per worker although almost all of it is free; a burst of load does the same.
//! `malloc_trim(0)` returns the free pages of every arena. It is called a moment after start and
//! then periodically from the server's own thread (not a worker): with a few MiB of heap a call
//! takes well under a millisecond, holding each arena's lock in turn only while it walks it.

use std::time::Duration;

/// Returns the allocator's free pages to the system; true when it released anything. Does
/// nothing off glibc (other allocators return memory themselves or have no such call).
pub fn release_freed() -> bool {
    trim()
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[expect(unsafe_code, reason = "malloc_trim is a C function; see the module documentation")]
fn trim() -> bool {
    unsafe extern "C" {
        fn malloc_trim(pad: usize) -> std::ffi::c_int;
    }
    // SAFETY: malloc_trim takes no pointers and reads no caller state; glibc serialises it with
    // every other allocator call through the arenas' own locks.
    unsafe { malloc_trim(0) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() -> bool {
    false
}

/// Releases freed memory `after_start` once the workers have built their apps, then every
/// `every`, for as long as the calling runtime runs.
pub async fn release_periodically(after_start: Duration, every: Duration) {
    tokio::time::sleep(after_start).await;
    loop {
        let released = release_freed();
        tracing::trace!(released, "returned freed memory");
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::release_freed;

    #[test]
    fn freed_memory_is_released() {
        // A burst freed on another thread below a block that is still live stays in that
        // thread's arena (glibc trims only an arena's top by itself); trimming returns it.
        let live = std::thread::spawn(|| {
            let burst: Vec<Vec<u8>> = (0..64u8).map(|i| vec![i; 64 * 1024]).collect();
            let live = vec![1u8; 64];
            drop(burst);
            live
        })
        .join()
        .unwrap();
        assert_eq!(release_freed(), cfg!(all(target_os = "linux", target_env = "gnu")));
        assert_eq!(live, vec![1u8; 64]);
    }
}
