//! Refusing a trigger received twice.
//!
//! A signature covers the trigger's fields and URL but no time, so a captured trigger stays
//! valid forever. [`ReplayGuard`] remembers the signatures of recently accepted triggers and
//! refuses one it has seen within its window. Memory is bounded: at capacity the oldest
//! signature is forgotten first (so choose a capacity above the triggers you receive per
//! window).

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::error::TriggerError;
use super::fields::SignedFields;

/// Remembers the signatures of recently accepted triggers.
///
/// ```
/// use std::time::Duration;
/// use bold360_sdk::trigger::{ReplayGuard, TriggerError, TriggerFields, TriggerVerifier};
/// let verifier = TriggerVerifier::new("key");
/// let guard = ReplayGuard::new(Duration::from_secs(600), 10_000);
/// let mut fields = TriggerFields::from_form(b"ChatID=1&signed=ChatID");
/// fields.insert("signature", verifier.sign("https://h.example.com/t", &fields).unwrap());
/// let signed = verifier.verify("https://h.example.com/t", &fields).unwrap();
/// assert_eq!(guard.check(&signed), Ok(()));
/// assert_eq!(guard.check(&signed), Err(TriggerError::Replayed));
/// ```
#[derive(Debug)]
pub struct ReplayGuard {
    window: Duration,
    capacity: usize,
    seen: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    order: VecDeque<(Instant, String)>,
    set: HashSet<String>,
}

impl ReplayGuard {
    /// Refuses a signature seen within `window`, remembering at most `capacity` (at least 1).
    pub fn new(window: Duration, capacity: usize) -> Self {
        Self {
            window,
            capacity: capacity.max(1),
            seen: Mutex::new(Seen::default()),
        }
    }

    /// Accepts a verified trigger the first time its signature is seen within the window.
    pub fn check(&self, trigger: &SignedFields) -> Result<(), TriggerError> {
        self.check_at(trigger.get("signature").unwrap_or_default(), Instant::now())
    }

    /// [`check`](Self::check) for a signature at a given time (for tests and custom clocks).
    pub fn check_at(&self, signature: &str, now: Instant) -> Result<(), TriggerError> {
        let key = signature.trim().to_ascii_uppercase();
        if key.is_empty() {
            return Err(TriggerError::MissingSignature);
        }
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        while let Some((at, old)) = seen.order.front() {
            if now.saturating_duration_since(*at) < self.window && seen.order.len() < self.capacity
            {
                break;
            }
            let old = old.clone();
            seen.order.pop_front();
            seen.set.remove(&old);
        }
        if seen.set.contains(&key) {
            return Err(TriggerError::Replayed);
        }
        seen.set.insert(key.clone());
        seen.order.push_back((now, key));
        Ok(())
    }

    /// How many signatures are remembered now.
    pub fn len(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .order
            .len()
    }

    /// True when none is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_refused_within_the_window_and_forgotten_after() {
        let guard = ReplayGuard::new(Duration::from_secs(60), 100);
        let t0 = Instant::now();
        assert_eq!(guard.check_at("ab", t0), Ok(()));
        assert_eq!(
            guard.check_at("AB ", t0 + Duration::from_secs(59)),
            Err(TriggerError::Replayed)
        );
        assert_eq!(guard.check_at("cd", t0 + Duration::from_secs(1)), Ok(()));
        assert_eq!(
            guard.check_at("ab", t0 + Duration::from_secs(60)),
            Ok(()),
            "the window passed"
        );
        assert_eq!(guard.check_at("", t0), Err(TriggerError::MissingSignature));
    }

    #[test]
    fn memory_is_bounded_oldest_first() {
        let guard = ReplayGuard::new(Duration::from_secs(3600), 3);
        assert!(guard.is_empty());
        let t0 = Instant::now();
        for s in ["a", "b", "c", "d"] {
            assert_eq!(guard.check_at(s, t0), Ok(()));
        }
        assert_eq!(guard.len(), 3);
        assert!(!guard.is_empty());
        assert_eq!(guard.check_at("d", t0), Err(TriggerError::Replayed));
        assert_eq!(guard.check_at("c", t0), Err(TriggerError::Replayed));
        assert_eq!(guard.check_at("a", t0), Ok(()), "forgotten at capacity");
    }
}
