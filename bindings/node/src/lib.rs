//! Node.js bindings of POCI (napi-rs): the core's verification and reward math for
//! wallets. Conversion and error mapping only; every rule lives in the core crate.
//!
//! Every parameter is read by `args` with its name (its TypeScript type is declared with
//! `ts_arg_type`): a bad argument throws code `INVALID_ARGUMENT`, never a napi status.

// The modules of `#[napi]` functions and classes are public, as their items were at the root:
// a cdylib's public items are its exports, so the ones only JavaScript calls are not dead code.
mod args;
pub mod error;
pub mod keys;
pub mod ledger;
pub mod messages;
pub mod network;
pub mod rewards;
pub mod trust;
mod types;
pub mod verifier;
pub mod x509;
