//! A background worker: a thread that runs a task on a value it holds weakly, every interval
//! and whenever woken, until the value (or the worker) goes.
//!
//! Dropping the [`Worker`] stops the thread and waits for it (so it is never inside a database
//! library when the process exits), unless the drop happens on the worker's own thread — the
//! task may itself hold the last reference — in which case the thread ends after its task.

use std::sync::{Arc, Condvar, Mutex, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

#[derive(Default)]
struct Signal {
    woken: bool,
    stop: bool,
}

/// See the module documentation.
pub struct Worker {
    signal: Arc<(Mutex<Signal>, Condvar)>,
    handle: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker").finish_non_exhaustive()
    }
}

impl Worker {
    /// Starts a thread named `name` that runs `task` on `target` every `every` and when woken.
    pub fn spawn<T: Send + Sync + 'static>(
        name: &str,
        target: Weak<T>,
        every: Duration,
        task: impl Fn(&T) + Send + 'static,
    ) -> std::io::Result<Worker> {
        let signal = Arc::new((Mutex::new(Signal::default()), Condvar::new()));
        let shared = signal.clone();
        let handle = std::thread::Builder::new().name(name.to_owned()).spawn(move || {
            loop {
                {
                    let (lock, condvar) = &*shared;
                    let guard = lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    let (mut guard, _) = condvar
                        .wait_timeout_while(guard, every, |signal| !signal.woken && !signal.stop)
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                    if guard.stop {
                        return;
                    }
                    guard.woken = false;
                }
                let Some(target) = target.upgrade() else { return };
                task(&target);
            }
        })?;
        Ok(Worker { signal, handle: Mutex::new(Some(handle)) })
    }

    /// Runs the task soon (at once, unless it is running; then once more after).
    pub fn wake(&self) {
        let (lock, condvar) = &*self.signal;
        lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).woken = true;
        condvar.notify_all();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let (lock, condvar) = &*self.signal;
        lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).stop = true;
        condvar.notify_all();
        let handle = self.handle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
        if let Some(handle) = handle.filter(|h| h.thread().id() != std::thread::current().id()) {
            let _ = handle.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn a_woken_worker_runs_its_task_and_stops_when_dropped() {
        let runs = Arc::new(AtomicUsize::new(0));
        let (sender, receiver) = std::sync::mpsc::channel();
        let sender = Mutex::new(sender);
        let worker = Worker::spawn("test-worker", Arc::downgrade(&runs), Duration::from_secs(3600), move |runs| {
            runs.fetch_add(1, Ordering::SeqCst);
            let _ = sender.lock().unwrap().send(());
        })
        .unwrap();
        worker.wake();
        receiver.recv_timeout(Duration::from_secs(30)).expect("the task ran");
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        drop(worker);
        // Stopped: no further run even when the interval would have passed.
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn the_worker_ends_when_its_target_goes() {
        let target = Arc::new(());
        let worker = Worker::spawn("test-worker", Arc::downgrade(&target), Duration::from_secs(3600), |_| {}).unwrap();
        drop(target);
        worker.wake();
        let handle = worker.handle.lock().unwrap().take().unwrap();
        handle.join().expect("ended on its own");
    }
}
