//! Refusing a trigger received twice.
//!
//! A signature covers the trigger's fields and URL but no time, so a captured trigger stays
//! valid forever. [`ReplayGuard`] remembers the signatures of recently **handled** triggers
//! and refuses one it has seen within its window. A signature counts as seen only once its
//! handler succeeded: [`ReplayGuard::begin`] holds it while the handler runs (a concurrent
//! copy is refused as [`TriggerError::InFlight`]) and the [`ReplayTicket`] it returns either
//! records it ([`ReplayTicket::succeeded`]) or, dropped, lets it go, so Bold360's or an
//! operator's retry of a trigger whose handler failed is handled again, not refused as a
//! replay. Memory is bounded: at capacity the oldest signature is forgotten first (so choose a
//! capacity above the triggers you receive per window).

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
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
    /// Signatures whose handler is running.
    in_flight: HashSet<String>,
}

/// A trigger being handled: [`succeeded`](Self::succeeded) records its signature as seen;
/// dropped without it (the handler failed), the signature is let go and a retry is handled.
#[derive(Debug)]
#[must_use = "call succeeded() once the trigger is handled, or drop it to let a retry through"]
pub struct ReplayTicket {
    guard: Arc<ReplayGuard>,
    key: Option<String>,
}

impl ReplayTicket {
    /// The handler succeeded: the signature is seen from now on (within the window).
    pub fn succeeded(mut self) {
        if let Some(key) = self.key.take() {
            self.guard.commit(key, Instant::now());
        }
    }
}

impl Drop for ReplayTicket {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.guard.lock().in_flight.remove(&key);
        }
    }
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

    /// Accepts a verified trigger the first time its signature is seen within the window,
    /// and records it at once: for handling that cannot fail. Where it can, use
    /// [`begin`](Self::begin), so a failed handling does not make the retry a "replay".
    pub fn check(&self, trigger: &SignedFields) -> Result<(), TriggerError> {
        self.check_at(trigger.get("signature").unwrap_or_default(), Instant::now())
    }

    /// Starts handling a verified trigger: refused when its signature was handled within the
    /// window ([`TriggerError::Replayed`]) or is being handled now
    /// ([`TriggerError::InFlight`]); otherwise held until the ticket says how it went.
    ///
    /// ```
    /// use std::{sync::Arc, time::Duration};
    /// use bold360_sdk::trigger::{ReplayGuard, TriggerError, TriggerFields, TriggerVerifier};
    /// let verifier = TriggerVerifier::new("key");
    /// let guard = Arc::new(ReplayGuard::new(Duration::from_secs(600), 10_000));
    /// let mut fields = TriggerFields::from_form(b"ChatID=1&signed=ChatID");
    /// fields.insert("signature", verifier.sign("https://h.example.com/t", &fields).unwrap());
    /// let signed = verifier.verify("https://h.example.com/t", &fields).unwrap();
    /// let first = guard.begin(&signed).unwrap();
    /// assert_eq!(guard.begin(&signed).unwrap_err(), TriggerError::InFlight);
    /// drop(first); // the handler failed (say, 503): the retry is handled
    /// let retry = guard.begin(&signed).unwrap();
    /// retry.succeeded();
    /// assert_eq!(guard.begin(&signed).unwrap_err(), TriggerError::Replayed);
    /// ```
    pub fn begin(self: &Arc<Self>, trigger: &SignedFields) -> Result<ReplayTicket, TriggerError> {
        let key = trigger
            .get("signature")
            .unwrap_or_default()
            .trim()
            .to_ascii_uppercase();
        if key.is_empty() {
            return Err(TriggerError::MissingSignature);
        }
        let mut seen = self.lock();
        self.forget_old(&mut seen, Instant::now());
        if seen.set.contains(&key) {
            return Err(TriggerError::Replayed);
        }
        if !seen.in_flight.insert(key.clone()) {
            return Err(TriggerError::InFlight);
        }
        Ok(ReplayTicket {
            guard: Arc::clone(self),
            key: Some(key),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets what is past the window, and the oldest beyond capacity.
    fn forget_old(&self, seen: &mut Seen, now: Instant) {
        while let Some((at, old)) = seen.order.front() {
            if now.saturating_duration_since(*at) < self.window && seen.order.len() < self.capacity
            {
                break;
            }
            let old = old.clone();
            seen.order.pop_front();
            seen.set.remove(&old);
        }
    }

    fn commit(&self, key: String, now: Instant) {
        let mut seen = self.lock();
        seen.in_flight.remove(&key);
        self.forget_old(&mut seen, now);
        if seen.set.insert(key.clone()) {
            seen.order.push_back((now, key));
        }
    }

    /// [`check`](Self::check) for a signature at a given time (for tests and custom clocks).
    pub fn check_at(&self, signature: &str, now: Instant) -> Result<(), TriggerError> {
        let key = signature.trim().to_ascii_uppercase();
        if key.is_empty() {
            return Err(TriggerError::MissingSignature);
        }
        let mut seen = self.lock();
        self.forget_old(&mut seen, now);
        if seen.set.contains(&key) || seen.in_flight.contains(&key) {
            return Err(TriggerError::Replayed);
        }
        seen.set.insert(key.clone());
        seen.order.push_back((now, key));
        Ok(())
    }

    /// How many signatures are remembered now.
    pub fn len(&self) -> usize {
        self.lock().order.len()
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
