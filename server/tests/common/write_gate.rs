//! A gate on the server's writes: it stops each batch of committed
//! operations at the start of its write until the test lets it through,
//! so that a test can act while operations are committed but not stored.
//! It uses the server's write fail point, which is process-wide, so the
//! tests that close a gate run one at a time.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use echostream_server::document::WRITE_FAIL_POINT;

use super::STEP;

/// Makes the tests of one binary that close a gate take turns.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The batch writes that reached the gate and those let through, counted
/// from 1 in the order they arrived.
#[derive(Default)]
struct Counts {
    arrived: u64,
    released: u64,
}

/// A closed gate on every batch write of the process. Dropping it lets
/// every write through, removes the fail point and ends the test's turn.
pub struct WriteGate {
    counts: Arc<(Mutex<Counts>, Condvar)>,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl WriteGate {
    /// Closes the gate, once no other test of the binary has one closed.
    pub async fn close() -> WriteGate {
        let turn = TURN.lock().await;
        let counts = Arc::new((Mutex::new(Counts::default()), Condvar::new()));
        let shared = Arc::clone(&counts);
        // Runs on the writer's blocking thread, which it blocks until the
        // test releases this write.
        let hold = move || {
            let (lock, changed) = &*shared;
            let mut counts = lock.lock().unwrap();
            counts.arrived += 1;
            let number = counts.arrived;
            changed.notify_all();
            while counts.released < number {
                counts = changed.wait(counts).unwrap();
            }
        };
        fail::cfg_callback(WRITE_FAIL_POINT, hold).expect("the fail point takes a callback");
        WriteGate {
            counts,
            _turn: turn,
        }
    }

    /// Waits until `count` batch writes in all have reached the gate.
    /// Panics after [`STEP`].
    pub async fn wait_arrived(&self, count: u64) {
        let deadline = tokio::time::Instant::now() + STEP;
        loop {
            let arrived = self.counts.0.lock().unwrap().arrived;
            if arrived >= count {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "only {arrived} of {count} batch writes reached the gate within {STEP:?}"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Lets the first `count` batch writes through, and the later ones
    /// stay held.
    pub fn release(&self, count: u64) {
        let (lock, changed) = &*self.counts;
        let mut counts = lock.lock().unwrap();
        counts.released = counts.released.max(count);
        changed.notify_all();
    }

    /// Lets every write through from now on. The test keeps its turn
    /// until the gate drops, which must follow the server's shutdown, so
    /// that no write of its server reaches the next test's gate.
    pub fn open(&self) {
        self.release(u64::MAX);
    }
}

impl Drop for WriteGate {
    fn drop(&mut self) {
        self.open();
        fail::remove(WRITE_FAIL_POINT);
    }
}
