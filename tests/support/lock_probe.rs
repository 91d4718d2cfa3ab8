//! Checking that the code under test calls out (wakes a task, drops a
//! value of the caller's) with none of its own locks held.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::task::Wake;
use std::thread;
use std::time::Duration;

/// How long another thread may take to get a lock that is free.
const PATIENCE: Duration = Duration::from_secs(10);

/// Each time it is checked, runs `touch` — a call that takes a lock of the
/// code under test — on another thread, and records whether it returned.
/// It cannot while the checking thread holds that lock. As a waker, it
/// checks whenever it is woken.
pub struct LockProbe {
    touch: Arc<dyn Fn() + Send + Sync>,
    results: Mutex<Vec<bool>>,
}

impl LockProbe {
    pub fn new(touch: impl Fn() + Send + Sync + 'static) -> Arc<LockProbe> {
        Arc::new(LockProbe {
            touch: Arc::new(touch),
            results: Mutex::new(Vec::new()),
        })
    }

    /// Records whether `touch` runs while the calling thread waits for it.
    pub fn check(&self) {
        let (done, finished) = mpsc::channel();
        let touch = Arc::clone(&self.touch);
        thread::spawn(move || {
            touch();
            let _ = done.send(());
        });
        let free = finished.recv_timeout(PATIENCE).is_ok();
        self.results.lock().unwrap().push(free);
    }

    /// One entry a check: `true` when the lock was free.
    pub fn results(&self) -> Vec<bool> {
        self.results.lock().unwrap().clone()
    }
}

impl Wake for LockProbe {
    fn wake(self: Arc<Self>) {
        self.check();
    }
}
