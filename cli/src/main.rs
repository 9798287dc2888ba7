//! `poci`: inspect, verify, mint test vendors and chips, read the chip-model registry,
//! compute epoch rewards, and run a simulated network end to end.
//!
//! Exit status: 0 valid / success, 1 invalid input (its stable code printed), 2 usage or
//! I/O error.
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod error;
mod files;
mod inspect;
mod jsonfile;
mod mint;
mod policy;
mod registry;
mod rewards;
mod simulate;
mod vendor_roots;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use error::CliError;

/// POCI: chips prove they are genuine, online and rentable; this command inspects and
/// verifies their proofs, mints test material, computes rewards and simulates a network.
#[derive(Debug, Parser)]
#[command(name = "poci", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode any POCI file for people: a binding, heartbeat or lease acceptance (DER or
    /// JSON), a certificate or certificate chain (DER or PEM), a vendor manifest, an epoch
    /// report, closed epoch, network params or network policy.
    Inspect(inspect::InspectArgs),
    /// Verify bindings, heartbeats or NVIDIA reports: exit 0 if all are valid, 1 if one is
    /// not, 2 for usage (a bad key or certificate argument, no trust material named).
    #[command(subcommand)]
    Verify(verify::VerifyCommand),
    /// Test vendors: a root, an intermediate and their CRLs, deterministic from a seed.
    #[command(subcommand)]
    Vendor(mint::VendorCommand),
    /// Test chips: a device key and its certificate, deterministic from a seed.
    #[command(subcommand)]
    Chip(mint::ChipCommand),
    /// The chip-model registry: list its models, its digest, or the difference of two.
    #[command(subcommand)]
    Registry(registry::RegistryCommand),
    /// A network policy (grace, sampling, threshold, pools, emission): its digest, or what
    /// changed between two.
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// The trust store: its digest, to compare trust material between nodes.
    #[command(subcommand)]
    Trust(vendor_roots::TrustCommand),
    /// An epoch report from reward parameters and an epoch's proven slots.
    Rewards(rewards::RewardsArgs),
    /// Run a simulated network: thousands of chips, real signatures, attacks, rewards.
    Simulate(simulate::SimulateArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect(args) => inspect::run(&args),
        Command::Verify(command) => verify::run(&command),
        Command::Vendor(command) => mint::run_vendor(&command),
        Command::Chip(command) => mint::run_chip(&command),
        Command::Registry(command) => registry::run(&command),
        Command::Trust(command) => vendor_roots::run(&command),
        Command::Policy(command) => policy::run(&command),
        Command::Rewards(args) => rewards::run(&args),
        Command::Simulate(args) => simulate::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("poci: {error}");
            error.exit_code()
        }
    }
}
