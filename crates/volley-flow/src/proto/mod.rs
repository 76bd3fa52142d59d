//! The `proto` module.
