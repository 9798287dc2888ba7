//! A progress bar on standard error: redrawn in place on a terminal, one line per epoch
//! otherwise (so logs stay readable).

use std::io::{IsTerminal, Write};
use std::time::Instant;

/// Progress of the slots of a run.
#[derive(Debug)]
pub struct Progress {
    total: u64,
    started: Instant,
    terminal: bool,
}

impl Progress {
    /// A bar for `total` slots.
    pub fn new(total: u64) -> Self {
        Self {
            total: total.max(1),
            started: Instant::now(),
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// Shows that `done` slots are finished; `line` says what happened so far.
    pub fn update(&self, done: u64, epoch_finished: bool, line: &str) {
        const WIDTH: u64 = 30;
        let filled = done
            .saturating_mul(WIDTH)
            .checked_div(self.total)
            .unwrap_or(0);
        let percent = done
            .saturating_mul(100)
            .checked_div(self.total)
            .unwrap_or(0);
        let bar: String = (0..WIDTH)
            .map(|cell| if cell < filled { '#' } else { '.' })
            .collect();
        let elapsed = self.started.elapsed().as_secs();
        let mut err = std::io::stderr().lock();
        // A failed write to the terminal must not stop the run.
        if self.terminal {
            let _ = write!(err, "\r[{bar}] {percent:>3}% {elapsed:>4}s  {line}\x1b[K");
            if done >= self.total {
                let _ = writeln!(err);
            }
        } else if epoch_finished {
            let _ = writeln!(err, "[{bar}] {percent:>3}% {elapsed:>4}s  {line}");
        }
    }

    /// A one-off message, on its own line.
    pub fn note(&self, message: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{message}");
    }
}
