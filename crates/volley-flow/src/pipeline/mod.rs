//! The `pipeline` module.
