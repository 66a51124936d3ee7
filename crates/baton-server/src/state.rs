//! The one application state every handler receives: the store, the clock, metrics and the
//! in-flight idempotency keys. Outside services are trait objects so tests can swap them.

use std::sync::Arc;

use baton_store::Store;

use crate::clock::{Clock, SystemClock};
use crate::delivery::webhook_client::WebhookClient;
use crate::idempotency::InFlight;
use crate::metrics::Metrics;
use crate::password::PasswordGate;
use crate::web::base_url::BaseUrl;
use crate::web::setup_code::SetupCode;

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
    /// Bounds the argon2 work (password hashes and checks) running at once.
    pub passwords: PasswordGate,
    /// How the web pages are served.
    pub web: Arc<WebSettings>,
    /// Tells open inbox streams, on every instance, when to read their counters again.
    pub live: Arc<crate::live::Bus>,
    /// Checks webhook targets (at registration and at send time) and sends webhooks.
    pub webhooks: Arc<WebhookClient>,
    /// The code that lets another machine use the first-run page, when `baton serve` made one.
    pub setup_code: Arc<SetupCode>,
}

/// Settings of the web pages.
#[derive(Debug, Clone, Default)]
pub struct WebSettings {
    /// Where people reach Baton (`--base-url`). When set, requests for another host are
    /// refused; when https, cookies are `__Host-` and `Secure` and responses carry HSTS.
    pub base_url: Option<BaseUrl>,
    /// A line the sign-in page shows, e.g. the demo logins.
    pub sign_in_hint: Option<String>,
    /// Baton sits behind a reverse proxy whose `X-Forwarded-For` (and `-Proto`) tell the
    /// client's address (and scheme); otherwise those headers are ignored.
    pub trust_proxy: bool,
}

impl WebSettings {
    /// Whether people reach Baton over https (its base URL says so).
    pub fn is_https(&self) -> bool {
        self.base_url.as_ref().is_some_and(BaseUrl::is_https)
    }
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
            web: WebSettings::default(),
            webhooks: WebhookClient::default(),
            passwords: PasswordGate::for_this_machine(),
        }
    }
}

/// Builds an [`AppState`] with optional replacements.
pub struct AppStateBuilder {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    web: WebSettings,
    webhooks: WebhookClient,
    passwords: PasswordGate,
}

impl AppStateBuilder {
    /// Uses `clock` instead of the system clock.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Uses these web settings.
    pub fn web(mut self, web: WebSettings) -> Self {
        self.web = web;
        self
    }

    /// Uses this webhook client (e.g. one with `--webhook-allow-host` hosts).
    pub fn webhooks(mut self, webhooks: WebhookClient) -> Self {
        self.webhooks = webhooks;
        self
    }

    /// Uses this password gate instead of one sized for this machine.
    pub fn passwords(mut self, passwords: PasswordGate) -> Self {
        self.passwords = passwords;
        self
    }

    /// Finishes the state.
    pub fn build(self) -> AppState {
        let live = Arc::new(crate::live::Bus::new(self.store.clone()));
        AppState {
            store: self.store,
            clock: self.clock,
            metrics: Arc::new(Metrics::default()),
            in_flight: Arc::new(InFlight::default()),
            passwords: self.passwords,
            web: Arc::new(self.web),
            live,
            webhooks: Arc::new(self.webhooks),
            setup_code: Arc::new(SetupCode::default()),
        }
    }
}
