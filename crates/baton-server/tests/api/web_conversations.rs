//! Web pages: conversations (tests through the real router, on both backends).
