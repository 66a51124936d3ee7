//! Web pages: batons (tests through the real router, on both backends).
