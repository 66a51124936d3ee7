//! Web pages: people (tests through the real router, on both backends).
