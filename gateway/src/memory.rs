//! Handing freed memory back to the system.
//!
//! glibc's allocator gives every thread that allocates its own arena and returns an arena's free
//! pages only from its top. Each server worker builds its route table (a compiled regular
//! expression per route) when it starts, which peaks at about 4 MiB and leaves that much
//! resident per worker although almost all of it is free; a burst of load does the same.
//! `malloc_trim(0)` returns the free pages of every arena. It is called a moment after start and
//! then periodically from the server's own thread (not a worker): with a few MiB of heap a call
//! takes well under a millisecond, holding each arena's lock in turn only while it walks it.
//!
//! Start-up also runs code that never runs again (migrations, the OpenAPI document, each
//! worker's route table), and the kernel maps the neighbours of every page it faults in: after
//! start about 20 MiB of the executable's 31 MiB of code is resident although a request needs
//! a fraction of it. Once, a moment after start, [`release_startup_code`] unmaps the
//! executable's read-only pages; what requests use faults back in from the page cache on first
//! use (the file is unchanged: a running executable cannot be written), and what start-up alone
//! used stays out of the process. The same happens whenever the server has been idle for a whole
//! period after answering requests: code that one rare request ran (a password login maps about
//! 7 MiB) does not stay resident in an idle server, and a busy one keeps what it uses.

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

/// Unmaps the executable's read-only pages (code and constants) that only this process holds
/// privately unchanged; returns how many bytes of mappings it let go. See the module
/// documentation. Does nothing off Linux.
pub fn release_startup_code() -> usize {
    executable_pages()
}

#[cfg(target_os = "linux")]
#[expect(unsafe_code, reason = "madvise is a C function; see the module documentation")]
fn executable_pages() -> usize {
    unsafe extern "C" {
        fn madvise(addr: *mut std::ffi::c_void, length: usize, advice: std::ffi::c_int) -> std::ffi::c_int;
    }
    const MADV_DONTNEED: std::ffi::c_int = 4;
    let mut released = 0;
    for (start, end) in read_only_executable_mappings() {
        // SAFETY: the range is a whole private, read-only mapping of the executable with no
        // private copy of any page (`Anonymous: 0`): MADV_DONTNEED drops only pages the kernel
        // re-reads from the unchanged file on their next use, so no content is lost, and the
        // range stays mapped.
        if unsafe { madvise(start as *mut std::ffi::c_void, end - start, MADV_DONTNEED) } == 0 {
            released += end - start;
        }
    }
    released
}

#[cfg(not(target_os = "linux"))]
fn executable_pages() -> usize {
    0
}

/// The address ranges of the executable's private read-only mappings that hold no page of their
/// own (relocated data, which the loader wrote, has `Anonymous` pages and is left alone).
#[cfg(target_os = "linux")]
fn read_only_executable_mappings() -> Vec<(usize, usize)> {
    let Ok(exe) = std::fs::read_link("/proc/self/exe") else { return Vec::new() };
    let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else { return Vec::new() };
    let exe = exe.to_string_lossy();
    let mut ranges = Vec::new();
    // The range of the mapping being read, while it still qualifies.
    let mut current: Option<(usize, usize)> = None;
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let first = fields.next().unwrap_or_default();
        if let Some((start, end)) = first.split_once('-')
            && let (Ok(start), Ok(end)) = (usize::from_str_radix(start, 16), usize::from_str_radix(end, 16))
        {
            let perms = fields.next().unwrap_or_default();
            let path = fields.nth(3).unwrap_or_default();
            let read_only = perms.starts_with('r') && perms.as_bytes().get(1) == Some(&b'-') && perms.ends_with('p');
            current = (read_only && path == exe).then_some((start, end));
        } else if first == "Anonymous:"
            && let Some(range) = current.take()
            && fields.next() == Some("0")
        {
            ranges.push(range);
        }
    }
    ranges
}

/// Releases freed memory `after_start` once the workers have built their apps, and the
/// executable's pages that start-up alone used; then freed memory every `every`, and the
/// executable's pages again after each period without requests that followed some
/// (`answered` counts requests), for as long as the calling runtime runs.
pub async fn release_periodically(after_start: Duration, every: Duration, answered: impl Fn() -> u64) {
    tokio::time::sleep(after_start).await;
    let mut idle = IdleWatch::new(answered());
    let code = release_startup_code();
    tracing::debug!(code, "released the executable's start-up pages");
    loop {
        tokio::time::sleep(every).await;
        let released = release_freed();
        if idle.tick(answered()) {
            let code = release_startup_code();
            tracing::trace!(released, code, "idle: returned freed memory and code pages");
        } else {
            tracing::trace!(released, "returned freed memory");
        }
    }
}

/// Tells, once per period, whether the server has just become idle: no request during the
/// period, and some since the last time it was idle (or none since start: a slow start may
/// still have been building routes at the first release).
#[derive(Debug)]
struct IdleWatch {
    seen: u64,
    released_at: Option<u64>,
}

impl IdleWatch {
    fn new(answered: u64) -> IdleWatch {
        IdleWatch { seen: answered, released_at: None }
    }

    /// `answered`: the request count now. True when the code pages should go again.
    fn tick(&mut self, answered: u64) -> bool {
        let idle = answered == self.seen && self.released_at != Some(answered);
        if idle {
            self.released_at = Some(answered);
        }
        self.seen = answered;
        idle
    }
}

#[cfg(test)]
mod tests {
    use super::{IdleWatch, release_freed, release_startup_code};

    #[test]
    fn code_pages_go_once_per_idle_spell() {
        let mut watch = IdleWatch::new(0);
        assert!(watch.tick(0), "the first quiet period after start");
        assert!(!watch.tick(0), "still idle: already released");
        assert!(!watch.tick(5), "busy");
        assert!(!watch.tick(9), "busy");
        assert!(watch.tick(9), "idle after requests");
        assert!(!watch.tick(9));
        assert!(!watch.tick(10), "busy");
        assert!(watch.tick(10), "idle again");
    }

    #[test]
    fn the_executables_read_only_pages_are_released_and_fault_back_in() {
        let released = release_startup_code();
        if cfg!(target_os = "linux") {
            // The test binary has code and constants; relocated data is not among them.
            assert!(released > 1024 * 1024, "released {released} bytes");
        } else {
            assert_eq!(released, 0);
        }
        // Code and constants run and read as before.
        let text = format!("{:?}", (1..=3).map(|n| n * 2).collect::<Vec<i32>>());
        assert_eq!(text, "[2, 4, 6]");
    }

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
