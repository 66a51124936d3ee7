//! The one application state every handler receives: the store, the clock, metrics and the
//! in-flight idempotency keys. Outside services are trait objects so tests can swap them.

use std::sync::Arc;

use baton_store::Store;

use crate::clock::{Clock, SystemClock};
use crate::idempotency::InFlight;
use crate::metrics::Metrics;

/// Shared state of a running server. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Where everything is stored.
    pub store: Arc<dyn Store>,
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// Request counters and latencies.
    pub metrics: Arc<Metrics>,
    /// Idempotency keys whose first request is still running in this process.
    pub in_flight: Arc<InFlight>,
}

impl AppState {
    /// State over `store` with the system clock.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::builder(store).build()
    }

    /// Starts a builder, for tests that need another clock.
    pub fn builder(store: Arc<dyn Store>) -> AppStateBuilder {
        AppStateBuilder {
            store,
            clock: Arc::new(SystemClock),
        }
    }
}

/// Builds an [`AppState`] with optional replacements.
pub struct AppStateBuilder {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl AppStateBuilder {
    /// Uses `clock` instead of the system clock.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Finishes the state.
    pub fn build(self) -> AppState {
        AppState {
            store: self.store,
            clock: self.clock,
            metrics: Arc::new(Metrics::default()),
            in_flight: Arc::new(InFlight::default()),
        }
    }
}
